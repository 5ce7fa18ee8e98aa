//! The emulator's HTTP face: Partner Center's routes under `/v1`, the token endpoint, and the
//! admin endpoints under `/_emulator` that Seatwise never calls.

use std::{
    collections::HashMap,
    sync::Arc,
    time::{Duration, Instant},
};

use axum::{
    body::{Body, Bytes},
    extract::{Path, Query, Request, State},
    http::{header, HeaderMap, HeaderValue, Method, StatusCode},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::{get, post},
    Form, Json, Router,
};
use partner_center::{
    ids::*,
    json,
    wire::{
        self, ApiError, Collection, Link, LinkHeader, Links, SubscriptionStatus, ThrottleBody,
        TokenResponse,
    },
};
use rand::{seq::SliceRandom, Rng};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    catalog, lock,
    world::{EmuError, World, R},
    Emulator, Fault, Knobs, SeedOptions,
};

type Shared = Arc<Emulator>;
type Params = Query<HashMap<String, String>>;

pub fn router(emulator: Arc<Emulator>) -> Router {
    let api = Router::new()
        .route("/v1/customers", get(list_customers).post(create_customer))
        .route("/v1/customers/{c}", get(get_customer))
        .route("/v1/domains/{domain}", get(domain_exists))
        .route("/v1/customers/{c}/users", get(list_users).post(create_user))
        .route(
            "/v1/customers/{c}/users/{u}",
            get(get_user).patch(update_user).delete(delete_user),
        )
        .route("/v1/customers/{c}/users/{u}/licenses", get(user_licenses))
        .route(
            "/v1/customers/{c}/users/{u}/licenseupdates",
            post(update_licenses),
        )
        .route(
            "/v1/customers/{c}/users/{u}/directoryroles",
            get(user_roles),
        )
        .route("/v1/customers/{c}/subscribedskus", get(subscribed_skus))
        .route("/v1/customers/{c}/directoryroles", get(directory_roles))
        .route(
            "/v1/customers/{c}/directoryroles/{r}/usermembers",
            get(role_members).post(add_member),
        )
        .route(
            "/v1/customers/{c}/directoryroles/{r}/usermembers/{u}",
            axum::routing::delete(remove_member),
        )
        .route("/v1/customers/{c}/subscriptions", get(subscriptions))
        .route(
            "/v1/customers/{c}/subscriptions/{s}",
            get(subscription).patch(patch_subscription),
        )
        .route("/v1/customers/{c}/subscriptions/{s}/addons", get(addons))
        .route(
            "/v1/customers/{c}/subscriptions/{s}/provisioningstatus",
            get(provisioning_status),
        )
        .route("/v1/customers/{c}/carts", post(create_cart))
        .route(
            "/v1/customers/{c}/carts/{k}",
            get(get_cart).put(update_cart),
        )
        .route("/v1/customers/{c}/carts/{k}/checkout", post(checkout))
        .route("/v1/customers/{c}/orders", get(orders).post(create_order))
        .route("/v1/customers/{c}/orders/{o}", get(order))
        .route(
            "/v1/customers/{c}/orders/{o}/provisioningstatus",
            get(order_provisioning),
        )
        .route(
            "/v1/customers/{c}/subscriptions/{s}/transitionEligibilities",
            get(transition_eligibilities),
        )
        .route(
            "/v1/customers/{c}/subscriptions/{s}/transitions",
            post(transition),
        )
        .route("/v1/products", get(products))
        .route("/v1/products/{p}", get(product))
        .route("/v1/products/{p}/skus", get(skus))
        .route("/v1/products/{p}/skus/{s}", get(sku))
        .route(
            "/v1/products/{p}/skus/{s}/availabilities",
            get(availabilities),
        )
        .route(
            "/v1/products/{p}/skus/{s}/availabilities/{a}",
            get(availability),
        )
        .fallback(|| async { api_error(404, "1000", "The resource was not found.") })
        .layer(middleware::from_fn_with_state(emulator.clone(), gate));
    let admin = Router::new()
        .route("/_emulator/knobs", get(get_knobs).put(put_knobs))
        .route("/_emulator/clock", post(advance_clock))
        .route("/_emulator/stats", get(stats))
        .route(
            "/_emulator/requests",
            get(request_log).delete(clear_request_log),
        )
        .route("/_emulator/revoke-tokens", post(revoke_tokens))
        .route("/_emulator/reset", post(reset))
        .route(
            "/_emulator/customers/{c}/subscriptions/{s}",
            post(outside_change),
        );
    Router::new()
        .merge(api)
        .merge(admin)
        .route("/{tenant}/oauth2/token", post(token))
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

// ---------- The gate: auth, throttling, latency, idempotency, faults ----------

async fn gate(State(e): State<Shared>, request: Request, next: Next) -> Response {
    e.stats
        .requests
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = request.uri().path().to_owned();
    {
        let mut log = lock(&e.requests);
        if log.len() >= crate::REQUEST_LOG {
            log.pop_front();
        }
        log.push_back((request.method().to_string(), path.clone()));
    }
    if !canonical(&path) {
        return api_error(
            400,
            "800002",
            "The request path is not in canonical form (empty, '.' or '..' segments, or an encoded '/' or '\\').",
        );
    }
    let request_id = header_text(request.headers(), "MS-RequestId");
    let correlation_id = header_text(request.headers(), "MS-CorrelationId");
    let mut response = gated(&e, request, request_id.clone(), next).await;
    let headers = response.headers_mut();
    for (name, value) in [
        ("MS-RequestId", request_id),
        ("MS-CorrelationId", correlation_id),
    ] {
        if let Some(v) = value.and_then(|v| HeaderValue::from_str(&v).ok()) {
            headers.insert(name, v);
        }
    }
    headers.insert("MS-CV", HeaderValue::from_static("emulator.0"));
    response
}

/// Whether a path normalises to itself: no empty segment, no `.` or `..` (also encoded), and no
/// encoded `/` or `\` inside a segment. A real service resolves such paths to other
/// resources; the emulator refuses them, so a client that sends one is caught by the tests.
pub(crate) fn canonical(path: &str) -> bool {
    let Some(rest) = path.strip_prefix('/') else {
        return false;
    };
    rest.split('/').all(|segment| {
        let decoded = percent_decode(segment);
        !decoded.is_empty() && decoded != "." && decoded != ".." && !decoded.contains(['/', '\\'])
    })
}

fn percent_decode(segment: &str) -> String {
    percent_encoding::percent_decode_str(segment)
        .decode_utf8_lossy()
        .into_owned()
}

fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

async fn gated(e: &Shared, request: Request, request_id: Option<String>, next: Next) -> Response {
    use std::sync::atomic::Ordering::Relaxed;
    let knobs = e.knobs();

    // Authentication: a bearer token this emulator issued and that has not expired.
    let token = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_owned);
    let valid = token.is_some_and(|t| {
        lock(&e.tokens)
            .get(&t)
            .is_some_and(|until| Instant::now() < *until)
    });
    if !valid {
        let mut r = api_error(
            401,
            "800001",
            "Access denied: the partner token is missing, invalid or expired.",
        );
        r.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("OAuth realm=\"urn:cpsvc:cpid:emulator\""),
        );
        return r;
    }

    // Throttling per tenant per minute.
    if knobs.throttle_per_minute > 0 {
        let key = tenant_key(request.uri().path());
        let mut buckets = lock(&e.throttle);
        let (start, count) = buckets.entry(key).or_insert((Instant::now(), 0));
        if start.elapsed() >= Duration::from_secs(60) {
            *start = Instant::now();
            *count = 0;
        }
        *count += 1;
        if *count > knobs.throttle_per_minute {
            let wait = 60u64.saturating_sub(start.elapsed().as_secs()).max(1);
            drop(buckets);
            e.stats.throttled.fetch_add(1, Relaxed);
            return throttled(wait);
        }
    }

    // Latency.
    let jitter = if knobs.jitter_ms > 0 {
        lock(&e.rng).gen_range(0..=knobs.jitter_ms)
    } else {
        0
    };
    if knobs.latency_ms + jitter > 0 {
        tokio::time::sleep(Duration::from_millis(knobs.latency_ms + jitter)).await;
    }

    // A write seen before (same method, path and MS-RequestId) gets the same answer again.
    let write = !matches!(*request.method(), Method::GET | Method::HEAD);
    let key = request_id
        .filter(|_| write)
        .map(|id| format!("{} {} {id}", request.method(), request.uri().path()));
    if let Some(key) = &key {
        if let Some((status, body)) = lock(&e.idempotency).get(key).cloned() {
            e.stats.replays.fetch_add(1, Relaxed);
            return finish(&knobs, status, body);
        }
    }

    // Faults.
    let fault = {
        let mut rng = lock(&e.rng);
        if knobs.fault_rate > 0.0 && rng.gen_bool(knobs.fault_rate.clamp(0.0, 1.0)) {
            let all = [
                Fault::Throttle,
                Fault::ServerError,
                Fault::Unavailable,
                Fault::Drop,
                Fault::Slow,
            ];
            let pool: &[Fault] = if knobs.faults.is_empty() {
                &all
            } else {
                &knobs.faults
            };
            pool.choose(&mut *rng).copied()
        } else {
            None
        }
    };
    if fault.is_some() {
        e.stats.faults.fetch_add(1, Relaxed);
    }
    match fault {
        Some(Fault::Throttle) => return throttled(1),
        Some(Fault::ServerError) => {
            return api_error(500, "800003", "An unexpected error occurred (injected).")
        }
        Some(Fault::Unavailable) => {
            return api_error(503, "800003", "The service is unavailable (injected).")
        }
        _ => {}
    }

    let response = next.run(request).await;
    let status = response.status().as_u16();
    let body = axum::body::to_bytes(response.into_body(), 64 * 1024 * 1024)
        .await
        .unwrap_or_default();
    if write && (200..300).contains(&status) {
        e.stats.writes_applied.fetch_add(1, Relaxed);
    }
    if let Some(key) = key {
        lock(&e.idempotency).insert(key, (status, body.clone()));
    }
    match fault {
        Some(Fault::Slow) => {
            tokio::time::sleep(Duration::from_millis(knobs.slow_ms)).await;
            finish(&knobs, status, body)
        }
        Some(Fault::Drop) => {
            // Headers go out, then the connection breaks mid-body.
            let stream = futures_util::stream::once(async {
                Err::<Bytes, std::io::Error>(std::io::Error::other("connection dropped (injected)"))
            });
            Response::builder()
                .status(status)
                .header(header::CONTENT_TYPE, "application/json; charset=utf-8")
                .header(header::CONTENT_LENGTH, body.len() + 10)
                .body(Body::from_stream(stream))
                .unwrap_or_default()
        }
        _ => finish(&knobs, status, body),
    }
}

fn finish(knobs: &Knobs, status: u16, body: Bytes) -> Response {
    let body = if knobs.bom && !body.is_empty() {
        let mut with_bom = b"\xEF\xBB\xBF".to_vec();
        with_bom.extend_from_slice(&body);
        Bytes::from(with_bom)
    } else {
        body
    };
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}

fn throttled(retry_after: u64) -> Response {
    let mut r = reply(
        429,
        &ThrottleBody {
            status_code: 429,
            message: format!("Rate limit is exceeded. Try again in {retry_after} seconds."),
        },
    );
    r.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
    r
}

/// The throttle key: the customer tenant in the path, else the partner.
fn tenant_key(path: &str) -> String {
    let mut parts = path.split('/').skip_while(|p| *p != "customers");
    parts.next();
    parts
        .next()
        .map_or_else(|| "partner".to_owned(), |c| c.to_ascii_lowercase())
}

// ---------- Token endpoint ----------

async fn token(
    State(e): State<Shared>,
    Path(_tenant): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or_default();
    let expect = |configured: &Option<String>, given: &str| match configured {
        Some(value) => value == given,
        None => !given.is_empty(),
    };
    let creds = &e.credentials;
    let ok = expect(&creds.client_id, field("client_id"))
        && match field("grant_type") {
            "client_credentials" => expect(&creds.client_secret, field("client_secret")),
            "refresh_token" => expect(&creds.refresh_token, field("refresh_token")),
            _ => false,
        };
    if !ok {
        return (
            StatusCode::UNAUTHORIZED,
            Json(wire::AadError {
                error: "invalid_client".into(),
                error_description:
                    "AADSTS7000215: Invalid client secret or refresh token provided.".into(),
                error_codes: vec![7000215],
                trace_id: Some(Uuid::new_v4().to_string()),
                correlation_id: Some(Uuid::new_v4().to_string()),
            }),
        )
            .into_response();
    }
    let lifetime = e.knobs().token_lifetime_secs.max(1);
    let access_token = format!("emu.{}", Uuid::new_v4().simple());
    lock(&e.tokens).insert(
        access_token.clone(),
        Instant::now() + Duration::from_secs(lifetime),
    );
    e.stats
        .tokens_issued
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    // AAD v1 writes the numbers as strings.
    let mut body = serde_json::to_value(TokenResponse {
        token_type: "Bearer".into(),
        access_token,
        refresh_token: (field("grant_type") == "refresh_token")
            .then(|| field("refresh_token").to_owned()),
        expires_in: lifetime as i64,
        resource: Some(field("resource").to_owned()),
        scope: Some("user_impersonation".into()),
    })
    .unwrap_or_default();
    body["expires_in"] = serde_json::Value::String(lifetime.to_string());
    Json(body).into_response()
}

// ---------- Customers ----------

async fn list_customers(State(e): State<Shared>, Query(p): Params, headers: HeaderMap) -> Response {
    let filter = match filter(&p) {
        Ok(f) => f,
        Err(err) => return err.into_response(),
    };
    let items = with_world(&e, false, |w| {
        w.customer_list(
            filter
                .as_ref()
                .map(|f| (f.field.as_str(), f.value.as_str())),
        )
    });
    page(items, "/customers", &p, &headers, 500)
}

async fn get_customer(State(e): State<Shared>, Path(c): Path<CustomerId>) -> Response {
    answer(
        200,
        with_world(&e, false, |w| {
            let rec = w.customer(&c)?;
            let mut customer = rec.customer.clone();
            customer.allow_delegated_access = Some(true);
            Ok(customer)
        }),
    )
}

async fn create_customer(State(e): State<Shared>, body: Bytes) -> Response {
    answer(
        201,
        parse(&body).and_then(|b| with_world(&e, true, |w| w.create_customer(b))),
    )
}

async fn domain_exists(State(e): State<Shared>, Path(domain): Path<String>) -> Response {
    if with_world(&e, false, |w| w.domain_taken(&domain)) {
        StatusCode::OK.into_response()
    } else {
        StatusCode::NOT_FOUND.into_response()
    }
}

// ---------- Users ----------

async fn list_users(
    State(e): State<Shared>,
    Path(c): Path<CustomerId>,
    Query(p): Params,
    headers: HeaderMap,
) -> Response {
    let deleted = match filter(&p) {
        Ok(Some(f)) if f.field.eq_ignore_ascii_case("UserState") => {
            f.value.eq_ignore_ascii_case("Inactive")
        }
        Ok(Some(f)) => {
            return api_error(
                400,
                "800002",
                &format!("Filtering users by {} is not supported.", f.field),
            )
        }
        Ok(None) => false,
        Err(err) => return err.into_response(),
    };
    match with_world(&e, false, |w| w.users(&c, deleted)) {
        Ok(items) => page(items, &format!("/customers/{c}/users"), &p, &headers, 100),
        Err(err) => err.into_response(),
    }
}

async fn get_user(State(e): State<Shared>, Path((c, u)): Path<(CustomerId, UserId)>) -> Response {
    answer(200, with_world(&e, false, |w| w.user(&c, &u)))
}

async fn create_user(State(e): State<Shared>, Path(c): Path<CustomerId>, body: Bytes) -> Response {
    // Documented as 200, not 201 (contract section 11, item 3).
    answer(
        200,
        parse(&body).and_then(|b| with_world(&e, true, |w| w.create_user(&c, b))),
    )
}

async fn update_user(
    State(e): State<Shared>,
    Path((c, u)): Path<(CustomerId, UserId)>,
    body: Bytes,
) -> Response {
    answer(
        200,
        parse(&body).and_then(|b| with_world(&e, true, |w| w.update_user(&c, &u, b))),
    )
}

async fn delete_user(
    State(e): State<Shared>,
    Path((c, u)): Path<(CustomerId, UserId)>,
) -> Response {
    match with_world(&e, true, |w| w.delete_user(&c, &u)) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(err) => err.into_response(),
    }
}

// ---------- Licenses and roles ----------

/// `licenseGroupIds=Group1&licenseGroupIds=Group2`; answers carry lower-case `group1`.
fn groups(query: &[(String, String)]) -> Vec<String> {
    query
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("licenseGroupIds"))
        .map(|(_, v)| v.to_ascii_lowercase())
        .collect()
}

fn in_groups(sku: &wire::ProductSku, groups: &[String]) -> bool {
    groups.is_empty()
        || sku
            .license_group_id
            .as_deref()
            .is_some_and(|g| groups.iter().any(|x| x.eq_ignore_ascii_case(g)))
}

async fn subscribed_skus(
    State(e): State<Shared>,
    Path(c): Path<CustomerId>,
    Query(q): Query<Vec<(String, String)>>,
) -> Response {
    let groups = groups(&q);
    answer(
        200,
        with_world(&e, false, |w| w.subscribed_skus(&c)).map(|items| {
            Collection::of(
                items
                    .into_iter()
                    .filter(|s| in_groups(&s.product_sku, &groups))
                    .collect(),
            )
        }),
    )
}

async fn user_licenses(
    State(e): State<Shared>,
    Path((c, u)): Path<(CustomerId, UserId)>,
    Query(q): Query<Vec<(String, String)>>,
) -> Response {
    let groups = groups(&q);
    answer(
        200,
        with_world(&e, false, |w| w.user_licenses(&c, &u)).map(|items| {
            Collection::of(
                items
                    .into_iter()
                    .filter(|l| in_groups(&l.product_sku, &groups))
                    .collect(),
            )
        }),
    )
}

async fn update_licenses(
    State(e): State<Shared>,
    Path((c, u)): Path<(CustomerId, UserId)>,
    body: Bytes,
) -> Response {
    answer(
        201,
        parse(&body).and_then(|b| with_world(&e, true, |w| w.update_licenses(&c, &u, b))),
    )
}

async fn directory_roles(State(e): State<Shared>, Path(c): Path<CustomerId>) -> Response {
    answer(
        200,
        with_world(&e, false, |w| w.directory_roles(&c)).map(Collection::of),
    )
}

async fn user_roles(State(e): State<Shared>, Path((c, u)): Path<(CustomerId, UserId)>) -> Response {
    answer(
        200,
        with_world(&e, false, |w| w.user_roles(&c, &u)).map(Collection::of),
    )
}

async fn role_members(
    State(e): State<Shared>,
    Path((c, r)): Path<(CustomerId, RoleId)>,
    Query(p): Params,
    headers: HeaderMap,
) -> Response {
    match with_world(&e, false, |w| w.role_members(&c, &r)) {
        Ok(items) => page(
            items,
            &format!("/customers/{c}/directoryroles/{r}/usermembers"),
            &p,
            &headers,
            100,
        ),
        Err(err) => err.into_response(),
    }
}

async fn add_member(
    State(e): State<Shared>,
    Path((c, r)): Path<(CustomerId, RoleId)>,
    body: Bytes,
) -> Response {
    answer(
        201,
        parse(&body).and_then(|b| with_world(&e, true, |w| w.add_role_member(&c, &r, b))),
    )
}

async fn remove_member(
    State(e): State<Shared>,
    Path((c, r, u)): Path<(CustomerId, RoleId, UserId)>,
) -> Response {
    match with_world(&e, true, |w| w.remove_role_member(&c, &r, &u)) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(err) => err.into_response(),
    }
}

// ---------- Subscriptions ----------

async fn subscriptions(
    State(e): State<Shared>,
    Path(c): Path<CustomerId>,
    Query(p): Params,
) -> Response {
    let order = p.get("order_id").map(|o| OrderId::new(o.as_str()));
    let reseller = p.get("mpn_id").cloned();
    answer(
        200,
        with_world(&e, false, |w| w.subscriptions(&c, order.as_ref())).map(|subs| {
            Collection::of(
                subs.into_iter()
                    .filter(|s| {
                        reseller
                            .as_ref()
                            .is_none_or(|r| s.partner_id.as_ref() == Some(r))
                    })
                    .collect(),
            )
        }),
    )
}

async fn subscription(
    State(e): State<Shared>,
    Path((c, s)): Path<(CustomerId, SubscriptionId)>,
) -> Response {
    answer(200, with_world(&e, false, |w| w.subscription(&c, &s)))
}

async fn patch_subscription(
    State(e): State<Shared>,
    Path((c, s)): Path<(CustomerId, SubscriptionId)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let if_match = header_text(&headers, "If-Match");
    answer(
        200,
        parse(&body).and_then(|b| {
            with_world(&e, true, |w| {
                w.patch_subscription(&c, &s, b, if_match.as_deref())
            })
        }),
    )
}

async fn addons(
    State(e): State<Shared>,
    Path((c, s)): Path<(CustomerId, SubscriptionId)>,
) -> Response {
    answer(
        200,
        with_world(&e, false, |w| {
            w.subscription(&c, &s)
                .map(|_| Collection::<wire::Subscription>::of(Vec::new()))
        }),
    )
}

async fn provisioning_status(
    State(e): State<Shared>,
    Path((c, s)): Path<(CustomerId, SubscriptionId)>,
) -> Response {
    answer(
        200,
        with_world(&e, false, |w| w.provisioning_status(&c, &s)),
    )
}

// ---------- Carts and orders ----------

async fn create_cart(State(e): State<Shared>, Path(c): Path<CustomerId>, body: Bytes) -> Response {
    answer(
        201,
        parse(&body).and_then(|b| with_world(&e, true, |w| w.create_cart(&c, b))),
    )
}

async fn get_cart(State(e): State<Shared>, Path((c, k)): Path<(CustomerId, CartId)>) -> Response {
    answer(200, with_world(&e, false, |w| w.cart(&c, &k)))
}

async fn update_cart(
    State(e): State<Shared>,
    Path((c, k)): Path<(CustomerId, CartId)>,
    body: Bytes,
) -> Response {
    // The documentation shows 201 for an update too.
    answer(
        201,
        parse(&body).and_then(|b| with_world(&e, true, |w| w.update_cart(&c, &k, b))),
    )
}

async fn checkout(State(e): State<Shared>, Path((c, k)): Path<(CustomerId, CartId)>) -> Response {
    answer(201, with_world(&e, true, |w| w.checkout(&c, &k)))
}

async fn orders(State(e): State<Shared>, Path(c): Path<CustomerId>) -> Response {
    answer(
        200,
        with_world(&e, false, |w| w.orders(&c)).map(Collection::of),
    )
}

async fn create_order(State(e): State<Shared>, Path(c): Path<CustomerId>, body: Bytes) -> Response {
    answer(
        201,
        parse(&body).and_then(|b| with_world(&e, true, |w| w.create_order(&c, b))),
    )
}

async fn order_provisioning(
    State(e): State<Shared>,
    Path((c, o)): Path<(CustomerId, OrderId)>,
) -> Response {
    answer(
        200,
        with_world(&e, false, |w| w.order_provisioning_status(&c, &o)).map(Collection::of),
    )
}

async fn transition_eligibilities(
    State(e): State<Shared>,
    Path((c, s)): Path<(CustomerId, SubscriptionId)>,
) -> Response {
    answer(
        200,
        with_world(&e, false, |w| w.transition_eligibilities(&c, &s)).map(Collection::of),
    )
}

async fn transition(
    State(e): State<Shared>,
    Path((c, s)): Path<(CustomerId, SubscriptionId)>,
    body: Bytes,
) -> Response {
    answer(
        201,
        parse(&body).and_then(|b| with_world(&e, true, |w| w.transition(&c, &s, b))),
    )
}

async fn order(State(e): State<Shared>, Path((c, o)): Path<(CustomerId, OrderId)>) -> Response {
    answer(200, with_world(&e, false, |w| w.order(&c, &o)))
}

// ---------- Catalog ----------

fn country(p: &HashMap<String, String>) -> R<String> {
    match p.get("country") {
        Some(c) if c.len() == 2 => Ok(c.to_uppercase()),
        _ => crate::world::err(
            400,
            "400008",
            "The country query parameter is required (ISO 3166 two-letter code).",
        ),
    }
}

fn sold_in(country: &str) -> bool {
    catalog::COUNTRIES.contains(&country)
}

async fn products(Query(p): Params) -> Response {
    let country = match country(&p) {
        Ok(c) => c,
        Err(r) => return r.into_response(),
    };
    if !p.contains_key("targetView") {
        return api_error(400, "400008", "The targetView query parameter is required.");
    }
    let mut items: Vec<wire::Product> = Vec::new();
    if sold_in(&country) {
        for item in catalog::ITEMS {
            if !items.iter().any(|x| x.id.as_str() == item.product_id) {
                items.push(item.product(&country));
            }
        }
    }
    reply(200, &Collection::of(items))
}

fn find(
    product: &str,
    sku: Option<&str>,
    availability: Option<&str>,
) -> impl Iterator<Item = &'static catalog::CatalogItem> {
    let (product, sku, availability) = (
        product.to_owned(),
        sku.map(str::to_owned),
        availability.map(str::to_owned),
    );
    catalog::ITEMS.iter().filter(move |i| {
        i.product_id.eq_ignore_ascii_case(&product)
            && sku.as_deref().is_none_or(|s| i.sku_id == s)
            && availability
                .as_deref()
                .is_none_or(|a| i.availability_id.eq_ignore_ascii_case(a))
    })
}

async fn product(Path(pid): Path<String>, Query(p): Params) -> Response {
    let country = match country(&p) {
        Ok(c) => c,
        Err(r) => return r.into_response(),
    };
    match find(&pid, None, None).next().filter(|_| sold_in(&country)) {
        Some(item) => reply(200, &item.product(&country)),
        None => api_error(404, "400013", "Product not found."),
    }
}

async fn skus(Path(pid): Path<String>, Query(p): Params) -> Response {
    let country = match country(&p) {
        Ok(c) => c,
        Err(r) => return r.into_response(),
    };
    let items: Vec<_> = find(&pid, None, None)
        .filter(|_| sold_in(&country))
        .map(|i| i.sku(&country))
        .collect();
    if items.is_empty() {
        return api_error(404, "400013", "Product not found.");
    }
    reply(200, &Collection::of(items))
}

async fn sku(Path((pid, sid)): Path<(String, String)>, Query(p): Params) -> Response {
    let country = match country(&p) {
        Ok(c) => c,
        Err(r) => return r.into_response(),
    };
    match find(&pid, Some(&sid), None)
        .next()
        .filter(|_| sold_in(&country))
    {
        Some(item) => reply(200, &item.sku(&country)),
        None => api_error(404, "400018", "SKU not found."),
    }
}

async fn availabilities(Path((pid, sid)): Path<(String, String)>, Query(p): Params) -> Response {
    let country = match country(&p) {
        Ok(c) => c,
        Err(r) => return r.into_response(),
    };
    let items: Vec<_> = find(&pid, Some(&sid), None)
        .filter(|_| sold_in(&country))
        .map(|i| i.availability(&country))
        .collect();
    if items.is_empty() {
        return api_error(404, "400018", "SKU not found.");
    }
    reply(200, &Collection::of(items))
}

async fn availability(
    Path((pid, sid, aid)): Path<(String, String, String)>,
    Query(p): Params,
) -> Response {
    let country = match country(&p) {
        Ok(c) => c,
        Err(r) => return r.into_response(),
    };
    match find(&pid, Some(&sid), Some(&aid))
        .next()
        .filter(|_| sold_in(&country))
    {
        Some(item) => reply(200, &item.availability(&country)),
        None => api_error(404, "400019", "Availability not found."),
    }
}

// ---------- Admin (never called by Seatwise) ----------

async fn get_knobs(State(e): State<Shared>) -> Response {
    Json(e.knobs()).into_response()
}

async fn put_knobs(State(e): State<Shared>, Json(knobs): Json<Knobs>) -> Response {
    e.set_knobs(knobs);
    Json(e.knobs()).into_response()
}

#[derive(Deserialize)]
struct Advance {
    seconds: i64,
}

async fn advance_clock(State(e): State<Shared>, Json(a): Json<Advance>) -> Response {
    e.advance_clock(a.seconds);
    let now = lock(&e.world).now();
    Json(serde_json::json!({ "now": wire::WireTime(now) })).into_response()
}

async fn stats(State(e): State<Shared>) -> Response {
    Json(&e.stats).into_response()
}

async fn request_log(State(e): State<Shared>) -> Response {
    let log: Vec<serde_json::Value> = e
        .request_log()
        .into_iter()
        .map(|(method, path)| serde_json::json!({ "method": method, "path": path }))
        .collect();
    Json(log).into_response()
}

async fn clear_request_log(State(e): State<Shared>) -> Response {
    lock(&e.requests).clear();
    StatusCode::NO_CONTENT.into_response()
}

async fn revoke_tokens(State(e): State<Shared>) -> Response {
    e.revoke_tokens();
    StatusCode::NO_CONTENT.into_response()
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Reset {
    seed: Option<u64>,
    customers: Option<usize>,
    users_per_customer: Option<usize>,
    subscriptions_per_customer: Option<usize>,
}

async fn reset(State(e): State<Shared>, Json(r): Json<Reset>) -> Response {
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
struct OutsideChange {
    quantity: Option<i64>,
    status: Option<String>,
    friendly_name: Option<String>,
}

async fn outside_change(
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

#[cfg(test)]
mod tests {
    use super::canonical;

    #[test]
    fn only_canonical_paths_pass() {
        assert!(canonical("/v1/customers/a/users/b"));
        for bad in [
            "/v1/customers/a/users/..",
            "/v1/customers/a/users/%2e%2E",
            "/v1/customers/a/users/.",
            "/v1/customers//users",
            "/v1/customers/a%2Fb/users",
            "/v1/customers/a%5cb/users",
            "v1/customers",
        ] {
            assert!(!canonical(bad), "{bad}");
        }
    }
}
