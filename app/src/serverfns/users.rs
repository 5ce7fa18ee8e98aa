//! Users across every customer the signed-in person may manage (the reseller's multi-customer
//! view, and the service provider's with a reseller filter).

use leptos::{prelude::*, server_fn::codec::GetUrl};
use serde::{Deserialize, Serialize};

use crate::error::AppError;

pub const PAGE: usize = 50;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserItem {
    pub customer: String,
    pub display_name: String,
    pub user_principal_name: String,
    pub usage_location: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerFailure {
    pub customer: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UsersPage {
    pub rows: Vec<UserItem>,
    /// Users matching the filters, over all pages.
    pub matching: usize,
    pub page: usize,
    pub pages: usize,
    pub customers_loaded: usize,
    pub customers_total: usize,
    /// Customers Partner Center did not answer for; the page shows the others.
    pub failures: Vec<CustomerFailure>,
    /// (id, name) of every customer the person may see, for the filter.
    pub customers: Vec<(String, String)>,
    /// (id, name) of the resellers, for the service provider's filter (empty for others).
    pub resellers: Vec<(String, String)>,
}

/// Loads the users of every visible customer (or one, `customer`) from Partner Center,
/// customers in parallel within each connection's limits, then filters, sorts and pages.
#[server(prefix = "/api", endpoint = "users", input = GetUrl)]
pub async fn users_view(
    customer: Option<String>,
    reseller: Option<String>,
    search: Option<String>,
    page: Option<usize>,
) -> Result<UsersPage, AppError> {
    use futures_util::{stream, StreamExt};

    let who = crate::auth::require_principal("users.list").await?;
    let state = expect_context::<crate::state::AppState>();
    let access = state.store.access();
    let db = |e| AppError::unavailable("The database", e);
    let visible = access.visible_customers(&who).await.map_err(db)?;
    let wanted = customer
        .map(|c| c.trim().to_lowercase())
        .filter(|c| !c.is_empty());
    let reseller = reseller
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty());
    let targets: Vec<_> = match &wanted {
        Some(id) => vec![partner_center::CustomerId::new(id.clone())],
        None => visible
            .iter()
            .filter(|c| {
                reseller
                    .as_ref()
                    .is_none_or(|r| c.reseller_id.as_ref().is_some_and(|x| x.as_str() == r))
            })
            .map(|c| c.id.clone())
            .collect(),
    };
    let resellers = if who.role.is_service_provider() {
        access
            .resellers()
            .await
            .map_err(db)?
            .into_iter()
            .map(|r| (r.id.to_string(), r.name))
            .collect()
    } else {
        Vec::new()
    };

    let loads = stream::iter(targets.iter().cloned())
        .map(|id| {
            let (state, who) = (state.clone(), who.clone());
            async move {
                let scope = match state.store.access().authorize(&who, &id).await {
                    Ok(scope) => scope,
                    Err(_) => return Err((id.to_string(), None)),
                };
                let name = scope.customer().company_name.clone();
                let pc = state
                    .clients
                    .get(&state.store, &state.sealer, &scope.customer().connection_id)
                    .await
                    .map_err(|e| (name.clone(), Some(e.to_string())))?;
                domain::directory::users(&scope, &pc)
                    .await
                    .map_err(|e| (name, Some(e.to_string())))
            }
        })
        .buffer_unordered(32)
        .collect::<Vec<_>>()
        .await;

    let mut rows = Vec::new();
    let mut failures = Vec::new();
    for load in loads {
        match load {
            Ok(users) => rows.extend(users),
            Err((customer, None)) => {
                crate::audit::record(
                    &who.email,
                    Some(&customer),
                    "users.list",
                    domain::audit::Outcome::Refused,
                    "customer not in scope",
                )
                .await;
                return Err(AppError::new(
                    crate::error::ErrorKind::Forbidden,
                    "You do not have access to this customer.",
                ));
            }
            Err((customer, Some(message))) => {
                tracing::warn!(customer, message, "users of a customer could not be loaded");
                failures.push(CustomerFailure {
                    customer,
                    message:
                        "Partner Center did not answer for this customer. Try again in a moment."
                            .into(),
                });
            }
        }
    }
    let customers_loaded = targets.len() - failures.len();
    let needle = search.map(|s| s.trim().to_lowercase()).unwrap_or_default();
    rows.retain(|u| {
        needle.is_empty()
            || u.display_name.to_lowercase().contains(&needle)
            || u.user_principal_name.to_lowercase().contains(&needle)
    });
    rows.sort_by(|a, b| {
        (
            a.customer_name.to_lowercase(),
            a.display_name.to_lowercase(),
        )
            .cmp(&(
                b.customer_name.to_lowercase(),
                b.display_name.to_lowercase(),
            ))
    });
    let matching = rows.len();
    let pages = matching.div_ceil(PAGE).max(1);
    let page = page.unwrap_or(1).clamp(1, pages);
    let rows = rows
        .into_iter()
        .skip((page - 1) * PAGE)
        .take(PAGE)
        .map(|u| UserItem {
            customer: u.customer_name,
            display_name: u.display_name,
            user_principal_name: u.user_principal_name,
            usage_location: u.usage_location,
        })
        .collect();
    Ok(UsersPage {
        rows,
        matching,
        page,
        pages,
        customers_loaded,
        customers_total: targets.len(),
        failures,
        customers: visible
            .into_iter()
            .map(|c| (c.id.to_string(), c.company_name))
            .collect(),
        resellers,
    })
}
