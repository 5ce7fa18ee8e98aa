//! The emulated Partner Center: customers, users, licenses, roles, subscriptions, carts and
//! orders, with the service's rules. No HTTP here; `http/` maps requests onto these methods. One module per area, as the
//! client's `wire/`: `directory` (customers, users, licenses, roles), `subscriptions`,
//! `commerce` (carts, orders, transitions), `agreements`.

use std::collections::BTreeMap;

use partner_center::{error::codes, ids::*, wire::*};
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::catalog::{self, CatalogItem};

mod agreements;
mod commerce;
mod directory;
mod subscriptions;

pub(crate) use self::agreements::accepted;
pub use self::agreements::agreement_templates;
pub(crate) use self::commerce::order_record;
pub(crate) use self::subscriptions::new_subscription;
use self::{
    commerce::cart_missing,
    subscriptions::{new_subscription_id, renew_if_due, sub_missing},
};

/// A refusal in Partner Center's terms: HTTP status, error code, description.
#[derive(Debug, Clone, PartialEq)]
pub struct EmuError {
    pub status: u16,
    pub code: String,
    pub description: String,
}

pub type R<T> = Result<T, EmuError>;

pub fn err<T>(status: u16, code: impl ToString, description: impl Into<String>) -> R<T> {
    Err(EmuError {
        status,
        code: code.to_string(),
        description: description.into(),
    })
}

/// How long a deleted user can be restored.
pub const RESTORE_WINDOW: Duration = Duration::days(30);
/// How long after purchase or renewal an NCE subscription can be reduced or cancelled.
pub const CHANGE_WINDOW: Duration = Duration::days(7);
/// How long a marketplace (SaaS) subscription can be cancelled after purchase: the length is
/// undocumented; the documented example's full refund expires one day after the start.
pub const MARKETPLACE_WINDOW: Duration = Duration::days(1);

/// Well-known directory role template ids, used as role ids (contract section 6).
pub const ROLES: &[(&str, &str)] = &[
    (
        "62e90394-69f5-4237-9190-012177145e10",
        "Global Administrator",
    ),
    ("fe930be7-5e62-47db-91af-98c3a49a38b1", "User Administrator"),
    (
        "729827e3-9c14-49f7-bb1b-9608f156bbb8",
        "Helpdesk Administrator",
    ),
    (
        "f023fd81-a637-4b56-95fd-791ac0226033",
        "Service Support Administrator",
    ),
    (
        "b0f54661-2d74-4c50-afa3-1ec803f12efe",
        "Billing Administrator",
    ),
    (
        "29232cdf-9323-42fd-ade2-1d097af3e4de",
        "Exchange Administrator",
    ),
    (
        "f28a1f50-f6e7-4571-818b-6a12f2af6b6c",
        "SharePoint Administrator",
    ),
];

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct World {
    /// Added to the real clock; moved forward by tests to cross 7- and 30-day windows.
    pub clock_offset_secs: i64,
    pub customers: Vec<CustomerRec>,
    /// SKUs taken off sale (`PRODUCT:SKU`, through the emulator's admin endpoint): no longer
    /// listed by the catalog, and refused on cart lines.
    pub withdrawn: Vec<String>,
}

impl World {
    /// Whether a catalog item is still sold (not withdrawn).
    pub fn on_sale(&self, item: &crate::catalog::CatalogItem) -> bool {
        !self.withdrawn.contains(&item.sku_key())
    }

    /// Takes a SKU off sale, or puts it back; `false` when the catalog has no such SKU.
    pub fn withdraw(&mut self, product: &str, sku: &str, withdrawn: bool) -> bool {
        let Some(item) = crate::catalog::all()
            .find(|i| i.product_id.eq_ignore_ascii_case(product) && i.sku_id == sku)
        else {
            return false;
        };
        let key = item.sku_key();
        self.withdrawn.retain(|k| *k != key);
        if withdrawn {
            self.withdrawn.push(key);
        }
        true
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CustomerRec {
    pub customer: Customer,
    pub country: String,
    pub users: Vec<UserRec>,
    pub subscriptions: Vec<SubRec>,
    /// Role id → member user ids.
    pub role_members: BTreeMap<String, Vec<UserId>>,
    pub carts: Vec<Cart>,
    pub orders: Vec<Order>,
    /// The partner's confirmations of the customer's agreements.
    pub agreements: Vec<Agreement>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct UserRec {
    pub user: CustomerUser,
    pub licenses: Vec<SkuId>,
    /// What the user held when deleted; given back on restore where seats allow.
    pub licenses_before_delete: Vec<SkuId>,
    pub deleted_at: Option<i64>,
    /// Service plans turned off, by license SKU id (lower case): the plan ids.
    pub plans_off: BTreeMap<String, Vec<ServicePlanId>>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SubRec {
    pub sub: Subscription,
    /// Unix seconds of purchase or last renewal: the start of the 7-day change window.
    pub term_start: i64,
}

fn not_found(code: &str, description: &str) -> EmuError {
    EmuError {
        status: 404,
        code: code.into(),
        description: description.into(),
    }
}

fn user_missing() -> EmuError {
    not_found("60002", "User object ID is not found.")
}

fn new_etag() -> String {
    Uuid::new_v4().simple().to_string()
}

fn term_length(term: &str) -> Duration {
    match term.to_ascii_uppercase().as_str() {
        "P1M" => Duration::days(30),
        "P3Y" => Duration::days(3 * 365),
        _ => Duration::days(365),
    }
}

impl World {
    pub fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc() + Duration::seconds(self.clock_offset_secs)
    }

    fn wire_now(&self) -> WireTime {
        WireTime(self.now())
    }

    pub fn customer(&self, id: &CustomerId) -> R<&CustomerRec> {
        self.customers
            .iter()
            .find(|c| c.customer.id == *id)
            .map_or_else(|| err(404, "60003", "Tenant not found."), Ok)
    }

    pub fn customer_mut(&mut self, id: &CustomerId) -> R<&mut CustomerRec> {
        match self.customers.iter_mut().find(|c| c.customer.id == *id) {
            Some(c) => Ok(c),
            None => err(404, "60003", "Tenant not found."),
        }
    }

    /// Applies what time does: purges users deleted over 30 days ago, renews subscriptions.
    pub fn tick(&mut self) {
        let now = self.now();
        for c in &mut self.customers {
            c.users.retain(|u| {
                u.deleted_at
                    .is_none_or(|at| now.unix_timestamp() - at < RESTORE_WINDOW.whole_seconds())
            });
            for s in &mut c.subscriptions {
                renew_if_due(s, now);
            }
        }
    }
}

impl CustomerRec {
    /// A cart that can still be changed or checked out.
    fn active_cart(&mut self, id: &CartId) -> R<&mut Cart> {
        let cart = self
            .carts
            .iter_mut()
            .find(|k| k.id.as_ref() == Some(id))
            .ok_or_else(cart_missing)?;
        if cart.status.as_deref() != Some("Active") {
            return err(400, "800065", "The cart has already been submitted.");
        }
        Ok(cart)
    }

    fn owns_domain(&self, domain: &str) -> bool {
        self.customer.domain().eq_ignore_ascii_case(domain)
            || self
                .customer
                .custom_domains
                .iter()
                .any(|d| d.eq_ignore_ascii_case(domain))
    }

    fn check_upn_free(&self, upn: &str, except: Option<&UserId>) -> R<()> {
        let taken = self.users.iter().any(|u| {
            u.deleted_at.is_none()
                && u.user.id.as_ref() != except
                && u.user
                    .user_principal_name
                    .as_deref()
                    .is_some_and(|x| x.eq_ignore_ascii_case(upn))
        });
        if taken {
            return err(
                409,
                codes::DUPLICATE_USER_NAME,
                "Another object with the same value for property userPrincipalName already exists.",
            );
        }
        Ok(())
    }

    fn subscription_index(&self, id: &SubscriptionId) -> R<usize> {
        self.subscriptions
            .iter()
            .position(|s| s.sub.id == *id)
            .ok_or_else(sub_missing)
    }

    pub fn active_user(&self, user: &UserId) -> R<&UserRec> {
        self.users
            .iter()
            .find(|u| u.user.id.as_ref() == Some(user) && u.deleted_at.is_none())
            .ok_or_else(user_missing)
    }

    /// Catalog items this tenant holds a subscription to (any status but deleted).
    fn license_skus(&self) -> Vec<&'static CatalogItem> {
        let mut items: Vec<&'static CatalogItem> = Vec::new();
        for s in &self.subscriptions {
            if s.sub.status == Some(SubscriptionStatus::Deleted) {
                continue;
            }
            if let Some(item) = s
                .sub
                .offer_id
                .as_deref()
                .and_then(catalog::by_catalog_item_id)
                // Marketplace offers grant no license.
                .filter(|i| !i.is_marketplace())
            {
                if !items.iter().any(|i| i.license_sku == item.license_sku) {
                    items.push(item);
                }
            }
        }
        items
    }

    /// (active, suspended) seats for a licensing SKU across subscriptions.
    pub fn units(&self, sku: &SkuId) -> (i64, i64) {
        let mut active = 0;
        let mut suspended = 0;
        for s in &self.subscriptions {
            let Some(item) = s
                .sub
                .offer_id
                .as_deref()
                .and_then(catalog::by_catalog_item_id)
            else {
                continue;
            };
            if SkuId::new(item.license_sku) != *sku {
                continue;
            }
            match s.sub.status.clone().unwrap_or(SubscriptionStatus::Active) {
                SubscriptionStatus::Active | SubscriptionStatus::Pending => {
                    active += s.sub.quantity
                }
                SubscriptionStatus::Suspended => suspended += s.sub.quantity,
                _ => {}
            }
        }
        (active, suspended)
    }

    pub fn consumed(&self, sku: &SkuId) -> i64 {
        self.users
            .iter()
            .filter(|u| u.deleted_at.is_none() && u.licenses.contains(sku))
            .count() as i64
    }

    pub fn available(&self, sku: &SkuId) -> i64 {
        self.units(sku).0 - self.consumed(sku)
    }
}

fn product_sku(item: &CatalogItem, with_target: bool) -> ProductSku {
    ProductSku {
        id: Some(SkuId::new(item.license_sku)),
        name: Some(item.license_name().to_owned()),
        sku_part_number: Some(item.sku_part_number.to_owned()),
        target_type: with_target.then(|| "User".to_owned()),
        license_group_id: Some("group1".into()),
    }
}

fn service_plans(item: &CatalogItem, status: &str) -> Vec<ServicePlan> {
    item.service_plans
        .iter()
        .enumerate()
        .map(|(n, (name, service))| ServicePlan {
            display_name: Some((*name).to_owned()),
            service_name: Some((*service).to_owned()),
            // GUIDs, as Microsoft's plan ids are: the SKU's first groups, the plan's number.
            id: Some(ServicePlanId::new(format!(
                "{}{:012x}",
                &item.license_sku[..24],
                n + 1
            ))),
            capability_status: Some(status.to_owned()),
            target_type: Some("User".into()),
        })
        .collect()
}

fn check_country(code: &str) -> R<()> {
    if code.len() != 2 || !code.chars().all(|c| c.is_ascii_alphabetic()) {
        return err(
            400,
            "800002",
            format!("{code:?} is not a two-letter country code."),
        );
    }
    Ok(())
}
