//! The request pipeline every operation goes through: rate limit, concurrency limit, token,
//! headers, timeout, retries with backoff that honour `Retry-After`, typed errors, a span.

use std::{
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use http::Method;
use rand::Rng;
use serde::{de::DeserializeOwned, Serialize};
use tokio::sync::Semaphore;
use tracing::Instrument;
use uuid::Uuid;

use crate::{
    auth::{Credential, TokenCache, TokenRequest},
    error::PcError,
    json,
    wire::{ApiError, Collection, Link},
};

/// The HTTP client connections share (one per process).
pub type HttpClient = reqwest::Client;

pub const PUBLIC_API_URL: &str = "https://api.partnercenter.microsoft.com";
pub const PUBLIC_LOGIN_URL: &str = "https://login.microsoftonline.com";
pub const PARTNER_CENTER_RESOURCE: &str = "https://api.partnercenter.microsoft.com";

/// Everything that differs between the real service and the emulator is here.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Without `/v1`: `https://api.partnercenter.microsoft.com`.
    pub api_url: String,
    /// The login authority: `https://login.microsoftonline.com`.
    pub login_url: String,
    /// The partner's tenant id or domain.
    pub tenant: String,
    pub client_id: String,
    pub credential: Credential,
    pub resource: String,
    pub timeout: Duration,
    /// Retries after the first attempt, for throttling, 5xx, timeouts and transport errors.
    pub max_retries: u32,
    pub max_concurrency: usize,
    /// Client-side limit per tenant identifier, below the service's 500 requests/minute.
    pub requests_per_minute: u32,
    /// First backoff step; doubles per retry, with full jitter, capped at 20 s.
    pub backoff_base: Duration,
    /// A budget per tenant shared with other processes (several instances on one database),
    /// taken after the client's own limit; none by default.
    pub shared_budget: Option<crate::budget::Budget>,
}

impl ClientConfig {
    pub fn new(
        api_url: impl Into<String>,
        login_url: impl Into<String>,
        tenant: impl Into<String>,
        client_id: impl Into<String>,
        credential: Credential,
    ) -> Self {
        ClientConfig {
            api_url: api_url.into().trim_end_matches('/').to_owned(),
            login_url: login_url.into().trim_end_matches('/').to_owned(),
            tenant: tenant.into(),
            client_id: client_id.into(),
            credential,
            resource: PARTNER_CENTER_RESOURCE.to_owned(),
            timeout: Duration::from_secs(30),
            max_retries: 4,
            max_concurrency: 32,
            requests_per_minute: 450,
            backoff_base: Duration::from_millis(250),
            shared_budget: None,
        }
    }
}

/// Counters for benchmarks and the status page.
#[derive(Debug, Default)]
pub struct Stats {
    pub calls: AtomicU64,
    pub attempts: AtomicU64,
    pub retries: AtomicU64,
    pub throttled: AtomicU64,
    /// When a call last succeeded (unix milliseconds; 0: not yet).
    pub last_success_ms: AtomicU64,
}

/// A Partner Center connection. Cheap to clone; clones share token, limits and counters.
#[derive(Clone)]
pub struct PartnerCenter {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    config: ClientConfig,
    tokens: TokenCache,
    limiters: crate::limit::Limiters,
    permits: Semaphore,
    stats: Stats,
}

/// One HTTP call as an operation describes it.
pub(crate) struct Call<'a> {
    pub method: Method,
    /// The path template for logs (`/customers/{id}/users`).
    pub template: &'static str,
    /// The path below `/v1` (or a `links.next` relative to it), built from the template with
    /// every `{…}` filled by a percent-encoded segment; an error if a segment cannot be one.
    pub path: Result<String, PcError>,
    pub query: Vec<(&'a str, String)>,
    pub headers: Vec<(String, String)>,
    pub body: Option<serde_json::Value>,
    /// The `MS-RequestId` to send, when the caller keeps one across calls (a checkout asked
    /// again after its answer was lost); a new one otherwise.
    pub request_id: Option<String>,
}

impl<'a> Call<'a> {
    /// `segments` fill the template's placeholders in order, each percent-encoded, so no value
    /// can add, remove or climb a path segment.
    pub fn new(method: Method, template: &'static str, segments: &[&str]) -> Self {
        Call {
            method,
            template,
            path: fill(template, segments),
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
            request_id: None,
        }
    }

    pub fn request_id(mut self, id: &str) -> Self {
        self.request_id = Some(id.to_owned());
        self
    }

    pub fn query(mut self, key: &'a str, value: impl Into<String>) -> Self {
        self.query.push((key, value.into()));
        self
    }

    pub fn json(mut self, body: &impl Serialize) -> Result<Self, PcError> {
        self.body = Some(
            serde_json::to_value(body)
                .map_err(|e| PcError::Decode(format!("request body: {e}")))?,
        );
        Ok(self)
    }
}

impl PartnerCenter {
    /// `http` should be the process's one shared client.
    pub fn new(http: reqwest::Client, config: ClientConfig) -> Self {
        PartnerCenter {
            inner: Arc::new(Inner {
                limiters: crate::limit::Limiters::new(config.requests_per_minute),
                permits: Semaphore::new(config.max_concurrency.max(1)),
                tokens: TokenCache::new(),
                stats: Stats::default(),
                http,
                config,
            }),
        }
    }

    /// A reqwest client with the settings this crate expects.
    pub fn http_client() -> reqwest::Client {
        reqwest::Client::builder()
            .user_agent(concat!("Seatwise/", env!("CARGO_PKG_VERSION")))
            .pool_max_idle_per_host(32)
            .tcp_nodelay(true)
            .build()
            .unwrap_or_default()
    }

    pub fn config(&self) -> &ClientConfig {
        &self.inner.config
    }

    pub fn stats(&self) -> &Stats {
        &self.inner.stats
    }

    /// When a call through this client last succeeded (unix milliseconds), if one has.
    pub fn last_success(&self) -> Option<i64> {
        let at = self.inner.stats.last_success_ms.load(Ordering::Relaxed);
        (at > 0).then_some(at as i64)
    }

    fn url(&self, path: &str) -> Result<String, PcError> {
        resolve(&self.inner.config.api_url, path)
    }

    pub(crate) async fn json<T: DeserializeOwned>(&self, call: Call<'_>) -> Result<T, PcError> {
        let (_, body) = self.send(call).await?;
        json::from_slice(&body).map_err(|e| PcError::Decode(e.to_string()))
    }

    /// The items of an unpaged collection.
    pub(crate) async fn items<T: DeserializeOwned>(
        &self,
        call: Call<'_>,
    ) -> Result<Vec<T>, PcError> {
        let page: Collection<T> = self.json(call).await?;
        Ok(page.items)
    }

    /// For answers with no body worth reading (204 on delete).
    pub(crate) async fn empty(&self, call: Call<'_>) -> Result<u16, PcError> {
        self.send(call).await.map(|(status, _)| status)
    }

    /// Sends with retries. One `MS-RequestId` for all attempts: the service treats a repeat as
    /// the same request, so a retried write is never applied twice.
    pub(crate) async fn send(&self, call: Call<'_>) -> Result<(u16, bytes::Bytes), PcError> {
        let inner = &self.inner;
        let url = match &call.path {
            Ok(path) => self.url(path)?,
            Err(e) => return Err(e.clone()),
        };
        let request_id = call
            .request_id
            .clone()
            .unwrap_or_else(|| Uuid::new_v4().to_string());
        let span = tracing::info_span!(
            "partner_center",
            method = %call.method,
            path = call.template,
            request_id = %request_id,
            status = tracing::field::Empty,
            attempt = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        let started = Instant::now();
        inner.stats.calls.fetch_add(1, Ordering::Relaxed);
        let result = async {
            let _permit = inner
                .permits
                .acquire()
                .await
                .map_err(|_| PcError::Transport("client closed".into()))?;
            let path = call.path.as_deref().unwrap_or_default();
            let limiter = inner.limiters.for_path(path);
            let key = crate::limit::throttle_key(path);
            let mut attempt = 0u32;
            let mut refreshed_token = false;
            // A change whose answer was lost on some attempt may have taken effect.
            let mut lost = false;
            let change = call.method != Method::GET && call.method != Method::HEAD;
            loop {
                limiter.acquire().await;
                if let Some(budget) = &inner.config.shared_budget {
                    budget.take(&key).await;
                }
                attempt += 1;
                inner.stats.attempts.fetch_add(1, Ordering::Relaxed);
                let token = inner.tokens.get(&inner.http, &self.token_request()).await?;
                let outcome = self.attempt(&call, &url, &request_id, &token).await;
                let (status, retry_after, error) = match outcome {
                    Ok(ok) => {
                        inner.stats.last_success_ms.store(now_ms(), Ordering::Relaxed);
                        tracing::Span::current().record("status", ok.0);
                        tracing::Span::current().record("attempt", attempt);
                        return Ok(ok);
                    }
                    Err(failure) => failure,
                };
                if let Some(status) = status {
                    tracing::Span::current().record("status", status);
                }
                tracing::Span::current().record("attempt", attempt);
                if matches!(error, PcError::Auth { .. }) && !refreshed_token {
                    // A token revoked early: fetch a new one once.
                    refreshed_token = true;
                    inner.tokens.invalidate(&token).await;
                    continue;
                }
                if matches!(error, PcError::Throttled { .. }) {
                    inner.stats.throttled.fetch_add(1, Ordering::Relaxed);
                }
                lost |= matches!(error, PcError::Timeout | PcError::Transport(_));
                if !error.is_transient() || attempt > inner.config.max_retries {
                    if change && lost && error.is_transient() {
                        return Err(PcError::OutcomeUnknown(Box::new(error)));
                    }
                    return Err(error);
                }
                inner.stats.retries.fetch_add(1, Ordering::Relaxed);
                let wait = retry_after.unwrap_or_else(|| self.backoff(attempt));
                tracing::warn!(attempt, wait_ms = wait.as_millis() as u64, error = %error, "retrying");
                tokio::time::sleep(wait).await;
            }
        }
        .instrument(span.clone())
        .await;
        span.record("duration_ms", started.elapsed().as_millis() as u64);
        result
    }

    /// One attempt; on failure, the status (if any), the server's `Retry-After`, and the error.
    async fn attempt(
        &self,
        call: &Call<'_>,
        url: &str,
        request_id: &str,
        token: &str,
    ) -> Result<(u16, bytes::Bytes), (Option<u16>, Option<Duration>, PcError)> {
        let inner = &self.inner;
        let mut request = inner
            .http
            .request(call.method.clone(), url)
            .timeout(inner.config.timeout)
            .bearer_auth(token)
            .header("Accept", "application/json")
            .header("MS-RequestId", request_id)
            .header("MS-CorrelationId", Uuid::new_v4().to_string())
            .header("MS-PartnerCenter-Application", "Seatwise");
        if !call.query.is_empty() {
            request = request.query(&call.query);
        }
        for (name, value) in &call.headers {
            request = request.header(name.as_str(), value.as_str());
        }
        if let Some(body) = &call.body {
            request = request.json(body);
        }
        let response = match request.send().await {
            Ok(r) => r,
            Err(e) if e.is_timeout() => return Err((None, None, PcError::Timeout)),
            Err(e) => return Err((None, None, PcError::Transport(e.to_string()))),
        };
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("Retry-After")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let body = match response.bytes().await {
            Ok(b) => b,
            Err(e) if e.is_timeout() => return Err((Some(status), None, PcError::Timeout)),
            Err(e) => return Err((Some(status), None, PcError::Transport(e.to_string()))),
        };
        if (200..300).contains(&status) {
            return Ok((status, body));
        }
        let api_error = json::from_slice::<ApiError>(&body)
            .ok()
            .filter(|e| !e.description.is_empty() || !e.code.is_empty());
        Err((
            Some(status),
            retry_after,
            PcError::from_response(status, api_error, retry_after),
        ))
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let base = self.inner.config.backoff_base.as_millis() as u64;
        let cap = base.saturating_mul(1 << attempt.min(16)).min(20_000);
        Duration::from_millis(rand::thread_rng().gen_range(cap / 2..=cap.max(1)))
    }

    fn token_request(&self) -> TokenRequest<'_> {
        let c = &self.inner.config;
        TokenRequest {
            login_url: &c.login_url,
            tenant: &c.tenant,
            client_id: &c.client_id,
            credential: &c.credential,
            resource: &c.resource,
        }
    }

    /// Pages through a seek-based collection, one request per page.
    pub(crate) fn pager<T: DeserializeOwned>(&self, first: Call<'static>) -> Pager<T> {
        Pager {
            client: self.clone(),
            next: Some(first),
            _items: std::marker::PhantomData,
        }
    }
}

/// Percent-encodes one path segment: everything but the unreserved characters. Segments that
/// a URL parser would still read as "here" or "up" (empty, `.`, `..`, also when encoded) are
/// refused instead.
pub(crate) fn encode_segment(segment: &str) -> Result<String, PcError> {
    if segment.is_empty() || segment.bytes().all(|b| b == b'.') {
        return Err(PcError::Validation {
            status: 400,
            code: String::new(),
            message: format!("{segment:?} cannot be a path segment"),
        });
    }
    // Everything but letters, digits, `-`, `_` and `~`: `.` is encoded too, so that no encoded
    // segment can spell a dot segment.
    const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'~');
    Ok(percent_encoding::utf8_percent_encode(segment, SEGMENT).to_string())
}

/// The template with its `{…}` placeholders replaced, in order, by encoded segments.
pub(crate) fn fill(template: &str, segments: &[&str]) -> Result<String, PcError> {
    let mut out = String::with_capacity(template.len() + 40);
    let mut rest = template;
    let mut segments = segments.iter();
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..].find('}').map_or(rest.len(), |c| open + c + 1);
        let segment = segments.next().ok_or_else(|| PcError::Validation {
            status: 400,
            code: String::new(),
            message: format!("{template}: a path segment is missing"),
        })?;
        out.push_str(&encode_segment(segment)?);
        rest = &rest[close..];
    }
    out.push_str(rest);
    debug_assert!(segments.next().is_none(), "{template}: too many segments");
    Ok(out)
}

/// `links.*.uri` are relative to `/v1` (sometimes with the `/v1` written out), or absolute.
/// An absolute link is followed only when it points below the API's own URL: the token is
/// never sent anywhere else.
pub(crate) fn resolve(api_url: &str, path: &str) -> Result<String, PcError> {
    if path.starts_with("http://") || path.starts_with("https://") {
        if path.starts_with(&format!("{api_url}/")) {
            Ok(path.to_owned())
        } else {
            Err(PcError::Decode(
                "a link in the answer points outside Partner Center; not followed".into(),
            ))
        }
    } else if path.starts_with("/v1/") {
        Ok(format!("{api_url}{path}"))
    } else {
        Ok(format!(
            "{api_url}/v1{}{path}",
            if path.starts_with('/') { "" } else { "/" }
        ))
    }
}

/// Yields the pages of a seek-based collection; `next_page` returns `None` after the last.
pub struct Pager<T> {
    client: PartnerCenter,
    next: Option<Call<'static>>,
    _items: std::marker::PhantomData<T>,
}

impl<T: DeserializeOwned> Pager<T> {
    pub async fn next_page(&mut self) -> Option<Result<Vec<T>, PcError>> {
        let call = self.next.take()?;
        let template = call.template;
        let page: Collection<T> = match self.client.json(call).await {
            Ok(page) => page,
            Err(e) => return Some(Err(e)),
        };
        self.next = page.next_link().map(|link| follow(template, link));
        Some(Ok(page.items))
    }

    /// Every item of every page.
    pub async fn all(mut self) -> Result<Vec<T>, PcError> {
        let mut items = Vec::new();
        while let Some(page) = self.next_page().await {
            items.extend(page?);
        }
        Ok(items)
    }
}

fn follow(template: &'static str, link: &Link) -> Call<'static> {
    let mut call = Call::new(Method::GET, template, &[]);
    call.path = Ok(link.uri.clone().unwrap_or_default());
    call.headers = link
        .headers
        .iter()
        .map(|h| (h.key.clone(), h.value.clone()))
        .collect();
    call
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

#[cfg(test)]
mod tests {
    use super::{fill, resolve};

    #[test]
    fn links_resolve_with_or_without_v1() {
        let base = "https://api.example";
        let ok = |p: &str| resolve(base, p).unwrap();
        assert_eq!(ok("/customers/1"), "https://api.example/v1/customers/1");
        assert_eq!(ok("/v1/customers/1"), "https://api.example/v1/customers/1");
        assert_eq!(
            ok("customers?size=1"),
            "https://api.example/v1/customers?size=1"
        );
        assert_eq!(ok("https://api.example/v1/x"), "https://api.example/v1/x");
        assert!(resolve(base, "https://other/x").is_err());
        assert!(resolve(base, "https://api.example.evil/x").is_err());
    }

    #[test]
    fn segments_are_encoded_and_dot_segments_refused() {
        let t = "/customers/{id}/users/{user_id}";
        assert_eq!(fill(t, &["a", "b"]).unwrap(), "/customers/a/users/b");
        assert_eq!(
            fill(t, &["a", "../x/y?z#w"]).unwrap(),
            "/customers/a/users/%2E%2E%2Fx%2Fy%3Fz%23w"
        );
        for bad in ["", ".", ".."] {
            assert!(fill(t, &["a", bad]).is_err());
        }
        assert!(fill(t, &["a"]).is_err());
    }

    fn decode(segment: &str) -> Vec<u8> {
        let b = segment.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'%' && i + 2 < b.len() {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap();
                out.push(u8::from_str_radix(hex, 16).unwrap());
                i += 3;
            } else {
                out.push(b[i]);
                i += 1;
            }
        }
        out
    }

    proptest::proptest! {
        /// No id, whatever it holds, yields a URL whose path differs from the template with
        /// that one segment filled in: the URL parser (reqwest's) sees exactly the template's
        /// segments, and the filled one decodes back to the id. Dot segments are refused.
        #[test]
        fn no_id_changes_the_path(id in proptest::prop_oneof![
            proptest::string::string_regex("[./\\\\?#%&=;:@ a-zA-Z0-9\\-]{0,12}").unwrap(),
            proptest::arbitrary::any::<String>(),
        ]) {
            let template = "/customers/{id}/users/{user_id}/licenses";
            match fill(template, &["c1", &id]) {
                Err(_) => proptest::prop_assert!(id.is_empty() || id.bytes().all(|b| b == b'.')),
                Ok(path) => {
                    let url = reqwest::Url::parse(&resolve("https://api.example", &path).unwrap()).unwrap();
                    proptest::prop_assert_eq!(url.host_str(), Some("api.example"));
                    proptest::prop_assert!(url.query().is_none() && url.fragment().is_none());
                    let segments: Vec<&str> = url.path_segments().unwrap().collect();
                    proptest::prop_assert_eq!(segments.len(), 6, "{}", url);
                    proptest::prop_assert_eq!(&segments[..4], &["v1", "customers", "c1", "users"][..]);
                    proptest::prop_assert_eq!(segments[5], "licenses");
                    proptest::prop_assert_eq!(decode(segments[4]), id.as_bytes().to_vec());
                }
            }
        }
    }
}
