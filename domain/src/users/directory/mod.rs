//! Customers' directories (Office 365 users, their licenses and roles, subscribed SKUs): read
//! from Partner Center for customers the caller was authorised for, kept in our store with when
//! they were fetched, and queried from there with filters, sort and paging.
//!
//! Partner Center stays the source of truth. A customer's users are written in one transaction
//! per fetch and its licenses, roles and SKUs in another, so a failed fetch leaves the previous
//! snapshot whole.

mod cache;
mod plans;
mod query;
mod refresh;

use partner_center::{
    wire::{CustomerUser, SubscribedSku},
    CustomerId, PcError, UserId,
};
use serde::{Deserialize, Serialize};
use sqlx::AnyPool;

use crate::{
    sql::{key, placeholders},
    StoreError,
};

pub(crate) use self::cache::{
    mark_deleted, set_skus, set_user_licenses, set_user_roles, upsert_user,
};
pub use self::plans::{plans_off, sku_plans, Held, Plan};
pub use self::refresh::{refresh, FRESH_DEFAULT_SECS, FRESH_SETTING};

#[derive(Debug, thiserror::Error)]
pub enum DirectoryError {
    #[error("Partner Center: {0}")]
    PartnerCenter(#[from] PcError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for DirectoryError {
    fn from(e: sqlx::Error) -> Self {
        DirectoryError::Store(e.into())
    }
}

/// A user as the cache holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DirectoryUser {
    pub customer_id: CustomerId,
    pub customer_name: String,
    pub id: UserId,
    pub user_principal_name: String,
    pub display_name: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub usage_location: Option<String>,
    pub deleted: bool,
    /// When Partner Center soft-deleted the user (ms since the epoch).
    pub soft_deleted_at: Option<i64>,
    /// `None` until the customer's licenses were read.
    pub licenses: Option<Vec<SkuName>>,
    pub roles: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkuName {
    pub sku_id: String,
    /// The product name as Partner Center gives it.
    pub name: String,
    /// The names of the license's service plans the user has off.
    pub plans_off: Vec<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum StateFilter {
    #[default]
    All,
    Active,
    Deleted,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum UserSort {
    #[default]
    Customer,
    Name,
    UserName,
    Location,
    State,
}

/// What to show of the cached users of the customers in scope.
#[derive(Debug, Clone, Default)]
pub struct UserQuery {
    /// Only users holding this SKU.
    pub sku: Option<String>,
    pub state: StateFilter,
    /// Part of the display name or user name, any case.
    pub search: String,
    pub sort: UserSort,
    pub descending: bool,
    /// 1-based; clamped to the last page.
    pub page: usize,
    pub per_page: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserPage {
    pub rows: Vec<DirectoryUser>,
    /// Users matching the query over all pages.
    pub matching: usize,
    pub page: usize,
    pub pages: usize,
}

/// Seats of one subscribed SKU, as Partner Center reported them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkuCount {
    pub sku_id: String,
    pub name: String,
    pub part_number: String,
    pub active: i64,
    pub consumed: i64,
    pub available: i64,
    pub suspended: i64,
    pub warning: i64,
}

/// How fresh the cache is for a set of customers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Freshness {
    /// The oldest user list among the fetched customers (ms since the epoch).
    pub oldest_users_at: Option<i64>,
    /// Customers whose users were never fetched.
    pub never_fetched: Vec<CustomerId>,
    /// Customers whose licenses and roles were never read.
    pub details_missing: usize,
}

/// Progress of a refresh, one event per customer and stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum RefreshEvent {
    Started {
        customers: usize,
    },
    /// The customer's users are in the cache.
    Users {
        customer_id: CustomerId,
        users: usize,
    },
    /// The customer's licenses, roles and SKUs are in the cache.
    Details {
        customer_id: CustomerId,
    },
    /// Partner Center did not answer for this customer; its previous snapshot is untouched.
    Failed {
        customer_id: CustomerId,
        customer_name: String,
        error: String,
    },
    Finished,
}

/// Whether the users pages read Partner Center on every visit or show the cache until asked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum LoadMode {
    #[default]
    Live,
    Cache,
}

impl LoadMode {
    pub fn as_str(self) -> &'static str {
        match self {
            LoadMode::Live => "live",
            LoadMode::Cache => "cache",
        }
    }

    pub fn parse(text: &str) -> Option<LoadMode> {
        match text.trim() {
            "live" => Some(LoadMode::Live),
            "cache" => Some(LoadMode::Cache),
            _ => None,
        }
    }
}

const LOAD_MODE_SETTING: &str = "users.load_mode";

pub struct Directory<'a> {
    pool: &'a AnyPool,
}

impl<'a> Directory<'a> {
    pub(crate) fn new(pool: &'a AnyPool) -> Self {
        Directory { pool }
    }

    pub async fn load_mode(&self) -> Result<LoadMode, StoreError> {
        let stored = crate::settings::Settings::new(self.pool)
            .get(LOAD_MODE_SETTING)
            .await?;
        Ok(stored
            .as_deref()
            .and_then(LoadMode::parse)
            .unwrap_or_default())
    }

    pub async fn set_load_mode(&self, mode: LoadMode) -> Result<(), StoreError> {
        crate::settings::Settings::new(self.pool)
            .set(LOAD_MODE_SETTING, mode.as_str())
            .await
    }
}

/// How much of a directory a refresh reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Depth {
    /// The user lists only (a call or two per customer).
    Users,
    /// Users, then licenses, roles and SKUs.
    Everything,
}

/// A SKU's product name as Partner Center gives it, else its part number.
pub(crate) fn product_name(s: &SubscribedSku) -> String {
    s.product_sku
        .name
        .clone()
        .or_else(|| s.product_sku.sku_part_number.clone())
        .unwrap_or_default()
}

fn display_name(u: &CustomerUser) -> String {
    u.display_name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .or_else(|| {
            let full = format!(
                "{} {}",
                u.first_name.as_deref().unwrap_or_default(),
                u.last_name.as_deref().unwrap_or_default()
            );
            Some(full.trim().to_owned()).filter(|n| !n.is_empty())
        })
        .or_else(|| u.user_principal_name.clone())
        .unwrap_or_default()
}
