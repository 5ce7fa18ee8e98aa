//! The Settings page: when the nightly sync runs (the service provider's staff read it; its
//! admins change it).

use leptos::{prelude::*, server_fn::codec::GetUrl};
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SettingsData {
    /// `HH:MM`, UTC.
    pub nightly_at: String,
    /// `YYYY-MM-DD`; empty before the first run.
    pub nightly_last: String,
}

#[server(prefix = "/api", endpoint = "settings", input = GetUrl)]
pub async fn settings() -> Result<SettingsData, AppError> {
    let provider = crate::door::caller("settings.read")
        .await?
        .provider()
        .await?;
    let nightly = provider.nightly_sync().await?;
    Ok(SettingsData {
        nightly_at: nightly.at,
        nightly_last: nightly.last_day.unwrap_or_default(),
    })
}

/// Sets when the nightly sync runs (`HH:MM`, UTC).
#[server(prefix = "/api", endpoint = "settings-save")]
pub async fn save_settings(nightly_at: String) -> Result<(), AppError> {
    let admin = crate::door::caller("settings.nightly_sync")
        .await?
        .provider_admin()
        .await?;
    Ok(admin.set_nightly_sync(&nightly_at).await?)
}
