//! The history page with 1,000,000 entries in the store (SQLite, as `make run` keeps it): 500
//! customers with 20 subscriptions each (ids made up for the history), entries over about five years. Times the server
//! function's answer (the page's data: the entries, how many match, the customers) for the
//! first page and for filtered pages, as the service provider's admin (every customer), median
//! of 5 each.
//!
//! Prints `| figure | value |` rows for `make bench`.

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use pc_emulator::{Options, SeedOptions};
use support::TestApp;

const ENTRIES: i64 = 1_000_000;

#[tokio::main]
async fn main() {
    let app = TestApp::on_emulator(Options {
        seed: SeedOptions {
            seed: 7,
            customers: 500,
            users_per_customer: 1,
            subscriptions_per_customer: 1,
        },
        ..Options::default()
    })
    .await;
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&app.database_url).await.unwrap();
    let started = Instant::now();
    // Customer k of 500 (by id) owns subscriptions k, k + 500, …; entry i is about subscription
    // i mod 10,000, 150 s after entry i - 1.
    let inserted = sqlx::query(&format!(
        "INSERT INTO subscription_history (id, at, customer_id, subscription_id, product, kind, \
         field, old_value, new_value, source, actor, role, request_id) \
         WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {last}), \
         c(id, k) AS (SELECT id, ROW_NUMBER() OVER (ORDER BY id) - 1 FROM customers) \
         SELECT 'bench-' || CAST(n.i AS TEXT), 1640995200000 + n.i * 150000, c.id, \
         'aaaa0000-0000-0000-0000-' || CAST(100000000000 + n.i % 10000 AS TEXT), \
         'Office 365 E3', \
         CASE (n.i / 7) % 10 WHEN 0 THEN 'order' WHEN 1 THEN 'discovered' WHEN 2 THEN 'license' \
         ELSE 'change' END, 'quantity', CAST(n.i % 40 AS TEXT), CAST(n.i % 40 + 1 AS TEXT), \
         CASE WHEN n.i % 3 = 0 THEN 'outside' ELSE 'seatwise' END, \
         CASE WHEN n.i % 3 = 0 THEN 'Partner Center (outside Seatwise)' \
         ELSE 'user' || CAST(n.i % 50 AS TEXT) || '@partner.example' END, \
         'sp_admin', '' FROM n JOIN c ON c.k = n.i % 500",
        last = ENTRIES - 1
    ))
    .execute(&pool)
    .await
    .unwrap()
    .rows_affected();
    assert_eq!(
        inserted, ENTRIES as u64,
        "500 customers, every entry written"
    );
    // What the server's sweep does every ten minutes: the planner's statistics brought up to
    // date.
    let store = app.store().await;
    store.optimize().await.unwrap();
    store.close().await;
    let filled = started.elapsed();
    let (customer,): (String,) = sqlx::query_as("SELECT id FROM customers ORDER BY id LIMIT 1")
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;

    let time = |query: Vec<(&'static str, String)>| {
        let app = &app;
        async move {
            let mut times = Vec::new();
            let mut matching = 0;
            for _ in 0..5 {
                let started = Instant::now();
                let page = app.get_json("/api/history", &query).await;
                times.push(started.elapsed());
                let rows = page["rows"].as_array().map_or(0, Vec::len);
                assert!(rows > 0, "{query:?}: {} matching", page["matching"]);
                matching = page["matching"].as_u64().unwrap();
            }
            times.sort();
            (times[2], matching)
        }
    };
    let (first, all) = time(vec![]).await;
    let filtered = [
        vec![
            ("customer", customer.clone()),
            ("kind", "change".to_owned()),
        ],
        vec![("who", "user7@partner.example".to_owned())],
        vec![("kind", "license".to_owned())],
        vec![
            ("source", "outside".to_owned()),
            ("from", "2024-01-01".to_owned()),
            ("to", "2024-12-31".to_owned()),
        ],
        vec![
            (
                "subscription",
                "aaaa0000-0000-0000-0000-100000000042".to_owned(),
            ),
            ("page", "2".to_owned()),
        ],
    ];
    let mut each = Vec::new();
    for query in filtered {
        each.push(time(query).await);
    }
    let ms = |d: Duration| format!("{:.0} ms", d.as_secs_f64() * 1000.0);
    println!(
        "| history, 1,000,000 entries over 500 customers (SQLite): first page, all customers | {} ({all} matching; written in {:.1} s) |",
        ms(first),
        filled.as_secs_f64()
    );
    let slowest = each.iter().map(|(t, _)| *t).max().unwrap();
    let every: Vec<String> = each
        .iter()
        .map(|(t, n)| format!("{} ({n} matching)", ms(*t)))
        .collect();
    println!(
        "| history, 1,000,000 entries: filtered pages (a customer's changes / one person / licenses / outside in a year / a subscription's page 2), slowest | {} ({}) |",
        ms(slowest),
        every.join(" / ")
    );
}
