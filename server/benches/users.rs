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

    // Baseline: one customer after another with the same client, the same reads Seatwise
    // makes for the rows (active and deleted users).
    let started = Instant::now();
    let mut users = 0;
    for t in &tenants {
        users += pc.users(&t.id, 500).all().await.unwrap().len();
        users += pc.deleted_users(&t.id, 500).all().await.unwrap().len();
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
    let requests = || {
        emulator
            .stats
            .requests
            .load(std::sync::atomic::Ordering::Relaxed)
    };
    let page = |query: &'static str| {
        let (http, url) = (http.clone(), url.clone());
        async move {
            let started = Instant::now();
            let v: serde_json::Value = http
                .get(format!("{url}/api/users{query}"))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            (started.elapsed(), v)
        }
    };

    // Live, as the browser does it: the page (from the cache, empty on this first visit),
    // then the streamed refresh; the table is re-read when the first customer has answered.
    let before = requests();
    let started = Instant::now();
    let (_, cold) = page("").await;
    assert_eq!(cold["matching"], 0);
    let mut stream = http
        .post(format!("{url}/api/users-refresh"))
        .header("origin", &url)
        .form(&[("customer", "")])
        .send()
        .await
        .unwrap();
    let mut buffer = String::new();
    let (mut users_events, mut failed) = (0, 0);
    let (mut first_rows, mut rows_complete, mut details_complete) = (None, None, None);
    while let Some(chunk) = stream.chunk().await.unwrap() {
        buffer.push_str(std::str::from_utf8(&chunk).unwrap());
        while let Some(end) = buffer.find('\n') {
            let line: String = buffer.drain(..=end).collect();
            let event: serde_json::Value = serde_json::from_str(line.trim()).unwrap();
            if event.get("Users").is_some() {
                users_events += 1;
                if first_rows.is_none() {
                    let (_, v) = page("").await;
                    assert!(v["matching"].as_u64().unwrap() > 0, "{v}");
                    first_rows = Some(started.elapsed());
                }
                if users_events == 200 {
                    rows_complete = Some(started.elapsed());
                }
            } else if event.get("Failed").is_some() {
                failed += 1;
            } else if event == "Finished" {
                details_complete = Some(started.elapsed());
            }
        }
    }
    assert_eq!((users_events, failed), (200, 0));
    let live_calls = requests() - before;
    let (_, complete) = page("").await;
    assert_eq!(complete["matching"], 5000);
    assert_eq!(complete["details_missing"], 0);

    // From the cache: the first page, a search, and "which users have SKU X".
    let sku = complete["skus"][0][0].as_str().unwrap().to_owned();
    let sku_query: &'static str = Box::leak(format!("?sku={sku}").into_boxed_str());
    let mut cached = Vec::new();
    for query in ["", "?search=smith", sku_query, "?sort=name&page=40"] {
        let mut best = Duration::MAX;
        for _ in 0..5 {
            best = best.min(page(query).await.0);
        }
        cached.push(best);
    }
    let holders = page(sku_query).await.1["matching"].as_u64().unwrap();
    let cache_calls = requests() - before - live_calls;

    let secs = |d: Duration| format!("{:.2} s", d.as_secs_f64());
    let ms = |d: Duration| format!("{:.0} ms", d.as_secs_f64() * 1000.0);
    println!(
        "| users of 200 customers x 25 @150 ms, one customer at a time | {} |",
        secs(sequential)
    );
    println!(
        "| users view live: first rows on screen (page + stream + re-read) | {} |",
        ms(first_rows.unwrap())
    );
    println!(
        "| users view live: every customer's rows | {} |",
        secs(rows_complete.unwrap())
    );
    println!(
        "|   speed-up over one at a time | {:.1}x |",
        sequential.as_secs_f64() / rows_complete.unwrap().as_secs_f64()
    );
    println!(
        "| users view live: licenses and roles of all 5,000 users too | {} |",
        secs(details_complete.unwrap())
    );
    println!(
        "|   Partner Center calls for the refresh; 429s sent | {live_calls}; {} |",
        emulator
            .stats
            .throttled
            .load(std::sync::atomic::Ordering::Relaxed)
    );
    println!(
        "| users view from the cache (5,000 users): first page; search; SKU filter ({holders} holders); page 40 by name | {}; {}; {}; {} |",
        ms(cached[0]),
        ms(cached[1]),
        ms(cached[2]),
        ms(cached[3])
    );
    println!("|   Partner Center calls for cached pages | {cache_calls} |");
}
