//! The `seatwise` server: configuration, wiring and the command line around the web app.

pub mod auth;
pub mod config;
pub mod demo;
pub mod mailer;
pub mod secrets;
pub mod telemetry;
pub mod web;

use std::net::SocketAddr;

use app::state::AppState;
use leptos::config::{get_configuration, Env};
use tokio::net::TcpListener;

use domain::crypto::Sealer;

use crate::{config::Config, secrets::Secrets};

/// A server that is listening; `serve` runs it until `shutdown` resolves.
pub struct Ready {
    pub addr: SocketAddr,
    /// The embedded Partner Center emulator, when it runs; it stops with the server.
    pub emulator: Option<pc_emulator::Running>,
    /// Sign-in details of the demo accounts (embedded default only).
    pub demo_accounts: Vec<String>,
    listener: TcpListener,
    router: axum::Router,
    /// Delivers the outbox while the server runs (when SMTP is configured).
    mailer: Option<(mailer::Mailer, domain::Store)>,
    /// The domain's door, for the work the server does by schedule (and tests that drive it).
    pub services: domain::Services,
    /// How often the schedule looks for work that is due.
    schedule_secs: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Secrets(#[from] secrets::SecretsError),
    #[error("cannot open the database: {0}")]
    Store(#[from] domain::StoreError),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("invalid Leptos settings: {0}")]
    Leptos(String),
    #[error("cannot start the Partner Center emulator: {0}")]
    Emulator(String),
    #[error("mail: {0}")]
    Mail(String),
}

/// Opens the store (migrating it), loads the secrets, and binds the listener.
pub async fn prepare(config: &Config) -> Result<Ready, StartError> {
    let secrets = Secrets::load(config)?;
    let sealer = Sealer::new(secrets.master_key.bytes())?;
    let store = domain::Store::open(&config.database_url).await?;
    tracing::info!(
        database = %domain::store::redact_url(&config.database_url),
        backend = store.backend().name(),
        "database ready"
    );
    let (emulator, demo_accounts) = if config.emulator {
        let (running, sandbox) = start_emulator(config, &store, &sealer).await?;
        let demo = demo::seed(&store, &sealer, &sandbox, config.demo_password.as_deref())
            .await
            .map_err(|e| StartError::Emulator(format!("seeding the demo: {e}")))?;
        (Some(running), demo)
    } else {
        (None, Vec::new())
    };

    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(|source| StartError::Listen {
            addr: config.listen,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| StartError::Listen {
        addr: config.listen,
        source,
    })?;

    let public_url = (config.public_url.clone()).unwrap_or_else(|| format!("http://{addr}"));
    let clients = domain::connections::Clients::new(partner_center::PartnerCenter::http_client());
    let state = AppState {
        leptos_options: leptos_options(config, addr)?,
        services: domain::Services::new(store, sealer, clients, public_url)
            .with_job_lease(std::time::Duration::from_secs(config.job_lease_secs)),
    };
    let mailer = match &config.smtp_url {
        Some(url) => Some((
            mailer::Mailer::new(url, &config.mail_from).map_err(StartError::Mail)?,
            state.services.store().clone(),
        )),
        None => None,
    };
    let services = state.services.clone();
    let router = web::router(state, config, &secrets);
    Ok(Ready {
        addr,
        emulator,
        demo_accounts,
        listener,
        router,
        mailer,
        services,
        schedule_secs: config.schedule_secs,
    })
}

impl Ready {
    pub async fn serve(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        use axum::serve::ListenerExt;
        // The embedded emulator lives exactly as long as the server, and so does the mailer.
        let _emulator = self.emulator;
        let _mailer = self.mailer.map(|(mailer, store)| {
            let task = tokio::spawn(mailer.run(store));
            AbortOnDrop(task)
        });
        let _sweeper = AbortOnDrop(tokio::spawn(sweep(self.services.store().clone())));
        // This process, as the jobs it runs name it.
        let instance = format!(
            "pid {} ({})",
            std::process::id(),
            &uuid::Uuid::new_v4().simple().to_string()[..8]
        );
        let _jobs = AbortOnDrop(tokio::spawn(run_jobs(self.services.clone(), instance)));
        let every = std::time::Duration::from_secs(self.schedule_secs);
        let _schedule = AbortOnDrop(tokio::spawn(schedule(self.services, every)));
        // Without TCP_NODELAY a streamed page (several small writes) waits on the client's
        // delayed ACK: about 40 ms per response on keep-alive connections.
        let listener = self.listener.tap_io(|tcp| {
            if let Err(e) = tcp.set_nodelay(true) {
                tracing::debug!(error = %e, "could not set TCP_NODELAY");
            }
        });
        axum::serve(
            listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await
    }
}

/// Every ten minutes, while the server runs (and once at start-up): the planner's statistics
/// kept up to date; sign-in counters whose window and back-off are over, and the shared
/// request budget's old slots, deleted. (Expired sessions and the rest are the nightly
/// clean-up job's.)
async fn sweep(store: domain::Store) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(600));
    loop {
        every.tick().await;
        if let Err(e) = store.optimize().await {
            tracing::warn!(error = %e, "statistics not updated");
        }
        // Old slots of the shared request budget (a busy tenant writes one a second).
        if let Err(e) =
            domain::budget::sweep(store.pool(), domain::time::now_millis() - 120_000).await
        {
            tracing::warn!(error = %e, "the shared request budget not swept");
        }
        let counters = store.throttle().sweep().await;
        match counters {
            Ok(c) => tracing::debug!(counters = c, "swept"),
            Err(e) => tracing::warn!(error = %e, "sweep failed"),
        }
    }
}

/// Every `period` (ten minutes unless set), while the server runs: the work done by schedule,
/// queued as jobs once however many instances ask (the nightly sync, optimisation and clean-up
/// once their time of day has come; the catalog refresh on a day a catalog in use is a month
/// old).
async fn schedule(services: domain::Services, period: std::time::Duration) {
    let mut every = tokio::time::interval(period);
    // The first tick is at once: the first check waits a full period after start-up.
    every.tick().await;
    loop {
        every.tick().await;
        let now = domain::time::now_millis();
        match services.nightly_sync_due(now).await {
            Ok(Some(job)) => tracing::info!(%job, "nightly sync queued"),
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "nightly sync not queued"),
        }
        match services.catalog_refresh_due(now).await {
            Ok(Some(job)) => tracing::info!(%job, "catalog refresh queued"),
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "catalog refresh not queued"),
        }
    }
}

/// Every two seconds, while the server runs: jobs waiting (or left by an instance that stopped)
/// are claimed and run, one at a time per instance. `instance` names this process in the jobs
/// it runs.
async fn run_jobs(services: domain::Services, instance: String) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(2));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        if let Err(e) = services.run_due_jobs(&instance).await {
            tracing::warn!(error = %e, "jobs not run");
        }
    }
}

/// Stops a background task when the server stops.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The sandbox: the emulator on its own port, state kept under the data directory, and the
/// "Sandbox" connection pointed at it.
async fn start_emulator(
    config: &Config,
    store: &domain::Store,
    sealer: &Sealer,
) -> Result<(pc_emulator::Running, domain::connections::Connection), StartError> {
    let emulator = pc_emulator::Emulator::new(pc_emulator::Options {
        persist: Some(config.data_dir.join("emulator.json")),
        seed: pc_emulator::SeedOptions {
            customers: 5,
            ..pc_emulator::SeedOptions::default()
        },
        ..pc_emulator::Options::default()
    })
    .map_err(|e| StartError::Emulator(e.to_string()))?;
    let running = emulator
        .serve(config.emulator_listen)
        .await
        .map_err(|e| StartError::Emulator(e.to_string()))?;
    let sandbox = store
        .connections(sealer)
        .upsert_sandbox(&running.url())
        .await?;
    tracing::info!(url = %running.url(), "Partner Center emulator (sandbox) running");
    Ok((running, sandbox))
}

/// Leptos's own settings: from cargo-leptos's environment when it runs us, else ours.
fn leptos_options(
    config: &Config,
    addr: SocketAddr,
) -> Result<leptos::config::LeptosOptions, StartError> {
    let mut options = get_configuration(None)
        .map_err(|e| StartError::Leptos(e.to_string()))?
        .leptos_options;
    if options.output_name.is_empty() {
        options.output_name = "seatwise".into();
    }
    if std::env::var_os("LEPTOS_ENV").is_none() {
        options.env = Env::PROD;
    }
    options.site_root = config.site_root.display().to_string().into();
    options.site_addr = addr;
    // A release build names its assets by content hash and lists the hashes in hash.txt beside
    // the binary; a build without it (tests, `cargo run`) serves plain names.
    let exe_dir = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(std::path::Path::to_path_buf));
    options.hash_files = exe_dir.is_some_and(|dir| dir.join(options.hash_file.as_ref()).exists());
    Ok(options)
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
