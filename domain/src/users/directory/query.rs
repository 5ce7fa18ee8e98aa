//! Reading the cache: a page of users with filters, sort and paging, SKUs, counts and
//! how fresh it is.

use std::collections::HashMap;

use partner_center::{CustomerId, UserId};

use crate::{
    access::CustomerScope,
    sql::{count, escape_like},
    StoreError,
};

use super::{
    key, placeholders,
    plans::{on_from_column, plans_from_column},
    plans_off, Directory, DirectoryUser, Freshness, Plan, SkuCount, SkuName, StateFilter, UserPage,
    UserQuery, UserSort,
};

impl<'a> Directory<'a> {
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
        let matching = count(self.pool, &count_sql, &binds).await?;
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
            "SELECT l.customer_id, l.user_id, l.sku_id, COALESCE(s.name, l.sku_id), l.plans_on, \
             COALESCE(s.plans, '[]') \
             FROM directory_user_licenses l LEFT JOIN directory_skus s \
             ON s.customer_id = l.customer_id AND s.sku_id = l.sku_id \
             WHERE {} ORDER BY 4",
            pairs("l")
        );
        let mut q =
            sqlx::query_as::<_, (String, String, String, String, Option<String>, String)>(&sql);
        for (c, u) in users {
            q = q.bind(c.clone()).bind(u.clone());
        }
        for (c, u, sku_id, name, on, plans) in q.fetch_all(self.pool).await? {
            let plans = plans_from_column(&plans);
            let on = on_from_column(on.as_deref());
            let plans_off = plans_off(&plans, on.as_deref())
                .into_iter()
                .map(|p| p.name.clone())
                .collect();
            licenses.entry((c, u)).or_default().push(SkuName {
                sku_id,
                name,
                plans_off,
            });
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
            .map(|(sku_id, name)| SkuName {
                sku_id,
                name,
                plans_off: Vec::new(),
            })
            .collect())
    }

    /// The licenses `customers` have (as last read), each once: (SKU id, product name, service
    /// plans), by name.
    pub async fn license_offers(
        &self,
        customers: &[CustomerId],
    ) -> Result<Vec<(String, String, Vec<Plan>)>, StoreError> {
        if customers.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT sku_id, MIN(name), MAX(plans) FROM directory_skus WHERE customer_id IN {} \
             GROUP BY sku_id ORDER BY 2",
            placeholders(1, customers.len())
        );
        let mut q = sqlx::query_as::<_, (String, String, String)>(&sql);
        for c in customers {
            q = q.bind(key(c));
        }
        Ok(q.fetch_all(self.pool)
            .await?
            .into_iter()
            .map(|(sku, name, plans)| (sku, name, plans_from_column(&plans)))
            .collect())
    }

    /// The directory role names seen on `customers`' users (as last read).
    pub async fn role_names(&self, customers: &[CustomerId]) -> Result<Vec<String>, StoreError> {
        if customers.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT DISTINCT role_name FROM directory_user_roles WHERE customer_id IN {} \
             ORDER BY 1",
            placeholders(1, customers.len())
        );
        let mut q = sqlx::query_as::<_, (String,)>(&sql);
        for c in customers {
            q = q.bind(key(c));
        }
        Ok(q.fetch_all(self.pool)
            .await?
            .into_iter()
            .map(|(r,)| r)
            .collect())
    }

    /// The service plans of the customer's subscribed SKUs as last read, by SKU id (lower case).
    pub async fn sku_plans(
        &self,
        scope: &CustomerScope,
    ) -> Result<HashMap<String, Vec<Plan>>, StoreError> {
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT sku_id, plans FROM directory_skus WHERE customer_id = $1")
                .bind(key(&scope.customer().id))
                .fetch_all(self.pool)
                .await?;
        Ok(rows
            .into_iter()
            .map(|(sku, plans)| (sku, plans_from_column(&plans)))
            .collect())
    }

    /// How many of the customer's active users have some plan of each license off, as last
    /// read, by SKU id (lower case); `plans` gives each SKU's plans.
    pub async fn plans_off_counts(
        &self,
        scope: &CustomerScope,
        plans: &HashMap<String, Vec<Plan>>,
    ) -> Result<HashMap<String, i64>, StoreError> {
        let rows: Vec<(String, Option<String>)> = sqlx::query_as(
            "SELECT l.sku_id, l.plans_on FROM directory_user_licenses l JOIN directory_users u \
             ON u.customer_id = l.customer_id AND u.user_id = l.user_id \
             WHERE l.customer_id = $1 AND u.deleted = 0 AND l.plans_on IS NOT NULL",
        )
        .bind(key(&scope.customer().id))
        .fetch_all(self.pool)
        .await?;
        let mut counts = HashMap::new();
        for (sku, on) in rows {
            let Some(sku_plans) = plans.get(&sku) else {
                continue;
            };
            if !plans_off(sku_plans, on_from_column(on.as_deref()).as_deref()).is_empty() {
                *counts.entry(sku).or_insert(0) += 1;
            }
        }
        Ok(counts)
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

    /// The customer's active users holding `sku` (every active user when `None`), as last read:
    /// (id, user name, display name), by display name, at most `limit`.
    pub async fn holders(
        &self,
        scope: &CustomerScope,
        sku: Option<&str>,
        limit: i64,
    ) -> Result<Vec<(String, String, String)>, StoreError> {
        let holding = if sku.is_some() {
            "AND EXISTS (SELECT 1 FROM directory_user_licenses l WHERE l.customer_id = u.customer_id \
             AND l.user_id = u.user_id AND LOWER(l.sku_id) = $2)"
        } else {
            "AND $2 = ''"
        };
        Ok(sqlx::query_as(&format!(
            "SELECT u.user_id, u.user_principal_name, u.display_name FROM directory_users u \
             WHERE u.customer_id = $1 AND u.deleted = 0 {holding} \
             ORDER BY u.display_name, u.user_id LIMIT $3"
        ))
        .bind(key(&scope.customer().id))
        .bind(sku.unwrap_or_default().to_lowercase())
        .bind(limit)
        .fetch_all(self.pool)
        .await?)
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
