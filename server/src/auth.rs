//! Sign-in, sessions and the request-level guards: sessions kept in our database through
//! tower-sessions, the signed-in [`Principal`] attached to every request, an `Origin` check on
//! every state-changing request, sign-in rate limits, and the redirect to the sign-in page.

use std::{
    collections::HashMap,
    net::{IpAddr, SocketAddr},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use app::state::AppState;
use async_trait::async_trait;
use axum::{
    extract::{ConnectInfo, Request, State},
    http::{header, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
    Form,
};
use domain::access::{AccountId, Principal};
use serde::Deserialize;
use time::OffsetDateTime;
use tower_sessions::{
    cookie::{Key, SameSite},
    session::{Id, Record},
    session_store, Expiry, Session, SessionManagerLayer, SessionStore,
};

/// How long a session lives without activity, and at most.
pub const IDLE: time::Duration = time::Duration::hours(8);
pub const ABSOLUTE: Duration = Duration::from_secs(7 * 24 * 3600);

const ACCOUNT: &str = "account";
const SIGNED_IN_AT: &str = "signed_in_at";
const SEEN_AT: &str = "seen_at";
/// Activity moves the idle expiry forward at most this often (one session write each time),
/// instead of a database write on every request.
const TOUCH_EVERY_MS: i64 = 5 * 60 * 1000;

// ---------- The session store ----------

#[derive(Clone, Debug)]
pub struct DbSessionStore {
    store: domain::Store,
}

fn backend(e: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

fn millis(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        let data = serde_json::to_string(&record.data)
            .map_err(|e| session_store::Error::Encode(e.to_string()))?;
        while !self
            .store
            .sessions()
            .insert(&record.id.to_string(), &data, millis(record.expiry_date))
            .await
            .map_err(backend)?
        {
            record.id = Id::default();
        }
        Ok(())
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let data = serde_json::to_string(&record.data)
            .map_err(|e| session_store::Error::Encode(e.to_string()))?;
        self.store
            .sessions()
            .save(&record.id.to_string(), &data, millis(record.expiry_date))
            .await
            .map_err(backend)
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let Some((data, expires)) = self
            .store
            .sessions()
            .load(&id.to_string())
            .await
            .map_err(backend)?
        else {
            return Ok(None);
        };
        Ok(Some(Record {
            id: *id,
            data: serde_json::from_str(&data)
                .map_err(|e| session_store::Error::Decode(e.to_string()))?,
            expiry_date: OffsetDateTime::from_unix_timestamp_nanos(i128::from(expires) * 1_000_000)
                .map_err(|e| session_store::Error::Decode(e.to_string()))?,
        }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.store
            .sessions()
            .delete(&id.to_string())
            .await
            .map_err(backend)
    }
}

pub fn session_layer(
    store: domain::Store,
    session_key: &[u8],
    secure: bool,
) -> SessionManagerLayer<DbSessionStore, tower_sessions::service::SignedCookie> {
    SessionManagerLayer::new(DbSessionStore { store })
        .with_name("seatwise_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(secure)
        .with_expiry(Expiry::OnInactivity(IDLE))
        .with_signed(Key::from(session_key))
}

// ---------- Who is asking ----------

/// Attaches the signed-in [`Principal`] (if any) to the request. A session older than the
/// absolute limit, or whose account was disabled, is ended here.
pub async fn attach_principal(
    State(state): State<AppState>,
    session: Session,
    mut request: Request,
    next: Next,
) -> Response {
    // Assets and health checks need no one: leave the session (and the database) alone.
    let path = request.uri().path();
    if path.starts_with("/pkg/") || matches!(path, "/favicon.svg" | "/healthz" | "/readyz") {
        return next.run(request).await;
    }
    let account: Option<String> = session.get(ACCOUNT).await.ok().flatten();
    if let Some(account) = account {
        let signed_in_at: i64 = session.get(SIGNED_IN_AT).await.ok().flatten().unwrap_or(0);
        let too_old = domain::time::now_millis() - signed_in_at > ABSOLUTE.as_millis() as i64;
        let principal = if too_old {
            None
        } else {
            state
                .store
                .access()
                .principal(&AccountId::new(account))
                .await
                .ok()
                .flatten()
        };
        match principal {
            Some(p) => {
                let now = domain::time::now_millis();
                let seen: i64 = session.get(SEEN_AT).await.ok().flatten().unwrap_or(0);
                if now - seen > TOUCH_EVERY_MS {
                    // Modifying the session makes tower-sessions save it with a new expiry.
                    let _ = session.insert(SEEN_AT, now).await;
                }
                request.extensions_mut().insert(p);
            }
            None => {
                let _ = session.flush().await;
            }
        }
    }
    next.run(request).await
}

/// Pages need a signed-in person; everything else (assets, health, sign-in itself, server
/// functions, which answer for themselves) passes.
pub async fn require_sign_in(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let public = matches!(
        path,
        "/sign-in" | "/healthz" | "/readyz" | "/favicon.svg" | "/workspace"
    ) || path.starts_with("/auth/")
        || path.starts_with("/pkg/")
        || path.starts_with("/api/");
    if public
        || request.extensions().get::<Principal>().is_some()
        || request.method() != Method::GET
    {
        return next.run(request).await;
    }
    let target = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "/".into());
    Redirect::to(&format!("/sign-in?next={}", encode(&target))).into_response()
}

/// Refuses state-changing requests from other origins (cross-site request forgery).
pub async fn check_origin(request: Request, next: Next) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return next.run(request).await;
    }
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok());
    let origin = request
        .headers()
        .get(header::ORIGIN)
        .and_then(|h| h.to_str().ok());
    let same = match (origin, host) {
        (Some(origin), Some(host)) => origin
            .split_once("://")
            .is_some_and(|(_, rest)| rest.eq_ignore_ascii_case(host)),
        _ => false,
    };
    if same {
        next.run(request).await
    } else {
        tracing::warn!(
            origin = origin.unwrap_or("-"),
            "refused a request from another origin"
        );
        (
            StatusCode::FORBIDDEN,
            "This request did not come from a Seatwise page and was refused.",
        )
            .into_response()
    }
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Only local paths, so a sign-in link cannot send people elsewhere.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => "/".into(),
    }
}

// ---------- Sign-in and sign-out ----------

/// Failed sign-ins per account and per address within a window.
#[derive(Default)]
pub struct SignInLimiter {
    failures: Mutex<HashMap<String, (Instant, u32)>>,
}

const WINDOW: Duration = Duration::from_secs(15 * 60);
const PER_ACCOUNT: u32 = 5;
const PER_ADDRESS: u32 = 20;

impl SignInLimiter {
    fn blocked(&self, key: &str, limit: u32) -> bool {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        map.retain(|_, (start, _)| start.elapsed() < WINDOW);
        map.get(key).is_some_and(|(_, n)| *n >= limit)
    }

    fn fail(&self, key: String) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let entry = map.entry(key).or_insert((Instant::now(), 0));
        entry.1 += 1;
    }

    fn clear(&self, key: &str) {
        self.failures
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(key);
    }
}

#[derive(Deserialize)]
pub struct SignInForm {
    email: String,
    password: String,
    next: Option<String>,
}

fn back_to_sign_in(error: &str, next: &str) -> Response {
    Redirect::to(&format!("/sign-in?error={error}&next={}", encode(next))).into_response()
}

pub async fn sign_in(
    State(state): State<AppState>,
    limiter: axum::Extension<Arc<SignInLimiter>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: axum::http::HeaderMap,
    session: Session,
    Form(form): Form<SignInForm>,
) -> Response {
    let rid = request_id(&headers);
    let rid = rid.as_deref();
    let next = safe_next(form.next.as_deref());
    let account_key = format!("account:{}", form.email.trim().to_lowercase());
    let address_key = format!("address:{}", address(peer.ip()));
    if limiter.blocked(&account_key, PER_ACCOUNT) || limiter.blocked(&address_key, PER_ADDRESS) {
        audit(
            &state,
            rid,
            &form.email,
            "sign_in",
            domain::audit::Outcome::Refused,
            "too many attempts",
        )
        .await;
        return back_to_sign_in("throttled", &next);
    }
    let checked = state
        .store
        .access()
        .check_password(&form.email, &form.password)
        .await;
    match checked {
        Ok(Some(principal)) => {
            limiter.clear(&account_key);
            // A new session id at sign-in (no fixation), then the account in it.
            if session.cycle_id().await.is_err()
                || session
                    .insert(ACCOUNT, principal.account.as_str())
                    .await
                    .is_err()
                || session
                    .insert(SIGNED_IN_AT, domain::time::now_millis())
                    .await
                    .is_err()
            {
                return back_to_sign_in("unavailable", &next);
            }
            audit(
                &state,
                rid,
                &principal.email,
                "sign_in",
                domain::audit::Outcome::Succeeded,
                "password",
            )
            .await;
            Redirect::to(&next).into_response()
        }
        Ok(None) => {
            limiter.fail(account_key);
            limiter.fail(address_key);
            audit(
                &state,
                rid,
                &form.email,
                "sign_in",
                domain::audit::Outcome::Refused,
                "wrong email or password",
            )
            .await;
            back_to_sign_in("invalid", &next)
        }
        Err(e) => {
            tracing::error!(error = %e, "sign-in failed");
            back_to_sign_in("unavailable", &next)
        }
    }
}

/// Starts a session for a principal who proved themselves another way (a workspace link).
pub async fn start_session(
    session: &Session,
    principal: &Principal,
) -> Result<(), tower_sessions::session::Error> {
    session.cycle_id().await?;
    session.insert(ACCOUNT, principal.account.as_str()).await?;
    session
        .insert(SIGNED_IN_AT, domain::time::now_millis())
        .await
}

pub async fn sign_out(
    State(state): State<AppState>,
    session: Session,
    request: Request,
) -> Response {
    if let Some(p) = request.extensions().get::<Principal>() {
        audit(
            &state,
            request_id(request.headers()).as_deref(),
            &p.email,
            "sign_out",
            domain::audit::Outcome::Succeeded,
            "",
        )
        .await;
    }
    let _ = session.flush().await;
    Redirect::to("/sign-in?signed_out=1").into_response()
}

fn address(ip: IpAddr) -> String {
    ip.to_string()
}

async fn audit(
    state: &AppState,
    request_id: Option<&str>,
    actor: &str,
    action: &str,
    outcome: domain::audit::Outcome,
    detail: &str,
) {
    let actor = if actor.trim().is_empty() {
        "-"
    } else {
        actor.trim()
    };
    if let Err(e) = state
        .store
        .audit()
        .record(domain::audit::NewEntry {
            actor,
            customer_id: None,
            action,
            outcome,
            detail,
            request_id,
        })
        .await
    {
        tracing::error!(error = %e, "could not write the audit log");
    }
}

fn request_id(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get(app::request_id::HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_only_goes_to_local_paths() {
        assert_eq!(safe_next(Some("/status")), "/status");
        assert_eq!(safe_next(Some("//evil.example/")), "/");
        assert_eq!(safe_next(Some("https://evil.example/")), "/");
        assert_eq!(safe_next(Some("/\\evil")), "/");
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn limiter_blocks_after_the_limit() {
        let l = SignInLimiter::default();
        for _ in 0..PER_ACCOUNT {
            assert!(!l.blocked("a", PER_ACCOUNT));
            l.fail("a".into());
        }
        assert!(l.blocked("a", PER_ACCOUNT));
        l.clear("a");
        assert!(!l.blocked("a", PER_ACCOUNT));
    }
}

// ---------- Workspace links ----------

/// What `/workspace` needs to check links.
pub struct LinkSettings {
    pub secret: Option<Vec<u8>>,
    pub audience: String,
}

#[derive(Deserialize)]
pub struct LinkQuery {
    #[serde(default)]
    token: String,
}

/// A marketplace sends people here with `?token=…`. A valid, unused link starts a session
/// scoped to its customer (or reseller); anything else ends on the sign-in page with the
/// reason, and no session.
pub async fn workspace(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    links: axum::Extension<Arc<LinkSettings>>,
    session: Session,
    axum::extract::Query(query): axum::extract::Query<LinkQuery>,
) -> Response {
    use domain::{
        access::Role,
        audit::Outcome,
        workspace_links::{verify, LinkError, LinkTarget},
    };
    let rid = request_id(&headers);
    let refuse = |code: &'static str, detail: String| {
        let state = state.clone();
        let rid = rid.clone();
        async move {
            audit(
                &state,
                rid.as_deref(),
                "-",
                "workspace_link",
                Outcome::Refused,
                &detail,
            )
            .await;
            Redirect::to(&format!("/sign-in?error={code}")).into_response()
        }
    };
    let Some(secret) = &links.secret else {
        return refuse("link_invalid", "workspace links are not configured".into()).await;
    };
    let now = domain::time::now_millis() / 1000;
    let claims = match verify(secret, &links.audience, &query.token, now) {
        Ok(c) => c,
        Err(LinkError::Expired) => return refuse("link_expired", "expired link".into()).await,
        Err(e) => return refuse("link_invalid", format!("invalid link: {e}")).await,
    };
    match state
        .store
        .sessions()
        .use_link_once(&claims.jti, claims.exp * 1000)
        .await
    {
        Ok(true) => {}
        Ok(false) => {
            return refuse(
                "link_used",
                format!("replayed link {} from {}", claims.jti, claims.iss),
            )
            .await
        }
        Err(e) => {
            tracing::error!(error = %e, "workspace link");
            return Redirect::to("/sign-in?error=unavailable").into_response();
        }
    }
    let access = state.store.access();
    let (role, reseller, customer, landing) = match claims.target() {
        Ok(LinkTarget::Customer(c)) => match access.customer(&c).await {
            Ok(Some(found)) => (Role::CustomerAdmin, None, Some(found.id), "/"),
            _ => return refuse("link_invalid", format!("link for unknown customer {c}")).await,
        },
        Ok(LinkTarget::Reseller(r)) => match access.reseller(&r).await {
            Ok(Some(found)) => (Role::ResellerAdmin, Some(found.id), None, "/"),
            _ => return refuse("link_invalid", format!("link for unknown reseller {r}")).await,
        },
        Err(_) => {
            return refuse("link_invalid", "link without a customer or reseller".into()).await
        }
    };
    let principal = match access
        .account_for_link(role, reseller, customer, &claims.sub, &claims.name)
        .await
    {
        Ok(p) => p,
        Err(e) => return refuse("link_invalid", format!("link for {}: {e}", claims.sub)).await,
    };
    if start_session(&session, &principal).await.is_err() {
        return Redirect::to("/sign-in?error=unavailable").into_response();
    }
    if let Err(e) = state
        .store
        .audit()
        .record(domain::audit::NewEntry {
            actor: &principal.email,
            customer_id: principal.customer.as_ref().map(|c| c.as_str()),
            action: "workspace_link",
            outcome: Outcome::Succeeded,
            detail: &format!("signed in through a link from {}", claims.iss),
            request_id: rid.as_deref(),
        })
        .await
    {
        tracing::error!(error = %e, "could not write the audit log");
    }
    Redirect::to(landing).into_response()
}
