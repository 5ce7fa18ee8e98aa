//! The one error type the browser sees: a message safe to show, what kind of failure it was,
//! and the request id that ties it to the server's logs.

use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ErrorKind {
    /// The input was wrong; the message says how. Nothing was changed.
    BadInput,
    Forbidden,
    NotFound,
    Conflict,
    /// A dependency (database, Partner Center) did not answer; trying again may help.
    Unavailable,
    /// A change was sent but its outcome is not known yet: check before trying again.
    Unconfirmed,
    /// A fault on our side; details are in the log under the request id.
    Internal,
    /// The browser could not reach Seatwise or could not read its answer.
    Network,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppError {
    pub kind: ErrorKind,
    pub message: String,
    pub request_id: Option<String>,
    /// The form field the message is about (bad input), for showing it there.
    #[serde(default)]
    pub field: Option<String>,
}

impl AppError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        #[cfg(feature = "ssr")]
        set_status(kind);
        // In the reader's language: the domain and the parsers word their messages in English.
        let message: String = message.into();
        #[cfg(feature = "ssr")]
        let message = crate::language::message(&message);
        AppError {
            kind,
            message,
            request_id: crate::request_id::current(),
            field: None,
        }
    }

    /// Bad input for one form field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        AppError {
            field: Some(field.to_owned()),
            ..Self::new(ErrorKind::BadInput, message)
        }
    }

    /// Logs the internal cause once, here, and returns a message that reveals none of it.
    #[cfg(feature = "ssr")]
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        let error = Self::new(ErrorKind::Internal, tr!(errors.internal));
        tracing::error!(
            request_id = error.request_id.as_deref().unwrap_or("-"),
            %cause,
            "internal error"
        );
        error
    }

    /// Like [`internal`](Self::internal), for a dependency that did not answer.
    #[cfg(feature = "ssr")]
    pub fn unavailable(what: &str, cause: impl std::fmt::Display) -> Self {
        let error = Self::new(
            ErrorKind::Unavailable,
            format!("{what} is not answering right now. Please try again in a moment."),
        );
        tracing::warn!(
            request_id = error.request_id.as_deref().unwrap_or("-"),
            %cause,
            "{what} unavailable"
        );
        error
    }
}

/// The `run` parameter of a page that reads Partner Center only when asked: `1` to read now,
/// empty or `0` not; anything else is bad input (`hint` says what 1 does).
#[cfg(feature = "ssr")]
pub fn parse_run(value: &str, hint: &str) -> Result<bool, AppError> {
    match value {
        "" | "0" => Ok(false),
        "1" => Ok(true),
        _ => Err(AppError::field("run", hint)),
    }
}

/// Parses a field holding one chosen item per line (findings, reductions) into its typed form;
/// a line that does not parse is bad input for the field, and so is choosing none (`none`
/// says so).
#[cfg(feature = "ssr")]
pub fn parse_lines<T>(field: &str, text: &str, none: &str) -> Result<Vec<T>, AppError>
where
    T: std::str::FromStr<Err = &'static str>,
{
    let items = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.parse().map_err(|e: &str| AppError::field(field, e)))
        .collect::<Result<Vec<T>, _>>()?;
    if items.is_empty() {
        return Err(AppError::field(field, none));
    }
    Ok(items)
}

/// Parses an id from a form or query field into its typed, documented form; anything else is
/// bad input for that field (and never reaches Partner Center).
#[cfg(feature = "ssr")]
pub fn parse_id<T>(field: &str, value: &str) -> Result<T, AppError>
where
    T: std::str::FromStr<Err = partner_center::IdError>,
{
    value
        .parse()
        .map_err(|e: partner_center::IdError| AppError::field(field, e.to_string()))
}

/// [`parse_id`] of a field that may be left empty (`None` then). Only the empty string is
/// "none": blanks are a value, refused as any other that is not an id (a caller that means to
/// accept blanks trims first).
#[cfg(feature = "ssr")]
pub fn parse_optional_id<T>(field: &str, value: &str) -> Result<Option<T>, AppError>
where
    T: std::str::FromStr<Err = partner_center::IdError>,
{
    match value {
        "" => Ok(None),
        id => parse_id(field, id).map(Some),
    }
}

/// On the server, the HTTP status of a server function's failed answer follows the kind.
#[cfg(feature = "ssr")]
fn set_status(kind: ErrorKind) {
    use http::StatusCode;
    let status = match kind {
        ErrorKind::BadInput => StatusCode::BAD_REQUEST,
        ErrorKind::Forbidden => StatusCode::FORBIDDEN,
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::Conflict => StatusCode::CONFLICT,
        ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        ErrorKind::Unconfirmed => StatusCode::GATEWAY_TIMEOUT,
        ErrorKind::Internal | ErrorKind::Network => StatusCode::INTERNAL_SERVER_ERROR,
    };
    if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(status);
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)?;
        if let Some(id) = &self.request_id {
            f.write_str(&tr!(errors.request_id, id = id.as_str()).to_string())?;
        }
        Ok(())
    }
}

impl std::error::Error for AppError {}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        let (kind, message) = match value {
            ServerFnErrorErr::Request(_) => (ErrorKind::Network, tr!(errors.network)),
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => {
                (ErrorKind::BadInput, tr!(errors.malformed))
            }
            ServerFnErrorErr::Deserialization(_) | ServerFnErrorErr::Response(_) => {
                (ErrorKind::Network, tr!(errors.unreadable))
            }
            _ => (ErrorKind::Internal, tr!(errors.short_internal)),
        };
        AppError::new(kind, message)
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use partner_center::SubscriptionId;

    #[test]
    fn an_optional_id_is_none_only_when_empty() {
        let parse = |v: &str| super::parse_optional_id::<SubscriptionId>("subscription", v);
        assert_eq!(parse("").unwrap(), None);
        let id = "a1b2c3d4-0000-0000-0000-000000000001";
        assert_eq!(parse(id).unwrap(), Some(SubscriptionId::new(id)));
        // Blanks are not "none": they are refused, naming the field.
        let refused = parse("   ").unwrap_err();
        assert_eq!(refused.field.as_deref(), Some("subscription"));
    }
}
