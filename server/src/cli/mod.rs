//! The `seatwise` command line: one module per subcommand, each with its arguments and `run`.

mod connection;
mod create_admin;
mod demo;
mod emulator;
mod migrate;
mod optimise;
mod pc_check;
mod reconcile;
mod serve;
mod sync;
mod workspace_link;

use std::{path::PathBuf, process::ExitCode};

use clap::{Parser, Subcommand};
use server::{config::Config, telemetry};

#[derive(Parser)]
#[command(
    name = "seatwise",
    version,
    about = "Microsoft CSP self-service portal"
)]
pub struct Cli {
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
    /// Run the Partner Center emulator on its own (the sandbox, for demos and tests).
    Emulator(emulator::Args),
    /// Run every read operation once against a Partner Center connection.
    PcCheck(pc_check::Args),
    /// Mint a workspace link, as a marketplace would (the URL is the last line printed).
    WorkspaceLink(workspace_link::Args),
    /// Create a service-provider admin account (the first one, or another).
    CreateAdmin(create_admin::Args),
    /// List, add, remove Partner Center connections or choose the default one.
    #[command(subcommand)]
    Connection(connection::Command),
    /// The demo accounts of the embedded sandbox.
    #[command(subcommand)]
    Demo(demo::Command),
    /// Read every subscription from Partner Center into the store, recording what changed
    /// outside Seatwise in the history.
    Sync(sync::Args),
    /// Compare the store with Partner Center and print the findings; without `--dry-run`,
    /// correct the store (recorded in the history).
    Reconcile(reconcile::Args),
    /// Give back licenses bought and not assigned (the partner's own connections); with
    /// `--dry-run`, only print what would change.
    Optimise(optimise::Args),
}

impl Cli {
    /// Loads the configuration (exit code 2 when it is bad) and runs the subcommand.
    pub async fn run(self) -> ExitCode {
        let config = match Config::load(self.config.as_deref()) {
            Ok(config) => config,
            Err(e) => {
                eprintln!("seatwise: {e}");
                return ExitCode::from(2);
            }
        };
        telemetry::init(config.log_format);
        let result = match self.command.unwrap_or(Command::Serve) {
            Command::Serve => serve::run(config).await,
            Command::Migrate => migrate::run(config).await,
            Command::Emulator(args) => emulator::run(args).await,
            Command::PcCheck(args) => return pc_check::run(config, args).await,
            Command::Sync(args) => return sync::run(config, args).await,
            Command::Reconcile(args) => return reconcile::run(config, args).await,
            Command::Optimise(args) => return optimise::run(config, args).await,
            Command::Connection(command) => connection::run(config, command).await,
            Command::Demo(command) => demo::run(config, command).await,
            Command::CreateAdmin(args) => create_admin::run(config, args).await,
            Command::WorkspaceLink(args) => workspace_link::run(config, args).await,
        };
        match result {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("seatwise: {e}");
                ExitCode::FAILURE
            }
        }
    }
}

/// The domain's door for a subcommand that works on the store and Partner Center: the secrets,
/// the store (migrated) and a Partner Center client per connection.
async fn open_services(config: &Config) -> anyhow::Result<domain::Services> {
    let secrets = server::secrets::Secrets::load(config)?;
    let sealer = domain::crypto::Sealer::new(secrets.master_key.bytes())?;
    let store = domain::Store::open(&config.database_url).await?;
    Ok(domain::Services::new(
        store,
        sealer,
        domain::connections::Clients::new(partner_center::PartnerCenter::http_client()),
        config.public_url.clone().unwrap_or_default(),
    ))
}

/// The exit status of a subcommand whose work may fail item by item: 0 when every item went
/// through (`Ok(true)`), 1 when some failed, 2 (with the message) when it could not run.
fn exit_status(name: &str, result: anyhow::Result<bool>) -> ExitCode {
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("seatwise {name}: {e}");
            ExitCode::from(2)
        }
    }
}
