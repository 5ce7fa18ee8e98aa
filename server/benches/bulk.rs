//! Bulk work against the emulator with 150 ms per Partner Center answer, Seatwise running for
//! real (HTTP, sessions, SQLite, the job runner): a CSV file of 100 new users with 2 licenses
//! each, checked and then run as a job, with the customer set to grow its subscriptions
//! (auto-increase). Prints the wall time of the check and of the job, and the Partner Center
//! calls by kind (the target: 2 quantity changes for the whole file, not 100).
//!
//! Prints `| figure | value |` rows for `make bench`.

#[path = "../tests/support/mod.rs"]
mod support;

use std::{collections::BTreeMap, time::Instant};

use pc_emulator::{Knobs, Options, SeedOptions};
use support::TestApp;

#[tokio::main]
async fn main() {
    let app = TestApp::on_emulator(Options {
        seed: SeedOptions {
            seed: 5,
            customers: 1,
            users_per_customer: 10,
            subscriptions_per_customer: 6,
        },
        knobs: Knobs {
            latency_ms: 150,
            throttle_per_minute: 500,
            ..Knobs::default()
        },
        ..Options::default()
    })
    .await;
    let customer = app.get_json("/api/subscriptions", &[("read", "1")]).await["rows"][0]
        ["customer_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let table = app
        .get_json("/api/licenses", &[("customer", customer.as_str())])
        .await;
    let products: Vec<String> = table["products"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| !p["subscriptions"].as_array().unwrap().is_empty())
        .map(|p| p["name"].as_str().unwrap().to_owned())
        .take(2)
        .collect();
    assert_eq!(
        products.len(),
        2,
        "two products with subscriptions: {table}"
    );
    let domain = app
        .get_json(
            "/api/users",
            &[("customer", customer.as_str()), ("wait", "1")],
        )
        .await["rows"][0]["user_principal_name"]
        .as_str()
        .unwrap_or("contoso.onmicrosoft.com")
        .split('@')
        .nth(1)
        .unwrap_or("contoso.onmicrosoft.com")
        .to_owned();
    let (status, said) = app
        .send(
            "/api/auto-increase-save",
            &[("customer", customer.as_str()), ("value", "on")],
        )
        .await;
    assert_eq!(status, 200, "{said}");

    let mut csv = String::from("first_name,last_name,user_name,usage_location,licenses\n");
    for n in 0..100 {
        csv.push_str(&format!(
            "Bench,User {n:03},bench.user{n:03}@{domain},US,{};{}\n",
            products[0], products[1]
        ));
    }
    let form = [("customer", customer.as_str()), ("csv", csv.as_str())];
    let started = Instant::now();
    let (status, checked) = app.send("/api/bulk-preview", &form).await;
    let check = started.elapsed();
    assert_eq!(status, 200, "{checked}");
    assert_eq!(
        (checked["problems"].as_u64(), checked["to_do"].as_u64()),
        (Some(0), Some(100)),
        "{checked}"
    );

    app.clear_emulator_log().await;
    let started = Instant::now();
    let (status, id) = app.send("/api/bulk-start", &form).await;
    assert_eq!(status, 200, "{id}");
    let id = id.as_str().unwrap().to_owned();
    let store = app.store().await;
    let job = loop {
        let job = store.jobs().get(&id).await.unwrap().unwrap();
        if job.status.finished() {
            break job;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    let ran = started.elapsed();
    store.close().await;
    assert_eq!(
        (job.status, job.done, job.errors),
        (domain::jobs::JobStatus::Succeeded, 100, 0),
        "{job:?}"
    );

    // Partner Center calls by kind: the method and the path with its ids left out.
    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    for (method, path) in app.emulator_log().await {
        let shape: Vec<&str> = path
            .split('?')
            .next()
            .unwrap_or_default()
            .split('/')
            .map(|part| {
                if part.len() >= 32 && part.contains('-') {
                    "{id}"
                } else {
                    part
                }
            })
            .collect();
        *kinds
            .entry(format!("{method} {}", shape.join("/")))
            .or_default() += 1;
    }
    let quantity_changes = kinds
        .iter()
        .filter(|(k, _)| k.starts_with("PATCH") && k.ends_with("/subscriptions/{id}"))
        .map(|(_, n)| n)
        .sum::<usize>();
    assert_eq!(
        quantity_changes, 2,
        "one increase per subscription: {kinds:?}"
    );
    let total: usize = kinds.values().sum();
    let by_kind: Vec<String> = kinds.iter().map(|(k, n)| format!("{n} × {k}")).collect();

    let ms = |d: std::time::Duration| format!("{:.0} ms", d.as_secs_f64() * 1000.0);
    println!(
        "| bulk file, 100 users x 2 licenses (150 ms per answer): check (tenant read, every row) | {} |",
        ms(check)
    );
    println!(
        "| bulk file, 100 users x 2 licenses: the job, queued to finished | {} ({total} Partner Center calls; {quantity_changes} quantity changes) |",
        ms(ran)
    );
    println!(
        "| bulk file: Partner Center calls by kind | {} |",
        by_kind.join("; ")
    );
}
