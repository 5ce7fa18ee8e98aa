//! Sign-in and sign-out, with the attempt counters, and setting a password from an invitation.

use std::{
    net::{IpAddr, SocketAddr},
    sync::Arc,
};

use app::state::AppState;
use axum::{
    extract::{ConnectInfo, Request, State},
    response::{IntoResponse, Redirect, Response},
    Form,
};
use domain::access::Principal;
use serde::Deserialize;
use tower_sessions::Session;

use super::{guard::safe_next, ACCOUNT, SIGNED_IN_AT};

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

pub(super) async fn audit(
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

pub(super) fn request_id(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get(app::request_id::HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

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
