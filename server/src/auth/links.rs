//! Workspace links: a marketplace's signed, single-use link that signs someone in.

use std::sync::Arc;

use app::state::AppState;
use axum::{
    extract::State,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use tower_sessions::Session;

use super::sign_in::{audit, request_id, start_session};

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
