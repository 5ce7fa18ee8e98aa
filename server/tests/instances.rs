//! Several instances on one PostgreSQL, as real processes: two `seatwise serve` (the binary
//! this package builds) and the Partner Center emulator on its own, slow enough that a sync
//! takes seconds. Both instances ask the schedule every second: exactly one nightly sync is
//! queued and one of them runs it; killed in the middle of it, the other takes it over when the
//! lease runs out and finishes it, each customer once; their calls share one request budget per
//! tenant, kept in the database.

#[path = "support/mod.rs"]
mod support;

use std::{
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use domain::jobs::JobStatus;

const BIN: &str = env!("CARGO_BIN_EXE_seatwise");
const CUSTOMERS: usize = 48;

/// A child process killed when dropped (a failing test leaves nothing running).
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn wait_for_port(port: u16) {
    let started = Instant::now();
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "port {port} never opened"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn serve(database: &str, dir: &std::path::Path, port: u16) -> Process {
    let (master, session) = support::test_keys();
    let child = Command::new(BIN)
        .arg("serve")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("SEATWISE_DATABASE_URL", database)
        .env("SEATWISE_LISTEN", format!("127.0.0.1:{port}"))
        .env("SEATWISE_DATA_DIR", dir)
        .env("SEATWISE_MASTER_KEY", master)
        .env("SEATWISE_SESSION_KEY", session)
        .env("SEATWISE_EMULATOR", "off")
        .env("SEATWISE_SCHEDULE_SECS", "1")
        .env("SEATWISE_JOB_LEASE_SECS", "3")
        .env("SEATWISE_LOG_FORMAT", "json")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    Process(child)
}

#[tokio::test]
async fn one_nightly_sync_for_two_instances_and_the_survivor_finishes_it() {
    let Some(database) = support::fresh_postgres().await else {
        eprintln!("skipped: no PostgreSQL");
        return;
    };
    // The emulator on its own: every answer takes 1.5 s.
    let pc_port = free_port();
    let _emulator = Process(
        Command::new(BIN)
            .args(["emulator", "--port", &pc_port.to_string(), "--seed", "11"])
            .args([
                "--customers",
                &CUSTOMERS.to_string(),
                "--latency-ms",
                "1500",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_for_port(pc_port).await;
    let pc_url = format!("http://127.0.0.1:{pc_port}");

    // The database as an operator leaves it: a connection to the emulator, every customer
    // imported, the nightly sync due (its time of day has passed).
    let store = domain::Store::open(&database).await.unwrap();
    let (master, _) = support::test_keys();
    let secrets_dir = tempfile::tempdir().unwrap();
    let config = server::config::Config::from_sources(
        None,
        &[
            ("SEATWISE_DATABASE_URL".to_owned(), database.clone()),
            (
                "SEATWISE_DATA_DIR".to_owned(),
                secrets_dir.path().display().to_string(),
            ),
            ("SEATWISE_MASTER_KEY".to_owned(), master),
            ("SEATWISE_SESSION_KEY".to_owned(), support::test_keys().1),
        ]
        .into_iter()
        .collect(),
    )
    .unwrap();
    let secrets = server::secrets::Secrets::load(&config).unwrap();
    let sealer = domain::crypto::Sealer::new(secrets.master_key.bytes()).unwrap();
    let connection = store
        .connections(&sealer)
        .create(domain::connections::NewConnection {
            name: "Emulator".into(),
            country: "US".into(),
            api_url: pc_url.clone(),
            login_url: pc_url.clone(),
            tenant_id: "tests".into(),
            app_id: "tests".into(),
            secret: domain::connections::Secret::ClientSecret {
                client_secret: "app-secret".into(),
            },
            is_default: true,
            is_sandbox: false,
        })
        .await
        .unwrap();
    let pc = store
        .connections(&sealer)
        .client(reqwest::Client::new(), &connection.id)
        .await
        .unwrap();
    let admin = domain::access::ProviderAdmin::command_line();
    for t in pc.customers(500).all().await.unwrap() {
        store
            .access()
            .import_customer(&admin, &connection.id, &t.id, t.company_name(), t.domain())
            .await
            .unwrap();
    }
    store
        .settings()
        .set(domain::service::NIGHTLY_AT, "00:00")
        .await
        .unwrap();

    // Two instances, asking the schedule every second.
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (port_a, port_b) = (free_port(), free_port());
    let mut a = Some(serve(&database, dir_a.path(), port_a));
    let mut b = Some(serve(&database, dir_b.path(), port_b));
    wait_for_port(port_a).await;
    wait_for_port(port_b).await;

    // The nightly sync, once some customers are done.
    let started = Instant::now();
    let job = loop {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no nightly sync ran"
        );
        let nightly = nightly_jobs(&store).await;
        if let [job] = nightly.as_slice() {
            if job.status == JobStatus::Running && job.done > 0 {
                break job.clone();
            }
        }
        assert!(nightly.len() <= 1, "one nightly sync: {nightly:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(
        (job.done as usize) < CUSTOMERS,
        "killed in the middle: {job:?}"
    );
    // Kill the instance that runs it, as a crash would.
    let owner_pid = job
        .owner
        .strip_prefix("pid ")
        .and_then(|rest| rest.split(' ').next())
        .and_then(|pid| pid.parse::<u32>().ok())
        .unwrap_or_else(|| panic!("an instance's name: {}", job.owner));
    let killed = [&mut a, &mut b]
        .into_iter()
        .find(|p| p.as_ref().is_some_and(|p| p.0.id() == owner_pid))
        .expect("one of the two runs it")
        .take();
    drop(killed);

    let finished = loop {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the survivor never finished it: {:?}",
            nightly_jobs(&store).await
        );
        let nightly = nightly_jobs(&store).await;
        assert_eq!(nightly.len(), 1, "still one nightly sync: {nightly:?}");
        if nightly[0].status.finished() {
            break nightly[0].clone();
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(
        (
            finished.status,
            finished.done,
            finished.errors,
            finished.total
        ),
        (JobStatus::Succeeded, CUSTOMERS as i64, 0, CUSTOMERS as i64),
        "{finished:?}"
    );
    assert_ne!(
        finished.owner, job.owner,
        "taken over by the other instance"
    );
    let (items,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM job_items WHERE job_id = $1")
        .bind(&finished.id)
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(items, CUSTOMERS as i64, "each customer once");
    // Their Partner Center calls drew on the budget they share in the database: a key per
    // customer read (and the partner's own).
    let (keys,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM rate_budget_keys")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert!(keys >= CUSTOMERS as i64, "{keys} budget keys");
    store.close().await;
}

async fn nightly_jobs(store: &domain::Store) -> Vec<domain::jobs::Job> {
    store
        .jobs()
        .recent(50)
        .await
        .unwrap()
        .into_iter()
        .filter(|j| j.kind == domain::jobs::JobKind::Sync)
        .collect()
}
