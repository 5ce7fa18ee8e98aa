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
}

/// The person this page was rendered for, carried over to the client on hydration.
pub fn use_me() -> Option<Me> {
    SharedValue::new(current_me).into_inner()
}

#[cfg(feature = "ssr")]
fn current_me() -> Option<Me> {
    principal().map(|p| Me {
        display_name: p.display_name.clone(),
        email: p.email.clone(),
        role: p.role.label().to_owned(),
        service_provider: p.role.is_service_provider(),
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

/// Server functions start here: who is asking, or "sign in first".
#[cfg(feature = "ssr")]
pub fn require_principal() -> Result<domain::access::Principal, AppError> {
    principal().ok_or_else(|| {
        AppError::new(
            ErrorKind::Forbidden,
            "Your session has ended. Sign in again.",
        )
    })
}

/// For the service provider's own pages.
#[cfg(feature = "ssr")]
pub fn require_service_provider() -> Result<domain::access::Principal, AppError> {
    let p = require_principal()?;
    if p.role.is_service_provider() {
        Ok(p)
    } else {
        tracing::warn!(account = %p.account, "refused: service provider only");
        Err(AppError::new(
            ErrorKind::Forbidden,
            "Only the service provider's staff can see this.",
        ))
    }
}
