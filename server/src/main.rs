//! `seatwise`: the web portal and its administrative commands.

use std::{path::PathBuf, process::ExitCode};

use clap::{Parser, Subcommand};
use partner_center::{ClientConfig, Credential, CustomerId, PartnerCenter};
use server::{config::Config, pc_check, prepare, secrets::Secrets, shutdown_signal, telemetry};

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
    /// Run the Partner Center emulator on its own (the sandbox, for demos and tests).
    Emulator(EmulatorArgs),
    /// Run every read operation once against a Partner Center connection.
    PcCheck(PcCheckArgs),
    /// Mint a workspace link, as a marketplace would (the URL is the last line printed).
    WorkspaceLink {
        /// The customer's tenant id ...
        #[arg(long, conflicts_with_all = ["first_customer", "reseller"])]
        customer: Option<String>,
        /// ... or the first customer Seatwise knows (for demos and scripts) ...
        #[arg(long, conflicts_with = "reseller")]
        first_customer: bool,
        /// ... or a reseller id (lands on the multi-customer view).
        #[arg(long)]
        reseller: Option<String>,
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "")]
        name: String,
        /// Where Seatwise is reached (default: SEATWISE_PUBLIC_URL, else the listen address).
        #[arg(long)]
        base_url: Option<String>,
        /// Seconds the link stays valid (at most 600).
        #[arg(long, default_value_t = 300)]
        ttl: i64,
        #[arg(long, default_value = "seatwise-cli")]
        issuer: String,
    },
    /// Create a service-provider admin account (the first one, or another).
    CreateAdmin {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "Administrator")]
        name: String,
        /// The password; generated and printed once when not given.
        #[arg(long, env = "SEATWISE_ADMIN_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
    /// List, add, remove Partner Center connections or choose the default one.
    #[command(subcommand)]
    Connection(ConnectionCommand),
    /// The demo accounts of the embedded sandbox.
    #[command(subcommand)]
    Demo(DemoCommand),
}

#[derive(Subcommand)]
enum DemoCommand {
    /// Delete the demo accounts (needed before a real Partner Center connection is added).
    Remove,
}

#[derive(Subcommand)]
enum ConnectionCommand {
    /// Show every connection (never its secret).
    List,
    /// Add a connection; the secret is sealed with the master key before it is stored.
    Add(AddConnection),
    /// Make a connection the default one.
    SetDefault { name: String },
    /// Remove a connection.
    Remove { name: String },
}

#[derive(clap::Args)]
struct AddConnection {
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

#[derive(clap::Args)]
struct EmulatorArgs {
    #[arg(long, default_value = "127.0.0.1")]
    host: std::net::IpAddr,
    #[arg(long, default_value_t = 4010)]
    port: u16,
    /// Seed for the generated tenants, users and subscriptions.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    #[arg(long, default_value_t = 3)]
    customers: usize,
    #[arg(long, default_value_t = 12)]
    users_per_customer: usize,
    #[arg(long, default_value_t = 3)]
    subscriptions_per_customer: usize,
    /// Added to every answer, plus up to --jitter-ms.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    #[arg(long, default_value_t = 0)]
    jitter_ms: u64,
    /// Requests per minute per tenant before 429 (0: off).
    #[arg(long, default_value_t = 0)]
    throttle_per_minute: u32,
    /// Share of requests that get an injected fault (0.0-1.0).
    #[arg(long, default_value_t = 0.0)]
    fault_rate: f64,
    /// Prefix bodies with a UTF-8 BOM, as the live service does.
    #[arg(long)]
    bom: bool,
    /// Keep the state in this file across restarts.
    #[arg(long)]
    persist: Option<PathBuf>,
    /// Accept only this client id / secret / refresh token (default: any non-empty value).
    #[arg(long)]
    client_id: Option<String>,
    #[arg(long)]
    client_secret: Option<String>,
    #[arg(long)]
    refresh_token: Option<String>,
}

#[derive(clap::Args)]
struct PcCheckArgs {
    /// A stored connection, by name (default: the default connection).
    #[arg(long, conflicts_with = "api_url")]
    connection: Option<String>,
    /// Or a connection given here: the API base URL (without /v1) ...
    #[arg(long, requires_all = ["login_url", "tenant", "client_id"])]
    api_url: Option<String>,
    /// ... the login authority ...
    #[arg(long)]
    login_url: Option<String>,
    /// ... the partner tenant id or domain ...
    #[arg(long)]
    tenant: Option<String>,
    /// ... the application id ...
    #[arg(long)]
    client_id: Option<String>,
    /// ... and a client secret or a refresh token.
    #[arg(long, env = "SEATWISE_PC_CLIENT_SECRET", hide_env_values = true)]
    client_secret: Option<String>,
    #[arg(long, env = "SEATWISE_PC_REFRESH_TOKEN", hide_env_values = true)]
    refresh_token: Option<String>,
    /// The customer tenant to check against (default: the first listed).
    #[arg(long)]
    customer: Option<String>,
    /// Catalog country.
    #[arg(long, default_value = "US")]
    country: String,
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
        Command::Emulator(args) => emulator(args).await,
        Command::PcCheck(args) => return pc_check(config, args).await,
        Command::Connection(command) => connection(config, command).await,
        Command::Demo(DemoCommand::Remove) => demo_remove(config).await,
        Command::CreateAdmin {
            email,
            name,
            password,
        } => create_admin(config, email, name, password).await,
        Command::WorkspaceLink {
            customer,
            first_customer,
            reseller,
            email,
            name,
            base_url,
            ttl,
            issuer,
        } => {
            workspace_link(
                config,
                customer,
                first_customer,
                reseller,
                email,
                name,
                base_url,
                ttl,
                issuer,
            )
            .await
        }
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
    if ready.demo_accounts.is_empty() {
        println!(
            "  Sign in with an account made by `seatwise create-admin --email you@example.com`."
        );
    } else {
        println!("  Sign in with one of the demo accounts:");
        for line in &ready.demo_accounts {
            println!("    {line}");
        }
    }
    if let Some(emulator) = &ready.emulator {
        println!(
            "  Partner Center: the built-in emulator (connection \"Sandbox\") at {}",
            emulator.url()
        );
    }
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

async fn emulator(args: EmulatorArgs) -> anyhow::Result<()> {
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

async fn pc_check(config: Config, args: PcCheckArgs) -> ExitCode {
    let pc = match check_client(&config, &args).await {
        Ok(pc) => pc,
        Err(e) => {
            eprintln!("seatwise pc-check: {e}");
            return ExitCode::from(2);
        }
    };
    let lines = pc_check::run(&pc, args.customer.map(CustomerId::new), &args.country).await;
    for line in &lines {
        println!("{line}");
    }
    let (passed, failed) = pc_check::summary(&lines);
    println!("{passed} passed, {failed} failed");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// The connection named on the command line, or a stored one (decrypted with the master key).
async fn check_client(config: &Config, args: &PcCheckArgs) -> anyhow::Result<PartnerCenter> {
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

async fn connection(config: Config, command: ConnectionCommand) -> anyhow::Result<()> {
    use domain::connections::{NewConnection, Secret};
    let secrets = Secrets::load(&config)?;
    let sealer = domain::crypto::Sealer::new(secrets.master_key.bytes())?;
    let store = domain::Store::open(&config.database_url).await?;
    let connections = store.connections(&sealer);
    match command {
        ConnectionCommand::List => {
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
        ConnectionCommand::Add(a) => {
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
        ConnectionCommand::SetDefault { name } => {
            connections.set_default(&name).await?;
            println!("{name} is now the default connection.");
        }
        ConnectionCommand::Remove { name } => {
            connections.remove(&name).await?;
            println!("Removed {name}.");
        }
    }
    Ok(())
}

async fn demo_remove(config: Config) -> anyhow::Result<()> {
    let store = domain::Store::open(&config.database_url).await?;
    let removed = server::demo::remove(&store).await?;
    println!("Removed {removed} demo account(s); their sessions have ended.");
    Ok(())
}

async fn create_admin(
    config: Config,
    email: String,
    name: String,
    password: Option<String>,
) -> anyhow::Result<()> {
    use rand::Rng;
    let store = domain::Store::open(&config.database_url).await?;
    let generated = password.is_none();
    let password = password.unwrap_or_else(|| {
        rand::thread_rng()
            .sample_iter(&rand::distributions::Alphanumeric)
            .take(20)
            .map(char::from)
            .collect()
    });
    let account = store
        .access()
        .create_account(domain::access::NewAccount {
            email,
            display_name: name,
            role: domain::access::Role::SpAdmin,
            reseller: None,
            customer: None,
            password: Some(password.clone()),
        })
        .await?;
    println!("Created service provider admin {}.", account.email);
    if generated {
        println!("Password (shown once): {password}");
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn workspace_link(
    config: Config,
    customer: Option<String>,
    first_customer: bool,
    reseller: Option<String>,
    email: String,
    name: String,
    base_url: Option<String>,
    ttl: i64,
    issuer: String,
) -> anyhow::Result<()> {
    use domain::workspace_links::{mint, LinkTarget, NewLink};
    let secrets = Secrets::load(&config)?;
    let Some(secret) = secrets.link_secret else {
        anyhow::bail!("workspace links are off: set SEATWISE_LINK_SECRET (at least 32 characters)");
    };
    let target = match (customer, first_customer, reseller) {
        (Some(c), _, _) => LinkTarget::Customer(CustomerId::new(c)),
        (None, true, _) => {
            let store = domain::Store::open(&config.database_url).await?;
            let id = store.access().first_customer_id().await?.ok_or_else(|| {
                anyhow::anyhow!("Seatwise knows no customers yet: import some first")
            })?;
            LinkTarget::Customer(CustomerId::new(id))
        }
        (None, false, Some(r)) => LinkTarget::Reseller(domain::access::ResellerId::new(r)),
        (None, false, None) => anyhow::bail!("give --customer, --first-customer or --reseller"),
    };
    let now = domain::time::now_millis() / 1000;
    let token = mint(
        secret.bytes(),
        &NewLink {
            issuer: &issuer,
            audience: &config.link_audience,
            target: &target,
            email: &email,
            name: &name,
            ttl_secs: ttl,
        },
        now,
    )
    .map_err(|e| anyhow::anyhow!("{e} (the lifetime must be 1 to 600 seconds)"))?;
    let base = base_url
        .or(config.public_url.clone())
        .unwrap_or_else(|| format!("http://{}", config.listen));
    println!("A link for {email}, valid for {ttl} s and for one use:");
    println!("{}/workspace?token={token}", base.trim_end_matches('/'));
    Ok(())
}
