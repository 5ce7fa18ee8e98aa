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
    /// The nightly optimisation makes its reductions without an approval.
    pub optimise_automatically: bool,
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
        optimise_automatically: nightly.optimise_automatically,
    })
}

/// Sets when the nightly work runs (`HH:MM`, UTC), and whether its license optimisation makes
/// its reductions without an approval (`optimise_automatic`: `on` when ticked).
#[server(prefix = "/api", endpoint = "settings-save")]
pub async fn save_settings(
    nightly_at: String,
    #[server(default)] optimise_automatic: String,
) -> Result<(), AppError> {
    let admin = crate::door::caller("settings.nightly_sync")
        .await?
        .provider_admin()
        .await?;
    let automatic = match optimise_automatic.as_str() {
        "" | "off" => false,
        "on" => true,
        _ => {
            return Err(AppError::field(
                "optimise_automatic",
                "Tick the box, or leave it.",
            ))
        }
    };
    Ok(admin.set_nightly_sync(&nightly_at, automatic).await?)
}
