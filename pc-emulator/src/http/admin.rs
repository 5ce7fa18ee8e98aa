//! The emulator's own endpoints under `/_emulator` (never called by Seatwise).

use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use partner_center::{
    ids::*,
    wire::{self, SubscriptionStatus},
};
use serde::Deserialize;

use crate::{catalog, lock, Knobs, SeedOptions};

use super::*;

pub(super) async fn get_knobs(State(e): State<Shared>) -> Response {
    Json(e.knobs()).into_response()
}

pub(super) async fn put_knobs(State(e): State<Shared>, Json(knobs): Json<Knobs>) -> Response {
    e.set_knobs(knobs);
    Json(e.knobs()).into_response()
}

#[derive(Deserialize)]
pub(super) struct Advance {
    seconds: i64,
}

pub(super) async fn advance_clock(State(e): State<Shared>, Json(a): Json<Advance>) -> Response {
    e.advance_clock(a.seconds);
    let now = lock(&e.world).now();
    Json(serde_json::json!({ "now": wire::WireTime(now) })).into_response()
}

pub(super) async fn stats(State(e): State<Shared>) -> Response {
    Json(&e.stats).into_response()
}

pub(super) async fn request_log(State(e): State<Shared>) -> Response {
    let log: Vec<serde_json::Value> = e
        .request_log()
        .into_iter()
        .map(|(method, path)| serde_json::json!({ "method": method, "path": path }))
        .collect();
    Json(log).into_response()
}

pub(super) async fn clear_request_log(State(e): State<Shared>) -> Response {
    lock(&e.requests).clear();
    StatusCode::NO_CONTENT.into_response()
}

pub(super) async fn revoke_tokens(State(e): State<Shared>) -> Response {
    e.revoke_tokens();
    StatusCode::NO_CONTENT.into_response()
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct Reset {
    seed: Option<u64>,
    customers: Option<usize>,
    users_per_customer: Option<usize>,
    subscriptions_per_customer: Option<usize>,
}

pub(super) async fn reset(State(e): State<Shared>, Json(r): Json<Reset>) -> Response {
    let d = SeedOptions::default();
    let options = SeedOptions {
        seed: r.seed.unwrap_or(d.seed),
        customers: r.customers.unwrap_or(d.customers).min(10_000),
        users_per_customer: r
            .users_per_customer
            .unwrap_or(d.users_per_customer)
            .min(10_000),
        subscriptions_per_customer: r
            .subscriptions_per_customer
            .unwrap_or(d.subscriptions_per_customer)
            .min(catalog::ITEMS.len()),
    };
    e.with_world(|w| *w = crate::seed::world(&options, time::OffsetDateTime::now_utc()));
    lock(&e.idempotency).clear();
    StatusCode::NO_CONTENT.into_response()
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub(super) struct OutsideChange {
    quantity: Option<i64>,
    status: Option<String>,
    friendly_name: Option<String>,
}

pub(super) async fn outside_change(
    State(e): State<Shared>,
    Path((c, s)): Path<(CustomerId, SubscriptionId)>,
    Json(change): Json<OutsideChange>,
) -> Response {
    let status = change.status.as_deref().map(SubscriptionStatus::parse);
    answer(
        200,
        e.with_world(|w| w.outside_change(&c, &s, change.quantity, status, change.friendly_name)),
    )
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Withdraw {
    product_id: String,
    sku_id: String,
    #[serde(default = "yes")]
    withdrawn: bool,
}

fn yes() -> bool {
    true
}

/// Takes a SKU off sale (or back on with `"withdrawn": false`), as Microsoft retires products.
pub(super) async fn withdraw_sku(State(e): State<Shared>, Json(w): Json<Withdraw>) -> Response {
    if e.with_world(|world| world.withdraw(&w.product_id, &w.sku_id, w.withdrawn)) {
        StatusCode::NO_CONTENT.into_response()
    } else {
        StatusCode::NOT_FOUND.into_response()
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Accepted {
    company_name: String,
    domain: String,
}

/// An existing tenant's administrator accepts the reseller relationship invitation: the tenant
/// is one of the partner's customers from now on (listed, to be imported).
pub(super) async fn accept_relationship(
    State(e): State<Shared>,
    Json(a): Json<Accepted>,
) -> Response {
    let accepted = lock(&e.world).accept_relationship(&a.company_name, &a.domain);
    answer(201, accepted)
}
