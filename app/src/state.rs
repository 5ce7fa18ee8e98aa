//! What every request on the server can reach: the Leptos options and the domain's door.

use axum::extract::FromRef;
use leptos::config::LeptosOptions;

#[derive(Clone, Debug, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    /// The one door into the domain (store, sealer, Partner Center clients).
    pub services: domain::Services,
}
