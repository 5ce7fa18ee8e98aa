//! The subscriptions page against the emulator with 150 ms per Partner Center answer, Seatwise
//! running for real (HTTP, sessions, SQLite): 500 customers x 20 subscriptions read live (every
//! customer's list, a call each, several customers at once) and then from the store; the
//! Partner Center calls and the answers throttled.
//!
//! Prints `| figure | value |` rows for `make bench`.

#[path = "../tests/support/mod.rs"]
mod support;

use std::{sync::atomic::Ordering, time::Instant};

use pc_emulator::{Knobs, Options, SeedOptions};
use support::TestApp;

#[tokio::main]
async fn main() {
    let app = TestApp::on_emulator(Options {
        seed: SeedOptions {
            seed: 5,
            customers: 500,
            users_per_customer: 1,
            subscriptions_per_customer: 20,
        },
        knobs: Knobs {
            latency_ms: 150,
            throttle_per_minute: 500,
            ..Knobs::default()
        },
        ..Options::default()
    })
    .await;
    let stats = &app.emulator.as_ref().unwrap().stats;
    let (requests, throttled) = (
        stats.requests.load(Ordering::Relaxed),
        stats.throttled.load(Ordering::Relaxed),
    );
    let page = |query: &'static str| {
        let app = &app;
        async move {
            let started = Instant::now();
            let v: serde_json::Value = app
                .get(&format!("/api/subscriptions{query}"))
                .await
                .json()
                .await
                .unwrap();
            (started.elapsed(), v)
        }
    };
    let (live, v) = page("?read=1").await;
    assert_eq!(v["matching"], 10_000, "every subscription read");
    assert_eq!(v["failures"], serde_json::json!([]));
    let calls = stats.requests.load(Ordering::Relaxed) - requests;
    let limited = stats.throttled.load(Ordering::Relaxed) - throttled;
    let mut stored = Vec::new();
    for query in [
        "?read=0",
        "?read=0&page=100",
        "?read=0&search=office",
        "?read=0&status=suspended",
    ] {
        stored.push(page(query).await.0);
    }
    stored.sort();
    let ms = |d: std::time::Duration| format!("{:.0} ms", d.as_secs_f64() * 1000.0);
    println!(
        "| subscriptions, 500 customers x 20, live (150 ms per answer): every row read and stored | {} ({calls} Partner Center calls, {limited} throttled) |",
        ms(live)
    );
    println!(
        "| subscriptions, 500 customers x 20, from the store: first page, page 100, a search, a status (slowest of 4) | {} |",
        ms(*stored.last().unwrap())
    );
}
