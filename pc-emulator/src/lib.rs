//! A Partner Center emulator: the sandbox Seatwise runs against when the real service is out
//! of reach. It speaks the same HTTP contract (token endpoint included), keeps real state with
//! the service's rules, and has knobs for tests and benchmarks: latency, throttling, faults,
//! a movable clock, and changes "made directly in Partner Center".

pub mod catalog;
mod http;
pub mod seed;
pub mod world;

use std::{
    collections::HashMap,
    net::SocketAddr,
    path::PathBuf,
    sync::{atomic::AtomicU64, Arc, Mutex},
};

use rand::{rngs::StdRng, SeedableRng};
use serde::{Deserialize, Serialize};

pub use http::router;
pub use seed::SeedOptions;
use world::World;

/// Faults the emulator can inject. Throttle and server errors answer before doing anything;
/// `Drop` and `Slow` do the work and then lose or delay the answer, which is what makes a
/// client retry a write that already happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fault {
    Throttle,
    ServerError,
    Unavailable,
    Drop,
    Slow,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Knobs {
    /// Added to every API answer.
    pub latency_ms: u64,
    /// A random extra of up to this much.
    pub jitter_ms: u64,
    /// Requests per minute per tenant (the customer in the path, else the partner); 0 = off.
    pub throttle_per_minute: u32,
    /// Share of API requests that get a fault, 0.0 to 1.0.
    pub fault_rate: f64,
    /// Which faults to draw from (all when empty).
    pub faults: Vec<Fault>,
    /// Only requests whose `METHOD /path` contains this draw faults (all when empty), e.g.
    /// `"POST /v1/customers"` or `"/checkout"`.
    pub fault_match: String,
    /// Whether a repeated write (answered from the first outcome) draws faults too: a link that
    /// keeps breaking, so that a client runs out of retries on a write that took effect.
    pub fault_replays: bool,
    /// How long a `Slow` answer waits.
    pub slow_ms: u64,
    /// Prefix JSON bodies with a UTF-8 BOM, as the live service does.
    pub bom: bool,
    pub token_lifetime_secs: u64,
}

impl Default for Knobs {
    fn default() -> Self {
        Knobs {
            latency_ms: 0,
            jitter_ms: 0,
            throttle_per_minute: 0,
            fault_rate: 0.0,
            faults: Vec::new(),
            fault_match: String::new(),
            fault_replays: false,
            slow_ms: 35_000,
            bom: false,
            token_lifetime_secs: 3600,
        }
    }
}

/// Credentials the token endpoint accepts; `None` accepts any non-empty value.
#[derive(Debug, Clone, Default)]
pub struct Credentials {
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub refresh_token: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Options {
    pub seed: SeedOptions,
    pub knobs: Knobs,
    pub credentials: Credentials,
    /// Keep the state in this JSON file across restarts.
    pub persist: Option<PathBuf>,
    /// Seed for fault and jitter draws.
    pub random_seed: u64,
}

/// Counters a test reads to see what reached the emulator.
#[derive(Debug, Default, Serialize)]
pub struct Stats {
    pub requests: AtomicU64,
    pub writes_applied: AtomicU64,
    pub replays: AtomicU64,
    pub faults: AtomicU64,
    pub throttled: AtomicU64,
    pub tokens_issued: AtomicU64,
}

/// The emulator's state; clone the `Arc` to share it between the router and a test.
pub struct Emulator {
    pub(crate) world: Mutex<World>,
    pub(crate) knobs: Mutex<Knobs>,
    pub(crate) rng: Mutex<StdRng>,
    pub(crate) tokens: Mutex<HashMap<String, std::time::Instant>>,
    pub(crate) idempotency: Mutex<HashMap<String, (u16, bytes::Bytes)>>,
    pub(crate) throttle: Mutex<HashMap<String, (std::time::Instant, u32)>>,
    pub(crate) credentials: Credentials,
    pub(crate) persist: Option<PathBuf>,
    /// The method and path of recent requests to `/v1` (newest last), for tests that check
    /// where a request went.
    pub(crate) requests: Mutex<std::collections::VecDeque<(String, String)>>,
    pub stats: Stats,
}

/// How many requests the log keeps.
pub(crate) const REQUEST_LOG: usize = 20_000;

#[derive(Debug)]
pub enum StartError {
    Io(std::io::Error),
    State(String),
}

impl std::error::Error for StartError {}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::Io(e) => write!(f, "emulator: {e}"),
            StartError::State(e) => write!(f, "emulator state file: {e}"),
        }
    }
}

impl Emulator {
    /// Seeds a fresh world, or loads the persisted one if the file exists.
    pub fn new(options: Options) -> Result<Arc<Self>, StartError> {
        let world = match &options.persist {
            Some(path) if path.exists() => {
                let bytes = std::fs::read(path).map_err(StartError::Io)?;
                partner_center::json::from_slice::<World>(&bytes)
                    .map_err(|e| StartError::State(format!("{}: {e}", path.display())))?
            }
            _ => seed::world(&options.seed, time::OffsetDateTime::now_utc()),
        };
        Ok(Arc::new(Emulator {
            world: Mutex::new(world),
            knobs: Mutex::new(options.knobs),
            rng: Mutex::new(StdRng::seed_from_u64(options.random_seed)),
            tokens: Mutex::new(HashMap::new()),
            idempotency: Mutex::new(HashMap::new()),
            throttle: Mutex::new(HashMap::new()),
            credentials: options.credentials,
            persist: options.persist,
            requests: Mutex::new(std::collections::VecDeque::new()),
            stats: Stats::default(),
        }))
    }

    /// Method and path of the requests logged so far (oldest first).
    pub fn request_log(&self) -> Vec<(String, String)> {
        lock(&self.requests).iter().cloned().collect()
    }

    pub fn set_knobs(&self, knobs: Knobs) {
        *lock(&self.knobs) = knobs;
    }

    pub fn knobs(&self) -> Knobs {
        lock(&self.knobs).clone()
    }

    /// Moves the emulated clock forward (to pass the 7- and 30-day windows).
    pub fn advance_clock(&self, seconds: i64) {
        let mut world = lock(&self.world);
        world.clock_offset_secs += seconds;
        world.tick();
    }

    /// Reads or changes the state directly, as a test or "Partner Center itself" would.
    pub fn with_world<T>(&self, f: impl FnOnce(&mut World) -> T) -> T {
        let mut world = lock(&self.world);
        let result = f(&mut world);
        drop(world);
        self.save();
        result
    }

    /// Forgets every issued token (clients must sign in again).
    pub fn revoke_tokens(&self) {
        lock(&self.tokens).clear();
    }

    pub(crate) fn save(&self) {
        let Some(path) = &self.persist else { return };
        let text = match serde_json::to_vec(&*lock(&self.world)) {
            Ok(t) => t,
            Err(e) => {
                tracing::error!(error = %e, "emulator: cannot serialise state");
                return;
            }
        };
        let tmp = path.with_extension("tmp");
        if let Err(e) = std::fs::write(&tmp, text).and_then(|()| std::fs::rename(&tmp, path)) {
            tracing::error!(error = %e, path = %path.display(), "emulator: cannot save state");
        }
    }

    /// Serves on `addr` (port 0 picks a free one) until the task is dropped.
    pub async fn serve(self: &Arc<Self>, addr: SocketAddr) -> Result<Running, StartError> {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(StartError::Io)?;
        let addr = listener.local_addr().map_err(StartError::Io)?;
        let app = router(self.clone());
        let task = tokio::spawn(async move {
            use axum::serve::ListenerExt;
            let listener = listener.tap_io(|tcp| {
                let _ = tcp.set_nodelay(true);
            });
            if let Err(e) = axum::serve(listener, app).await {
                tracing::error!(error = %e, "emulator stopped");
            }
        });
        Ok(Running { addr, task })
    }
}

/// A serving emulator; its base URL serves both the API (`/v1/…`) and the token endpoint.
pub struct Running {
    pub addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Running {
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A Partner Center client for this emulator, as tests and benches make one: the partner
    /// `partner.onmicrosoft.com`, app `app-id` with secret `app-secret`; `tune` adjusts the
    /// settings (retries, backoff, limits) first.
    pub fn client(
        &self,
        tune: impl FnOnce(&mut partner_center::ClientConfig),
    ) -> partner_center::PartnerCenter {
        let mut config = partner_center::ClientConfig::new(
            self.url(),
            self.url(),
            "partner.onmicrosoft.com",
            "app-id",
            partner_center::Credential::ClientSecret("app-secret".into()),
        );
        tune(&mut config);
        partner_center::PartnerCenter::new(partner_center::PartnerCenter::http_client(), config)
    }
}

/// An emulator with these options, serving on a free loopback port.
pub async fn start(options: Options) -> (Arc<Emulator>, Running) {
    let emulator = Emulator::new(options).expect("the emulator starts");
    let running = emulator
        .serve(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("the emulator listens");
    (emulator, running)
}

impl Drop for Running {
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
