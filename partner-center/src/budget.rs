//! A request budget shared by several processes (several instances of Seatwise on one
//! database): each call about a tenant takes one request from the budget of its throttle key
//! before it goes out, after the client's own limit. The client knows nothing of where the
//! budget is kept; a budget that cannot be reached lets the call go (the client's own limit
//! still holds).

use std::{future::Future, pin::Pin, sync::Arc, time::Duration};

/// Where a shared budget is kept.
pub trait SharedBudget: Send + Sync {
    /// Takes one request for `key` (the customer tenant a call is about, else `partner`):
    /// `Ok(None)` when taken, `Ok(Some(wait))` when the budget is spent for now (ask again
    /// after `wait`), `Err` when the budget cannot be reached.
    fn take<'a>(
        &'a self,
        key: &'a str,
    ) -> Pin<Box<dyn Future<Output = Result<Option<Duration>, String>> + Send + 'a>>;
}

/// A shared budget as the client's configuration holds it.
#[derive(Clone)]
pub struct Budget(pub Arc<dyn SharedBudget>);

impl std::fmt::Debug for Budget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Budget")
    }
}

impl Budget {
    /// Waits until `key`'s budget lets one request go (or the budget cannot be reached).
    pub(crate) async fn take(&self, key: &str) {
        loop {
            match self.0.take(key).await {
                Ok(None) => return,
                Ok(Some(wait)) => {
                    tracing::debug!(
                        key,
                        wait_ms = wait.as_millis() as u64,
                        "shared budget spent"
                    );
                    tokio::time::sleep(
                        wait.clamp(Duration::from_millis(10), Duration::from_secs(5)),
                    )
                    .await;
                }
                Err(e) => {
                    tracing::warn!(key, error = %e, "shared budget not reached; the client's own limit holds");
                    return;
                }
            }
        }
    }
}
