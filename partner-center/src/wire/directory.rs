//! Customers, their users, licenses and directory roles (contract sections 3–6).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

use super::common::{Attributes, Links, WireTime};
use crate::{
    ids::{CustomerId, RoleId, ServicePlanId, SkuId, UserId},
    wire_enum,
};

wire_enum!(RelationshipToPartner {
    None = "none",
    Reseller = "reseller",
    Advisor = "advisor",
    Syndication = "syndication",
    MicrosoftSupport = "microsoft_support",
    Unknown = "unknown",
});

wire_enum!(UserState { Active = "active", Inactive = "inactive" });

wire_enum!(UserDomainType { None = "none", Managed = "managed", Federated = "federated" });

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "camelCase"), default)]
pub struct Address {
    pub country: Option<String>,
    pub region: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub address_line1: Option<String>,
    pub address_line2: Option<String>,
    pub address_line3: Option<String>,
    pub postal_code: Option<String>,
    pub first_name: Option<String>,
    pub middle_name: Option<String>,
    pub last_name: Option<String>,
    pub phone_number: Option<String>,
}

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "camelCase"), default)]
pub struct CompanyProfile {
    pub tenant_id: Option<String>,
    pub domain: Option<String>,
    pub company_name: Option<String>,
    pub address: Option<Address>,
    pub email: Option<String>,
    pub organization_registration_number: Option<String>,
    pub links: Option<Links>,
    pub attributes: Option<Attributes>,
}

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "camelCase"), default)]
pub struct BillingProfile {
    pub id: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub culture: Option<String>,
    pub language: Option<String>,
    pub company_name: Option<String>,
    pub default_address: Option<Address>,
    pub links: Option<Links>,
    pub attributes: Option<Attributes>,
}

/// The invitation a partner sends an existing tenant's global administrator to become its
/// reseller (contract §16); the call itself creates nothing.
#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "camelCase"), default)]
pub struct RelationshipRequest {
    pub url: Option<String>,
    pub attributes: Option<Attributes>,
}

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "camelCase"), default)]
pub struct UserCredentials {
    pub user_name: Option<String>,
    pub password: Option<String>,
}

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "camelCase"), default)]
pub struct Customer {
    pub id: CustomerId,
    pub commerce_id: Option<String>,
    pub company_profile: Option<CompanyProfile>,
    pub billing_profile: Option<BillingProfile>,
    pub relationship_to_partner: Option<RelationshipToPartner>,
    pub allow_delegated_access: Option<bool>,
    pub user_credentials: Option<UserCredentials>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub custom_domains: Vec<String>,
    pub associated_partner_id: Option<String>,
    pub links: Option<Links>,
    pub attributes: Option<Attributes>,
}

impl Customer {
    pub fn company_name(&self) -> &str {
        self.company_profile
            .as_ref()
            .and_then(|p| p.company_name.as_deref())
            .unwrap_or_default()
    }

    pub fn domain(&self) -> &str {
        self.company_profile
            .as_ref()
            .and_then(|p| p.domain.as_deref())
            .unwrap_or_default()
    }
}

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "camelCase"), default)]
pub struct PasswordProfile {
    pub password: Option<String>,
    pub force_change_password: Option<bool>,
}

#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "camelCase"), default)]
pub struct CustomerUser {
    pub id: Option<UserId>,
    pub user_principal_name: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub display_name: Option<String>,
    pub usage_location: Option<String>,
    pub immutable_id: Option<String>,
    pub password_profile: Option<PasswordProfile>,
    pub phone_number: Option<String>,
    pub last_directory_sync_time: Option<WireTime>,
    pub user_domain_type: Option<UserDomainType>,
    pub state: Option<UserState>,
    pub soft_deletion_time: Option<WireTime>,
    pub links: Option<Links>,
    pub attributes: Option<Attributes>,
}

impl Default for CustomerUser {
    fn default() -> Self {
        CustomerUser {
            id: None,
            user_principal_name: None,
            first_name: None,
            last_name: None,
            display_name: None,
            usage_location: None,
            immutable_id: None,
            password_profile: None,
            phone_number: None,
            last_directory_sync_time: None,
            user_domain_type: None,
            state: None,
            soft_deletion_time: None,
            links: None,
            attributes: Attributes::of("CustomerUser"),
        }
    }
}

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "camelCase"), default)]
pub struct ProductSku {
    pub id: Option<SkuId>,
    pub name: Option<String>,
    pub sku_part_number: Option<String>,
    pub target_type: Option<String>,
    pub license_group_id: Option<String>,
}

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "camelCase"), default)]
pub struct ServicePlan {
    pub display_name: Option<String>,
    pub service_name: Option<String>,
    pub id: Option<ServicePlanId>,
    pub capability_status: Option<String>,
    pub target_type: Option<String>,
}

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "camelCase"), default)]
pub struct SubscribedSku {
    pub available_units: i64,
    pub active_units: i64,
    pub consumed_units: i64,
    pub suspended_units: i64,
    pub warning_units: i64,
    pub total_units: i64,
    pub product_sku: ProductSku,
    pub service_plans: Vec<ServicePlan>,
    pub capability_status: Option<String>,
    pub attributes: Option<Attributes>,
}

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "camelCase"), default)]
pub struct License {
    pub service_plans: Vec<ServicePlan>,
    pub product_sku: ProductSku,
    pub attributes: Option<Attributes>,
}

#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "camelCase"))]
pub struct LicenseAssignment {
    pub sku_id: SkuId,
    #[serde(default)]
    pub excluded_plans: Option<Vec<ServicePlanId>>,
}

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "camelCase"), default)]
pub struct LicenseWarning {
    pub code: Option<String>,
    pub message: Option<String>,
    pub service_plans: Vec<String>,
}

/// One request that assigns and removes licenses of one user together.
#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "camelCase"), default)]
pub struct LicenseUpdate {
    pub licenses_to_assign: Option<Vec<LicenseAssignment>>,
    pub licenses_to_remove: Option<Vec<SkuId>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub license_warnings: Vec<LicenseWarning>,
    pub attributes: Option<Attributes>,
}

#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "camelCase"))]
pub struct DirectoryRole {
    pub id: RoleId,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub attributes: Option<Attributes>,
}

#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "camelCase"))]
pub struct UserMember {
    pub id: UserId,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub user_principal_name: Option<String>,
    #[serde(default)]
    pub role_id: Option<RoleId>,
    #[serde(default)]
    pub attributes: Option<Attributes>,
}

/// Free-form string map (cart `provisioningContext`).
pub type StringMap = BTreeMap<String, String>;
