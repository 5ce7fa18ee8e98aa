//! The audit log: every write and every refusal, append-only, newest first when read.

use serde::{Deserialize, Serialize};
use sqlx::AnyPool;
use uuid::Uuid;

use crate::{time::now_millis, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Succeeded,
    Refused,
    Failed,
}

impl Outcome {
    /// The outcome of work done item by item: succeeded when none of them failed.
    pub fn of(failed: usize) -> Outcome {
        if failed == 0 {
            Outcome::Succeeded
        } else {
            Outcome::Failed
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Succeeded => "succeeded",
            Outcome::Refused => "refused",
            Outcome::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Result<Self, StoreError> {
        match s {
            "succeeded" => Ok(Outcome::Succeeded),
            "refused" => Ok(Outcome::Refused),
            "failed" => Ok(Outcome::Failed),
            other => Err(StoreError::Invalid(format!(
                "unknown audit outcome {other:?}"
            ))),
        }
    }
}

/// What happened, as the caller reports it.
#[derive(Debug, Clone)]
pub struct NewEntry<'a> {
    pub actor: &'a str,
    pub customer_id: Option<&'a str>,
    pub action: &'a str,
    pub outcome: Outcome,
    pub detail: &'a str,
    pub request_id: Option<&'a str>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub id: String,
    /// UTC milliseconds since the epoch.
    pub at: i64,
    pub actor: String,
    pub customer_id: Option<String>,
    pub action: String,
    pub outcome: Outcome,
    pub detail: String,
    pub request_id: Option<String>,
}

/// Filters for reading the log; `before` is the id of the last entry of the previous page.
#[derive(Debug, Clone, Default)]
pub struct Query {
    pub actor: Option<String>,
    pub customer_id: Option<String>,
    pub outcome: Option<Outcome>,
    pub before: Option<String>,
    pub limit: u32,
}

pub const MAX_PAGE: u32 = 500;

pub struct AuditLog<'a> {
    pool: &'a AnyPool,
}

type Row = (
    String,
    i64,
    String,
    Option<String>,
    String,
    String,
    String,
    Option<String>,
);

impl<'a> AuditLog<'a> {
    pub(crate) fn new(pool: &'a AnyPool) -> Self {
        AuditLog { pool }
    }

    pub async fn record(&self, entry: NewEntry<'_>) -> Result<String, StoreError> {
        if entry.actor.is_empty() || entry.action.is_empty() {
            return Err(StoreError::Invalid(
                "an audit entry needs an actor and an action".into(),
            ));
        }
        // UUIDv7 ids sort by creation time, which makes them a stable paging cursor.
        let id = Uuid::now_v7().to_string();
        sqlx::query(
            "INSERT INTO audit_log (id, at, actor, customer_id, action, outcome, detail, request_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&id)
        .bind(now_millis())
        .bind(entry.actor)
        .bind(entry.customer_id)
        .bind(entry.action)
        .bind(entry.outcome.as_str())
        .bind(entry.detail)
        .bind(entry.request_id)
        .execute(self.pool)
        .await?;
        Ok(id)
    }

    /// One page, newest first.
    pub async fn list(&self, query: &Query) -> Result<Vec<Entry>, StoreError> {
        let mut sql = String::from(
            "SELECT id, at, actor, customer_id, action, outcome, detail, request_id \
             FROM audit_log WHERE 1 = 1",
        );
        let mut binds: Vec<String> = Vec::new();
        let mut filter = |column: &str, op: &str, value: &str| {
            binds.push(value.to_owned());
            sql.push_str(&format!(" AND {column} {op} ${}", binds.len()));
        };
        if let Some(actor) = &query.actor {
            filter("actor", "=", actor);
        }
        if let Some(customer) = &query.customer_id {
            filter("customer_id", "=", customer);
        }
        if let Some(outcome) = query.outcome {
            filter("outcome", "=", outcome.as_str());
        }
        if let Some(before) = &query.before {
            filter("id", "<", before);
        }
        let limit = query.limit.clamp(1, MAX_PAGE);
        sql.push_str(&format!(" ORDER BY id DESC LIMIT {limit}"));

        let mut q = sqlx::query_as::<_, Row>(&sql);
        for value in &binds {
            q = q.bind(value);
        }
        q.fetch_all(self.pool)
            .await?
            .into_iter()
            .map(
                |(id, at, actor, customer_id, action, outcome, detail, request_id)| {
                    Ok(Entry {
                        id,
                        at,
                        actor,
                        customer_id,
                        action,
                        outcome: Outcome::parse(&outcome)?,
                        detail,
                        request_id,
                    })
                },
            )
            .collect()
    }
}
