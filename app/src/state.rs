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
    /// One Partner Center client per connection, shared by every request.
    pub clients: std::sync::Arc<domain::connections::Clients>,
    pub started_at: Instant,
    /// Where people reach Seatwise, for links in mail (`SEATWISE_PUBLIC_URL`, else the listen
    /// address); never taken from a request's Host header.
    pub public_url: String,
}
