//! The outbox: password notices Seatwise wrote and whether they were sent over SMTP. No page
//! shows a mail's text (a notice holds a password), and a delivered mail keeps none.

use leptos::{prelude::*, server_fn::codec::GetUrl};
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxMail {
    pub at: String,
    pub recipient: String,
    pub subject: String,
    /// "Sent", "Waiting" or the last delivery error.
    pub status: String,
    pub sent: bool,
}

/// The newest 100 mails, without their text. Service provider staff only.
#[server(prefix = "/api", endpoint = "outbox", input = GetUrl)]
pub async fn outbox() -> Result<Vec<OutboxMail>, AppError> {
    let provider = crate::door::caller("outbox.read").await?.provider().await?;
    let mails = provider.outbox(100).await?;
    Ok(mails.into_iter().map(OutboxMail::from).collect())
}

#[cfg(feature = "ssr")]
impl From<domain::outbox::Mail> for OutboxMail {
    fn from(m: domain::outbox::Mail) -> Self {
        OutboxMail {
            at: crate::language::date(&domain::time::format_utc_datetime(m.created_at)),
            status: match (&m.sent_at, &m.error) {
                (Some(at), _) => {
                    tr!(words.sent_at, at = domain::time::format_utc_time(*at)).to_string()
                }
                (None, Some(e)) => tr!(words.not_sent, error = e.as_str()).to_string(),
                (None, None) => tr!(words.waiting).into(),
            },
            sent: m.sent_at.is_some(),
            recipient: m.recipient,
            subject: m.subject,
        }
    }
}
