//! The emulator's HTTP face: Partner Center's routes under `/v1`, the token endpoint, and the
//! admin endpoints under `/_emulator` that Seatwise never calls. One module per area, as
//! the client's `wire/`; the plumbing they share is here.

mod admin;
mod agreements;
mod catalog;
mod commerce;
mod directory;
mod gate;
mod subscriptions;
mod token;

use std::{collections::HashMap, sync::Arc};

use axum::{
    body::Bytes,
    extract::Query,
    http::{header, HeaderMap, StatusCode},
    middleware::{self},
    response::{IntoResponse, Response},
    routing::{get, post},
    Router,
};
use partner_center::{
    json,
    wire::{ApiError, Collection, Link, LinkHeader, Links},
};
use serde::{de::DeserializeOwned, Deserialize, Serialize};

use crate::{
    lock,
    world::{EmuError, World, R},
    Emulator,
};

use self::gate::header_text;

type Shared = Arc<Emulator>;
type Params = Query<HashMap<String, String>>;

pub fn router(emulator: Arc<Emulator>) -> Router {
    let api = Router::new()
        .route(
            "/v1/customers",
            get(directory::list_customers).post(directory::create_customer),
        )
        .route(
            "/v1/customers/relationshiprequests",
            get(directory::relationship_request),
        )
        .route("/v1/customers/{c}", get(directory::get_customer))
        .route("/v1/domains/{domain}", get(directory::domain_exists))
        .route(
            "/v1/customers/{c}/users",
            get(directory::list_users).post(directory::create_user),
        )
        .route(
            "/v1/customers/{c}/users/{u}",
            get(directory::get_user)
                .patch(directory::update_user)
                .delete(directory::delete_user),
        )
        .route(
            "/v1/customers/{c}/users/{u}/licenses",
            get(directory::user_licenses),
        )
        .route(
            "/v1/customers/{c}/users/{u}/licenseupdates",
            post(directory::update_licenses),
        )
        .route(
            "/v1/customers/{c}/users/{u}/directoryroles",
            get(directory::user_roles),
        )
        .route(
            "/v1/customers/{c}/subscribedskus",
            get(directory::subscribed_skus),
        )
        .route(
            "/v1/customers/{c}/directoryroles",
            get(directory::directory_roles),
        )
        .route(
            "/v1/customers/{c}/directoryroles/{r}/usermembers",
            get(directory::role_members).post(directory::add_member),
        )
        .route(
            "/v1/customers/{c}/directoryroles/{r}/usermembers/{u}",
            axum::routing::delete(directory::remove_member),
        )
        .route(
            "/v1/customers/{c}/subscriptions",
            get(subscriptions::subscriptions),
        )
        .route(
            "/v1/customers/{c}/subscriptions/{s}",
            get(subscriptions::subscription).patch(subscriptions::patch_subscription),
        )
        .route(
            "/v1/customers/{c}/subscriptions/{s}/addons",
            get(subscriptions::addons),
        )
        .route(
            "/v1/customers/{c}/subscriptions/{s}/provisioningstatus",
            get(subscriptions::provisioning_status),
        )
        .route(
            "/v1/customers/{c}/subscriptions/{s}/activationlinks",
            get(subscriptions::activation_links),
        )
        .route(
            "/v1/customers/{c}/subscriptions/{s}/activate",
            post(subscriptions::activate),
        )
        .route("/v1/agreements", get(agreements::templates))
        .route(
            "/v1/customers/{c}/agreements",
            get(agreements::list).post(agreements::confirm),
        )
        .route("/v1/customers/{c}/carts", post(commerce::create_cart))
        .route(
            "/v1/customers/{c}/carts/{k}",
            get(commerce::get_cart).put(commerce::update_cart),
        )
        .route(
            "/v1/customers/{c}/carts/{k}/checkout",
            post(commerce::checkout),
        )
        .route(
            "/v1/customers/{c}/orders",
            get(commerce::orders).post(commerce::create_order),
        )
        .route("/v1/customers/{c}/orders/{o}", get(commerce::order))
        .route(
            "/v1/customers/{c}/orders/{o}/provisioningstatus",
            get(commerce::order_provisioning),
        )
        .route(
            "/v1/customers/{c}/subscriptions/{s}/transitionEligibilities",
            get(commerce::transition_eligibilities),
        )
        .route(
            "/v1/customers/{c}/subscriptions/{s}/transitions",
            post(commerce::transition),
        )
        .route("/v1/products", get(catalog::products))
        .route("/v1/products/{p}", get(catalog::product))
        .route("/v1/products/{p}/skus", get(catalog::skus))
        .route("/v1/products/{p}/skus/{s}", get(catalog::sku))
        .route(
            "/v1/products/{p}/skus/{s}/availabilities",
            get(catalog::availabilities),
        )
        .route(
            "/v1/products/{p}/skus/{s}/availabilities/{a}",
            get(catalog::availability),
        )
        .fallback(|| async { api_error(404, "1000", "The resource was not found.") })
        .layer(middleware::from_fn_with_state(emulator.clone(), gate::gate));
    let admin = Router::new()
        .route(
            "/_emulator/knobs",
            get(admin::get_knobs).put(admin::put_knobs),
        )
        .route("/_emulator/clock", post(admin::advance_clock))
        .route("/_emulator/stats", get(admin::stats))
        .route(
            "/_emulator/requests",
            get(admin::request_log).delete(admin::clear_request_log),
        )
        .route("/_emulator/revoke-tokens", post(admin::revoke_tokens))
        .route("/_emulator/reset", post(admin::reset))
        .route("/_emulator/catalog/withdraw", post(admin::withdraw_sku))
        .route(
            "/_emulator/relationship/accept",
            post(admin::accept_relationship),
        )
        .route(
            "/_emulator/publisher/{c}/{s}",
            get(subscriptions::publisher_page).post(subscriptions::publisher_finish),
        )
        // Browsers ask for it when they open the publisher's page.
        .route("/favicon.ico", get(|| async { StatusCode::NO_CONTENT }))
        .route(
            "/_emulator/customers/{c}/subscriptions/{s}",
            post(admin::outside_change),
        );
    Router::new()
        .merge(api)
        .merge(admin)
        .route("/{tenant}/oauth2/token", post(token::token))
        .with_state(emulator)
}

// ---------- Plumbing ----------

fn reply<T: Serialize>(status: u16, value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(body) => (
            StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
            [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
            body,
        )
            .into_response(),
        Err(e) => api_error(500, "800003", &format!("serialisation failed: {e}")),
    }
}

fn api_error(status: u16, code: &str, description: &str) -> Response {
    reply(
        status,
        &ApiError {
            code: code.to_owned(),
            description: description.to_owned(),
            data: Vec::new(),
            source: Some("PartnerFD".into()),
        },
    )
}

impl IntoResponse for EmuError {
    fn into_response(self) -> Response {
        api_error(self.status, &self.code, &self.description)
    }
}

fn answer<T: Serialize>(status: u16, result: R<T>) -> Response {
    match result {
        Ok(value) => reply(status, &value),
        Err(e) => e.into_response(),
    }
}

fn parse<T: DeserializeOwned>(body: &Bytes) -> R<T> {
    json::from_slice(body).map_err(|e| EmuError {
        status: 400,
        code: "800002".into(),
        description: format!("Invalid input: {e}"),
    })
}

/// Runs `f` on the world after letting time act on it; saves afterwards for writes.
fn with_world<T>(e: &Emulator, write: bool, f: impl FnOnce(&mut World) -> T) -> T {
    let mut world = lock(&e.world);
    world.tick();
    let result = f(&mut world);
    drop(world);
    if write {
        e.save();
    }
    result
}

/// One page of a seek-based collection, with `links.next` and a continuation token when more
/// items follow. The token is the offset of the next page.
fn page<T: Serialize + Clone>(
    items: Vec<T>,
    path: &str,
    params: &HashMap<String, String>,
    headers: &HeaderMap,
    default_size: usize,
) -> Response {
    let size = params
        .get("size")
        .and_then(|s| s.parse::<usize>().ok())
        .filter(|s| *s > 0)
        .unwrap_or(default_size)
        .min(500);
    let offset = match headers
        .get("MS-ContinuationToken")
        .and_then(|v| v.to_str().ok())
    {
        None => 0,
        Some(token) => match token
            .strip_prefix("seek-")
            .and_then(|n| n.parse::<usize>().ok())
        {
            Some(n) if n <= items.len() => n,
            _ => return api_error(400, "800002", "The continuation token is not valid."),
        },
    };
    let end = (offset + size).min(items.len());
    let mut collection = Collection::of(items[offset..end].to_vec());
    if end < items.len() {
        let token = format!("seek-{end}");
        let mut uri = format!("{path}?size={size}&seekOperation=Next");
        if let Some(filter) = params.get("filter") {
            uri.push_str("&filter=");
            uri.push_str(&percent(filter));
        }
        collection.links = Some(Links {
            next: Some(Link {
                uri: Some(uri),
                method: Some("GET".into()),
                headers: vec![LinkHeader {
                    key: "MS-ContinuationToken".into(),
                    value: token.clone(),
                }],
            }),
            ..Links::default()
        });
        collection.continuation_token = Some(token);
    }
    reply(200, &collection)
}

/// A query value, percent-encoded (everything but the unreserved characters).
fn percent(text: &str) -> String {
    const COMPONENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(text, COMPONENT).to_string()
}

/// `{"Field":…,"Value":…,"Operator":…}` from the `filter` query parameter, keys in any case.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Filter {
    field: String,
    value: String,
    operator: String,
}

fn filter(params: &HashMap<String, String>) -> R<Option<Filter>> {
    match params.get("filter") {
        None => Ok(None),
        Some(text) => json::from_slice::<Filter>(text.as_bytes())
            .map(Some)
            .map_err(|e| EmuError {
                status: 400,
                code: "800002".into(),
                description: format!("The filter is not valid: {e}"),
            }),
    }
}
