//! `seatwise migrate`: apply pending migrations and exit.

use server::config::Config;

pub async fn run(config: Config) -> anyhow::Result<()> {
    let store = domain::Store::open(&config.database_url).await?;
    let status = store.status().await?;
    println!(
        "{}: {} of {} migrations applied",
        status.backend.name(),
        status.migrations_applied,
        status.migrations_known
    );
    Ok(())
}
