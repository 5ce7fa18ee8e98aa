//! What every request on the server can reach: configuration-derived options and services.

use std::time::Instant;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;

#[derive(Clone, Debug, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub store: domain::Store,
    /// Opens stored Partner Center credentials (the master key).
    pub sealer: domain::crypto::Sealer,
    /// The one HTTP client for Partner Center calls.
    pub http: domain::connections::reqwest_client::Client,
    pub started_at: Instant,
}
