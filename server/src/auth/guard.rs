//! Who is asking: the principal attached to every request, the sign-in redirect, the
//! `Origin` check on changes, and safe redirects after sign-in.

use app::state::AppState;
use axum::{
    extract::{Request, State},
    http::{header, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};
use domain::access::{AccountId, Principal};
use tower_sessions::Session;

use super::{ABSOLUTE, ACCOUNT, SEEN_AT, SIGNED_IN_AT, TOUCH_EVERY_MS};

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

#[cfg(test)]
mod tests {
    use super::safe_next;

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
}
