//! `seatwise emulator`: the Partner Center emulator on its own.

use std::path::PathBuf;

use server::shutdown_signal;

#[derive(clap::Args)]
pub struct Args {
    #[arg(long, default_value = "127.0.0.1")]
    pub host: std::net::IpAddr,
    #[arg(long, default_value_t = 4010)]
    pub port: u16,
    /// Seed for the generated tenants, users and subscriptions.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    #[arg(long, default_value_t = 3)]
    pub customers: usize,
    #[arg(long, default_value_t = 12)]
    pub users_per_customer: usize,
    #[arg(long, default_value_t = 3)]
    pub subscriptions_per_customer: usize,
    /// Added to every answer, plus up to --jitter-ms.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    #[arg(long, default_value_t = 0)]
    pub jitter_ms: u64,
    /// Requests per minute per tenant before 429 (0: off).
    #[arg(long, default_value_t = 0)]
    pub throttle_per_minute: u32,
    /// Share of requests that get an injected fault (0.0-1.0).
    #[arg(long, default_value_t = 0.0)]
    pub fault_rate: f64,
    /// Prefix bodies with a UTF-8 BOM, as the live service does.
    #[arg(long)]
    pub bom: bool,
    /// Keep the state in this file across restarts.
    #[arg(long)]
    pub persist: Option<PathBuf>,
    /// Accept only this client id / secret / refresh token (default: any non-empty value).
    #[arg(long)]
    pub client_id: Option<String>,
    #[arg(long)]
    pub client_secret: Option<String>,
    #[arg(long)]
    pub refresh_token: Option<String>,
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let emulator = pc_emulator::Emulator::new(pc_emulator::Options {
        seed: pc_emulator::SeedOptions {
            seed: args.seed,
            customers: args.customers,
            users_per_customer: args.users_per_customer,
            subscriptions_per_customer: args.subscriptions_per_customer,
        },
        knobs: pc_emulator::Knobs {
            latency_ms: args.latency_ms,
            jitter_ms: args.jitter_ms,
            throttle_per_minute: args.throttle_per_minute,
            fault_rate: args.fault_rate,
            bom: args.bom,
            ..pc_emulator::Knobs::default()
        },
        credentials: pc_emulator::Credentials {
            client_id: args.client_id,
            client_secret: args.client_secret,
            refresh_token: args.refresh_token,
        },
        persist: args.persist,
        random_seed: args.seed,
    })?;
    let running = emulator.serve((args.host, args.port).into()).await?;
    println!("Partner Center emulator listening on {}", running.url());
    println!(
        "  API: {0}/v1/...   token: {0}/<tenant>/oauth2/token   admin: {0}/_emulator/knobs",
        running.url()
    );
    shutdown_signal().await;
    Ok(())
}
