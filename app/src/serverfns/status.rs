//! Health of this Seatwise instance as the status page shows it.

use leptos::{prelude::*, server_fn::codec::GetUrl};
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusReport {
    pub version: String,
    pub database: String,
    pub migrations_applied: i64,
    pub migrations_known: usize,
    pub uptime_seconds: u64,
    /// When the server answered, `HH:MM:SS UTC`.
    pub checked_at: String,
    /// The default Partner Center connection, if one is configured.
    pub partner_center: Option<ConnectionSummary>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConnectionSummary {
    pub name: String,
    pub api_url: String,
    pub sandbox: bool,
    pub connections: usize,
}

#[server(prefix = "/api", endpoint = "system-status", input = GetUrl)]
pub async fn system_status() -> Result<StatusReport, AppError> {
    let provider = crate::door::caller("status.read").await?.provider().await?;
    Ok(provider.status().await?.into())
}

#[cfg(feature = "ssr")]
impl From<domain::service::StatusFacts> for StatusReport {
    fn from(facts: domain::service::StatusFacts) -> Self {
        let connections = &facts.connections;
        StatusReport {
            partner_center: connections
                .iter()
                .find(|c| c.is_default)
                .map(|c| ConnectionSummary {
                    name: c.name.clone(),
                    api_url: c.api_url.clone(),
                    sandbox: c.is_sandbox,
                    connections: connections.len(),
                }),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            database: facts.store.backend.name().to_owned(),
            migrations_applied: facts.store.migrations_applied,
            migrations_known: facts.store.migrations_known,
            uptime_seconds: facts.uptime.as_secs(),
            checked_at: domain::time::format_utc_time(domain::time::now_millis()),
        }
    }
}
