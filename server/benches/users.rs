//! The multi-customer users view against the emulator: 200 customers x 25 users, 150 ms per
//! Partner Center answer. Seatwise runs for real (HTTP, sessions, SQLite); the figure is the
//! time until `/api/users` has answered for every customer, next to a one-customer-at-a-time
//! baseline made with the same client. Prints `| figure | value |` rows for `make bench`.

use std::time::{Duration, Instant};

use domain::{
    access::{NewAccount, Role},
    connections::{NewConnection, Secret},
    crypto::Sealer,
};
use partner_center::PartnerCenter;
use pc_emulator::{Emulator, Knobs, Options, SeedOptions};

#[tokio::main]
async fn main() {
    let emulator = Emulator::new(Options {
        seed: SeedOptions {
            seed: 3,
            customers: 200,
            users_per_customer: 25,
            subscriptions_per_customer: 2,
        },
        knobs: Knobs {
            latency_ms: 150,
            throttle_per_minute: 500,
            ..Knobs::default()
        },
        ..Options::default()
    })
    .unwrap();
    let running = emulator
        .serve("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let env: std::collections::HashMap<String, String> = [
        ("SEATWISE_LISTEN", "127.0.0.1:0".to_owned()),
        ("SEATWISE_DATA_DIR", dir.path().display().to_string()),
        ("SEATWISE_EMULATOR", "off".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let config = server::config::Config::from_sources(None, &env).unwrap();
    let secrets = server::secrets::Secrets::load(&config).unwrap();
    let store = domain::Store::open(&config.database_url).await.unwrap();
    let sealer = Sealer::new(secrets.master_key.bytes()).unwrap();
    let connection = store
        .connections(&sealer)
        .create(NewConnection {
            name: "Bench".into(),
            country: "US".into(),
            api_url: running.url(),
            login_url: running.url(),
            tenant_id: "bench".into(),
            app_id: "bench".into(),
            secret: Secret::ClientSecret {
                client_secret: "bench".into(),
            },
            is_default: true,
            is_sandbox: false,
        })
        .await
        .unwrap();
    let pc: PartnerCenter = store
        .connections(&sealer)
        .client(PartnerCenter::http_client(), &connection.id)
        .await
        .unwrap();
    let tenants = pc.customers(500).all().await.unwrap();
    for t in &tenants {
        store
            .access()
            .import_customer(&connection.id, &t.id, t.company_name(), t.domain())
            .await
            .unwrap();
    }
    store
        .access()
        .create_account(NewAccount {
            email: "bench@sp.example".into(),
            display_name: "Bench".into(),
            role: Role::SpAdmin,
            reseller: None,
            customer: None,
            password: Some("bench password 123".into()),
        })
        .await
        .unwrap();

    // Baseline: one customer after another with the same client.
    let started = Instant::now();
    let mut users = 0;
    for t in &tenants {
        users += pc.users(&t.id, 500).all().await.unwrap().len();
    }
    let sequential = started.elapsed();
    assert_eq!(users, 5000);

    let ready = server::prepare(&config).await.unwrap();
    let url = format!("http://{}", ready.addr);
    tokio::spawn(ready.serve(std::future::pending()));
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let signed = http
        .post(format!("{url}/auth/sign-in"))
        .header("origin", &url)
        .form(&[
            ("email", "bench@sp.example"),
            ("password", "bench password 123"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(signed.status(), 303);

    let before = emulator
        .stats
        .requests
        .load(std::sync::atomic::Ordering::Relaxed);
    let started = Instant::now();
    let view: serde_json::Value = http
        .get(format!("{url}/api/users"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let live = started.elapsed();
    let calls = emulator
        .stats
        .requests
        .load(std::sync::atomic::Ordering::Relaxed)
        - before;
    assert_eq!(view["matching"], 5000, "{view}");
    assert_eq!(view["customers_loaded"], 200);

    let secs = |d: Duration| format!("{:.2} s", d.as_secs_f64());
    println!(
        "| users of 200 customers x 25 @150 ms, one customer at a time | {} |",
        secs(sequential)
    );
    println!(
        "| users of 200 customers x 25 @150 ms, Seatwise /api/users (complete) | {} |",
        secs(live)
    );
    println!(
        "|   speed-up | {:.1}x |",
        sequential.as_secs_f64() / live.as_secs_f64()
    );
    println!(
        "|   Partner Center calls for the view; 429s sent | {calls}; {} |",
        emulator
            .stats
            .throttled
            .load(std::sync::atomic::Ordering::Relaxed)
    );
}
