//! Customers, their users, licenses and directory roles.

use axum::{
    body::Bytes,
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use partner_center::{
    ids::*,
    wire::{self, Collection},
};

use super::*;

pub(super) async fn list_customers(
    State(e): State<Shared>,
    Query(p): Params,
    headers: HeaderMap,
) -> Response {
    let filter = match filter(&p) {
        Ok(f) => f,
        Err(err) => return err.into_response(),
    };
    let items = with_world(&e, false, |w| {
        w.customer_list(
            filter
                .as_ref()
                .map(|f| (f.field.as_str(), f.value.as_str())),
        )
    });
    page(items, "/customers", &p, &headers, 500)
}

pub(super) async fn get_customer(State(e): State<Shared>, Path(c): Path<CustomerId>) -> Response {
    answer(
        200,
        with_world(&e, false, |w| {
            let rec = w.customer(&c)?;
            let mut customer = rec.customer.clone();
            customer.allow_delegated_access = Some(true);
            Ok(customer)
        }),
    )
}

pub(super) async fn create_customer(State(e): State<Shared>, body: Bytes) -> Response {
    answer(
        201,
        parse(&body).and_then(|b| with_world(&e, true, |w| w.create_customer(b))),
    )
}

/// The partner's tenant as the emulator names it in invitation links.
const PARTNER_TENANT: &str = "5e7a1b2c-0000-4000-8000-00000000c5d0";

/// The reseller relationship invitation link (§16): the documented example's URL.
pub(super) async fn relationship_request() -> Response {
    reply(
        200,
        &serde_json::json!({
            "url": format!(
                "https://admin.microsoft.com/Adminportal/Home?invType=ResellerRelationship&partnerId={PARTNER_TENANT}&msppId=0&DAP=false#/BillingAccounts/partner-invitation"
            ),
            "attributes": { "objectType": "RelationshipRequest" }
        }),
    )
}

pub(super) async fn domain_exists(State(e): State<Shared>, Path(domain): Path<String>) -> Response {
    if with_world(&e, false, |w| w.domain_taken(&domain)) {
        StatusCode::OK.into_response()
    } else {
        StatusCode::NOT_FOUND.into_response()
    }
}
pub(super) async fn list_users(
    State(e): State<Shared>,
    Path(c): Path<CustomerId>,
    Query(p): Params,
    headers: HeaderMap,
) -> Response {
    let deleted = match filter(&p) {
        Ok(Some(f)) if f.field.eq_ignore_ascii_case("UserState") => {
            f.value.eq_ignore_ascii_case("Inactive")
        }
        Ok(Some(f)) => {
            return api_error(
                400,
                "800002",
                &format!("Filtering users by {} is not supported.", f.field),
            )
        }
        Ok(None) => false,
        Err(err) => return err.into_response(),
    };
    match with_world(&e, false, |w| w.users(&c, deleted)) {
        Ok(items) => page(items, &format!("/customers/{c}/users"), &p, &headers, 100),
        Err(err) => err.into_response(),
    }
}

pub(super) async fn get_user(
    State(e): State<Shared>,
    Path((c, u)): Path<(CustomerId, UserId)>,
) -> Response {
    answer(200, with_world(&e, false, |w| w.user(&c, &u)))
}

pub(super) async fn create_user(
    State(e): State<Shared>,
    Path(c): Path<CustomerId>,
    body: Bytes,
) -> Response {
    // Documented as 200, not 201 (contract section 11, item 3).
    answer(
        200,
        parse(&body).and_then(|b| with_world(&e, true, |w| w.create_user(&c, b))),
    )
}

pub(super) async fn update_user(
    State(e): State<Shared>,
    Path((c, u)): Path<(CustomerId, UserId)>,
    body: Bytes,
) -> Response {
    answer(
        200,
        parse(&body).and_then(|b| with_world(&e, true, |w| w.update_user(&c, &u, b))),
    )
}

pub(super) async fn delete_user(
    State(e): State<Shared>,
    Path((c, u)): Path<(CustomerId, UserId)>,
) -> Response {
    match with_world(&e, true, |w| w.delete_user(&c, &u)) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(err) => err.into_response(),
    }
}
/// `licenseGroupIds=Group1&licenseGroupIds=Group2`; answers carry lower-case `group1`.
pub(super) fn groups(query: &[(String, String)]) -> Vec<String> {
    query
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("licenseGroupIds"))
        .map(|(_, v)| v.to_ascii_lowercase())
        .collect()
}

pub(super) fn in_groups(sku: &wire::ProductSku, groups: &[String]) -> bool {
    groups.is_empty()
        || sku
            .license_group_id
            .as_deref()
            .is_some_and(|g| groups.iter().any(|x| x.eq_ignore_ascii_case(g)))
}

pub(super) async fn subscribed_skus(
    State(e): State<Shared>,
    Path(c): Path<CustomerId>,
    Query(q): Query<Vec<(String, String)>>,
) -> Response {
    let groups = groups(&q);
    answer(
        200,
        with_world(&e, false, |w| w.subscribed_skus(&c)).map(|items| {
            Collection::of(
                items
                    .into_iter()
                    .filter(|s| in_groups(&s.product_sku, &groups))
                    .collect(),
            )
        }),
    )
}

pub(super) async fn user_licenses(
    State(e): State<Shared>,
    Path((c, u)): Path<(CustomerId, UserId)>,
    Query(q): Query<Vec<(String, String)>>,
) -> Response {
    let groups = groups(&q);
    answer(
        200,
        with_world(&e, false, |w| w.user_licenses(&c, &u)).map(|items| {
            Collection::of(
                items
                    .into_iter()
                    .filter(|l| in_groups(&l.product_sku, &groups))
                    .collect(),
            )
        }),
    )
}

pub(super) async fn update_licenses(
    State(e): State<Shared>,
    Path((c, u)): Path<(CustomerId, UserId)>,
    body: Bytes,
) -> Response {
    answer(
        201,
        parse(&body).and_then(|b| with_world(&e, true, |w| w.update_licenses(&c, &u, b))),
    )
}

pub(super) async fn directory_roles(
    State(e): State<Shared>,
    Path(c): Path<CustomerId>,
) -> Response {
    answer(
        200,
        with_world(&e, false, |w| w.directory_roles(&c)).map(Collection::of),
    )
}

pub(super) async fn user_roles(
    State(e): State<Shared>,
    Path((c, u)): Path<(CustomerId, UserId)>,
) -> Response {
    answer(
        200,
        with_world(&e, false, |w| w.user_roles(&c, &u)).map(Collection::of),
    )
}

pub(super) async fn role_members(
    State(e): State<Shared>,
    Path((c, r)): Path<(CustomerId, RoleId)>,
    Query(p): Params,
    headers: HeaderMap,
) -> Response {
    match with_world(&e, false, |w| w.role_members(&c, &r)) {
        Ok(items) => page(
            items,
            &format!("/customers/{c}/directoryroles/{r}/usermembers"),
            &p,
            &headers,
            100,
        ),
        Err(err) => err.into_response(),
    }
}

pub(super) async fn add_member(
    State(e): State<Shared>,
    Path((c, r)): Path<(CustomerId, RoleId)>,
    body: Bytes,
) -> Response {
    answer(
        201,
        parse(&body).and_then(|b| with_world(&e, true, |w| w.add_role_member(&c, &r, b))),
    )
}

pub(super) async fn remove_member(
    State(e): State<Shared>,
    Path((c, r, u)): Path<(CustomerId, RoleId, UserId)>,
) -> Response {
    match with_world(&e, true, |w| w.remove_role_member(&c, &r, &u)) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(err) => err.into_response(),
    }
}
