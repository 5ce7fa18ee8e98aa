//! `seatwise`: the web portal and its administrative commands.

use std::{path::PathBuf, process::ExitCode};

use clap::{Parser, Subcommand};
use server::{config::Config, prepare, shutdown_signal, telemetry};

#[derive(Parser)]
#[command(
    name = "seatwise",
    version,
    about = "Microsoft CSP self-service portal"
)]
struct Cli {
    /// A TOML configuration file (environment variables override it).
    #[arg(long, global = true, env = "SEATWISE_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web portal (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::load(cli.config.as_deref()) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("seatwise: {e}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(config.log_format);
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config).await,
        Command::Migrate => migrate(config).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("seatwise: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let ready = prepare(&config).await?;
    let url = format!("http://{}", ready.addr);
    tracing::info!(%url, "listening");
    println!();
    println!("  Seatwise is running at {url}");
    println!("  No sign-in is needed yet: accounts and roles arrive with access control.");
    println!("  Stop it with Ctrl-C.");
    println!();
    ready.serve(shutdown_signal()).await?;
    Ok(())
}

async fn migrate(config: Config) -> anyhow::Result<()> {
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
