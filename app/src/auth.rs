//! The signed-in person as the pages see them, and the check server functions start with.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::error::{AppError, ErrorKind};

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
}

/// The person this page was rendered for. The layout reads it once (carried over to the client
/// on hydration) and provides it, so pages reached by client-side navigation see it too.
pub fn use_me() -> Option<Me> {
    use_context::<SignedIn>().and_then(|s| s.0)
}

#[derive(Clone)]
struct SignedIn(Option<Me>);

/// For the layout: reads the person from the server's render and provides it to every page.
pub fn provide_me() -> Option<Me> {
    let me = SharedValue::new(current_me).into_inner();
    provide_context(SignedIn(me.clone()));
    me
}

#[cfg(feature = "ssr")]
fn current_me() -> Option<Me> {
    principal().map(|p| Me {
        display_name: p.display_name.clone(),
        email: p.email.clone(),
        role: p.role.label().to_owned(),
        service_provider: p.role.is_service_provider(),
        admin: p.role == domain::access::Role::SpAdmin,
        can_change: p.role != domain::access::Role::SpSupport,
        manages_accounts: matches!(
            p.role,
            domain::access::Role::SpAdmin | domain::access::Role::ResellerAdmin
        ),
        customer: p.customer.as_ref().map(|c| c.to_string()),
    })
}

#[cfg(not(feature = "ssr"))]
fn current_me() -> Option<Me> {
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

/// Server functions start here: who is asking, or "sign in first". Refusals are audited.
#[cfg(feature = "ssr")]
pub async fn require_principal(action: &str) -> Result<domain::access::Principal, AppError> {
    match principal() {
        Some(p) => Ok(p),
        None => {
            refuse("-", action, "not signed in").await;
            Err(AppError::new(
                ErrorKind::Forbidden,
                "Your session has ended. Sign in again.",
            ))
        }
    }
}

/// For the service provider's own pages; `admin_only` also refuses support staff. The account
/// is re-read now (a disabled account or a changed role is refused at once).
#[cfg(feature = "ssr")]
pub async fn require_service_provider(
    action: &str,
    admin_only: bool,
) -> Result<domain::access::Principal, AppError> {
    use domain::access::Need;
    let p = require_principal(action).await?;
    let state = expect_context::<crate::state::AppState>();
    let need = if admin_only { Need::Admin } else { Need::Read };
    let scope = access_answer(
        &p,
        action,
        None,
        state.store.access().provider(&p, need).await,
    )
    .await?;
    Ok(scope.principal().clone())
}

/// A service provider admin's capability for service-provider-only changes.
#[cfg(feature = "ssr")]
pub async fn require_provider_admin(
    action: &str,
) -> Result<(domain::access::Principal, domain::access::ProviderAdmin), AppError> {
    let p = require_principal(action).await?;
    let state = expect_context::<crate::state::AppState>();
    let admin = access_answer(
        &p,
        action,
        None,
        state.store.access().provider_admin(&p).await,
    )
    .await?;
    Ok((p, admin))
}

/// The answer of the access check for a server function: a refusal is audited (with the
/// customer asked for) and answered the same whether that customer exists or not.
#[cfg(feature = "ssr")]
pub async fn access_answer<T>(
    who: &domain::access::Principal,
    action: &str,
    customer: Option<&str>,
    result: Result<T, domain::access::AccessError>,
) -> Result<T, AppError> {
    use domain::access::AccessError;
    let (why, message) = match result {
        Ok(value) => return Ok(value),
        Err(AccessError::Store(e)) => return Err(AppError::unavailable("The database", e)),
        Err(AccessError::Forbidden) if customer.is_some() => (
            "customer not in scope",
            "You do not have access to this customer.",
        ),
        Err(AccessError::Forbidden) => (
            "account no longer allowed",
            "Your session has ended. Sign in again.",
        ),
        Err(AccessError::ReadOnly) => (
            "read-only role",
            "Your role can look but not change anything. Ask a service provider admin.",
        ),
        Err(AccessError::NotProvider { admins_only: true }) => (
            "service provider admins only",
            "Only service provider admins can do this.",
        ),
        Err(AccessError::NotProvider { admins_only: false }) => (
            "service provider only",
            "Only the service provider's staff can see this.",
        ),
    };
    let customer: Option<String> =
        customer.map(|c| c.chars().filter(|c| !c.is_control()).take(100).collect());
    tracing::warn!(actor = %who.email, action, customer, why, "refused");
    crate::audit::record(
        &who.email,
        customer.as_deref(),
        action,
        domain::audit::Outcome::Refused,
        why,
    )
    .await;
    Err(AppError::new(ErrorKind::Forbidden, message))
}

#[cfg(feature = "ssr")]
async fn refuse(actor: &str, action: &str, why: &str) {
    tracing::warn!(actor, action, why, "refused");
    crate::audit::record(actor, None, action, domain::audit::Outcome::Refused, why).await;
}
