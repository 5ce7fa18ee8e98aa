//! Delivers the outbox over SMTP when one is configured: mail waits in our store (written with
//! the change it announces) and is sent here, retried on the next round if the server refused.

use std::time::Duration;

use lettre::{message::Mailbox, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// How often the outbox is looked at.
const ROUND: Duration = Duration::from_secs(2);

pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    pub fn new(url: &str, from: &str) -> Result<Self, String> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| format!("SEATWISE_SMTP_URL: {e}"))?
            .timeout(Some(Duration::from_secs(20)))
            .build();
        let from = from
            .parse()
            .map_err(|e| format!("SEATWISE_MAIL_FROM: {e}"))?;
        Ok(Mailer { transport, from })
    }

    /// Sends what is waiting, forever (until the task is dropped at shut-down).
    pub async fn run(self, store: domain::Store) {
        loop {
            if let Err(e) = self.round(&store).await {
                tracing::warn!(error = %e, "outbox round failed");
            }
            tokio::time::sleep(ROUND).await;
        }
    }

    async fn round(&self, store: &domain::Store) -> Result<(), domain::StoreError> {
        for mail in store.outbox().pending(20).await? {
            let span = tracing::info_span!("smtp", mail.id = %mail.id);
            let _enter = span.enter();
            let message = mail
                .recipient
                .parse::<Mailbox>()
                .map_err(|e| e.to_string())
                .and_then(|to| {
                    Message::builder()
                        .from(self.from.clone())
                        .to(to)
                        .subject(mail.subject.clone())
                        .body(mail.body.clone())
                        .map_err(|e| e.to_string())
                });
            let outcome = match message {
                Ok(message) => self
                    .transport
                    .send(message)
                    .await
                    .map(drop)
                    .map_err(|e| e.to_string()),
                Err(e) => Err(e),
            };
            match outcome {
                Ok(()) => {
                    tracing::info!("mail sent");
                    store.outbox().mark_sent(&mail.id).await?;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "mail not sent; trying again next round");
                    store.outbox().mark_failed(&mail.id, &e).await?;
                }
            }
        }
        Ok(())
    }
}
