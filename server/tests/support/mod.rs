//! Shared by the tests and the benchmarks: the real server on a free port with a fresh SQLite
//! file, driven over HTTP ([`TestApp`]).

// Each test binary and benchmark uses a part of it.
#![allow(dead_code)]

use std::{collections::HashMap, net::SocketAddr, sync::Arc};

use domain::{
    access::{NewAccount, ProviderAdmin, Role},
    connections::{NewConnection, Secret},
    crypto::Sealer,
};
use pc_emulator::Emulator;
use server::{config::Config, prepare};
use tokio::sync::oneshot;

/// The service provider admin [`TestApp::on_emulator`] signs in (password [`DEMO_PASSWORD`]).
pub const PROVIDER_ADMIN: &str = "provider@tests.example";

/// Every demo account's password in these tests (`SEATWISE_DEMO_PASSWORD`).
pub const DEMO_PASSWORD: &str = "test-demo-password-1";

pub struct TestApp {
    pub addr: SocketAddr,
    /// Keeps cookies (the session) and never follows redirects.
    pub client: reqwest::Client,
    pub stop: Option<oneshot::Sender<()>>,
    pub emulator_url: Option<String>,
    pub serving: tokio::task::JoinHandle<std::io::Result<()>>,
    /// The data directory (the SQLite file, the secrets).
    pub dir: tempfile::TempDir,
    /// The database it runs on.
    pub database_url: String,
    /// A separately started emulator ([`TestApp::on_emulator`]), for its counters.
    pub emulator: Option<Arc<Emulator>>,
    /// The server's domain door, for the work it does by schedule.
    pub services: domain::Services,
    _running: Option<pc_emulator::Running>,
}

/// A fresh database on the test PostgreSQL server (`SEATWISE_TEST_POSTGRES_URL`); `None` when
/// PostgreSQL tests are skipped.
pub async fn fresh_postgres() -> Option<String> {
    let admin_url = match std::env::var("SEATWISE_TEST_POSTGRES_URL") {
        Ok(url) => url,
        Err(_) if std::env::var_os("SEATWISE_TEST_SKIP_POSTGRES").is_some() => return None,
        Err(_) => panic!("SEATWISE_TEST_POSTGRES_URL is not set: run `make test`"),
    };
    let admin = domain::Store::connect(&admin_url).await.unwrap();
    let name = format!("seatwise_http_{}", uuid::Uuid::new_v4().simple());
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(admin.pool())
        .await
        .unwrap();
    admin.close().await;
    let (base, _) = admin_url.rsplit_once('/').unwrap();
    Some(format!("{base}/{name}"))
}

/// The master and session keys (base64) of test servers on PostgreSQL.
pub fn test_keys() -> (String, String) {
    use base64::{engine::general_purpose::STANDARD, Engine as _};
    (STANDARD.encode([1u8; 32]), STANDARD.encode([2u8; 64]))
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(&[]).await
    }

    /// Seatwise with its embedded emulator and demo data, on a fresh PostgreSQL database of
    /// the test server (`SEATWISE_TEST_POSTGRES_URL`); `None` when PostgreSQL tests are skipped.
    pub async fn spawn_on_postgres() -> Option<Self> {
        let url = fresh_postgres().await?;
        let (master, session) = test_keys();
        Some(
            Self::spawn_with(&[
                ("DATABASE_URL", url.as_str()),
                ("SEATWISE_MASTER_KEY", master.as_str()),
                ("SEATWISE_SESSION_KEY", session.as_str()),
                ("SEATWISE_EMULATOR", "embedded"),
            ])
            .await,
        )
    }

    pub async fn spawn_with(extra: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let config = config(&dir, extra);
        Self::serve(config, dir).await
    }

    /// Seatwise on an emulator of its own (`options`: seed, latency, throttling) instead of
    /// the embedded sandbox: a connection to it, every tenant imported, and a service provider
    /// admin signed in (the benchmarks' set-up).
    pub async fn on_emulator(options: pc_emulator::Options) -> Self {
        let emulator = Emulator::new(options).unwrap();
        let running = emulator
            .serve("127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        // Bulk files of a hundred users are larger than the tests' small limit.
        let config = config(
            &dir,
            &[
                ("SEATWISE_EMULATOR", "off"),
                ("SEATWISE_BODY_LIMIT_BYTES", "1048576"),
            ],
        );
        let secrets = server::secrets::Secrets::load(&config).unwrap();
        let sealer = Sealer::new(secrets.master_key.bytes()).unwrap();
        let store = domain::Store::open(&config.database_url).await.unwrap();
        let pc = running.client(|_| {});
        let connection = store
            .connections(&sealer)
            .create(NewConnection {
                name: "Emulator".into(),
                country: "US".into(),
                api_url: running.url(),
                login_url: running.url(),
                tenant_id: "tests".into(),
                app_id: "tests".into(),
                // The secret of the emulator's own client (`running.client`).
                secret: Secret::ClientSecret {
                    client_secret: "app-secret".into(),
                },
                is_default: true,
                is_sandbox: false,
            })
            .await
            .unwrap();
        let admin = ProviderAdmin::command_line();
        for t in pc.customers(500).all().await.unwrap() {
            let (name, domain) = (t.company_name(), t.domain());
            let access = store.access();
            access
                .import_customer(&admin, &connection.id, &t.id, name, domain)
                .await
                .unwrap();
        }
        store
            .access()
            .create_account(NewAccount {
                email: PROVIDER_ADMIN.into(),
                display_name: "Provider admin".into(),
                role: Role::SpAdmin,
                reseller: None,
                customer: None,
                password: Some(DEMO_PASSWORD.into()),
            })
            .await
            .unwrap();
        store.close().await;
        let mut app = Self::serve(config, dir).await;
        app.emulator_url = Some(running.url());
        app.emulator = Some(emulator);
        app._running = Some(running);
        app.sign_in(PROVIDER_ADMIN, DEMO_PASSWORD).await;
        app
    }

    /// A Partner Center client of the emulator [`TestApp::on_emulator`] started.
    pub fn pc(&self) -> partner_center::PartnerCenter {
        self._running.as_ref().expect("on_emulator").client(|_| {})
    }

    async fn serve(config: Config, dir: tempfile::TempDir) -> Self {
        let ready = prepare(&config).await.expect("server starts");
        let addr = ready.addr;
        let services = ready.services.clone();
        let database_url = config.database_url.clone();
        let emulator_url = ready.emulator.as_ref().map(|e| e.url());
        let (stop, stopped) = oneshot::channel::<()>();
        let serving = tokio::spawn(ready.serve(async {
            let _ = stopped.await;
        }));
        TestApp {
            addr,
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .cookie_store(true)
                .build()
                .unwrap(),
            stop: Some(stop),
            emulator_url,
            serving,
            dir,
            database_url,
            emulator: None,
            services,
            _running: None,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    /// A GET with a query, answered as JSON.
    pub async fn get_json<Q: serde::Serialize + ?Sized>(
        &self,
        path: &str,
        query: &Q,
    ) -> serde_json::Value {
        answered_json(self.client.get(self.url(path)).query(query)).await
    }

    /// Email and password of a demo account, by its role label.
    pub fn demo(&self, role: &str) -> (String, String) {
        let email = match role {
            "Service provider admin" => "admin@seatwise.demo",
            "Service provider support" => "support@seatwise.demo",
            "Reseller admin" => "reseller@seatwise.demo",
            "Customer admin" => "it@contoso.demo",
            other => panic!("no demo account for {other}"),
        };
        (email.to_owned(), DEMO_PASSWORD.to_owned())
    }

    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .header("origin", format!("http://{}", self.addr))
            .form(form)
            .send()
            .await
            .unwrap()
    }

    /// Posts a form and answers its status and JSON body (`null` when the body is not JSON).
    pub async fn send(&self, path: &str, form: &[(&str, &str)]) -> (u16, serde_json::Value) {
        let r = self.post_form(path, form).await;
        (
            r.status().as_u16(),
            r.json::<serde_json::Value>().await.unwrap_or_default(),
        )
    }

    fn emulator(&self, path: &str) -> String {
        format!("{}/_emulator/{path}", self.emulator_url.as_ref().unwrap())
    }

    /// Sends JSON to one of the emulator's own endpoints (`clock`, `catalog/withdraw`, ...);
    /// answers the status.
    pub async fn emulator_post(&self, path: &str, body: serde_json::Value) -> u16 {
        let r = self
            .client
            .post(self.emulator(path))
            .json(&body)
            .send()
            .await
            .unwrap();
        r.status().as_u16()
    }

    /// What the emulator was asked since its log was cleared: (method, path), oldest first.
    pub async fn emulator_log(&self) -> Vec<(String, String)> {
        let log = self.emulator_get("requests").await;
        log.as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["method"].as_str().unwrap().to_owned(),
                    e["path"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }

    pub async fn clear_emulator_log(&self) {
        self.client
            .delete(self.emulator("requests"))
            .send()
            .await
            .unwrap();
    }

    /// The emulator's counters (`requests`, `writes_applied`, `replays`, ...).
    pub async fn emulator_stats(&self) -> serde_json::Value {
        self.emulator_get("stats").await
    }

    async fn emulator_get(&self, path: &str) -> serde_json::Value {
        answered_json(self.client.get(self.emulator(path))).await
    }

    /// Changes Partner Center accepted so far.
    pub async fn writes_applied(&self) -> u64 {
        self.emulator_stats().await["writes_applied"]
            .as_u64()
            .unwrap()
    }

    pub async fn emulator_knobs(&self, knobs: serde_json::Value) {
        let r = self
            .client
            .put(self.emulator("knobs"))
            .json(&knobs)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
    }

    /// Our store, opened anew on the same database.
    pub async fn store(&self) -> domain::Store {
        domain::Store::open(&self.database_url).await.unwrap()
    }

    /// The tenant id of an imported customer, from our store.
    pub async fn customer_id(&self, company: &str) -> String {
        let store = self.store().await;
        let (id,): (String,) = sqlx::query_as("SELECT id FROM customers WHERE company_name = $1")
            .bind(company)
            .fetch_one(store.pool())
            .await
            .unwrap();
        store.close().await;
        id
    }

    /// Runs a users refresh; returns its JSON lines and how many chunks carried them.
    pub async fn refresh_users(&self, form: &[(&str, &str)]) -> (Vec<serde_json::Value>, usize) {
        // As a browser asks: compressed if possible (a compressor would hold lines back).
        let mut r = self
            .client
            .post(self.url("/api/users-refresh"))
            .header("origin", format!("http://{}", self.addr))
            .header("accept-encoding", "gzip, br")
            .form(form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let mut body = String::new();
        let mut chunks = 0;
        while let Some(chunk) = r.chunk().await.unwrap() {
            chunks += 1;
            body.push_str(std::str::from_utf8(&chunk).unwrap());
        }
        let lines = body
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        (lines, chunks)
    }

    pub async fn sign_in_as(&self, role: &str) {
        let (email, password) = self.demo(role);
        self.sign_in(&email, &password).await;
    }

    pub async fn sign_in(&self, email: &str, password: &str) {
        let r = self
            .post_form(
                "/auth/sign-in",
                &[("email", email), ("password", password), ("next", "/")],
            )
            .await;
        assert_eq!(r.status(), 303);
        assert_eq!(header(&r, "location"), "/");
    }
}

/// The configuration of a test server: a free port, `dir` for data, small bodies, the demo
/// password, then `extra`.
/// Sends a request and reads its answer as JSON.
async fn answered_json(request: reqwest::RequestBuilder) -> serde_json::Value {
    request.send().await.unwrap().json().await.unwrap()
}

fn config(dir: &tempfile::TempDir, extra: &[(&str, &str)]) -> Config {
    let mut env: HashMap<String, String> = extra
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    env.insert("SEATWISE_LISTEN".into(), "127.0.0.1:0".into());
    env.insert("SEATWISE_DATA_DIR".into(), dir.path().display().to_string());
    env.entry("SEATWISE_BODY_LIMIT_BYTES".into())
        .or_insert_with(|| "4096".into());
    env.entry("SEATWISE_DEMO_PASSWORD".into())
        .or_insert_with(|| DEMO_PASSWORD.into());
    Config::from_sources(None, &env).unwrap()
}

pub fn header<'a>(response: &'a reqwest::Response, name: &str) -> &'a str {
    response
        .headers()
        .get(name)
        .unwrap_or_else(|| panic!("missing header {name}"))
        .to_str()
        .unwrap()
}
