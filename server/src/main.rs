//! `seatwise`: the web portal and its administrative commands (one module each in `cli/`).

mod cli;

use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    cli::Cli::parse().run().await
}
