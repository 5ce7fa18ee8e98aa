//! The audit log page: who did what, refused or failed, newest first.

use leptos::{prelude::*, server_fn::codec::GetUrl};
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditRow {
    pub id: String,
    pub at: String,
    pub actor: String,
    pub customer: Option<String>,
    pub action: String,
    pub outcome: String,
    pub detail: String,
    pub request_id: Option<String>,
}

/// One page of the audit log, newest first; `before` is the last id of the previous page.
#[server(prefix = "/api", endpoint = "audit-log", input = GetUrl)]
pub async fn audit_log(
    actor: Option<String>,
    outcome: Option<String>,
    before: Option<String>,
) -> Result<Vec<AuditRow>, AppError> {
    let provider = crate::door::caller("audit.read").await?.provider().await?;
    let query = server::query(actor, outcome, before)?;
    let entries = provider.audit_log(&query).await?;
    Ok(entries.into_iter().map(AuditRow::from).collect())
}

#[cfg(feature = "ssr")]
mod server {
    use domain::audit::{Entry, Outcome, Query};

    use super::AuditRow;
    use crate::error::AppError;

    /// The filters as the log reads them: blanks are no filter, an outcome is one of three.
    pub fn query(
        actor: Option<String>,
        outcome: Option<String>,
        before: Option<String>,
    ) -> Result<Query, AppError> {
        let blank = |s: Option<String>| s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        let outcome = match blank(outcome).as_deref() {
            None => None,
            Some("succeeded") => Some(Outcome::Succeeded),
            Some("refused") => Some(Outcome::Refused),
            Some("failed") => Some(Outcome::Failed),
            Some(_) => {
                return Err(AppError::field(
                    "outcome",
                    "Choose succeeded, refused or failed.",
                ))
            }
        };
        Ok(Query {
            actor: blank(actor).map(|a| a.to_lowercase()),
            customer_id: None,
            outcome,
            before: blank(before),
            limit: 50,
        })
    }

    impl From<Entry> for AuditRow {
        fn from(e: Entry) -> Self {
            AuditRow {
                at: crate::language::date(&domain::time::format_utc_datetime(e.at)),
                id: e.id,
                actor: e.actor,
                customer: e.customer_id,
                action: e.action,
                outcome: e.outcome.as_str().to_owned(),
                detail: e.detail,
                request_id: e.request_id,
            }
        }
    }
}
