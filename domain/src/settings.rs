//! Key/value settings that the service provider changes at run time (not start-up configuration).

use sqlx::AnyPool;

use crate::{time::now_millis, StoreError};

pub struct Settings<'a> {
    pool: &'a AnyPool,
}

impl<'a> Settings<'a> {
    pub(crate) fn new(pool: &'a AnyPool) -> Self {
        Settings { pool }
    }

    pub async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        let row: Option<(String,)> = sqlx::query_as("SELECT value FROM settings WHERE key = $1")
            .bind(key)
            .fetch_optional(self.pool)
            .await?;
        Ok(row.map(|(v,)| v))
    }

    pub async fn set(&self, key: &str, value: &str) -> Result<(), StoreError> {
        if key.trim().is_empty() {
            return Err(StoreError::Invalid("a setting needs a name".into()));
        }
        sqlx::query(
            "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        )
        .bind(key)
        .bind(value)
        .bind(now_millis())
        .execute(self.pool)
        .await?;
        Ok(())
    }

    /// The stored value, or `value` stored now if there was none; never overwrites.
    pub async fn get_or_insert(&self, key: &str, value: &str) -> Result<String, StoreError> {
        sqlx::query(
            "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (key) DO NOTHING",
        )
        .bind(key)
        .bind(value)
        .bind(now_millis())
        .execute(self.pool)
        .await?;
        self.get(key)
            .await?
            .ok_or_else(|| StoreError::Invalid(format!("setting {key} vanished")))
    }
}
