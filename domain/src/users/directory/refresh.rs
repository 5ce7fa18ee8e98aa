//! Refreshing the cache from Partner Center: every customer's users first, then the details;
//! reads of one customer shared by whoever asks (single flight) and skipped while fresh.

use std::{
    collections::HashSet,
    sync::{Arc, Mutex},
};

use futures_util::{stream, Stream, StreamExt};
use partner_center::PartnerCenter;

use crate::{access::CustomerScope, time::now_millis};

use super::{key, Depth, RefreshEvent};

/// Customers read at once in a refresh; the client's own limit (32 calls in flight per
/// connection) is what bounds Partner Center.
const CUSTOMERS_AT_ONCE: usize = 32;

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
