//! The modern catalog: products, SKUs and availabilities (contract section 8.1).

use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

use super::{
    common::{ItemType, Links},
    subscriptions::BillingCycle,
};
use crate::ids::{AvailabilityId, CatalogSkuId, ProductId};

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "camelCase"), default)]
pub struct Product {
    pub id: ProductId,
    pub title: Option<String>,
    pub description: Option<String>,
    pub product_type: Option<ItemType>,
    pub is_microsoft_product: Option<bool>,
    pub publisher_name: Option<String>,
    pub links: Option<Links>,
}

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "camelCase"), default)]
pub struct Sku {
    /// Unique within its product, a digit string such as `0001`.
    pub id: CatalogSkuId,
    pub product_id: Option<ProductId>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub minimum_quantity: Option<i64>,
    pub maximum_quantity: Option<i64>,
    pub is_trial: Option<bool>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub supported_billing_cycles: Vec<BillingCycle>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub purchase_prerequisites: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub inventory_variables: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub provisioning_variables: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<String>,
    pub dynamic_attributes: Option<serde_json::Value>,
    pub attestation_properties: Option<serde_json::Value>,
    pub consumption_type: Option<String>,
    pub links: Option<Links>,
}

impl Sku {
    /// The licensing SKU (the directory's SKU id) a subscription to this SKU grants, from the
    /// free-form `dynamicAttributes.provisioningId` (read with its key normalised, as every key).
    pub fn provisioning_id(&self) -> Option<&str> {
        self.dynamic_attributes
            .as_ref()?
            .get("provisioning_id")?
            .as_str()
            .filter(|id| !id.is_empty())
    }
}

/// `defaultCurrency` is documented as a string and shown as `{code, symbol}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Currency {
    Object {
        #[serde(default)]
        code: String,
        #[serde(default)]
        symbol: Option<String>,
    },
    Code(String),
}

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "camelCase"), default)]
pub struct Term {
    pub id: Option<String>,
    pub duration: Option<String>,
    pub description: Option<String>,
    pub billing_cycle: Option<BillingCycle>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cancellation_policies: Vec<serde_json::Value>,
}

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "camelCase"), default)]
pub struct Availability {
    pub id: AvailabilityId,
    pub product_id: Option<ProductId>,
    pub sku_id: Option<String>,
    /// `PRODUCT:SKU:AVAILABILITY`, what a cart line item buys.
    pub catalog_item_id: Option<String>,
    pub default_currency: Option<Currency>,
    pub segment: Option<String>,
    pub country: Option<String>,
    pub is_purchasable: Option<bool>,
    pub is_renewable: Option<bool>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub renewal_instructions: Vec<serde_json::Value>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub terms: Vec<Term>,
    pub product: Option<Product>,
    pub sku: Option<Sku>,
    pub links: Option<Links>,
}
