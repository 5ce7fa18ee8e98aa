//! Carts, checkout, orders and transitions.

use axum::{
    body::Bytes,
    extract::{Path, State},
    response::Response,
};
use partner_center::{ids::*, wire::Collection};

use super::*;

pub(super) async fn create_cart(
    State(e): State<Shared>,
    Path(c): Path<CustomerId>,
    body: Bytes,
) -> Response {
    answer(
        201,
        parse(&body).and_then(|b| with_world(&e, true, |w| w.create_cart(&c, b))),
    )
}

pub(super) async fn get_cart(
    State(e): State<Shared>,
    Path((c, k)): Path<(CustomerId, CartId)>,
) -> Response {
    answer(200, with_world(&e, false, |w| w.cart(&c, &k)))
}

pub(super) async fn update_cart(
    State(e): State<Shared>,
    Path((c, k)): Path<(CustomerId, CartId)>,
    body: Bytes,
) -> Response {
    // The documentation shows 201 for an update too.
    answer(
        201,
        parse(&body).and_then(|b| with_world(&e, true, |w| w.update_cart(&c, &k, b))),
    )
}

pub(super) async fn checkout(
    State(e): State<Shared>,
    Path((c, k)): Path<(CustomerId, CartId)>,
) -> Response {
    answer(201, with_world(&e, true, |w| w.checkout(&c, &k)))
}

pub(super) async fn orders(State(e): State<Shared>, Path(c): Path<CustomerId>) -> Response {
    answer(
        200,
        with_world(&e, false, |w| w.orders(&c)).map(Collection::of),
    )
}

pub(super) async fn create_order(
    State(e): State<Shared>,
    Path(c): Path<CustomerId>,
    body: Bytes,
) -> Response {
    answer(
        201,
        parse(&body).and_then(|b| with_world(&e, true, |w| w.create_order(&c, b))),
    )
}

pub(super) async fn order_provisioning(
    State(e): State<Shared>,
    Path((c, o)): Path<(CustomerId, OrderId)>,
) -> Response {
    answer(
        200,
        with_world(&e, false, |w| w.order_provisioning_status(&c, &o)).map(Collection::of),
    )
}

pub(super) async fn transition_eligibilities(
    State(e): State<Shared>,
    Path((c, s)): Path<(CustomerId, SubscriptionId)>,
) -> Response {
    answer(
        200,
        with_world(&e, false, |w| w.transition_eligibilities(&c, &s)).map(Collection::of),
    )
}

pub(super) async fn transition(
    State(e): State<Shared>,
    Path((c, s)): Path<(CustomerId, SubscriptionId)>,
    body: Bytes,
) -> Response {
    answer(
        201,
        parse(&body).and_then(|b| with_world(&e, true, |w| w.transition(&c, &s, b))),
    )
}

pub(super) async fn order(
    State(e): State<Shared>,
    Path((c, o)): Path<(CustomerId, OrderId)>,
) -> Response {
    answer(200, with_world(&e, false, |w| w.order(&c, &o)))
}
