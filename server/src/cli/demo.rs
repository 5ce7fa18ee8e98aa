//! `seatwise demo`: the demo accounts of the embedded sandbox.

use clap::Subcommand;
use server::config::Config;

#[derive(Subcommand)]
pub enum Command {
    /// Delete the demo accounts (needed before a real Partner Center connection is added).
    Remove,
}

pub async fn run(config: Config, command: Command) -> anyhow::Result<()> {
    match command {
        Command::Remove => remove(config).await,
    }
}

async fn remove(config: Config) -> anyhow::Result<()> {
    let store = domain::Store::open(&config.database_url).await?;
    let removed = server::demo::remove(&store).await?;
    println!("Removed {removed} demo account(s); their sessions have ended.");
    Ok(())
}
