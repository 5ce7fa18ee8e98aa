//! Customers' directories (Office 365 users, their licenses and roles, subscribed SKUs): read
//! from Partner Center for customers the caller was authorised for, kept in our store with when
//! they were fetched, and queried from there with filters, sort and paging.
//!
//! Partner Center stays the source of truth. A customer's users are written in one transaction
//! per fetch and its licenses, roles and SKUs in another, so a failed fetch leaves the previous
//! snapshot whole.

use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, Mutex},
};

use futures_util::{stream, Stream, StreamExt, TryStreamExt};
use partner_center::{
    wire::{CustomerUser, SubscribedSku, UserState},
    CustomerId, PartnerCenter, PcError, UserId,
};
use serde::{Deserialize, Serialize};
use sqlx::{Any, AnyPool, Transaction};

use crate::{
    access::CustomerScope,
    time::{now_millis, to_millis},
    StoreError,
};

/// Customers read at once in a refresh; the client's own limit (32 calls in flight per
/// connection) is what bounds Partner Center.
const CUSTOMERS_AT_ONCE: usize = 32;
/// License reads at once for one customer, so that one large tenant cannot take every slot.
const LICENSE_READS_AT_ONCE: usize = 16;
/// Page size for user lists (Partner Center's maximum).
const USER_PAGE: u32 = 500;

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

    /// Reads the customer's active and deleted users (one call each per 500) and replaces its
    /// cached users with them. Returns how many there are.
    #[tracing::instrument(skip_all, fields(customer.id = %scope.customer().id))]
    pub async fn fetch_users(
        &self,
        scope: &CustomerScope,
        pc: &PartnerCenter,
    ) -> Result<usize, DirectoryError> {
        let id = &scope.customer().id;
        let (active, deleted) = tokio::try_join!(
            pc.users(id, USER_PAGE).all(),
            pc.deleted_users(id, USER_PAGE).all()
        )?;
        let users: Vec<CustomerUser> = active.into_iter().chain(deleted).collect();
        let count = users.len();
        self.store_users(scope, &users).await?;
        Ok(count)
    }

    /// Reads the customer's subscribed SKUs, role memberships and each active user's licenses
    /// (the one N+1 Partner Center leaves us), all at once within the client's limits, then
    /// stores them together.
    #[tracing::instrument(skip_all, fields(customer.id = %scope.customer().id))]
    pub async fn fetch_details(
        &self,
        scope: &CustomerScope,
        pc: &PartnerCenter,
    ) -> Result<(), DirectoryError> {
        let id = &scope.customer().id;
        let users = self.active_user_ids(scope).await?;
        let licenses = stream::iter(users)
            .map(|user| async move {
                let licenses = pc.user_licenses(id, &user).await?;
                let skus = licenses
                    .into_iter()
                    .filter_map(|l| l.product_sku.id)
                    .collect::<Vec<_>>();
                Ok::<_, PcError>((user, skus))
            })
            .buffer_unordered(LICENSE_READS_AT_ONCE)
            .try_collect::<Vec<_>>();
        let roles = async {
            let roles = pc.directory_roles(id).await?;
            stream::iter(roles)
                .map(|role| async move {
                    let members = pc.role_members(id, &role.id).all().await?;
                    Ok::<_, PcError>((role, members))
                })
                .buffer_unordered(8)
                .try_collect::<Vec<_>>()
                .await
        };
        let (skus, licenses, roles) = tokio::try_join!(pc.subscribed_skus(id), licenses, roles)?;
        let roles = roles
            .into_iter()
            .flat_map(|(role, members)| {
                let name = role.name.unwrap_or_else(|| role.id.to_string());
                members
                    .into_iter()
                    .map(move |m| (m.id, role.id.to_string(), name.clone()))
            })
            .collect::<Vec<_>>();
        let licenses = licenses
            .into_iter()
            .flat_map(|(user, skus)| skus.into_iter().map(move |s| (user.clone(), s.to_string())))
            .collect::<Vec<_>>();
        self.store_details(scope, &skus, &licenses, &roles).await
    }

    /// Replaces the customer's cached users (and drops licenses and roles of users that are
    /// gone) in one transaction.
    pub async fn store_users(
        &self,
        scope: &CustomerScope,
        users: &[CustomerUser],
    ) -> Result<(), DirectoryError> {
        let customer = key(&scope.customer().id);
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM directory_users WHERE customer_id = $1")
            .bind(&customer)
            .execute(&mut *tx)
            .await?;
        let mut seen = HashSet::new();
        let users: Vec<_> = users
            .iter()
            .filter(|u| u.id.as_ref().is_some_and(|id| seen.insert(key(id))))
            .collect();
        for chunk in users.chunks(ROWS_PER_INSERT) {
            let sql = format!(
                "INSERT INTO directory_users ({USER_COLUMNS}) VALUES {}",
                placeholders(chunk.len(), 9)
            );
            let mut q = sqlx::query(&sql);
            for u in chunk {
                q = bind_user(q, &customer, u);
            }
            q.execute(&mut *tx).await?;
        }
        for table in ["directory_user_licenses", "directory_user_roles"] {
            sqlx::query(&format!(
                "DELETE FROM {table} WHERE customer_id = $1 AND user_id NOT IN \
                 (SELECT user_id FROM directory_users WHERE customer_id = $1 AND deleted = 0)"
            ))
            .bind(&customer)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(
            "INSERT INTO directory_fetches (customer_id, users_at) VALUES ($1, $2) \
             ON CONFLICT (customer_id) DO UPDATE SET users_at = excluded.users_at",
        )
        .bind(&customer)
        .bind(now_millis())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Replaces the customer's cached SKUs, user licenses and role memberships in one
    /// transaction. `licenses` and `roles` name users by id; ids not in the cache are kept
    /// anyway (a user created since the list was read shows up with the next list).
    pub async fn store_details(
        &self,
        scope: &CustomerScope,
        skus: &[SubscribedSku],
        licenses: &[(UserId, String)],
        roles: &[(UserId, String, String)],
    ) -> Result<(), DirectoryError> {
        let customer = key(&scope.customer().id);
        let mut tx = self.pool.begin().await?;
        for table in ["directory_user_licenses", "directory_user_roles"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE customer_id = $1"))
                .bind(&customer)
                .execute(&mut *tx)
                .await?;
        }
        set_skus(&mut tx, scope, skus).await?;
        let licenses: HashSet<_> = licenses.iter().map(|(u, s)| (key(u), key(s))).collect();
        let licenses: Vec<_> = licenses.into_iter().collect();
        for chunk in licenses.chunks(ROWS_PER_INSERT) {
            let sql = format!(
                "INSERT INTO directory_user_licenses (customer_id, user_id, sku_id) VALUES {}",
                placeholders(chunk.len(), 3)
            );
            let mut q = sqlx::query(&sql);
            for (user, sku) in chunk {
                q = q
                    .bind(customer.clone())
                    .bind(user.clone())
                    .bind(sku.clone());
            }
            q.execute(&mut *tx).await?;
        }
        let mut seen = HashSet::new();
        let roles: Vec<_> = roles
            .iter()
            .filter(|(u, r, _)| seen.insert((key(u), key(r))))
            .collect();
        for chunk in roles.chunks(ROWS_PER_INSERT) {
            let sql = format!(
                "INSERT INTO directory_user_roles (customer_id, user_id, role_id, role_name) VALUES {}",
                placeholders(chunk.len(), 4)
            );
            let mut q = sqlx::query(&sql);
            for (user, role, name) in chunk {
                q = q
                    .bind(customer.clone())
                    .bind(key(user))
                    .bind(key(role))
                    .bind(name.clone());
            }
            q.execute(&mut *tx).await?;
        }
        mark_details(&mut tx, &customer).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn active_user_ids(&self, scope: &CustomerScope) -> Result<Vec<UserId>, StoreError> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT user_id FROM directory_users WHERE customer_id = $1 AND deleted = 0",
        )
        .bind(key(&scope.customer().id))
        .fetch_all(self.pool)
        .await?;
        Ok(rows.into_iter().map(|(id,)| UserId::new(id)).collect())
    }

    /// One page of the cached users of the customers in `scopes`.
    pub async fn query(
        &self,
        scopes: &[CustomerScope],
        q: &UserQuery,
    ) -> Result<UserPage, StoreError> {
        let per_page = q.per_page.clamp(1, 500);
        if scopes.is_empty() {
            return Ok(UserPage {
                rows: Vec::new(),
                matching: 0,
                page: 1,
                pages: 1,
            });
        }
        let mut binds: Vec<String> = scopes.iter().map(|s| key(&s.customer().id)).collect();
        let mut filter = format!("u.customer_id IN {}", placeholders(1, binds.len()));
        match q.state {
            StateFilter::All => {}
            StateFilter::Active => filter.push_str(" AND u.deleted = 0"),
            StateFilter::Deleted => filter.push_str(" AND u.deleted = 1"),
        }
        let needle = q.search.trim().to_lowercase();
        if !needle.is_empty() {
            binds.push(format!("%{}%", escape_like(&needle)));
            let n = binds.len();
            filter.push_str(&format!(
                " AND (LOWER(u.display_name) LIKE ${n} ESCAPE '\\' \
                 OR LOWER(u.user_principal_name) LIKE ${n} ESCAPE '\\')"
            ));
        }
        if let Some(sku) = q.sku.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            binds.push(sku.to_lowercase());
            let n = binds.len();
            filter.push_str(&format!(
                " AND EXISTS (SELECT 1 FROM directory_user_licenses l WHERE l.sku_id = ${n} \
                 AND l.customer_id = u.customer_id AND l.user_id = u.user_id)"
            ));
        }
        let count_sql = format!("SELECT COUNT(*) FROM directory_users u WHERE {filter}");
        let mut count = sqlx::query_as::<_, (i64,)>(&count_sql);
        for b in &binds {
            count = count.bind(b.clone());
        }
        let (matching,) = count.fetch_one(self.pool).await?;
        let matching = usize::try_from(matching).unwrap_or_default();
        let pages = matching.div_ceil(per_page).max(1);
        let page = q.page.clamp(1, pages);

        let dir = if q.descending { "DESC" } else { "ASC" };
        let order = match q.sort {
            UserSort::Customer => {
                format!("LOWER(c.company_name) {dir}, LOWER(u.display_name) {dir}")
            }
            UserSort::Name => format!("LOWER(u.display_name) {dir}"),
            UserSort::UserName => format!("LOWER(u.user_principal_name) {dir}"),
            UserSort::Location => {
                format!("COALESCE(u.usage_location, '') {dir}, LOWER(u.display_name)")
            }
            UserSort::State => format!("u.deleted {dir}, LOWER(u.display_name)"),
        };
        let sql = format!(
            "SELECT u.customer_id, c.company_name, u.user_id, u.user_principal_name, \
             u.display_name, u.first_name, u.last_name, u.usage_location, u.deleted, \
             u.soft_deleted_at, f.details_at \
             FROM directory_users u JOIN customers c ON c.id = u.customer_id \
             LEFT JOIN directory_fetches f ON f.customer_id = u.customer_id \
             WHERE {filter} ORDER BY {order}, u.customer_id, u.user_id LIMIT {per_page} OFFSET {}",
            (page - 1) * per_page
        );
        type Row = (
            String,
            String,
            String,
            String,
            String,
            Option<String>,
            Option<String>,
            Option<String>,
            i64,
            Option<i64>,
            Option<i64>,
        );
        let mut rows = sqlx::query_as::<_, Row>(&sql);
        for b in &binds {
            rows = rows.bind(b.clone());
        }
        let rows = rows.fetch_all(self.pool).await?;
        let (licenses, roles) = self
            .licenses_and_roles(
                &rows
                    .iter()
                    .map(|r| (r.0.clone(), r.2.clone()))
                    .collect::<Vec<_>>(),
            )
            .await?;
        let rows = rows
            .into_iter()
            .map(|r| {
                let at = (r.0.clone(), r.2.clone());
                DirectoryUser {
                    licenses: r.10.map(|_| licenses.get(&at).cloned().unwrap_or_default()),
                    roles: roles.get(&at).cloned().unwrap_or_default(),
                    customer_id: CustomerId::new(r.0),
                    customer_name: r.1,
                    id: UserId::new(r.2),
                    user_principal_name: r.3,
                    display_name: r.4,
                    first_name: r.5,
                    last_name: r.6,
                    usage_location: r.7,
                    deleted: r.8 != 0,
                    soft_deleted_at: r.9,
                }
            })
            .collect();
        Ok(UserPage {
            rows,
            matching,
            page,
            pages,
        })
    }

    /// Licenses (with product names) and role names of some users, keyed by (customer, user).
    #[allow(clippy::type_complexity)]
    async fn licenses_and_roles(
        &self,
        users: &[(String, String)],
    ) -> Result<
        (
            HashMap<(String, String), Vec<SkuName>>,
            HashMap<(String, String), Vec<String>>,
        ),
        StoreError,
    > {
        let mut licenses: HashMap<_, Vec<SkuName>> = HashMap::new();
        let mut roles: HashMap<_, Vec<String>> = HashMap::new();
        if users.is_empty() {
            return Ok((licenses, roles));
        }
        // (customer, user) pairs: `(t.customer_id = $1 AND t.user_id = $2) OR …`.
        let pairs = |table: &str| {
            (0..users.len())
                .map(|i| {
                    format!(
                        "({table}.customer_id = ${} AND {table}.user_id = ${})",
                        2 * i + 1,
                        2 * i + 2
                    )
                })
                .collect::<Vec<_>>()
                .join(" OR ")
        };
        let sql = format!(
            "SELECT l.customer_id, l.user_id, l.sku_id, COALESCE(s.name, l.sku_id) \
             FROM directory_user_licenses l LEFT JOIN directory_skus s \
             ON s.customer_id = l.customer_id AND s.sku_id = l.sku_id \
             WHERE {} ORDER BY 4",
            pairs("l")
        );
        let mut q = sqlx::query_as::<_, (String, String, String, String)>(&sql);
        for (c, u) in users {
            q = q.bind(c.clone()).bind(u.clone());
        }
        for (c, u, sku_id, name) in q.fetch_all(self.pool).await? {
            licenses
                .entry((c, u))
                .or_default()
                .push(SkuName { sku_id, name });
        }
        let sql = format!(
            "SELECT r.customer_id, r.user_id, r.role_name FROM directory_user_roles r WHERE {} \
             ORDER BY r.role_name",
            pairs("r")
        );
        let mut q = sqlx::query_as::<_, (String, String, String)>(&sql);
        for (c, u) in users {
            q = q.bind(c.clone()).bind(u.clone());
        }
        for (c, u, name) in q.fetch_all(self.pool).await? {
            roles.entry((c, u)).or_default().push(name);
        }
        Ok((licenses, roles))
    }

    /// The SKUs known for the customers in scope (for a "has license" filter), by name.
    pub async fn skus(&self, scopes: &[CustomerScope]) -> Result<Vec<SkuName>, StoreError> {
        if scopes.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT sku_id, MIN(name) FROM directory_skus WHERE customer_id IN {} \
             GROUP BY sku_id ORDER BY 2",
            placeholders(1, scopes.len())
        );
        let mut q = sqlx::query_as::<_, (String, String)>(&sql);
        for s in scopes {
            q = q.bind(key(&s.customer().id));
        }
        Ok(q.fetch_all(self.pool)
            .await?
            .into_iter()
            .map(|(sku_id, name)| SkuName { sku_id, name })
            .collect())
    }

    /// The domains of the customer's cached user names, in lower case.
    pub async fn user_domains(&self, scope: &CustomerScope) -> Result<Vec<String>, StoreError> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT user_principal_name FROM directory_users WHERE customer_id = $1",
        )
        .bind(key(&scope.customer().id))
        .fetch_all(self.pool)
        .await?;
        let mut domains: Vec<String> = rows
            .into_iter()
            .filter_map(|(upn,)| upn.split_once('@').map(|(_, d)| d.to_lowercase()))
            .collect();
        domains.sort();
        domains.dedup();
        Ok(domains)
    }

    /// (SKU id, product name) of the customer's subscribed SKUs.
    pub async fn sku_names(
        &self,
        scope: &CustomerScope,
    ) -> Result<Vec<(String, String)>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT sku_id, name FROM directory_skus WHERE customer_id = $1 ORDER BY name",
        )
        .bind(key(&scope.customer().id))
        .fetch_all(self.pool)
        .await?)
    }

    /// The customer's subscribed SKUs with seat counts, as last read.
    pub async fn sku_counts(&self, scope: &CustomerScope) -> Result<Vec<SkuCount>, StoreError> {
        type SkuRow = (String, String, String, i64, i64, i64, i64, i64);
        let rows: Vec<SkuRow> = sqlx::query_as(
            "SELECT sku_id, name, part_number, active_units, consumed_units, available_units, \
             suspended_units, warning_units FROM directory_skus WHERE customer_id = $1 ORDER BY name",
        )
        .bind(key(&scope.customer().id))
        .fetch_all(self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| SkuCount {
                sku_id: r.0,
                name: r.1,
                part_number: r.2,
                active: r.3,
                consumed: r.4,
                available: r.5,
                suspended: r.6,
                warning: r.7,
            })
            .collect())
    }

    /// The SKUs a user holds, as last read.
    pub async fn user_licenses(
        &self,
        scope: &CustomerScope,
        user: &UserId,
    ) -> Result<Vec<partner_center::SkuId>, StoreError> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT sku_id FROM directory_user_licenses WHERE customer_id = $1 AND user_id = $2",
        )
        .bind(key(&scope.customer().id))
        .bind(key(user))
        .fetch_all(self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(s,)| partner_center::SkuId::new(s))
            .collect())
    }

    /// The user's user name as last read (empty when the cache does not know the user).
    pub async fn user_name(
        &self,
        scope: &CustomerScope,
        user: &UserId,
    ) -> Result<String, StoreError> {
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT user_principal_name FROM directory_users WHERE customer_id = $1 AND user_id = $2",
        )
        .bind(key(&scope.customer().id))
        .bind(key(user))
        .fetch_optional(self.pool)
        .await?;
        Ok(row.map(|(n,)| n).unwrap_or_default())
    }

    /// When the customers in scope were last fetched.
    pub async fn freshness(&self, scopes: &[CustomerScope]) -> Result<Freshness, StoreError> {
        if scopes.is_empty() {
            return Ok(Freshness::default());
        }
        let sql = format!(
            "SELECT customer_id, users_at, details_at FROM directory_fetches \
             WHERE customer_id IN {}",
            placeholders(1, scopes.len())
        );
        let mut q = sqlx::query_as::<_, (String, i64, Option<i64>)>(&sql);
        for s in scopes {
            q = q.bind(key(&s.customer().id));
        }
        let fetched: HashMap<String, (i64, Option<i64>)> = q
            .fetch_all(self.pool)
            .await?
            .into_iter()
            .map(|(c, u, d)| (c, (u, d)))
            .collect();
        Ok(Freshness {
            oldest_users_at: fetched.values().map(|(u, _)| *u).min(),
            never_fetched: scopes
                .iter()
                .map(|s| s.customer().id.clone())
                .filter(|id| !fetched.contains_key(&key(id)))
                .collect(),
            details_missing: scopes.len() - fetched.values().filter(|(_, d)| d.is_some()).count(),
        })
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

// ---------- Single-user changes (after Partner Center accepted them) ----------

/// Writes one user as Partner Center returned it (created, changed or restored).
pub(crate) async fn upsert_user(
    tx: &mut Transaction<'_, Any>,
    scope: &CustomerScope,
    u: &CustomerUser,
) -> Result<(), sqlx::Error> {
    let sql = format!(
        "INSERT INTO directory_users ({USER_COLUMNS}) VALUES {} \
         ON CONFLICT (customer_id, user_id) DO UPDATE SET \
         user_principal_name = excluded.user_principal_name, display_name = excluded.display_name, \
         first_name = excluded.first_name, last_name = excluded.last_name, \
         usage_location = excluded.usage_location, deleted = excluded.deleted, \
         soft_deleted_at = excluded.soft_deleted_at",
        placeholders(1, 9)
    );
    bind_user(sqlx::query(&sql), &key(&scope.customer().id), u)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

const USER_COLUMNS: &str = "customer_id, user_id, user_principal_name, display_name, \
     first_name, last_name, usage_location, deleted, soft_deleted_at";

/// Binds one user's [`USER_COLUMNS`], as Partner Center returned the user.
fn bind_user<'q>(
    q: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>,
    customer: &str,
    u: &CustomerUser,
) -> sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>> {
    q.bind(customer.to_owned())
        .bind(u.id.as_ref().map(key).unwrap_or_default())
        .bind(u.user_principal_name.clone().unwrap_or_default())
        .bind(display_name(u))
        .bind(u.first_name.clone())
        .bind(u.last_name.clone())
        .bind(u.usage_location.clone().filter(|l| !l.trim().is_empty()))
        .bind(i64::from(u.state == Some(UserState::Inactive)))
        .bind(u.soft_deletion_time.as_ref().map(|t| to_millis(t.0)))
}

pub(crate) async fn set_user_licenses(
    tx: &mut Transaction<'_, Any>,
    scope: &CustomerScope,
    user: &UserId,
    skus: &[partner_center::SkuId],
) -> Result<(), sqlx::Error> {
    let (customer, user) = (key(&scope.customer().id), key(user));
    sqlx::query("DELETE FROM directory_user_licenses WHERE customer_id = $1 AND user_id = $2")
        .bind(&customer)
        .bind(&user)
        .execute(&mut **tx)
        .await?;
    let skus: HashSet<String> = skus.iter().map(key).collect();
    for sku in skus {
        sqlx::query(
            "INSERT INTO directory_user_licenses (customer_id, user_id, sku_id) VALUES ($1, $2, $3)",
        )
        .bind(&customer)
        .bind(&user)
        .bind(sku)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

pub(crate) async fn set_user_roles(
    tx: &mut Transaction<'_, Any>,
    scope: &CustomerScope,
    user: &UserId,
    roles: &[&partner_center::wire::DirectoryRole],
) -> Result<(), sqlx::Error> {
    let (customer, user) = (key(&scope.customer().id), key(user));
    sqlx::query("DELETE FROM directory_user_roles WHERE customer_id = $1 AND user_id = $2")
        .bind(&customer)
        .bind(&user)
        .execute(&mut **tx)
        .await?;
    for role in roles {
        sqlx::query(
            "INSERT INTO directory_user_roles (customer_id, user_id, role_id, role_name)              VALUES ($1, $2, $3, $4)",
        )
        .bind(&customer)
        .bind(&user)
        .bind(key(&role.id))
        .bind(role.name.clone().unwrap_or_else(|| role.id.to_string()))
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Replaces the customer's subscribed SKUs (names and seat counts).
pub(crate) async fn set_skus(
    tx: &mut Transaction<'_, Any>,
    scope: &CustomerScope,
    skus: &[SubscribedSku],
) -> Result<(), sqlx::Error> {
    let customer = key(&scope.customer().id);
    sqlx::query("DELETE FROM directory_skus WHERE customer_id = $1")
        .bind(&customer)
        .execute(&mut **tx)
        .await?;
    let mut seen = HashSet::new();
    let skus: Vec<_> = skus
        .iter()
        .filter(|s| {
            s.product_sku
                .id
                .as_ref()
                .is_some_and(|id| seen.insert(key(id)))
        })
        .collect();
    for chunk in skus.chunks(ROWS_PER_INSERT) {
        let sql = format!(
            "INSERT INTO directory_skus (customer_id, sku_id, name, part_number, active_units, \
             consumed_units, available_units, suspended_units, warning_units) VALUES {}",
            placeholders(chunk.len(), 9)
        );
        let mut q = sqlx::query(&sql);
        for s in chunk {
            let sku = &s.product_sku;
            q = q
                .bind(customer.clone())
                .bind(sku.id.as_ref().map(key).unwrap_or_default())
                .bind(product_name(s))
                .bind(sku.sku_part_number.clone().unwrap_or_default())
                .bind(s.active_units)
                .bind(s.consumed_units)
                .bind(s.available_units)
                .bind(s.suspended_units)
                .bind(s.warning_units);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

/// A user Partner Center soft-deleted: greyed in the list, its licenses and roles gone.
pub(crate) async fn mark_deleted(
    tx: &mut Transaction<'_, Any>,
    scope: &CustomerScope,
    user: &UserId,
    at: i64,
) -> Result<(), sqlx::Error> {
    let (customer, user) = (key(&scope.customer().id), key(user));
    sqlx::query(
        "UPDATE directory_users SET deleted = 1, soft_deleted_at = $1          WHERE customer_id = $2 AND user_id = $3",
    )
    .bind(at)
    .bind(&customer)
    .bind(&user)
    .execute(&mut **tx)
    .await?;
    for table in ["directory_user_licenses", "directory_user_roles"] {
        sqlx::query(&format!(
            "DELETE FROM {table} WHERE customer_id = $1 AND user_id = $2"
        ))
        .bind(&customer)
        .bind(&user)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Refreshes the cache for `targets`: every customer's users first (so rows appear early),
/// then, at [`Depth::Everything`], licenses, roles and SKUs. Yields an event per customer and
/// stage; a customer that fails is reported and skipped, the others go on. Dropping the stream
/// stops the work.
pub fn refresh(
    store: crate::Store,
    targets: Vec<(CustomerScope, PartnerCenter)>,
    depth: Depth,
) -> impl Stream<Item = RefreshEvent> + Send + 'static {
    let failed = Arc::new(Mutex::new(HashSet::new()));
    let started = stream::iter([RefreshEvent::Started {
        customers: targets.len(),
    }]);
    let users = {
        let (store, failed) = (store.clone(), failed.clone());
        stream::iter(targets.clone())
            .map(move |(scope, pc)| {
                let (store, failed) = (store.clone(), failed.clone());
                async move {
                    match shared_users(&store, &scope, &pc).await {
                        Ok(users) => RefreshEvent::Users {
                            customer_id: scope.customer().id.clone(),
                            users,
                        },
                        Err(e) => {
                            lock(&failed).insert(key(&scope.customer().id));
                            failure(&scope, e)
                        }
                    }
                }
            })
            .buffer_unordered(CUSTOMERS_AT_ONCE)
    };
    let details = stream::iter(if depth == Depth::Everything {
        targets
    } else {
        Vec::new()
    })
    .filter(move |(scope, _)| {
        let skip = lock(&failed).contains(&key(&scope.customer().id));
        async move { !skip }
    })
    .map(move |(scope, pc)| {
        let store = store.clone();
        async move {
            match shared_details(&store, &scope, &pc).await {
                Ok(_) => RefreshEvent::Details {
                    customer_id: scope.customer().id.clone(),
                },
                Err(e) => failure(&scope, e),
            }
        }
    })
    .buffer_unordered(CUSTOMERS_AT_ONCE);
    started
        .chain(users)
        .chain(details)
        .chain(stream::iter([RefreshEvent::Finished]))
}

/// How long a read of a customer stays fresh (a setting, in seconds): a refresh within it is
/// served from the store. Changes made through Seatwise update the store themselves.
pub const FRESH_SETTING: &str = "users.fresh_secs";
pub const FRESH_DEFAULT_SECS: i64 = 30;

async fn fresh_since(store: &crate::Store) -> i64 {
    let secs = store
        .settings()
        .get(FRESH_SETTING)
        .await
        .ok()
        .flatten()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .unwrap_or(FRESH_DEFAULT_SECS)
        .max(0);
    now_millis() - secs * 1000
}

/// The customer's user lists: from the store when read within the freshness window, else
/// from Partner Center. Callers join a read of the same customer in flight; the freshness
/// check runs inside the flight, so a caller arriving just after a read finds it fresh.
async fn shared_users(
    store: &crate::Store,
    scope: &CustomerScope,
    pc: &PartnerCenter,
) -> Result<usize, String> {
    let customer = key(&scope.customer().id);
    store
        .flights()
        .join(&format!("users:{customer}"), async {
            let fresh: Option<(i64,)> = sqlx::query_as(
                "SELECT COUNT(u.user_id) FROM directory_fetches f \
                 LEFT JOIN directory_users u ON u.customer_id = f.customer_id \
                 WHERE f.customer_id = $1 AND f.users_at > $2 GROUP BY f.customer_id",
            )
            .bind(&customer)
            .bind(fresh_since(store).await)
            .fetch_optional(store.pool())
            .await
            .map_err(|e| e.to_string())?;
            match fresh {
                Some((count,)) => Ok(count as usize),
                None => store
                    .directory()
                    .fetch_users(scope, pc)
                    .await
                    .map_err(|e| e.to_string()),
            }
        })
        .await
}

/// Likewise for licenses, roles and SKUs.
async fn shared_details(
    store: &crate::Store,
    scope: &CustomerScope,
    pc: &PartnerCenter,
) -> Result<usize, String> {
    let customer = key(&scope.customer().id);
    store
        .flights()
        .join(&format!("details:{customer}"), async {
            let fresh: Option<(i64,)> = sqlx::query_as(
                "SELECT 1 FROM directory_fetches WHERE customer_id = $1 AND details_at > $2",
            )
            .bind(&customer)
            .bind(fresh_since(store).await)
            .fetch_optional(store.pool())
            .await
            .map_err(|e| e.to_string())?;
            if fresh.is_some() {
                return Ok(0);
            }
            store
                .directory()
                .fetch_details(scope, pc)
                .await
                .map(|()| 0)
                .map_err(|e| e.to_string())
        })
        .await
}

fn failure(scope: &CustomerScope, e: impl std::fmt::Display) -> RefreshEvent {
    let customer = scope.customer();
    tracing::warn!(customer.id = %customer.id, error = %e, "customer directory not refreshed");
    RefreshEvent::Failed {
        customer_id: customer.id.clone(),
        customer_name: customer.company_name.clone(),
        error: e.to_string(),
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

async fn mark_details(tx: &mut Transaction<'_, Any>, customer: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE directory_fetches SET details_at = $1 WHERE customer_id = $2")
        .bind(now_millis())
        .bind(customer)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Rows per multi-row INSERT: well under SQLite's and PostgreSQL's bind limits.
const ROWS_PER_INSERT: usize = 100;

/// `($1, $2), ($3, $4)` for `rows` rows of `columns` values.
fn placeholders(rows: usize, columns: usize) -> String {
    (0..rows)
        .map(|r| {
            let row = (1..=columns)
                .map(|c| format!("${}", r * columns + c))
                .collect::<Vec<_>>()
                .join(", ");
            format!("({row})")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Ids are compared in lower case (Partner Center mixes cases for the same GUID).
fn key(id: &impl std::fmt::Display) -> String {
    id.to_string().to_lowercase()
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

fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_number_rows_then_columns() {
        assert_eq!(placeholders(2, 3), "($1, $2, $3), ($4, $5, $6)");
    }

    #[test]
    fn like_patterns_match_wildcards_literally() {
        assert_eq!(escape_like("50%_a\\b"), "50\\%\\_a\\\\b");
    }
}
