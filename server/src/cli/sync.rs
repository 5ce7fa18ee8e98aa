//! `seatwise sync`: every subscription of a customer, a connection's customers or all
//! customers read from Partner Center and stored, the differences recorded in the history as
//! made outside Seatwise. A progress line while it runs, a one-line summary at the end; the
//! exit status is non-zero when any customer failed.

use std::{io::Write, process::ExitCode};

use domain::{
    access::ProviderAdmin,
    service::{SyncEvent, SyncSummary},
};
use futures_util::StreamExt;
use partner_center::CustomerId;
use server::config::Config;

#[derive(clap::Args)]
pub struct Args {
    /// One customer, by tenant id.
    #[arg(long)]
    pub customer: Option<String>,
    /// The customers of one connection, by name.
    #[arg(long)]
    pub connection: Option<String>,
}

/// Who the audit log names for a sync run here.
const ACTOR: &str = "seatwise sync (command line)";

pub async fn run(config: Config, args: Args) -> ExitCode {
    let result = sync(config, args).await.map(|summary| summary.errors == 0);
    super::exit_status("sync", result)
}

async fn sync(config: Config, args: Args) -> anyhow::Result<SyncSummary> {
    let services = super::open_services(&config).await?;
    let connection = match &args.connection {
        Some(name) => Some(services.connection_named(name).await?),
        None => None,
    };
    let customer = args
        .customer
        .as_deref()
        .map(str::parse::<CustomerId>)
        .transpose()?;
    let targets = services
        .sync_targets(
            &ProviderAdmin::command_line(),
            customer.as_ref(),
            connection.as_ref(),
        )
        .await?;
    let total = targets.len();
    let mut summary = SyncSummary::default();
    let mut events = std::pin::pin!(services.sync(targets));
    while let Some(event) = events.next().await {
        summary.add(&event);
        if let SyncEvent::Failed { customer, error } = &event {
            eprintln!("\r\x1b[K{customer}: {error}");
        }
        progress(summary.customers, total);
    }
    eprintln!();
    println!("{summary}");
    services.audit_sync(ACTOR, &summary).await;
    services.store().close().await;
    Ok(summary)
}

/// `[########............] 120/500 customers` on standard error, rewritten in place.
fn progress(done: usize, total: usize) {
    const WIDTH: usize = 30;
    let filled = (done * WIDTH).checked_div(total).unwrap_or(WIDTH);
    let mut err = std::io::stderr();
    let _ = write!(
        err,
        "\r[{}{}] {done}/{total} customers",
        "#".repeat(filled),
        ".".repeat(WIDTH - filled)
    );
    let _ = err.flush();
}
