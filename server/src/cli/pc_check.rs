//! `seatwise pc-check`: every read operation once against a connection.

use std::process::ExitCode;

use domain::connections::check;
use partner_center::{ClientConfig, Credential, CustomerId, PartnerCenter};
use server::{config::Config, secrets::Secrets};

#[derive(clap::Args)]
pub struct Args {
    /// A stored connection, by name (default: the default connection).
    #[arg(long, conflicts_with = "api_url")]
    pub connection: Option<String>,
    /// Or a connection given here: the API base URL (without /v1) ...
    #[arg(long, requires_all = ["login_url", "tenant", "client_id"])]
    pub api_url: Option<String>,
    /// ... the login authority ...
    #[arg(long)]
    pub login_url: Option<String>,
    /// ... the partner tenant id or domain ...
    #[arg(long)]
    pub tenant: Option<String>,
    /// ... the application id ...
    #[arg(long)]
    pub client_id: Option<String>,
    /// ... and a client secret or a refresh token.
    #[arg(long, env = "SEATWISE_PC_CLIENT_SECRET", hide_env_values = true)]
    pub client_secret: Option<String>,
    #[arg(long, env = "SEATWISE_PC_REFRESH_TOKEN", hide_env_values = true)]
    pub refresh_token: Option<String>,
    /// The customer tenant to check against (default: the first listed).
    #[arg(long)]
    pub customer: Option<String>,
    /// Catalog country.
    #[arg(long, default_value = "US")]
    pub country: String,
}

pub async fn run(config: Config, args: Args) -> ExitCode {
    let pc = match check_client(&config, &args).await {
        Ok(pc) => pc,
        Err(e) => {
            eprintln!("seatwise pc-check: {e}");
            return ExitCode::from(2);
        }
    };
    let lines = check::run(&pc, args.customer.map(CustomerId::new), &args.country).await;
    for line in &lines {
        println!("{line}");
    }
    let (passed, failed) = check::summary(&lines);
    println!("{passed} passed, {failed} failed");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// The connection named on the command line, or a stored one (decrypted with the master key).
async fn check_client(config: &Config, args: &Args) -> anyhow::Result<PartnerCenter> {
    if let Some(api_url) = &args.api_url {
        let credential = match (&args.refresh_token, &args.client_secret) {
            (Some(token), secret) => Credential::RefreshToken {
                refresh_token: token.clone(),
                client_secret: secret.clone(),
            },
            (None, Some(secret)) => Credential::ClientSecret(secret.clone()),
            (None, None) => anyhow::bail!("give --client-secret or --refresh-token"),
        };
        let client = ClientConfig::new(
            api_url,
            args.login_url.clone().unwrap_or_default(),
            args.tenant.clone().unwrap_or_default(),
            args.client_id.clone().unwrap_or_default(),
            credential,
        );
        return Ok(PartnerCenter::new(PartnerCenter::http_client(), client));
    }
    let secrets = Secrets::load(config)?;
    let sealer = domain::crypto::Sealer::new(secrets.master_key.bytes())?;
    let store = domain::Store::open(&config.database_url).await?;
    let connections = store.connections(&sealer);
    let connection = match &args.connection {
        Some(name) => connections
            .by_name(name)
            .await?
            .ok_or_else(|| anyhow::anyhow!("no connection is called {name:?}"))?,
        None => connections.default_connection().await?.ok_or_else(|| {
            anyhow::anyhow!("there is no default connection; name one with --connection")
        })?,
    };
    if connection.is_sandbox {
        anyhow::bail!(
            "{:?} is the embedded sandbox, which runs only inside `seatwise serve`; \
             check it there, or run `seatwise emulator` and pass --api-url",
            connection.name
        );
    }
    Ok(connections
        .client(PartnerCenter::http_client(), &connection.id)
        .await?)
}
