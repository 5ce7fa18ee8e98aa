//! Sign-in throttling kept in the database, so that every instance behind a load balancer
//! counts together. Each attempt is reserved (counted) before any password is hashed; a key
//! past its free attempts backs off: one attempt per step, the step growing with every attempt
//! up to a cap, never a hard lock.

use sqlx::AnyPool;

use crate::{time::now_millis, StoreError};

/// One counter: a key with its free attempts per window and its back-off.
#[derive(Debug, Clone)]
pub struct Rule {
    pub key: String,
    /// Attempts per window before back-off starts.
    pub free: i64,
    /// Back-off from the `free`-th attempt on: `step × (attempts − free + 1)`, at most `cap`.
    pub step_ms: i64,
    pub cap_ms: i64,
}

/// How long a window of attempts lasts.
pub const WINDOW_MS: i64 = 15 * 60 * 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Go,
    /// Refused for now: try again after this many milliseconds.
    Wait(i64),
}

pub struct Throttle<'a> {
    pool: &'a AnyPool,
}

impl<'a> Throttle<'a> {
    pub(crate) fn new(pool: &'a AnyPool) -> Self {
        Throttle { pool }
    }

    /// Counts an attempt against every rule, in one statement per rule (atomic on both
    /// backends). Refused when any key is backing off; the keys checked before it keep the
    /// attempt, which only shortens an attacker's budget.
    pub async fn reserve(&self, rules: &[Rule]) -> Result<Verdict, StoreError> {
        let now = now_millis();
        for rule in rules {
            let counted: Option<(i64,)> = sqlx::query_as(
                "INSERT INTO sign_in_throttle (key, attempts, window_start, blocked_until) \
                 VALUES ($1, 1, $2, 0) \
                 ON CONFLICT (key) DO UPDATE SET \
                 attempts = CASE WHEN sign_in_throttle.window_start <= $3 THEN 1 \
                   ELSE sign_in_throttle.attempts + 1 END, \
                 blocked_until = CASE \
                   WHEN sign_in_throttle.window_start <= $3 OR sign_in_throttle.attempts + 1 < $4 THEN 0 \
                   WHEN (sign_in_throttle.attempts + 2 - $4) * $5 > $6 THEN $2 + $6 \
                   ELSE $2 + (sign_in_throttle.attempts + 2 - $4) * $5 END, \
                 window_start = CASE WHEN sign_in_throttle.window_start <= $3 THEN $2 \
                   ELSE sign_in_throttle.window_start END \
                 WHERE sign_in_throttle.blocked_until <= $2 \
                 RETURNING attempts",
            )
            .bind(&rule.key)
            .bind(now)
            .bind(now - WINDOW_MS)
            .bind(rule.free)
            .bind(rule.step_ms)
            .bind(rule.cap_ms)
            .fetch_optional(self.pool)
            .await?;
            if counted.is_none() {
                let (until,): (i64,) =
                    sqlx::query_as("SELECT blocked_until FROM sign_in_throttle WHERE key = $1")
                        .bind(&rule.key)
                        .fetch_one(self.pool)
                        .await?;
                return Ok(Verdict::Wait((until - now).max(1)));
            }
        }
        Ok(Verdict::Go)
    }

    /// Forgets a key (a successful sign-in clears its account's counters).
    pub async fn clear(&self, key: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sign_in_throttle WHERE key = $1")
            .bind(key)
            .execute(self.pool)
            .await?;
        Ok(())
    }

    /// Gives an attempt back (a successful sign-in does not count against its source).
    pub async fn give_back(&self, key: &str) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE sign_in_throttle SET attempts = attempts - 1 WHERE key = $1 AND attempts > 0",
        )
        .bind(key)
        .execute(self.pool)
        .await?;
        Ok(())
    }

    /// Drops counters whose window ended and whose back-off is over.
    pub async fn sweep(&self) -> Result<u64, StoreError> {
        let now = now_millis();
        Ok(sqlx::query(
            "DELETE FROM sign_in_throttle WHERE window_start <= $1 AND blocked_until <= $2",
        )
        .bind(now - WINDOW_MS)
        .bind(now)
        .execute(self.pool)
        .await?
        .rows_affected())
    }
}
