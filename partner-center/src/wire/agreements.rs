//! Customer agreements: the Microsoft Customer Agreement's templates and the partner's
//! confirmations of a customer's acceptance (contract section 14).

use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

use super::common::{Links, WireTime};
use crate::json::flexible_i64;

/// The agreement type of the Microsoft Customer Agreement.
pub const CUSTOMER_AGREEMENT: &str = "MicrosoftCustomerAgreement";

/// One agreement template (`GET /agreements`).
#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "camelCase"), default)]
pub struct AgreementMetaData {
    pub template_id: String,
    /// The resource table calls it `type`; examples and the swagger write `agreementType`.
    #[serde(alias = "type")]
    pub agreement_type: Option<String>,
    pub agreement_link: Option<String>,
    #[serde(deserialize_with = "flexible_i64")]
    pub version_rank: i64,
    pub links: Option<Links>,
}

/// The person at the customer who accepted.
#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "camelCase"), default)]
pub struct Contact {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    /// One list example spells the key `"phoneNumber:"`.
    #[serde(alias = "phone_number:")]
    pub phone_number: Option<String>,
}

/// A confirmation of a customer's acceptance (`POST`/`GET /customers/{id}/agreements`).
#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "camelCase"), default)]
pub struct Agreement {
    /// The partner user who confirmed; set by the service.
    pub user_id: Option<String>,
    pub primary_contact: Contact,
    /// With or without a zone in the examples.
    pub date_agreed: Option<WireTime>,
    pub template_id: String,
    #[serde(rename = "type")]
    pub agreement_type: Option<String>,
    pub agreement_link: Option<String>,
}
