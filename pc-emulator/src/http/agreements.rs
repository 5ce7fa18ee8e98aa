//! Customer agreements: templates, and the partner's confirmations per customer.

use axum::{
    body::Bytes,
    extract::{Path, Query, State},
    response::{IntoResponse, Response},
};
use partner_center::{ids::CustomerId, wire::Collection};

use crate::world::agreement_templates;

use super::*;

pub(super) async fn templates(Query(p): Params) -> Response {
    let kind = p.get("agreementType").map(String::as_str);
    reply(200, &Collection::of(agreement_templates(kind)))
}

pub(super) async fn confirm(
    State(e): State<Shared>,
    Path(c): Path<CustomerId>,
    body: Bytes,
) -> Response {
    match parse(&body).and_then(|b| with_world(&e, true, |w| w.confirm_agreement(&c, b))) {
        Ok(agreement) => reply(201, &agreement),
        // The documented body of this refusal is not the usual error shape.
        Err(e) if e.code == "600061" => reply(
            409,
            &serde_json::json!({
                "code": 600061,
                "message": e.description,
                "description": e.description,
                "errorName": "PartnerConfirmedAgreementAlreadyExists",
                "isRetryable": false,
                "parameters": {},
                "errorMessageExtended": "InternalErrorCode=600061",
            }),
        ),
        Err(e) => e.into_response(),
    }
}

pub(super) async fn list(
    State(e): State<Shared>,
    Path(c): Path<CustomerId>,
    Query(p): Params,
) -> Response {
    let kind = p.get("agreementType").map(String::as_str);
    answer(
        200,
        with_world(&e, false, |w| w.agreements(&c, kind)).map(Collection::of),
    )
}
