//! Where server functions enter the domain: [`caller`] names who asks and for what, and the
//! domain's errors become the page's [`AppError`] with `?`.

use domain::{users::UserError, Caller, ServiceError};

use crate::error::{AppError, ErrorKind};

/// The signed-in person of this request, for `action` (the name its audit entries carry);
/// "sign in first" (audited) when nobody is signed in.
pub async fn caller(action: &'static str) -> Result<Caller, AppError> {
    let services = leptos::prelude::expect_context::<crate::state::AppState>().services;
    // What the person sends (a password notice, an invitation) is in the language they read:
    // the one they chose, else their browser's.
    let who = crate::auth::principal().map(|mut p| {
        p.language = Some(crate::language::domain_current());
        p
    });
    Ok(services
        .caller(who, action, crate::request_id::current())
        .await?)
}

impl From<ServiceError> for AppError {
    fn from(e: ServiceError) -> Self {
        let message = e.to_string();
        match e {
            ServiceError::Forbidden(_) => AppError::new(ErrorKind::Forbidden, message),
            ServiceError::Field { field, message } => AppError::field(&field, message),
            ServiceError::BadInput(_) => AppError::new(ErrorKind::BadInput, message),
            ServiceError::NotFound(_) => AppError::new(ErrorKind::NotFound, message),
            ServiceError::Conflict(_) => AppError::new(ErrorKind::Conflict, message),
            ServiceError::Unconfirmed(_) => AppError::new(ErrorKind::Unconfirmed, message),
            ServiceError::Unavailable { what, cause } => AppError::unavailable(what, cause),
            ServiceError::Internal(cause) => AppError::internal(cause),
        }
    }
}

impl From<UserError> for AppError {
    fn from(e: UserError) -> Self {
        ServiceError::from(e).into()
    }
}
