//! The outbox: password notices Seatwise wrote, sent over SMTP when configured, else waiting
//! here for the service provider to pass on.

use leptos::{prelude::*, server_fn::codec::GetUrl};
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxMail {
    pub at: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    /// "Sent", "Waiting" or the last delivery error.
    pub status: String,
    pub sent: bool,
}

/// The newest 100 mails. Service provider staff only (the mails carry passwords).
#[server(prefix = "/api", endpoint = "outbox", input = GetUrl)]
pub async fn outbox() -> Result<Vec<OutboxMail>, AppError> {
    crate::auth::require_service_provider("outbox.read", false).await?;
    let state = expect_context::<crate::state::AppState>();
    let mails = state
        .store
        .outbox()
        .recent(100)
        .await
        .map_err(|e| AppError::unavailable("The database", e))?;
    Ok(mails
        .into_iter()
        .map(|m| OutboxMail {
            at: domain::time::format_utc_datetime(m.created_at),
            status: match (&m.sent_at, &m.error) {
                (Some(at), _) => format!("Sent {}", domain::time::format_utc_time(*at)),
                (None, Some(e)) => format!("Not sent yet: {e}"),
                (None, None) => "Waiting".into(),
            },
            sent: m.sent_at.is_some(),
            recipient: m.recipient,
            subject: m.subject,
            body: m.body,
        })
        .collect())
}
