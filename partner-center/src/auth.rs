//! Access tokens from the login authority (Azure AD v1 token endpoint), cached per connection
//! until shortly before they expire and refreshed by one caller at a time.

use std::time::{Duration, Instant};

use tokio::sync::Mutex;
use tracing::Instrument;

use crate::{error::PcError, json, wire::AadError, wire::TokenResponse};

/// How the connection proves who it is.
#[derive(Clone)]
pub enum Credential {
    /// App-only: client credentials.
    ClientSecret(String),
    /// App+User (secure application model): a stored refresh token.
    RefreshToken {
        refresh_token: String,
        client_secret: Option<String>,
    },
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credential::ClientSecret(_) => f.write_str("ClientSecret([redacted])"),
            Credential::RefreshToken { .. } => f.write_str("RefreshToken([redacted])"),
        }
    }
}

/// Refresh this long before the token's end, so that no call carries an expiring token.
const EARLY_REFRESH: Duration = Duration::from_secs(120);

pub(crate) struct TokenCache {
    current: Mutex<Option<(String, Instant)>>,
}

pub(crate) struct TokenRequest<'a> {
    pub login_url: &'a str,
    pub tenant: &'a str,
    pub client_id: &'a str,
    pub credential: &'a Credential,
    pub resource: &'a str,
}

impl TokenCache {
    pub fn new() -> Self {
        TokenCache {
            current: Mutex::new(None),
        }
    }

    /// A valid token. Concurrent callers wait on the lock while one of them fetches, so an
    /// expired token causes one request to the authority, not one per caller.
    pub async fn get(
        &self,
        http: &reqwest::Client,
        request: &TokenRequest<'_>,
    ) -> Result<String, PcError> {
        let mut current = self.current.lock().await;
        if let Some((token, valid_until)) = current.as_ref() {
            if Instant::now() < *valid_until {
                return Ok(token.clone());
            }
        }
        let fresh = fetch(http, request).await?;
        let lifetime = Duration::from_secs(fresh.expires_in.max(0) as u64);
        let valid_until = Instant::now() + lifetime.saturating_sub(EARLY_REFRESH).max(lifetime / 2);
        *current = Some((fresh.access_token.clone(), valid_until));
        Ok(fresh.access_token)
    }

    /// Forgets `token` if it is still the cached one (after the service rejected it).
    pub async fn invalidate(&self, token: &str) {
        let mut current = self.current.lock().await;
        if current.as_ref().is_some_and(|(t, _)| t == token) {
            *current = None;
        }
    }
}

async fn fetch(http: &reqwest::Client, r: &TokenRequest<'_>) -> Result<TokenResponse, PcError> {
    let url = format!(
        "{}/{}/oauth2/token",
        r.login_url.trim_end_matches('/'),
        r.tenant
    );
    let mut form: Vec<(&str, &str)> = vec![("client_id", r.client_id), ("resource", r.resource)];
    match r.credential {
        Credential::ClientSecret(secret) => {
            form.push(("grant_type", "client_credentials"));
            form.push(("client_secret", secret));
        }
        Credential::RefreshToken {
            refresh_token,
            client_secret,
        } => {
            form.push(("grant_type", "refresh_token"));
            form.push(("refresh_token", refresh_token));
            form.push(("scope", "openid"));
            if let Some(secret) = client_secret {
                form.push(("client_secret", secret));
            }
        }
    }
    let span = tracing::info_span!(
        "partner_center.token",
        tenant = r.tenant,
        status = tracing::field::Empty
    );
    let response = http
        .post(&url)
        .form(&form)
        .send()
        .instrument(span.clone())
        .await
        .map_err(|e| PcError::Transport(format!("token endpoint: {e}")))?;
    let status = response.status();
    span.record("status", status.as_u16());
    let body = response
        .bytes()
        .await
        .map_err(|e| PcError::Transport(format!("token endpoint: {e}")))?;
    if status.is_success() {
        let token: TokenResponse =
            json::from_slice(&body).map_err(|e| PcError::Decode(format!("token response: {e}")))?;
        if token.access_token.is_empty() {
            return Err(PcError::Auth {
                message: "the token endpoint returned no access token".into(),
            });
        }
        Ok(token)
    } else {
        let message = json::from_slice::<AadError>(&body)
            .ok()
            .map(|e| format!("{}: {}", e.error, e.error_description))
            .unwrap_or_else(|| format!("the token endpoint answered HTTP {status}"));
        Err(PcError::Auth { message })
    }
}
