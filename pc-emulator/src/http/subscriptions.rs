//! Subscriptions, add-ons, their provisioning status, and the set-up of marketplace ones
//! (activation links, the sandbox's activate call, and the publisher's page itself).

use axum::{
    body::Bytes,
    extract::{Path, Query, State},
    http::HeaderMap,
    response::Response,
};
use partner_center::{
    ids::*,
    wire::{self, Collection},
};

use super::*;

pub(super) async fn subscriptions(
    State(e): State<Shared>,
    Path(c): Path<CustomerId>,
    Query(p): Params,
) -> Response {
    let order = p.get("order_id").map(|o| OrderId::new(o.as_str()));
    let reseller = p.get("mpn_id").cloned();
    answer(
        200,
        with_world(&e, false, |w| w.subscriptions(&c, order.as_ref())).map(|subs| {
            Collection::of(
                subs.into_iter()
                    .filter(|s| {
                        reseller
                            .as_ref()
                            .is_none_or(|r| s.partner_id.as_ref() == Some(r))
                    })
                    .collect(),
            )
        }),
    )
}

pub(super) async fn subscription(
    State(e): State<Shared>,
    Path((c, s)): Path<(CustomerId, SubscriptionId)>,
) -> Response {
    answer(200, with_world(&e, false, |w| w.subscription(&c, &s)))
}

pub(super) async fn patch_subscription(
    State(e): State<Shared>,
    Path((c, s)): Path<(CustomerId, SubscriptionId)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let if_match = header_text(&headers, "If-Match");
    answer(
        200,
        parse(&body).and_then(|b| {
            with_world(&e, true, |w| {
                w.patch_subscription(&c, &s, b, if_match.as_deref())
            })
        }),
    )
}

pub(super) async fn addons(
    State(e): State<Shared>,
    Path((c, s)): Path<(CustomerId, SubscriptionId)>,
) -> Response {
    answer(
        200,
        with_world(&e, false, |w| {
            w.subscription(&c, &s)
                .map(|_| Collection::<wire::Subscription>::of(Vec::new()))
        }),
    )
}

pub(super) async fn provisioning_status(
    State(e): State<Shared>,
    Path((c, s)): Path<(CustomerId, SubscriptionId)>,
) -> Response {
    answer(
        200,
        with_world(&e, false, |w| w.provisioning_status(&c, &s)),
    )
}

/// The link to the publisher's site, on this emulator (the page below).
pub(super) async fn activation_links(
    State(e): State<Shared>,
    Path((c, s)): Path<(CustomerId, SubscriptionId)>,
    headers: HeaderMap,
) -> Response {
    let host = header_text(&headers, "Host").unwrap_or_else(|| "localhost".into());
    let base = format!("http://{host}");
    answer(
        200,
        with_world(&e, false, |w| w.activation_links(&c, &s, &base)).map(Collection::of),
    )
}

/// The integration sandbox's activate call.
pub(super) async fn activate(
    State(e): State<Shared>,
    Path((c, s)): Path<(CustomerId, SubscriptionId)>,
) -> Response {
    answer(
        200,
        with_world(&e, true, |w| w.activate(&c, &s))
            .map(|sub| serde_json::json!({ "subscriptionId": sub.id, "status": "Success" })),
    )
}

/// The publisher's set-up page the activation link opens: a button that finishes it.
pub(super) async fn publisher_page(
    State(e): State<Shared>,
    Path((c, s)): Path<(CustomerId, SubscriptionId)>,
) -> Response {
    let found = with_world(&e, false, |w| w.subscription(&c, &s));
    let Ok(sub) = found else {
        return html(404, "<h1>Unknown subscription</h1>".into());
    };
    let done = sub.status != Some(wire::SubscriptionStatus::Pending);
    let title = escape(sub.offer_name.as_deref().unwrap_or("your subscription"));
    let publisher = escape(sub.publisher_name.as_deref().unwrap_or("The publisher"));
    let body = if done {
        format!("<p>{title} is set up. You can close this page.</p>")
    } else {
        format!(
            "<p>Finish setting up {title} to start using it.</p>\
             <form method=\"post\"><button type=\"submit\">Finish set-up</button></form>"
        )
    };
    html(
        200,
        format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
             <title>{publisher} set-up</title></head><body><h1>{publisher}</h1>{body}\
             <p><small>Partner Center emulator: the publisher's site.</small></p></body></html>"
        ),
    )
}

pub(super) async fn publisher_finish(
    State(e): State<Shared>,
    Path((c, s)): Path<(CustomerId, SubscriptionId)>,
) -> Response {
    match with_world(&e, true, |w| w.activate(&c, &s)) {
        Ok(_) => publisher_page(State(e), Path((c, s))).await,
        Err(_) => html(
            400,
            "<h1>This subscription cannot be set up here</h1>".into(),
        ),
    }
}

fn html(status: u16, body: String) -> Response {
    Response::builder()
        .status(status)
        .header("Content-Type", "text/html; charset=utf-8")
        .body(axum::body::Body::from(body))
        .unwrap_or_default()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
