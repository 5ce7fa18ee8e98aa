//! Wire types: the JSON shapes of the Partner Center REST API (contract sections 3–9 and 14).
//! Written as camelCase; read from any key casing through [`crate::json`]. Optional fields are
//! omitted when empty, unknown fields are ignored, enums keep values they do not know.

mod agreements;
mod catalog;
mod commerce;
mod common;
mod directory;
mod subscriptions;

pub use agreements::*;
pub use catalog::*;
pub use commerce::*;
pub use common::*;
pub use directory::*;
pub use subscriptions::*;

use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

use crate::json::flexible_i64;

/// The token endpoint's answer (Azure AD v1; numbers arrive as strings).
#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TokenResponse {
    pub token_type: String,
    pub access_token: String,
    pub refresh_token: Option<String>,
    #[serde(deserialize_with = "flexible_i64")]
    pub expires_in: i64,
    pub resource: Option<String>,
    pub scope: Option<String>,
}

/// The token endpoint's error (Azure AD shape, not Partner Center's).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AadError {
    pub error: String,
    pub error_description: String,
    pub error_codes: Vec<i64>,
    pub trace_id: Option<String>,
    pub correlation_id: Option<String>,
}
