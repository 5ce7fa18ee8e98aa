//! The Partner Center request budget shared by every instance of Seatwise on one database
//! (PostgreSQL): per connection and throttle key (a customer tenant, or the partner), at most
//! `limit` requests in any window (a minute), counted in the database in slots of a sixtieth
//! of the window. Taking one is a transaction that writes the key's row first, so two instances
//! never both take the last request of a window.

use std::{future::Future, pin::Pin, time::Duration};

use partner_center::budget::SharedBudget;
use sqlx::AnyPool;

use crate::time::now_millis;

/// Requests per minute per tenant for all instances together, below the service's 500.
pub const PER_MINUTE: u32 = 450;

pub struct DbBudget {
    pool: AnyPool,
    /// The connection the budget is for (its keys are prefixed with it).
    connection: String,
    limit: i64,
    window_ms: i64,
}

impl DbBudget {
    pub fn new(pool: AnyPool, connection: &str, limit: u32, window: Duration) -> Self {
        DbBudget {
            pool,
            connection: connection.to_owned(),
            limit: i64::from(limit.max(1)),
            window_ms: i64::try_from(window.as_millis()).unwrap_or(60_000).max(60),
        }
    }

    /// One request for `key` at `now` (unix ms): `None` when taken, else how long until one of
    /// the window's requests leaves it.
    pub async fn take_at(&self, key: &str, now: i64) -> Result<Option<Duration>, sqlx::Error> {
        let key = format!("{}/{key}", self.connection);
        let slot_ms = self.window_ms / 60;
        let slot = now - now.rem_euclid(slot_ms);
        let mut tx = self.pool.begin().await?;
        // The key's row first: the lock that makes the count and the take one step.
        sqlx::query(
            "INSERT INTO rate_budget_keys (key, touched_at) VALUES ($1, $2) \
             ON CONFLICT (key) DO UPDATE SET touched_at = excluded.touched_at",
        )
        .bind(&key)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let used: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT slot, used FROM rate_budget WHERE key = $1 AND slot > $2 ORDER BY slot",
        )
        .bind(&key)
        .bind(slot - self.window_ms)
        .fetch_all(&mut *tx)
        .await?;
        let in_window: i64 = used.iter().map(|(_, n)| n).sum();
        if in_window >= self.limit {
            tx.rollback().await?;
            let oldest = used.first().map_or(slot, |(s, _)| *s);
            let wait = (oldest + self.window_ms - now).max(1);
            return Ok(Some(Duration::from_millis(wait.unsigned_abs())));
        }
        sqlx::query(
            "INSERT INTO rate_budget (key, slot, used) VALUES ($1, $2, 1) \
             ON CONFLICT (key, slot) DO UPDATE SET used = rate_budget.used + 1",
        )
        .bind(&key)
        .bind(slot)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(None)
    }
}

impl SharedBudget for DbBudget {
    fn take<'a>(
        &'a self,
        key: &'a str,
    ) -> Pin<Box<dyn Future<Output = Result<Option<Duration>, String>> + Send + 'a>> {
        Box::pin(async move {
            self.take_at(key, now_millis())
                .await
                .map_err(|e| e.to_string())
        })
    }
}

/// Forgets the slots older than `before` (unix ms); answers how many.
pub async fn sweep(pool: &AnyPool, before: i64) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query("DELETE FROM rate_budget WHERE slot < $1")
        .bind(before)
        .execute(pool)
        .await?
        .rows_affected())
}
