//! The HTTP surface: Leptos pages and server functions, health endpoints, and the tower-http
//! layers every response passes through.

use std::time::Duration;

use app::{request_id::HEADER as REQUEST_ID, shell, state::AppState, App};
use axum::{
    extract::State,
    http::{header, HeaderName, HeaderValue, Request, StatusCode},
    middleware,
    response::{IntoResponse, Response},
    routing::{get, post},
    Extension, Json, Router,
};
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use serde_json::json;
use tower::ServiceBuilder;
use tower_http::{
    catch_panic::CatchPanicLayer,
    compression::{
        predicate::{DefaultPredicate, NotForContentType, Predicate},
        CompressionLayer,
    },
    limit::RequestBodyLimitLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    services::ServeDir,
    set_header::SetResponseHeaderLayer,
    trace::TraceLayer,
};

use crate::{auth, config::Config, secrets::Secrets};
use std::sync::Arc;

/// The compiled site's `/pkg` (wasm, its chunks, JS, CSS) as the build left it: the brotli or
/// gzip file made at build time when the browser takes it, never compressed per request. Names
/// that carry a content hash are kept by browsers for a year.
fn assets(options: &leptos::config::LeptosOptions) -> Router {
    let dir = std::path::Path::new(options.site_root.as_ref()).join(options.site_pkg_dir.as_ref());
    let keep = if options.hash_files {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let cache_control = move |response: &Response<_>| {
        response
            .status()
            .is_success()
            .then(|| HeaderValue::from_static(keep))
    };
    Router::new().nest_service(
        "/pkg",
        ServiceBuilder::new()
            .layer(SetResponseHeaderLayer::overriding(
                header::CACHE_CONTROL,
                cache_control,
            ))
            .service(ServeDir::new(dir).precompressed_br().precompressed_gzip()),
    )
}

/// Pages set their own policy with a per-response nonce; everything else gets this one.
const DEFAULT_CSP: &str =
    "default-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'";

pub fn router(state: AppState, config: &Config, secrets: &Secrets) -> Router {
    let routes = generate_route_list(App);
    let context = {
        let state = state.clone();
        move || {
            provide_context(state.clone());
            app::language::remember_request_locale();
        }
    };
    let pages = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/auth/sign-in", post(auth::sign_in))
        .route("/auth/sign-out", post(auth::sign_out))
        .route("/auth/set-password", post(auth::set_password))
        .route("/workspace", get(auth::workspace))
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(context, shell))
        .with_state(state.clone())
        .layer(middleware::from_fn(auth::require_sign_in))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::attach_principal,
        ))
        .layer(auth::session_layer(
            state.services.store().clone(),
            secrets.session_key.bytes(),
            config.secure_cookies,
        ))
        .layer(Extension(Arc::new(auth::ClientAddress {
            trusted_proxies: config.trusted_proxies.clone(),
        })))
        .layer(Extension(Arc::new(auth::LinkSettings {
            secret: secrets.link_secret.as_ref().map(|k| k.bytes().to_vec()),
            audience: config.link_audience.clone(),
            issuers: config.link_issuers.clone(),
        })))
        .layer(middleware::from_fn(auth::check_origin));

    // Assets bypass the session layers: they are public and must not cost a database read.
    let pages = pages.merge(assets(&state.leptos_options));

    let request_id = HeaderName::from_static(REQUEST_ID);
    let headers = |name: HeaderName, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
    };
    pages.layer(
        ServiceBuilder::new()
            .layer(SetRequestIdLayer::new(request_id.clone(), MakeRequestUuid))
            .layer(
                TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
                    let id = req
                        .headers()
                        .get(REQUEST_ID)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-");
                    tracing::info_span!(
                        "http",
                        method = %req.method(),
                        path = %req.uri().path(),
                        request_id = %id,
                    )
                }),
            )
            .layer(PropagateRequestIdLayer::new(request_id))
            .layer(middleware::from_fn(error_bodies))
            .layer(CatchPanicLayer::custom(panic_response))
            .layer(headers(header::CONTENT_SECURITY_POLICY, DEFAULT_CSP))
            .layer(headers(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
            .layer(headers(header::X_FRAME_OPTIONS, "DENY"))
            .layer(headers(header::REFERRER_POLICY, "same-origin"))
            .layer(headers(
                HeaderName::from_static("cross-origin-opener-policy"),
                "same-origin",
            ))
            .layer(headers(
                HeaderName::from_static("permissions-policy"),
                "camera=(), microphone=(), geolocation=(), payment=()",
            ))
            // Streamed answers (server functions send them as application/octet-stream: the
            // users refresh) must reach the browser line by line; a compressor would hold them
            // back until its buffer fills.
            .layer(
                CompressionLayer::new().compress_when(
                    DefaultPredicate::new()
                        .and(NotForContentType::const_new("application/octet-stream")),
                ),
            )
            .layer(middleware::from_fn_with_state(
                Deadlines {
                    request: Duration::from_secs(config.request_timeout_secs),
                    write: Duration::from_secs(config.write_timeout_secs),
                },
                deadline,
            ))
            .layer(RequestBodyLimitLayer::new(config.body_limit_bytes))
            .layer(SetResponseHeaderLayer::if_not_present(
                header::STRICT_TRANSPORT_SECURITY,
                config
                    .secure_cookies
                    .then(|| HeaderValue::from_static("max-age=31536000; includeSubDomains")),
            )),
    )
}

/// Every error answer carries a message and the request id: plain-text error bodies made by
/// extractors and layers (a body too large, a malformed form, a refused origin) get the id
/// appended; JSON errors (server functions) carry it already.
async fn error_bodies(request: axum::extract::Request, next: middleware::Next) -> Response {
    let id = request
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let response = next.run(request).await;
    let plain = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|t| t.starts_with("text/plain"))
        && !response.headers().contains_key(header::CONTENT_ENCODING);
    let Some(id) = id.filter(|_| response.status().as_u16() >= 400 && plain) else {
        return response;
    };
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return (parts.status, format!("(request id {id})")).into_response();
    };
    let text = String::from_utf8_lossy(&bytes);
    if text.contains(&id) {
        return Response::from_parts(parts, axum::body::Body::from(bytes));
    }
    let message = if text.trim().is_empty() {
        parts
            .status
            .canonical_reason()
            .unwrap_or("Error")
            .to_owned()
    } else {
        text.trim().to_owned()
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    Response::from_parts(
        parts,
        axum::body::Body::from(format!("{message} (request id {id})")),
    )
}

#[derive(Clone, Copy)]
struct Deadlines {
    request: Duration,
    write: Duration,
}

/// Requests that take too long are answered with a message and the request id. A change (a
/// POST to a server function) has the longer write deadline, and since changes run on tasks of
/// their own, the change itself goes on to its end: the answer says it is not confirmed yet,
/// in the shape the page reads server function errors in.
async fn deadline(
    State(limits): State<Deadlines>,
    request: axum::extract::Request,
    next: middleware::Next,
) -> Response {
    let change =
        request.method() == axum::http::Method::POST && request.uri().path().starts_with("/api/");
    let id = request
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let limit = if change { limits.write } else { limits.request };
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) if change => (
            StatusCode::GATEWAY_TIMEOUT,
            Json(json!({
                "kind": "Unconfirmed",
                "message": "This change is taking longer than expected and goes on in the background. \
                            It is not confirmed yet: check before trying again.",
                "request_id": id,
                "field": null,
            })),
        )
            .into_response(),
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            format!(
                "This page took too long to answer. Please try again. (request id {})",
                id.as_deref().unwrap_or("-")
            ),
        )
            .into_response(),
    }
}

/// The process is up and serving.
async fn healthz() -> impl IntoResponse {
    Json(json!({ "status": "ok" }))
}

/// The process can do its work: the database answers.
async fn readyz(State(state): State<AppState>) -> Response {
    let ping = tokio::time::timeout(Duration::from_secs(3), state.services.store().ping()).await;
    match ping {
        Ok(Ok(())) => Json(json!({
            "status": "ready",
            "database": state.services.store().backend().name(),
        }))
        .into_response(),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness check: database unreachable");
            not_ready("database unreachable")
        }
        Err(_) => not_ready("database did not answer within 3 s"),
    }
}

fn not_ready(reason: &str) -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Json(json!({ "status": "unavailable", "reason": reason })),
    )
        .into_response()
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "Something went wrong on our side. Please try again; the request id in the \
         x-request-id header identifies this failure in our logs.",
    )
        .into_response()
}
