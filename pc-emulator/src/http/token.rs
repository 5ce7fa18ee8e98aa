//! The token endpoint (client credentials and refresh tokens).

use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    Form, Json,
};
use partner_center::wire::{self, TokenResponse};
use uuid::Uuid;

use crate::lock;

use super::*;

pub(super) async fn token(
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
