//! Partner Center client figures against the emulator over loopback HTTP. Prints table rows
//! (`| figure | value |`) for `make bench`.
//!
//! 1. Calls per second with zero added latency (the client's own overhead plus the emulator).
//! 2. Listing 10,000 users across 200 customers with 150 ms added latency: one customer after
//!    another, then all customers at once within the connection's concurrency limit.

use std::{
    sync::atomic::Ordering,
    time::{Duration, Instant},
};

use futures_util::{stream, StreamExt};
use partner_center::PartnerCenter;
use pc_emulator::{Knobs, Options, SeedOptions};

fn row(figure: &str, value: String) {
    println!("| {figure} | {value} |");
}

#[tokio::main]
async fn main() {
    // --- Calls per second, no added latency.
    let (_emulator, running) = pc_emulator::start(Options::default()).await;
    let pc = running.client(|config| {
        config.requests_per_minute = u32::MAX / 2; // measure the client, not our own limiter
        config.max_concurrency = 16;
    });
    let customer = pc.customers(10).all().await.unwrap()[0].id.clone();
    let calls = 4000;
    let started = Instant::now();
    stream::iter(0..calls)
        .map(|_| pc.subscriptions(&customer))
        .buffer_unordered(16)
        .for_each(|r| async move {
            r.unwrap();
        })
        .await;
    let rate = calls as f64 / started.elapsed().as_secs_f64();
    row(
        "client calls/s, emulator with no added latency (16 in flight)",
        format!("{rate:.0}"),
    );
    drop(running);

    // --- 10,000 users across 200 customers, 150 ms per answer.
    let (emulator, running) = pc_emulator::start(Options {
        seed: SeedOptions {
            seed: 1,
            customers: 200,
            users_per_customer: 50,
            subscriptions_per_customer: 2,
        },
        knobs: Knobs {
            latency_ms: 150,
            throttle_per_minute: 500,
            ..Knobs::default()
        },
        ..Options::default()
    })
    .await;
    let client = |concurrency: usize| running.client(|c| c.max_concurrency = concurrency);

    let sequential = client(1);
    let started = Instant::now();
    let customers = sequential.customers(500).all().await.unwrap();
    let mut users = 0;
    for c in &customers {
        users += sequential.users(&c.id, 500).all().await.unwrap().len();
    }
    let seq_time = started.elapsed();
    assert_eq!(users, 10_000);

    let concurrent = client(32);
    let started = Instant::now();
    let customers = concurrent.customers(500).all().await.unwrap();
    let counts: Vec<usize> = stream::iter(customers.iter())
        .map(|c| concurrent.users(&c.id, 500).all())
        .buffer_unordered(32)
        .map(|r| r.unwrap().len())
        .collect()
        .await;
    let conc_time = started.elapsed();
    assert_eq!(counts.iter().sum::<usize>(), 10_000);

    let secs = |d: Duration| format!("{:.2} s", d.as_secs_f64());
    row(
        "10,000 users / 200 customers @150 ms, one customer at a time",
        secs(seq_time),
    );
    row(
        "10,000 users / 200 customers @150 ms, 32 customers in flight",
        secs(conc_time),
    );
    row(
        "  speed-up",
        format!("{:.1}x", seq_time.as_secs_f64() / conc_time.as_secs_f64()),
    );
    let stats = |pc: &PartnerCenter| {
        format!(
            "{} calls, {} retries, {} throttled (429)",
            pc.stats().calls.load(Ordering::Relaxed),
            pc.stats().retries.load(Ordering::Relaxed),
            pc.stats().throttled.load(Ordering::Relaxed)
        )
    };
    row("  sequential run", stats(&sequential));
    row("  concurrent run", stats(&concurrent));
    row(
        "  429s sent by the emulator (limit 500/min/tenant)",
        emulator.stats.throttled.load(Ordering::Relaxed).to_string(),
    );
}
