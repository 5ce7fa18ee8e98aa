//! `seatwise connection`: list, add, remove Partner Center connections, pick the default.

use clap::Subcommand;
use server::{config::Config, secrets::Secrets};

#[derive(Subcommand)]
pub enum Command {
    /// Show every connection (never its secret).
    List,
    /// Add a connection; the secret is sealed with the master key before it is stored.
    Add(Add),
    /// Make a connection the default one.
    SetDefault { name: String },
    /// Remove a connection.
    Remove { name: String },
}

#[derive(clap::Args)]
pub struct Add {
    #[arg(long)]
    name: String,
    /// Two-letter country the connection sells in (catalog lookups).
    #[arg(long, default_value = "US")]
    country: String,
    #[arg(long, default_value = partner_center::client::PUBLIC_API_URL)]
    api_url: String,
    #[arg(long, default_value = partner_center::client::PUBLIC_LOGIN_URL)]
    login_url: String,
    /// The partner's tenant id or domain.
    #[arg(long)]
    tenant: String,
    /// The application (client) id.
    #[arg(long)]
    client_id: String,
    /// App-only sign-in (prefer the environment variable: arguments show in process lists).
    #[arg(long, env = "SEATWISE_PC_CLIENT_SECRET", hide_env_values = true)]
    client_secret: Option<String>,
    /// App+User sign-in (secure application model).
    #[arg(long, env = "SEATWISE_PC_REFRESH_TOKEN", hide_env_values = true)]
    refresh_token: Option<String>,
    #[arg(long)]
    default: bool,
}

pub async fn run(config: Config, command: Command) -> anyhow::Result<()> {
    use domain::connections::{NewConnection, Secret};
    let secrets = Secrets::load(&config)?;
    let sealer = domain::crypto::Sealer::new(secrets.master_key.bytes())?;
    let store = domain::Store::open(&config.database_url).await?;
    let connections = store.connections(&sealer);
    match command {
        Command::List => {
            let all = connections.list().await?;
            if all.is_empty() {
                println!("No connections yet. Add one with `seatwise connection add`.");
            }
            for c in all {
                println!(
                    "{} {:<24} {}  {}  tenant {}  app {}  {}{}",
                    if c.is_default { "*" } else { " " },
                    c.name,
                    c.country,
                    c.api_url,
                    c.tenant_id,
                    c.app_id,
                    c.credential_kind,
                    if c.is_sandbox {
                        "  (built-in emulator)"
                    } else {
                        ""
                    }
                );
            }
        }
        Command::Add(a) => {
            if server::demo::present(&store).await? {
                anyhow::bail!(
                    "the demo accounts exist, and they are for the sandbox only. Remove them \
                     first with `seatwise demo remove`, then add the connection"
                );
            }
            let secret = match (a.refresh_token, a.client_secret) {
                (Some(refresh_token), client_secret) => Secret::RefreshToken {
                    refresh_token,
                    client_secret,
                },
                (None, Some(client_secret)) => Secret::ClientSecret { client_secret },
                (None, None) => anyhow::bail!(
                    "give --client-secret or --refresh-token (or their SEATWISE_PC_* variables)"
                ),
            };
            let c = connections
                .create(NewConnection {
                    name: a.name,
                    country: a.country,
                    api_url: a.api_url,
                    login_url: a.login_url,
                    tenant_id: a.tenant,
                    app_id: a.client_id,
                    secret,
                    is_default: a.default,
                    is_sandbox: false,
                })
                .await?;
            println!(
                "Added {}{}. Check it with: seatwise pc-check --connection {:?}",
                c.name,
                if c.is_default { " (default)" } else { "" },
                c.name
            );
        }
        Command::SetDefault { name } => {
            connections
                .set_default(&connections.named(&name).await?.id)
                .await?;
            println!("{name} is now the default connection.");
        }
        Command::Remove { name } => {
            connections
                .remove(&connections.named(&name).await?.id)
                .await?;
            println!("Removed {name}.");
        }
    }
    Ok(())
}
