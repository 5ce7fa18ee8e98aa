//! The subscriptions page against the emulator with 150 ms per Partner Center answer, Seatwise
//! running for real (HTTP, sessions, SQLite): 500 customers x 20 subscriptions read live (every
//! customer's list, a call each, several customers at once) — as the page's first load asks for
//! it, and streamed as the browser reads it (first customer's rows, then all) — and then from
//! the store; the Partner Center calls and the answers throttled. Then the sync of them all
//! after 100 changes made directly in Partner Center, license optimisation's dry run over them
//! all, and one order: its time and its Partner Center calls (one cart, one checkout).
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

    // The browser's way: a line per customer as its list is stored, rows shown from the first.
    let started = Instant::now();
    let mut streamed = app.post_form("/api/subscriptions-read", &[]).await;
    let (mut text, mut first) = (String::new(), None);
    while let Some(chunk) = streamed.chunk().await.unwrap() {
        text.push_str(&String::from_utf8_lossy(&chunk));
        if first.is_none() && text.contains("\"Read\"") {
            first = Some(started.elapsed());
        }
    }
    let all_streamed = started.elapsed();
    assert!(text.contains("\"Finished\""), "the read finished");
    assert_eq!(text.matches("\"Read\"").count(), 500, "every customer read");

    // One order: the catalog offers a SKU, the first customer (agreement accepted) buys it.
    let catalog: serde_json::Value = app.get("/api/catalog").await.json().await.unwrap();
    let connection = catalog["connection"].as_str().unwrap().to_owned();
    app.post_form("/api/catalog-refresh", &[("connection", &connection)])
        .await;
    let curated = app
        .post_form(
            "/api/catalog-curate",
            &[
                ("connection", connection.as_str()),
                ("product_id", "CFQ7TTC0LCHC"),
                ("sku_id", "0003"),
                ("offered", "on"),
                ("monthly", "on"),
            ],
        )
        .await;
    assert_eq!(curated.status(), 200);
    let customer = v["rows"][0]["customer_id"].as_str().unwrap().to_owned();
    let order_page = app
        .get_json("/api/order-page", &[("customer", customer.as_str())])
        .await;
    assert!(order_page["agreement"].is_object(), "{order_page}");
    app.clear_emulator_log().await;
    let started = Instant::now();
    let (status, placed) = app
        .send(
            "/api/order-place",
            &[
                ("form_id", order_page["form_id"].as_str().unwrap()),
                ("customer", customer.as_str()),
                ("item", "CFQ7TTC0LCHC:0003:P1Y:monthly"),
                ("quantity", "5"),
            ],
        )
        .await;
    let ordered = started.elapsed();
    assert_eq!(status, 200, "{placed}");
    let log = app.emulator_log().await;
    let posts = |tail: &str| {
        log.iter()
            .filter(|(method, path)| method == "POST" && path.ends_with(tail))
            .count()
    };
    let (carts, checkouts) = (posts("/carts"), posts("/checkout"));
    assert_eq!((carts, checkouts), (1, 1), "{log:?}");

    // The sync (as `seatwise sync` and the nightly schedule run it): 100 subscriptions changed
    // directly in Partner Center, then every customer's list read and compared.
    let emulator = app.emulator.clone().unwrap();
    let changed = emulator.with_world(|w| {
        let mut changed = 0;
        for c in w.customers.iter_mut().take(100) {
            if let Some(s) = c.subscriptions.first_mut() {
                s.sub.quantity += 1;
                changed += 1;
            }
        }
        changed
    });
    let customers = app
        .services
        .sync_targets(&domain::access::ProviderAdmin::command_line(), None, None)
        .await
        .unwrap();
    let (before_calls, before_throttled) = (
        stats.requests.load(Ordering::Relaxed),
        stats.throttled.load(Ordering::Relaxed),
    );
    let started = Instant::now();
    let mut summary = domain::service::SyncSummary::default();
    {
        use futures_util::StreamExt;
        let mut events = std::pin::pin!(app.services.sync(customers));
        while let Some(event) = events.next().await {
            summary.add(&event);
        }
    }
    let synced = started.elapsed();
    assert_eq!(summary.errors, 0, "{summary}");
    assert_eq!(
        summary.changes, changed,
        "each outside change recorded once: {summary}"
    );
    let sync_calls = stats.requests.load(Ordering::Relaxed) - before_calls;
    let sync_throttled = stats.throttled.load(Ordering::Relaxed) - before_throttled;

    // License optimisation's dry run over all of them: each customer's subscribed SKUs and
    // subscriptions read, the reductions planned, nothing written.
    let (before_calls, before_writes) = (
        stats.requests.load(Ordering::Relaxed),
        app.writes_applied().await,
    );
    let started = Instant::now();
    let optimisation = app.services.optimisation().await.unwrap();
    let optimised = started.elapsed();
    assert_eq!(optimisation.failed(), 0, "{optimisation}");
    assert_eq!(
        app.writes_applied().await,
        before_writes,
        "a dry run writes nothing"
    );
    let optimise_calls = stats.requests.load(Ordering::Relaxed) - before_calls;

    let ms = |d: std::time::Duration| format!("{:.0} ms", d.as_secs_f64() * 1000.0);
    println!(
        "| sync, 500 customers x 20 (150 ms per answer): every list read, compared and stored | {} ({sync_calls} Partner Center calls, {sync_throttled} throttled, {} changes recorded) |",
        ms(synced),
        summary.changes
    );
    println!(
        "| optimisation dry run, 500 customers x 20 subscriptions (150 ms per answer): SKUs and subscriptions read, reductions planned | {} ({optimise_calls} Partner Center calls; {optimisation}) |",
        ms(optimised)
    );
    println!(
        "| subscriptions, 500 customers x 20, live (150 ms per answer): every row read and stored | {} ({calls} Partner Center calls, {limited} throttled) |",
        ms(live)
    );
    println!(
        "| subscriptions, 500 customers x 20, from the store: first page, page 100, a search, a status (slowest of 4) | {} |",
        ms(*stored.last().unwrap())
    );
    println!(
        "| subscriptions, 500 customers x 20, streamed as the browser reads them: first customer's rows / all | {} / {} |",
        ms(first.unwrap()),
        ms(all_streamed)
    );
    println!(
        "| one order (150 ms per answer): availability, cart, checkout, the customer's list | {} ({carts} cart, {checkouts} checkout, {} Partner Center calls) |",
        ms(ordered),
        log.len()
    );
}
