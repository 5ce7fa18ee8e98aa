//! Writing the cache: a customer's users, then its licenses, roles and SKUs, each stage in
//! one transaction; and single users after a change Partner Center accepted.

use std::collections::{HashMap, HashSet};

use futures_util::{stream, StreamExt, TryStreamExt};
use partner_center::{
    wire::{CustomerUser, SubscribedSku, UserState},
    PartnerCenter, PcError, UserId,
};
use sqlx::{Any, Transaction};

use crate::{
    access::CustomerScope,
    time::{now_millis, to_millis},
    StoreError,
};

use super::{
    display_name, key, placeholders,
    plans::{on_to_column, plans_to_column},
    product_name, sku_plans, Directory, DirectoryError, Held,
};

/// License reads at once for one customer, so that one large tenant cannot take every slot.
const LICENSE_READS_AT_ONCE: usize = 16;

/// Page size for user lists (Partner Center's maximum).
const USER_PAGE: u32 = 500;

impl<'a> Directory<'a> {
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
                let held = Held::all(pc.user_licenses(id, &user).await?);
                Ok::<_, PcError>((user, held))
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
            .flat_map(|(user, held)| held.into_iter().map(move |h| (user.clone(), h)))
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
        licenses: &[(UserId, Held)],
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
        let mut seen = HashSet::new();
        let licenses: Vec<_> = licenses
            .iter()
            .filter(|(u, h)| seen.insert((key(u), key(&h.sku))))
            .collect();
        for chunk in licenses.chunks(ROWS_PER_INSERT) {
            let sql = format!(
                "INSERT INTO directory_user_licenses (customer_id, user_id, sku_id, plans_on) \
                 VALUES {}",
                placeholders(chunk.len(), 4)
            );
            let mut q = sqlx::query(&sql);
            for (user, held) in chunk {
                q = q
                    .bind(customer.clone())
                    .bind(key(user))
                    .bind(key(&held.sku))
                    .bind(on_to_column(held.plans_on.as_deref()));
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
}

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

/// Replaces the licenses a user holds. A license whose plans were not read keeps the plans the
/// cache knew for it.
pub(crate) async fn set_user_licenses(
    tx: &mut Transaction<'_, Any>,
    scope: &CustomerScope,
    user: &UserId,
    held: &[Held],
) -> Result<(), sqlx::Error> {
    let (customer, user) = (key(&scope.customer().id), key(user));
    // A write first (never a read then a write: SQLite would refuse the upgrade at once while
    // another writer waits), handing back what it removes.
    let known: HashMap<String, Option<String>> = sqlx::query_as(
        "DELETE FROM directory_user_licenses WHERE customer_id = $1 AND user_id = $2 \
         RETURNING sku_id, plans_on",
    )
    .bind(&customer)
    .bind(&user)
    .fetch_all(&mut **tx)
    .await?
    .into_iter()
    .collect();
    let mut seen = HashSet::new();
    for h in held.iter().filter(|h| seen.insert(key(&h.sku))) {
        let sku = key(&h.sku);
        let plans_on = match &h.plans_on {
            Some(on) => on_to_column(Some(on)),
            None => known.get(&sku).cloned().flatten(),
        };
        sqlx::query(
            "INSERT INTO directory_user_licenses (customer_id, user_id, sku_id, plans_on) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(&customer)
        .bind(&user)
        .bind(sku)
        .bind(plans_on)
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
    // Those gone are deleted and the others written over in place (never all deleted and
    // inserted again: two changes of one customer at once would then both insert, and
    // PostgreSQL refuse the second).
    let kept: Vec<String> = (0..skus.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = if kept.is_empty() {
        "DELETE FROM directory_skus WHERE customer_id = $1".to_owned()
    } else {
        format!(
            "DELETE FROM directory_skus WHERE customer_id = $1 AND sku_id NOT IN ({})",
            kept.join(", ")
        )
    };
    let mut q = sqlx::query(&sql).bind(&customer);
    for s in &skus {
        q = q.bind(s.product_sku.id.as_ref().map(key).unwrap_or_default());
    }
    q.execute(&mut **tx).await?;
    for chunk in skus.chunks(ROWS_PER_INSERT) {
        let sql = format!(
            "INSERT INTO directory_skus (customer_id, sku_id, name, part_number, active_units, \
             consumed_units, available_units, suspended_units, warning_units, plans) VALUES {} \
             ON CONFLICT (customer_id, sku_id) DO UPDATE SET name = excluded.name, \
             part_number = excluded.part_number, active_units = excluded.active_units, \
             consumed_units = excluded.consumed_units, available_units = excluded.available_units, \
             suspended_units = excluded.suspended_units, warning_units = excluded.warning_units, \
             plans = excluded.plans",
            placeholders(chunk.len(), 10)
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
                .bind(s.warning_units)
                .bind(plans_to_column(&sku_plans(s)));
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
