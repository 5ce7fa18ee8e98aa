//! The signed-in person as the pages see them, and the check server functions start with.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What the interface shows of the signed-in person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Me {
    pub display_name: String,
    pub email: String,
    pub role: String,
    pub service_provider: bool,
    /// A service provider admin (support staff read only).
    pub admin: bool,
    /// May change things (everyone but service provider support).
    pub can_change: bool,
    /// Manages portal accounts (service provider admins, reseller admins).
    pub manages_accounts: bool,
    /// A customer admin's customer (tenant id).
    pub customer: Option<String>,
    /// The language the person chose (`en`, `fr`); `None`: the browser's.
    pub language: Option<String>,
}

/// The person this page was rendered for, as the console provides it to every page ([`provide_me`]).
pub fn use_me() -> Option<Me> {
    use_context::<SignedIn>().and_then(|s| s.0)
}

#[derive(Clone)]
struct SignedIn(Option<Me>);

/// For the console, on the server and in the browser: the person every page of it sees. The
/// server reads it from the request ([`signed_in`]); the console island carries it to the browser.
pub fn provide_me(me: Option<Me>) {
    provide_context(SignedIn(me));
}

/// The person this request is signed in as (the server; `None` in the browser).
#[cfg(feature = "ssr")]
pub fn signed_in() -> Option<Me> {
    principal().map(|p| Me {
        display_name: p.display_name.clone(),
        email: p.email.clone(),
        role: crate::language::role_label(p.role).to_owned(),
        service_provider: p.role.is_service_provider(),
        admin: p.role == domain::access::Role::SpAdmin,
        can_change: !p.role.is_read_only(),
        manages_accounts: matches!(
            p.role,
            domain::access::Role::SpAdmin | domain::access::Role::ResellerAdmin
        ),
        customer: p.customer.as_ref().map(|c| c.to_string()),
        language: p.language.map(|l| l.code().to_owned()),
    })
}

#[cfg(not(feature = "ssr"))]
pub fn signed_in() -> Option<Me> {
    None
}

/// The principal the server attached to this request, if signed in.
#[cfg(feature = "ssr")]
pub fn principal() -> Option<domain::access::Principal> {
    use_context::<http::request::Parts>()?
        .extensions
        .get::<domain::access::Principal>()
        .cloned()
}
