//! The users pages against the emulator with 150 ms per Partner Center answer, Seatwise running
//! for real (HTTP, sessions, SQLite):
//! - the multi-customer view, 200 customers x 25 users: first rows, every customer's rows, and
//!   licenses and roles, live and from the cache, next to a one-customer-at-a-time baseline;
//! - one tenant of 1,000 users: first rows, a complete Assign column, Partner Center calls per
//!   page load, and the license update round trip.
//!
//! Prints `| figure | value |` rows for `make bench`.

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use partner_center::PartnerCenter;
use pc_emulator::{Knobs, Options, SeedOptions};
use support::TestApp;

#[tokio::main]
async fn main() {
    multi_customer().await;
    one_large_tenant().await;
    shared_refreshes().await;
}

/// A running Seatwise (SQLite in a temporary directory) on a fresh emulator, with every tenant
/// imported and a signed-in service provider admin.
struct Setup {
    app: TestApp,
    pc: PartnerCenter,
    tenants: Vec<partner_center::wire::Customer>,
    http: reqwest::Client,
    url: String,
    store: domain::Store,
}

impl Setup {
    fn requests(&self) -> u64 {
        self.app
            .emulator
            .as_ref()
            .unwrap()
            .stats
            .requests
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    async fn page(&self, query: &str) -> (Duration, serde_json::Value) {
        let started = Instant::now();
        let v: serde_json::Value = self
            .http
            .get(format!("{}/api/users{query}", self.url))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        (started.elapsed(), v)
    }
}

async fn setup(seed: SeedOptions) -> Setup {
    let knobs = Knobs {
        latency_ms: 150,
        throttle_per_minute: 500,
        ..Knobs::default()
    };
    let app = TestApp::on_emulator(Options {
        seed,
        knobs,
        ..Options::default()
    })
    .await;
    let pc = app.pc();
    Setup {
        tenants: pc.customers(500).all().await.unwrap(),
        pc,
        http: app.client.clone(),
        url: app.url(""),
        store: app.store().await,
        app,
    }
}

async fn multi_customer() {
    let setup = setup(SeedOptions {
        seed: 3,
        customers: 200,
        users_per_customer: 25,
        subscriptions_per_customer: 2,
    })
    .await;
    let (pc, tenants) = (&setup.pc, &setup.tenants);
    // Baseline: one customer after another with the same client, the same reads Seatwise
    // makes for the rows (active and deleted users).
    let started = Instant::now();
    let mut users = 0;
    for t in tenants {
        users += pc.users(&t.id, 500).all().await.unwrap().len();
        users += pc.deleted_users(&t.id, 500).all().await.unwrap().len();
    }
    let sequential = started.elapsed();
    assert_eq!(users, 5000);

    // Live, as the browser does it: the page (from the cache, empty on this first visit),
    // then the streamed refresh; the table is re-read when the first customer has answered.
    let before = setup.requests();
    let live = setup.refresh_as_the_browser_does("").await;
    assert_eq!((live.customers, live.failed), (200, 0));
    let live_calls = setup.requests() - before;
    let (_, complete) = setup.page("").await;
    assert_eq!(complete["matching"], 5000);
    assert_eq!(complete["details_missing"], 0);

    // From the cache: the first page, a search, and "which users have SKU X".
    let sku = complete["skus"][0][0].as_str().unwrap().to_owned();
    let sku_query = format!("?sku={sku}");
    let mut cached = Vec::new();
    for query in [
        "",
        "?search=smith",
        sku_query.as_str(),
        "?sort=name&page=40",
    ] {
        let mut best = Duration::MAX;
        for _ in 0..5 {
            best = best.min(setup.page(query).await.0);
        }
        cached.push(best);
    }
    let holders = setup.page(&sku_query).await.1["matching"].as_u64().unwrap();
    let cache_calls = setup.requests() - before - live_calls;

    println!(
        "| users of 200 customers x 25 @150 ms, one customer at a time | {} |",
        secs(sequential)
    );
    println!(
        "| users view live: first rows on screen (page + stream + re-read) | {} |",
        ms(live.first_rows)
    );
    println!(
        "| users view live: every customer's rows | {} |",
        secs(live.rows_complete)
    );
    println!(
        "|   speed-up over one at a time | {:.1}x |",
        sequential.as_secs_f64() / live.rows_complete.as_secs_f64()
    );
    println!(
        "| users view live: licenses and roles of all 5,000 users too | {} |",
        secs(live.details_complete)
    );
    println!(
        "|   Partner Center calls for the refresh; 429s sent | {live_calls}; {} |",
        setup.throttled()
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

/// One customer with 1,000 users: what its users page costs.
/// Twenty refreshes of one customer at once (twenty tabs, or twenty people of one reseller):
/// the reads are shared, so they cost the calls and the time of one.
async fn shared_refreshes() {
    use domain::users::directory::FRESH_SETTING;
    let setup = setup(SeedOptions {
        seed: 7,
        customers: 1,
        users_per_customer: 20,
        subscriptions_per_customer: 2,
    })
    .await;
    let customer = setup.tenants[0].id.to_string();
    let settings = setup.store.settings();
    settings.set(FRESH_SETTING, "0").await.unwrap();
    let (before, started) = (setup.requests(), Instant::now());
    let one = setup.refresh_as_the_browser_does(&customer).await;
    assert_eq!(one.failed, 0);
    let (one_calls, one_time) = (setup.requests() - before, started.elapsed());

    // A 1 s window and a read older than it, as when twenty people open the page together.
    settings.set(FRESH_SETTING, "1").await.unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let (before, started) = (setup.requests(), Instant::now());
    let all = futures_util::future::join_all(
        (0..20).map(|_| setup.refresh_as_the_browser_does(&customer)),
    )
    .await;
    assert!(all.iter().all(|r| r.failed == 0 && r.customers == 1));
    let (twenty_calls, twenty_time) = (setup.requests() - before, started.elapsed());

    settings.set(FRESH_SETTING, "30").await.unwrap();
    let before = setup.requests();
    setup.refresh_as_the_browser_does(&customer).await;
    let fresh_calls = setup.requests() - before;
    println!("| **20 concurrent refreshes of one customer** (20 users, 150 ms per answer) | |");
    println!(
        "|   one refresh alone | {one_calls} calls, {} |",
        ms(one_time)
    );
    println!(
        "|   20 at once | {twenty_calls} calls, {} |",
        ms(twenty_time)
    );
    println!("|   a refresh within the 30 s freshness window | {fresh_calls} calls |");
}

async fn one_large_tenant() {
    let setup = setup(SeedOptions {
        seed: 5,
        customers: 1,
        users_per_customer: 1000,
        subscriptions_per_customer: 3,
    })
    .await;
    let customer = setup.tenants[0].id.to_string();
    let query = format!("?customer={customer}");

    // A first visit in live mode: the page, the licenses table, the streamed refresh.
    let before = setup.requests();
    let licenses_table = {
        let (http, url, customer) = (setup.http.clone(), setup.url.clone(), customer.clone());
        tokio::spawn(async move {
            let started = Instant::now();
            let r = http
                .get(format!("{url}/api/licenses"))
                .query(&[("customer", customer.as_str())])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
            started.elapsed()
        })
    };
    let live = setup.refresh_as_the_browser_does(&customer).await;
    let licenses_table = licenses_table.await.unwrap();
    let first_visit_calls = setup.requests() - before;
    let (_, page) = setup.page(&query).await;
    assert_eq!(page["matching"], 1000);
    assert_eq!(page["details_missing"], 0);

    // A later visit in cache mode: the cached page and the licenses table only.
    let before = setup.requests();
    let (cached_page, _) = setup.page(&query).await;
    let r = setup
        .http
        .get(format!("{}/api/licenses", setup.url))
        .query(&[("customer", customer.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let cached_calls = setup.requests() - before;

    // License update round trip: assign then remove a product with seats, through Seatwise.
    let user = page["rows"][0]["id"].as_str().unwrap().to_owned();
    let form: serde_json::Value = setup
        .http
        .get(format!("{}/api/user-license-form", setup.url))
        .query(&[("customer", customer.as_str()), ("user", user.as_str())])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let choice = form["choices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["assigned"] == false && c["available"].as_i64().unwrap() > 0)
        .unwrap_or_else(|| panic!("a product with seats: {form}"));
    let sku = choice["sku_id"].as_str().unwrap().to_owned();
    let mut round_trips = Vec::new();
    for i in 0..6 {
        let (assign, remove) = if i % 2 == 0 {
            (sku.as_str(), "")
        } else {
            ("", sku.as_str())
        };
        let started = Instant::now();
        let r = setup
            .http
            .post(format!("{}/api/user-licenses", setup.url))
            .header("origin", &setup.url)
            .form(&[
                ("customer", customer.as_str()),
                ("user", user.as_str()),
                ("assign", assign),
                ("remove", remove),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        round_trips.push(started.elapsed());
    }
    round_trips.sort();

    println!(
        "| one tenant of 1,000 users @150 ms: first rows on screen | {} |",
        ms(live.first_rows)
    );
    println!("|   every user's row | {} |", ms(live.rows_complete));
    println!(
        "|   complete Assign column (1,000 license reads, limited to 450/min per tenant) | {} |",
        secs(live.details_complete)
    );
    println!(
        "|   licenses table (seats and subscriptions, 2 calls at once) | {} |",
        ms(licenses_table)
    );
    println!(
        "|   Partner Center calls: first visit (live); later visit (cache mode) | {first_visit_calls}; {cached_calls} |"
    );
    println!("|   cached page of the 1,000 | {} |", ms(cached_page));
    println!(
        "| license update round trip (1 update + 2 reads back), median of 6 | {} |",
        ms(round_trips[round_trips.len() / 2])
    );
    println!("|   429s sent | {} |", setup.throttled());
}

struct Refresh {
    customers: usize,
    failed: usize,
    first_rows: Duration,
    rows_complete: Duration,
    details_complete: Duration,
}

impl Setup {
    fn throttled(&self) -> u64 {
        self.app
            .emulator
            .as_ref()
            .unwrap()
            .stats
            .throttled
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The page (from the cache), then the streamed refresh of `customer` (all when empty),
    /// re-reading the page when the first customer's rows are in, as the browser does.
    async fn refresh_as_the_browser_does(&self, customer: &str) -> Refresh {
        let query = if customer.is_empty() {
            String::new()
        } else {
            format!("?customer={customer}")
        };
        let started = Instant::now();
        let _ = self.page(&query).await;
        let mut stream = self
            .http
            .post(format!("{}/api/users-refresh", self.url))
            .header("origin", &self.url)
            .form(&[("customer", customer)])
            .send()
            .await
            .unwrap();
        let mut buffer = String::new();
        let (mut total, mut users, mut failed) = (usize::MAX, 0, 0);
        let (mut first_rows, mut rows_complete, mut details_complete) = (None, None, None);
        while let Some(chunk) = stream.chunk().await.unwrap() {
            buffer.push_str(std::str::from_utf8(&chunk).unwrap());
            while let Some(end) = buffer.find('\n') {
                let line: String = buffer.drain(..=end).collect();
                let event: serde_json::Value = serde_json::from_str(line.trim()).unwrap();
                if let Some(started_event) = event.get("Started") {
                    total = started_event["customers"].as_u64().unwrap() as usize;
                } else if event.get("Users").is_some() {
                    users += 1;
                    if first_rows.is_none() {
                        let (_, v) = self.page(&query).await;
                        assert!(v["matching"].as_u64().unwrap() > 0, "{v}");
                        first_rows = Some(started.elapsed());
                    }
                    if users == total {
                        rows_complete = Some(started.elapsed());
                    }
                } else if event.get("Failed").is_some() {
                    failed += 1;
                } else if event == "Finished" {
                    details_complete = Some(started.elapsed());
                }
            }
        }
        Refresh {
            customers: users,
            failed,
            first_rows: first_rows.unwrap(),
            rows_complete: rows_complete.unwrap(),
            details_complete: details_complete.unwrap(),
        }
    }
}

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}
