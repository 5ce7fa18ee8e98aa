//! Subscriptions and their provisioning status (contract section 7).

use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

use super::common::{Attributes, ItemType, Link, Links, WireTime};
use crate::{
    ids::{OrderId, ProductId, SubscriptionId},
    json::flexible_i64,
    wire_enum,
};

wire_enum!(SubscriptionStatus {
    None = "none",
    Active = "active",
    Pending = "pending",
    Suspended = "suspended",
    Expired = "expired",
    Deleted = "deleted",
});

wire_enum!(BillingCycle {
    Unknown = "unknown",
    Monthly = "monthly",
    Annual = "annual",
    None = "none",
    OneTime = "one_time",
    Triennial = "triennial",
});

wire_enum!(BillingType { None = "none", Usage = "usage", License = "license" });

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "camelCase"), default)]
pub struct RefundOption {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub expires_at: Option<WireTime>,
    pub expires_after: Option<String>,
}

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "camelCase"), default)]
pub struct NextTermProduct {
    pub product_id: Option<ProductId>,
    pub sku_id: Option<String>,
    pub availability_id: Option<String>,
    pub billing_cycle: Option<BillingCycle>,
    pub term_duration: Option<String>,
}

/// What an NCE subscription becomes at its next renewal.
#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "camelCase"), default)]
pub struct ScheduledNextTermInstructions {
    pub product: Option<NextTermProduct>,
    pub quantity: Option<i64>,
    pub custom_term_end_date: Option<WireTime>,
}

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "camelCase"), default)]
pub struct Subscription {
    pub id: SubscriptionId,
    pub entitlement_id: Option<String>,
    pub offer_id: Option<String>,
    pub offer_name: Option<String>,
    pub friendly_name: Option<String>,
    pub product_type: Option<ItemType>,
    #[serde(deserialize_with = "flexible_i64")]
    pub quantity: i64,
    pub unit_type: Option<String>,
    pub parent_subscription_id: Option<SubscriptionId>,
    pub creation_date: Option<WireTime>,
    pub effective_start_date: Option<WireTime>,
    pub commitment_end_date: Option<WireTime>,
    pub cancellation_allowed_until_date: Option<WireTime>,
    pub status: Option<SubscriptionStatus>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub suspension_reasons: Vec<String>,
    pub auto_renew_enabled: Option<bool>,
    pub billing_type: Option<BillingType>,
    pub billing_cycle: Option<BillingCycle>,
    pub term_duration: Option<String>,
    pub renewal_term_duration: Option<String>,
    pub has_purchasable_addons: Option<bool>,
    pub is_trial: Option<bool>,
    pub is_microsoft_product: Option<bool>,
    pub publisher_name: Option<String>,
    pub partner_id: Option<String>,
    pub contract_type: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub refund_options: Vec<RefundOption>,
    pub refundable_quantity: Option<serde_json::Value>,
    pub attention_needed: Option<bool>,
    pub action_taken: Option<bool>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<String>,
    pub order_id: Option<OrderId>,
    pub promotion_id: Option<String>,
    pub scheduled_next_term_instructions: Option<ScheduledNextTermInstructions>,
    pub links: Option<Links>,
    pub attributes: Option<Attributes>,
}

impl Subscription {
    /// The catalog product id of an NCE/modern subscription (`PRODUCT:SKU:AVAILABILITY`).
    pub fn product_id(&self) -> Option<&str> {
        self.offer_id.as_deref()?.split(':').next()
    }

    pub fn is_nce(&self) -> bool {
        self.product_type
            .as_ref()
            .is_some_and(|t| t.id.eq_ignore_ascii_case("OnlineServicesNCE"))
    }
}

/// Where a marketplace (SaaS) subscription's set-up is finished: the publisher's site.
#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "camelCase"), default)]
pub struct ActivationLink {
    #[serde(deserialize_with = "flexible_i64")]
    pub line_item_number: i64,
    pub link: Option<Link>,
}

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "camelCase"), default)]
pub struct SubscriptionProvisioningStatus {
    pub sku_id: Option<String>,
    pub status: Option<String>,
    pub quantity: Option<i64>,
    pub end_date: Option<WireTime>,
    pub attributes: Option<Attributes>,
}

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "camelCase"), default)]
pub struct EligibilityError {
    #[serde(deserialize_with = "crate::json::flexible_string")]
    pub code: String,
    pub description: Option<String>,
}

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "camelCase"), default)]
pub struct Eligibility {
    pub is_eligible: bool,
    /// `transition_only` or `transition_with_license_transfer`.
    pub transition_type: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<EligibilityError>,
}

/// Where an NCE subscription can move (upgrade) to.
#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "camelCase"), default)]
pub struct TransitionEligibility {
    pub catalog_item_id: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub quantity: Option<i64>,
    pub eligibilities: Vec<Eligibility>,
    pub attributes: Option<Attributes>,
}

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "camelCase"), default)]
pub struct TransitionEvent {
    pub name: Option<String>,
    pub status: Option<String>,
    pub timestamp: Option<WireTime>,
}

/// An NCE transition (upgrade) request and its result.
#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "camelCase"), default)]
pub struct Transition {
    pub id: Option<String>,
    pub from_catalog_item_id: Option<String>,
    pub from_subscription_id: Option<SubscriptionId>,
    pub to_catalog_item_id: String,
    pub to_subscription_id: Option<SubscriptionId>,
    pub quantity: Option<i64>,
    pub term_duration: Option<String>,
    pub billing_cycle: Option<BillingCycle>,
    pub transition_type: Option<String>,
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<TransitionEvent>,
}
