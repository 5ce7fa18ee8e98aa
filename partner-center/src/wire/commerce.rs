//! Carts, checkout and orders (contract section 9).

use serde::{Deserialize, Deserializer, Serialize};
use serde_with::skip_serializing_none;

use super::{
    common::{Attributes, Links, WireTime},
    directory::StringMap,
    subscriptions::BillingCycle,
};
use crate::{
    ids::{CartId, OrderId, SubscriptionId},
    json::{flexible_i64, flexible_opt_i64, flexible_string},
};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct KeyValue {
    pub key: String,
    pub value: String,
}

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "camelCase"), default)]
pub struct CartError {
    #[serde(deserialize_with = "flexible_string")]
    pub error_code: String,
    pub error_description: Option<String>,
}

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "camelCase"), default)]
pub struct CartLineItem {
    /// An index chosen by the client; examples send numbers, the table says string.
    #[serde(deserialize_with = "flexible_opt_i64")]
    pub id: Option<i64>,
    #[serde(alias = "catalog_id")]
    pub catalog_item_id: String,
    #[serde(deserialize_with = "flexible_i64")]
    pub quantity: i64,
    pub billing_cycle: Option<BillingCycle>,
    pub term_duration: Option<String>,
    pub friendly_name: Option<String>,
    pub currency_code: Option<String>,
    #[serde(
        skip_serializing_if = "StringMap::is_empty",
        deserialize_with = "string_map"
    )]
    pub provisioning_context: StringMap,
    pub order_group: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub participants: Vec<KeyValue>,
    pub renews_to: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub addon_items: Vec<CartLineItem>,
    pub error: Option<CartError>,
    pub attestation_accepted: Option<bool>,
}

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "camelCase"), default)]
pub struct Cart {
    pub id: Option<CartId>,
    #[serde(alias = "creation_time_stamp")]
    pub creation_timestamp: Option<WireTime>,
    #[serde(alias = "last_modified_time_stamp")]
    pub last_modified_timestamp: Option<WireTime>,
    #[serde(alias = "expiration_time_stamp")]
    pub expiration_timestamp: Option<WireTime>,
    pub last_modified_user: Option<String>,
    /// `Active` (editable) or `Ordered` (checked out).
    pub status: Option<String>,
    pub line_items: Vec<CartLineItem>,
    pub links: Option<Links>,
    pub attributes: Option<Attributes>,
}

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "camelCase"), default)]
pub struct OrderLineItem {
    #[serde(deserialize_with = "flexible_i64")]
    pub line_item_number: i64,
    pub offer_id: String,
    pub subscription_id: Option<SubscriptionId>,
    pub parent_subscription_id: Option<SubscriptionId>,
    pub friendly_name: Option<String>,
    #[serde(deserialize_with = "flexible_i64")]
    pub quantity: i64,
    pub term_duration: Option<String>,
    pub transaction_type: Option<String>,
    pub partner_id_on_record: Option<String>,
    #[serde(
        skip_serializing_if = "StringMap::is_empty",
        deserialize_with = "string_map"
    )]
    pub provisioning_context: StringMap,
    pub links: Option<Links>,
}

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "camelCase"), default)]
pub struct Order {
    pub id: Option<OrderId>,
    pub alternate_id: Option<String>,
    pub reference_customer_id: Option<String>,
    pub billing_cycle: Option<BillingCycle>,
    pub transaction_type: Option<String>,
    pub currency_code: Option<String>,
    pub currency_symbol: Option<String>,
    pub line_items: Vec<OrderLineItem>,
    pub creation_date: Option<WireTime>,
    /// `unknown`, `completed`, `pending`, `cancelled`.
    pub status: Option<String>,
    pub links: Option<Links>,
    pub attributes: Option<Attributes>,
}

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "camelCase"), default)]
pub struct OrderError {
    pub order_group_id: Option<String>,
    #[serde(deserialize_with = "flexible_string")]
    pub code: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "camelCase"), default)]
pub struct CartCheckoutResult {
    pub orders: Vec<Order>,
    pub order_errors: Vec<OrderError>,
}

/// A map whose values may be strings or other scalars; everything kept as text.
fn string_map<'de, D: Deserializer<'de>>(d: D) -> Result<StringMap, D::Error> {
    let map = Option::<serde_json::Map<String, serde_json::Value>>::deserialize(d)?;
    Ok(map
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| {
            let v = match v {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            };
            (k, v)
        })
        .collect())
}

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "camelCase"), default)]
pub struct QuantityProvisioning {
    #[serde(deserialize_with = "flexible_i64")]
    pub quantity: i64,
    pub status: Option<String>,
}

/// How far an order line has been provisioned (`fulfilled`, `unfulfilled`,
/// `prefulfillmentPending`; the table capitalises them, the examples do not).
#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "camelCase"), default)]
pub struct OrderLineProvisioningStatus {
    pub order_line_item_id: Option<String>,
    #[serde(deserialize_with = "flexible_i64")]
    pub line_item_number: i64,
    pub status: Option<String>,
    pub quantity_provisioning_information: Vec<QuantityProvisioning>,
}
