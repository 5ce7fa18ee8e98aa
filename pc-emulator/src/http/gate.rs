//! The gate in front of every API call: sign-in, throttling, latency, idempotency, faults,
//! canonical paths and the request log.

use std::time::{Duration, Instant};

use axum::{
    body::{Body, Bytes},
    extract::{Request, State},
    http::{header, HeaderMap, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::Response,
};
use partner_center::wire::ThrottleBody;
use rand::{seq::SliceRandom, Rng};

use crate::{lock, Fault, Knobs};

use super::*;

pub(super) async fn gate(State(e): State<Shared>, request: Request, next: Next) -> Response {
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

pub(super) fn percent_decode(segment: &str) -> String {
    percent_encoding::percent_decode_str(segment)
        .decode_utf8_lossy()
        .into_owned()
}

pub(super) fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

pub(super) async fn gated(
    e: &Shared,
    request: Request,
    request_id: Option<String>,
    next: Next,
) -> Response {
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

    // Faults, for the requests they are aimed at.
    let write = !matches!(*request.method(), Method::GET | Method::HEAD);
    let aimed = knobs.fault_match.is_empty()
        || format!("{} {}", request.method(), request.uri().path()).contains(&knobs.fault_match);
    let fault = if aimed { draw_fault(e, &knobs) } else { None };

    // A write seen before (same method, path and MS-RequestId) gets the same answer again.
    let key = request_id
        .filter(|_| write)
        .map(|id| format!("{} {} {id}", request.method(), request.uri().path()));
    if let Some(key) = &key {
        let seen = lock(&e.idempotency).get(key).cloned();
        if let Some((status, body)) = seen {
            e.stats.replays.fetch_add(1, Relaxed);
            let fault = fault.filter(|_| knobs.fault_replays);
            if fault.is_some() {
                e.stats.faults.fetch_add(1, Relaxed);
            }
            return deliver(&knobs, fault, status, body).await;
        }
    }

    if fault.is_some() {
        e.stats.faults.fetch_add(1, Relaxed);
    }
    if let Some(refusal) = refusal(fault) {
        return refusal;
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
    deliver(&knobs, fault, status, body).await
}

/// A fault drawn at the knobs' rate from their pool.
fn draw_fault(e: &Shared, knobs: &Knobs) -> Option<Fault> {
    let mut rng = lock(&e.rng);
    if knobs.fault_rate <= 0.0 || !rng.gen_bool(knobs.fault_rate.clamp(0.0, 1.0)) {
        return None;
    }
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
}

/// The answer of a fault that refuses before doing anything.
fn refusal(fault: Option<Fault>) -> Option<Response> {
    match fault {
        Some(Fault::Throttle) => Some(throttled(1)),
        Some(Fault::ServerError) => Some(api_error(
            500,
            "800003",
            "An unexpected error occurred (injected).",
        )),
        Some(Fault::Unavailable) => Some(api_error(
            503,
            "800003",
            "The service is unavailable (injected).",
        )),
        _ => None,
    }
}

/// Sends an answer, delayed or cut off mid-body by a fault that strikes after the work.
async fn deliver(knobs: &Knobs, fault: Option<Fault>, status: u16, body: Bytes) -> Response {
    if let Some(refusal) = refusal(fault) {
        return refusal;
    }
    match fault {
        Some(Fault::Slow) => {
            tokio::time::sleep(Duration::from_millis(knobs.slow_ms)).await;
            finish(knobs, status, body)
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
        _ => finish(knobs, status, body),
    }
}

pub(super) fn finish(knobs: &Knobs, status: u16, body: Bytes) -> Response {
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

pub(super) fn throttled(retry_after: u64) -> Response {
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
pub(super) fn tenant_key(path: &str) -> String {
    let mut parts = path.split('/').skip_while(|p| *p != "customers");
    parts.next();
    parts
        .next()
        .map_or_else(|| "partner".to_owned(), |c| c.to_ascii_lowercase())
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
