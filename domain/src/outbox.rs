//! Mail waiting to be sent (password notices). With SMTP configured the server delivers it and
//! marks it sent; without, it stays here for the service provider to read.

use serde::{Deserialize, Serialize};
use sqlx::{Any, AnyPool, Transaction};
use uuid::Uuid;

use crate::{time::now_millis, StoreError};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mail {
    pub id: String,
    pub created_at: i64,
    pub customer_id: Option<String>,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub sent_at: Option<i64>,
    pub error: Option<String>,
}

/// Adds a mail in the caller's transaction, so that it exists exactly when the change it
/// announces was recorded.
pub(crate) async fn enqueue(
    tx: &mut Transaction<'_, Any>,
    customer: Option<&partner_center::CustomerId>,
    recipient: &str,
    subject: &str,
    body: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO outbox (id, created_at, customer_id, recipient, subject, body) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(Uuid::now_v7().to_string())
    .bind(now_millis())
    .bind(customer.map(|c| c.as_str().to_lowercase()))
    .bind(recipient.to_owned())
    .bind(subject.to_owned())
    .bind(body.to_owned())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub struct Outbox<'a> {
    pool: &'a AnyPool,
}

type MailRow = (
    String,
    i64,
    Option<String>,
    String,
    String,
    String,
    Option<i64>,
    Option<String>,
);

const COLUMNS: &str = "id, created_at, customer_id, recipient, subject, body, sent_at, error";

fn mail(r: MailRow) -> Mail {
    Mail {
        id: r.0,
        created_at: r.1,
        customer_id: r.2,
        recipient: r.3,
        subject: r.4,
        body: r.5,
        sent_at: r.6,
        error: r.7,
    }
}

impl<'a> Outbox<'a> {
    pub(crate) fn new(pool: &'a AnyPool) -> Self {
        Outbox { pool }
    }

    /// The newest mail first (the service provider's outbox page), without bodies: a page
    /// never shows one.
    pub async fn recent(&self, limit: i64) -> Result<Vec<Mail>, StoreError> {
        let rows: Vec<MailRow> = sqlx::query_as(
            "SELECT id, created_at, customer_id, recipient, subject, '' AS body, sent_at, error \
             FROM outbox ORDER BY created_at DESC, id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(self.pool)
        .await?;
        Ok(rows.into_iter().map(mail).collect())
    }

    /// Mail not yet sent, oldest first.
    pub async fn pending(&self, limit: i64) -> Result<Vec<Mail>, StoreError> {
        let rows: Vec<MailRow> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM outbox WHERE sent_at IS NULL ORDER BY created_at, id LIMIT $1"
        ))
        .bind(limit)
        .fetch_all(self.pool)
        .await?;
        Ok(rows.into_iter().map(mail).collect())
    }

    /// Marks a mail delivered and forgets its body (a password notice holds a password).
    pub async fn mark_sent(&self, id: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE outbox SET sent_at = $1, error = NULL, body = '' WHERE id = $2")
            .bind(now_millis())
            .bind(id)
            .execute(self.pool)
            .await?;
        Ok(())
    }

    pub async fn mark_failed(&self, id: &str, error: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE outbox SET error = $1 WHERE id = $2")
            .bind(error)
            .bind(id)
            .execute(self.pool)
            .await?;
        Ok(())
    }
}
