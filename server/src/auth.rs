//! Sign-in, sessions and the request-level guards: sessions kept in our database through
//! tower-sessions, the signed-in [`Principal`] attached to every request, an `Origin` check on
//! every state-changing request, sign-in rate limits, and the redirect to the sign-in page.

use std::{
    net::{IpAddr, SocketAddr},
    sync::Arc,
    time::Duration,
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

/// Whose session a record is (the account id it holds, once signed in).
fn account_of(record: &Record) -> Option<String> {
    record
        .data
        .get(ACCOUNT)
        .and_then(|v| v.as_str())
        .map(str::to_owned)
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
            .insert(
                &record.id.to_string(),
                account_of(record).as_deref(),
                &data,
                millis(record.expiry_date),
            )
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
            .save(
                &record.id.to_string(),
                account_of(record).as_deref(),
                &data,
                millis(record.expiry_date),
            )
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

/// The session cookie's name: with https, the `__Host-` prefix makes browsers refuse it unless
/// it is `Secure`, has `Path=/` and no `Domain` (no subdomain can set or shadow it).
pub fn cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-seatwise_session"
    } else {
        "seatwise_session"
    }
}

pub fn session_layer(
    store: domain::Store,
    session_key: &[u8],
    secure: bool,
) -> SessionManagerLayer<DbSessionStore, tower_sessions::service::SignedCookie> {
    SessionManagerLayer::new(DbSessionStore { store })
        .with_name(cookie_name(secure))
        .with_path("/")
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
                .services
                .store()
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
        "/sign-in" | "/set-password" | "/healthz" | "/readyz" | "/favicon.svg" | "/workspace"
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
    Redirect::to(&format!("/sign-in?next={}", app::urls::path(&target))).into_response()
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

/// Only local paths, so a sign-in link cannot send people elsewhere: exactly one leading `/`,
/// no backslash, no control or white-space character (browsers drop tabs and newlines, so
/// `/<TAB>/evil.example` would become `//evil.example`), at most 2,000 characters.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n[1..].starts_with('/')
                && n.len() <= 2000
                && !n
                    .chars()
                    .any(|c| c == '\\' || c.is_control() || c.is_whitespace()) =>
        {
            n.to_owned()
        }
        _ => "/".into(),
    }
}

// ---------- Sign-in and sign-out ----------

/// Where a request comes from: the socket's peer, or, when that peer is a trusted proxy, the
/// first address in `X-Forwarded-For` (from the right) that is not one of the trusted proxies.
pub struct ClientAddress {
    pub trusted_proxies: Vec<crate::config::Network>,
}

impl ClientAddress {
    pub fn of(&self, peer: IpAddr, headers: &axum::http::HeaderMap) -> IpAddr {
        let trusted = |ip: IpAddr| self.trusted_proxies.iter().any(|n| n.contains(ip));
        if !trusted(peer) {
            return peer;
        }
        let forwarded: Vec<IpAddr> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|a| a.trim().parse().ok())
            .collect();
        forwarded
            .iter()
            .rev()
            .find(|ip| !trusted(**ip))
            .or(forwarded.first())
            .copied()
            .unwrap_or(peer)
    }
}

/// The counters a sign-in attempt is reserved against, before any hashing: the account from
/// this source (5 free, then 30 s more per attempt up to 15 min), the source (50 free, 5 s
/// steps up to 5 min), and the account from anywhere (20 free, 2 s steps up to 1 min, so that
/// whoever only knows an address cannot keep its owner out for long).
fn sign_in_rules(email: &str, source: IpAddr) -> Vec<domain::throttle::Rule> {
    use domain::throttle::Rule;
    let email = email.trim().to_lowercase();
    let email: String = email.chars().take(254).collect();
    vec![
        Rule {
            key: format!("pair:{source}|{email}"),
            free: 5,
            step_ms: 30_000,
            cap_ms: 15 * 60_000,
        },
        Rule {
            key: format!("source:{source}"),
            free: 50,
            step_ms: 5_000,
            cap_ms: 5 * 60_000,
        },
        Rule {
            key: format!("account:{email}"),
            free: 20,
            step_ms: 2_000,
            cap_ms: 60_000,
        },
    ]
}

#[derive(Deserialize)]
pub struct SignInForm {
    email: String,
    password: String,
    next: Option<String>,
}

fn back_to_sign_in(error: &str, next: &str) -> Response {
    Redirect::to(&format!(
        "/sign-in?error={error}&next={}",
        app::urls::path(next)
    ))
    .into_response()
}

/// A typed address as the audit log keeps it: at most 200 characters, no control characters.
fn typed_email(email: &str) -> String {
    email
        .trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect()
}

pub async fn sign_in(
    State(state): State<AppState>,
    client: axum::Extension<Arc<ClientAddress>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: axum::http::HeaderMap,
    session: Session,
    Form(form): Form<SignInForm>,
) -> Response {
    use domain::{access::PasswordCheck, audit::Outcome, throttle::Verdict};
    let rid = request_id(&headers);
    let rid = rid.as_deref();
    let next = safe_next(form.next.as_deref());
    let email = typed_email(&form.email);
    if form.password.len() > 1024 {
        return back_to_sign_in("invalid", &next);
    }
    let source = client.of(peer.ip(), &headers);
    let rules = sign_in_rules(&form.email, source);
    match state.services.store().throttle().reserve(&rules).await {
        Ok(Verdict::Go) => {}
        Ok(Verdict::Wait(ms)) => {
            audit(
                &state,
                rid,
                &email,
                "sign_in",
                Outcome::Refused,
                &format!("too many attempts from {source}"),
            )
            .await;
            let seconds = (ms + 999) / 1000;
            return back_to_sign_in(&format!("throttled&wait={seconds}"), &next);
        }
        Err(e) => {
            tracing::error!(error = %e, "sign-in throttle");
            return back_to_sign_in("unavailable", &next);
        }
    }
    let checked = state
        .services
        .store()
        .access()
        .check_password(&form.email, &form.password)
        .await;
    match checked {
        Ok(PasswordCheck::Valid(principal)) => {
            let throttle = state.services.store().throttle();
            let (pair, source_key, account) = (&rules[0].key, &rules[1].key, &rules[2].key);
            let cleared = async {
                throttle.clear(pair).await?;
                throttle.clear(account).await?;
                throttle.give_back(source_key).await
            };
            if let Err(e) = cleared.await {
                tracing::warn!(error = %e, "sign-in counters not cleared");
            }
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
                Outcome::Succeeded,
                "password",
            )
            .await;
            Redirect::to(&next).into_response()
        }
        Ok(PasswordCheck::Invalid) => {
            audit(
                &state,
                rid,
                &email,
                "sign_in",
                Outcome::Refused,
                "wrong email or password",
            )
            .await;
            back_to_sign_in("invalid", &next)
        }
        Ok(PasswordCheck::Busy) => {
            // Not checked: give the attempt back, so that a busy moment costs nobody a try.
            for rule in &rules {
                let _ = state.services.store().throttle().give_back(&rule.key).await;
            }
            back_to_sign_in("busy", &next)
        }
        Err(e) => {
            tracing::error!(error = %e, "sign-in failed");
            back_to_sign_in("unavailable", &next)
        }
    }
}

#[derive(Deserialize)]
pub struct SetPasswordForm {
    token: String,
    password: String,
    confirm: String,
}

/// Where an invitation's form posts: the link's token and the new password, twice. Success
/// leads to the sign-in page; a refusal back to the form with the reason.
pub async fn set_password(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    Form(form): Form<SetPasswordForm>,
) -> Response {
    use domain::audit::Outcome;
    let back = |error: &str| {
        Redirect::to(&format!(
            "/set-password?token={}&error={error}",
            app::urls::path(&form.token)
        ))
        .into_response()
    };
    if form.password != form.confirm {
        return back("mismatch");
    }
    match state
        .services
        .store()
        .accounts()
        .redeem(&form.token, &form.password)
        .await
    {
        Ok(principal) => {
            audit(
                &state,
                request_id(&headers).as_deref(),
                &principal.email,
                "account.set_password",
                Outcome::Succeeded,
                "through a set-password link",
            )
            .await;
            Redirect::to("/sign-in?password_set=1").into_response()
        }
        Err(domain::StoreError::Invalid(message)) if message.starts_with("password:") => {
            back("password")
        }
        Err(domain::StoreError::Invalid(_)) => {
            audit(
                &state,
                request_id(&headers).as_deref(),
                "-",
                "account.set_password",
                Outcome::Refused,
                "invalid, used or expired link",
            )
            .await;
            back("link")
        }
        Err(e) => {
            tracing::error!(error = %e, "set password");
            back("unavailable")
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
        .services
        .store()
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
        assert_eq!(
            safe_next(Some("/users?customer=a&page=2")),
            "/users?customer=a&page=2"
        );
        for bad in [
            "//evil.example/",
            "https://evil.example/",
            "/\\evil",
            "/\tevil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/ /evil.example",
            "///evil.example",
            "evil.example",
            "",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn forwarded_addresses_count_only_behind_a_trusted_proxy() {
        let proxy = crate::config::Network::parse("10.0.0.0/8").unwrap();
        let client = ClientAddress {
            trusted_proxies: vec![proxy],
        };
        let mut headers = axum::http::HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            "1.2.3.4, 203.0.113.9, 10.0.0.7".parse().unwrap(),
        );
        let peer: IpAddr = "10.0.0.1".parse().unwrap();
        assert_eq!(
            client.of(peer, &headers),
            "203.0.113.9".parse::<IpAddr>().unwrap()
        );
        let stranger: IpAddr = "198.51.100.1".parse().unwrap();
        assert_eq!(client.of(stranger, &headers), stranger);
        let nobody = ClientAddress {
            trusted_proxies: vec![],
        };
        assert_eq!(nobody.of(peer, &headers), peer);
    }
}

// ---------- Workspace links ----------

/// What `/workspace` needs to check links.
pub struct LinkSettings {
    pub secret: Option<Vec<u8>>,
    pub audience: String,
    /// The `iss` values accepted.
    pub issuers: Vec<String>,
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
    if !links.issuers.contains(&claims.iss) {
        let iss: String = claims
            .iss
            .chars()
            .filter(|c| !c.is_control())
            .take(100)
            .collect();
        return refuse(
            "link_invalid",
            format!("link from an issuer not configured: {iss:?}"),
        )
        .await;
    }
    match state
        .services
        .store()
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
    let access = state.services.store().access();
    let (role, reseller, customer, landing) = match claims.target() {
        Ok(LinkTarget::Customer(c)) => match access.customer(&c).await {
            Ok(Some(found)) => (Role::CustomerAdmin, None, Some(found.id), "/users"),
            _ => return refuse("link_invalid", format!("link for unknown customer {c}")).await,
        },
        Ok(LinkTarget::Reseller(r)) => match access.reseller(&r).await {
            Ok(Some(found)) => (Role::ResellerAdmin, Some(found.id), None, "/users"),
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
        .services
        .store()
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
