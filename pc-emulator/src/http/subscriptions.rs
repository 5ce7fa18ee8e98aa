//! Subscriptions, add-ons and their provisioning status.

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
