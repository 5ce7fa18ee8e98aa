//! Server-side session records: an opaque id, the session's data as JSON, and its expiry.
//! The web layer (tower-sessions) decides what goes in them; this only keeps them.

use sqlx::AnyPool;

use crate::{time::now_millis, StoreError};

/// Ends every session of an account, in the caller's transaction (disabling, a new role,
/// deletion).
pub(crate) async fn end_all(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    account: &crate::access::AccountId,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE account_id = $1")
        .bind(account.as_str())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub struct Sessions<'a> {
    pool: &'a AnyPool,
}

impl<'a> Sessions<'a> {
    pub(crate) fn new(pool: &'a AnyPool) -> Self {
        Sessions { pool }
    }

    /// Inserts a new record; `false` if the id is taken (the caller picks another). `account`:
    /// whose session it is, so that disabling the account can end it.
    pub async fn insert(
        &self,
        id: &str,
        account: Option<&str>,
        data: &str,
        expires_at: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO sessions (id, account_id, data, expires_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(id)
        .bind(account)
        .bind(data)
        .bind(expires_at)
        .execute(self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn save(
        &self,
        id: &str,
        account: Option<&str>,
        data: &str,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO sessions (id, account_id, data, expires_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (id) DO UPDATE SET account_id = excluded.account_id, data = excluded.data, \
             expires_at = excluded.expires_at",
        )
        .bind(id)
        .bind(account)
        .bind(data)
        .bind(expires_at)
        .execute(self.pool)
        .await?;
        Ok(())
    }

    /// The data and expiry of a record that has not expired.
    pub async fn load(&self, id: &str) -> Result<Option<(String, i64)>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT data, expires_at FROM sessions WHERE id = $1 AND expires_at > $2",
        )
        .bind(id)
        .bind(now_millis())
        .fetch_optional(self.pool)
        .await?)
    }

    pub async fn delete(&self, id: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE id = $1")
            .bind(id)
            .execute(self.pool)
            .await?;
        Ok(())
    }

    pub async fn delete_expired(&self) -> Result<u64, StoreError> {
        Ok(sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now_millis())
            .execute(self.pool)
            .await?
            .rows_affected())
    }

    /// Forgets the used workspace links that expired an hour before `now` (they can no longer
    /// be replayed); answers how many.
    pub async fn forget_used_links(&self, now: i64) -> Result<u64, StoreError> {
        Ok(
            sqlx::query("DELETE FROM workspace_link_uses WHERE expires_at <= $1")
                .bind(now - 3_600_000)
                .execute(self.pool)
                .await?
                .rows_affected(),
        )
    }

    /// Records a workspace link id as used; `false` if it was used before (a replay).
    pub async fn use_link_once(&self, jti: &str, expires_at: i64) -> Result<bool, StoreError> {
        self.forget_used_links(now_millis()).await?;
        let done = sqlx::query(
            "INSERT INTO workspace_link_uses (jti, used_at, expires_at) VALUES ($1, $2, $3) \
             ON CONFLICT (jti) DO NOTHING",
        )
        .bind(jti)
        .bind(now_millis())
        .bind(expires_at)
        .execute(self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
