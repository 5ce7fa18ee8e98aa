//! What can go wrong talking to Partner Center, in terms a caller can act on.

use std::time::Duration;

use crate::wire::ApiError;

#[derive(Debug, Clone, thiserror::Error)]
pub enum PcError {
    #[error("not found in Partner Center: {message}")]
    NotFound { code: String, message: String },
    #[error("conflicts with the current state in Partner Center: {message}")]
    Conflict { code: String, message: String },
    #[error("there are not enough licenses left: {message}")]
    NotEnoughLicenses { message: String },
    #[error("the user has no usage location; set one before assigning licenses")]
    UsageLocationMissing { message: String },
    #[error("Partner Center is throttling requests (retry after {retry_after:?})")]
    Throttled { retry_after: Option<Duration> },
    #[error("Partner Center refused the request: {message}")]
    Validation {
        status: u16,
        code: String,
        message: String,
    },
    #[error("Partner Center denied access: {message}")]
    Forbidden { code: String, message: String },
    #[error("could not sign in to Partner Center: {message}")]
    Auth { message: String },
    #[error("Partner Center is unavailable (HTTP {status}): {message}")]
    Unavailable { status: u16, message: String },
    #[error("Partner Center did not answer in time")]
    Timeout,
    #[error("could not reach Partner Center: {0}")]
    Transport(String),
    #[error("Partner Center sent an answer that could not be read: {0}")]
    Decode(String),
    /// A change whose answer was lost on the way (a timeout or a broken connection on some
    /// attempt), so whether it took effect is not known: read Partner Center back to find out.
    #[error(
        "Partner Center's answer was lost, so whether the change took effect is not known ({0})"
    )]
    OutcomeUnknown(Box<PcError>),
}

/// Codes the emulator uses where the documentation is silent (contract section 12); the real
/// service is matched by its message too.
pub mod codes {
    pub const OUT_OF_LICENSES: &str = "60012";
    pub const USAGE_LOCATION_MISSING: &str = "60016";
    pub const DUPLICATE_USER_NAME: &str = "60017";
    pub const WEAK_PASSWORD: &str = "60018";
    /// An excluded plan that is not one of the SKU's service plans (UNDOCUMENTED; chosen here).
    pub const UNKNOWN_SERVICE_PLAN: &str = "60019";
}

impl PcError {
    /// Maps an HTTP error answer to a typed error.
    pub fn from_response(
        status: u16,
        body: Option<ApiError>,
        retry_after: Option<Duration>,
    ) -> Self {
        let (code, message) = match body {
            Some(e) => (e.code, clean(&e.description)),
            None => (String::new(), format!("HTTP {status}")),
        };
        let lower = message.to_lowercase();
        match status {
            429 => PcError::Throttled { retry_after },
            401 => PcError::Auth { message },
            403 => PcError::Forbidden { code, message },
            404 => PcError::NotFound { code, message },
            409 => PcError::Conflict { code, message },
            400 if code == codes::OUT_OF_LICENSES
                || lower.contains("run out of licenses")
                || lower.contains("does not have any available licenses") =>
            {
                PcError::NotEnoughLicenses { message }
            }
            400 if code == codes::USAGE_LOCATION_MISSING || lower.contains("usage location") => {
                PcError::UsageLocationMissing { message }
            }
            400 if code == codes::DUPLICATE_USER_NAME || lower.contains("already exists") => {
                PcError::Conflict { code, message }
            }
            s if s >= 500 => PcError::Unavailable { status, message },
            _ => PcError::Validation {
                status,
                code,
                message,
            },
        }
    }

    /// A change that may or may not have taken effect.
    pub fn outcome_unknown(&self) -> bool {
        matches!(self, PcError::OutcomeUnknown(_))
    }

    /// Whether the same request may be sent again.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            PcError::Throttled { .. }
                | PcError::Unavailable { .. }
                | PcError::Timeout
                | PcError::Transport(_)
        )
    }
}

/// Descriptions carry HTML entities (`We&#39;re sorry`).
fn clean(text: &str) -> String {
    text.replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
}
