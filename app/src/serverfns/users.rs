//! Users across every customer the signed-in person may manage (the reseller's multi-customer
//! view, and the service provider's with a reseller filter): a page of the directory cache,
//! a streamed refresh of it from Partner Center, and the setting that picks the default.

use leptos::{
    prelude::*,
    server_fn::codec::{GetUrl, StreamingText, TextStream},
};
use serde::{Deserialize, Serialize};

use crate::error::AppError;

pub const PAGE: usize = 50;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserItem {
    pub customer_id: String,
    pub customer: String,
    pub id: String,
    pub display_name: String,
    pub user_principal_name: String,
    pub usage_location: Option<String>,
    pub deleted: bool,
    /// Product names; `None` until the customer's licenses were read.
    pub licenses: Option<Vec<String>>,
    pub roles: Vec<String>,
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
    /// (SKU id, product name) known for these customers, for the license filter.
    pub skus: Vec<(String, String)>,
    /// Age of the oldest user list shown, in seconds.
    pub fetched_secs_ago: Option<i64>,
    /// Customers whose licenses and roles have not been read yet.
    pub details_missing: usize,
    /// The default mode: refresh from Partner Center on every visit.
    pub live: bool,
}

/// The filters of the users page, as query parameters.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UsersFilter {
    pub customer: Option<String>,
    pub reseller: Option<String>,
    pub sku: Option<String>,
    /// `active`, `deleted` or empty for both.
    pub state: Option<String>,
    pub search: Option<String>,
    /// `customer` (default), `name`, `upn`, `location`, `state`.
    pub sort: Option<String>,
    /// `desc` for descending.
    pub dir: Option<String>,
    /// 1-based; a number (text, so that the query string can carry it as it is).
    pub page: Option<String>,
    /// Any value: read the user lists from Partner Center before answering.
    pub wait: Option<String>,
}

/// One line of the refresh stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum RefreshUpdate {
    Started { customers: usize },
    Users { customer_id: String },
    Details { customer_id: String },
    Failed { customer: String, message: String },
    Finished,
}

/// A page of the cached users of the visible customers (or one customer, or one reseller's).
/// With `wait`, their user lists are read from Partner Center first (the refresh of a page
/// without JavaScript); otherwise the browser streams the refresh itself.
#[server(prefix = "/api", endpoint = "users", input = GetUrl)]
pub async fn users_view(#[server(flatten)] filter: UsersFilter) -> Result<UsersPage, AppError> {
    use domain::directory::{Depth, RefreshEvent, StateFilter, UserQuery, UserSort};
    use futures_util::StreamExt;

    let who = crate::auth::require_principal("users.list").await?;
    let state = expect_context::<crate::state::AppState>();
    let db = |e| AppError::unavailable("The database", e);
    let (visible, scopes) = server::scopes(
        &who,
        "users.list",
        filter.customer.as_deref(),
        filter.reseller.as_deref(),
    )
    .await?;
    let directory = state.store.directory();
    let mut failures = Vec::new();
    if filter.wait.as_deref().is_some_and(|w| !w.is_empty()) {
        let (targets, unreachable) = server::targets(scopes.clone()).await;
        failures.extend(unreachable);
        let mut events = std::pin::pin!(domain::directory::refresh(
            state.store.clone(),
            targets,
            Depth::Users
        ));
        while let Some(event) = events.next().await {
            if let RefreshEvent::Failed { customer_name, .. } = event {
                failures.push(server::failure(customer_name));
            }
        }
    }
    let fresh = directory.freshness(&scopes).await.map_err(db)?;
    let query = UserQuery {
        sku: filter.sku.clone().filter(|s| !s.trim().is_empty()),
        state: match filter.state.as_deref() {
            Some("active") => StateFilter::Active,
            Some("deleted") => StateFilter::Deleted,
            _ => StateFilter::All,
        },
        search: filter.search.clone().unwrap_or_default(),
        sort: match filter.sort.as_deref() {
            Some("name") => UserSort::Name,
            Some("upn") => UserSort::UserName,
            Some("location") => UserSort::Location,
            Some("state") => UserSort::State,
            _ => UserSort::Customer,
        },
        descending: filter.dir.as_deref() == Some("desc"),
        page: filter
            .page
            .as_deref()
            .and_then(|p| p.trim().parse().ok())
            .unwrap_or(1),
        per_page: PAGE,
    };
    let page = directory.query(&scopes, &query).await.map_err(db)?;
    let skus = directory.skus(&scopes).await.map_err(db)?;
    let live = directory.load_mode().await.map_err(db)? == domain::directory::LoadMode::Live;
    let resellers = if who.role.is_service_provider() {
        state
            .store
            .access()
            .resellers()
            .await
            .map_err(db)?
            .into_iter()
            .map(|r| (r.id.to_string(), r.name))
            .collect()
    } else {
        Vec::new()
    };
    Ok(UsersPage {
        rows: page
            .rows
            .into_iter()
            .map(|u| UserItem {
                customer_id: u.customer_id.to_string(),
                customer: u.customer_name,
                id: u.id.to_string(),
                display_name: u.display_name,
                user_principal_name: u.user_principal_name,
                usage_location: u.usage_location,
                deleted: u.deleted,
                licenses: u.licenses.map(|l| l.into_iter().map(|s| s.name).collect()),
                roles: u.roles,
            })
            .collect(),
        matching: page.matching,
        page: page.page,
        pages: page.pages,
        customers_loaded: scopes.len() - fresh.never_fetched.len(),
        customers_total: scopes.len(),
        failures,
        customers: visible
            .iter()
            .map(|s| {
                (
                    s.customer().id.to_string(),
                    s.customer().company_name.clone(),
                )
            })
            .collect(),
        resellers,
        skus: skus.into_iter().map(|s| (s.sku_id, s.name)).collect(),
        fetched_secs_ago: fresh
            .oldest_users_at
            .map(|at| (domain::time::now_millis() - at).max(0) / 1000),
        details_missing: fresh.details_missing,
        live,
    })
}

/// Reads the users, then licenses and roles, of the visible customers (or one customer, or one
/// reseller's) from Partner Center into the cache, answering one JSON line per customer and
/// stage as it happens.
#[server(prefix = "/api", endpoint = "users-refresh", output = StreamingText)]
pub async fn refresh_users(
    customer: Option<String>,
    reseller: Option<String>,
) -> Result<TextStream<AppError>, AppError> {
    use domain::directory::{Depth, RefreshEvent};
    use futures_util::StreamExt;

    let who = crate::auth::require_principal("users.refresh").await?;
    let state = expect_context::<crate::state::AppState>();
    let (_, scopes) = server::scopes(
        &who,
        "users.refresh",
        customer.as_deref(),
        reseller.as_deref(),
    )
    .await?;
    let (targets, unreachable) = server::targets(scopes).await;
    let unreachable =
        futures_util::stream::iter(unreachable.into_iter().map(|f| RefreshUpdate::Failed {
            customer: f.customer,
            message: f.message,
        }));
    let events =
        domain::directory::refresh(state.store.clone(), targets, Depth::Everything).map(|event| {
            match event {
                RefreshEvent::Started { customers } => RefreshUpdate::Started { customers },
                RefreshEvent::Users { customer_id, .. } => RefreshUpdate::Users {
                    customer_id: customer_id.to_string(),
                },
                RefreshEvent::Details { customer_id } => RefreshUpdate::Details {
                    customer_id: customer_id.to_string(),
                },
                RefreshEvent::Failed { customer_name, .. } => {
                    let f = server::failure(customer_name);
                    RefreshUpdate::Failed {
                        customer: f.customer,
                        message: f.message,
                    }
                }
                RefreshEvent::Finished => RefreshUpdate::Finished,
            }
        });
    let lines = unreachable.chain(events).map(|update| {
        serde_json::to_string(&update)
            .map(|line| server::ascii_line(&line))
            .map_err(AppError::internal)
    });
    Ok(TextStream::new(lines))
}

/// Whether the users pages refresh from Partner Center on every visit (`live`) or show the
/// cache until someone presses Refresh (`cache`). Service provider admins only.
#[server(prefix = "/api", endpoint = "users-load-mode")]
pub async fn set_users_load_mode(mode: String) -> Result<(), AppError> {
    use domain::directory::LoadMode;
    let (who, _) = crate::auth::require_provider_admin("settings.users_load_mode").await?;
    let Some(mode) = LoadMode::parse(&mode) else {
        return Err(AppError::new(
            crate::error::ErrorKind::BadInput,
            "Choose live or cache.",
        ));
    };
    let state = expect_context::<crate::state::AppState>();
    state
        .store
        .directory()
        .set_load_mode(mode)
        .await
        .map_err(|e| AppError::unavailable("The database", e))?;
    crate::audit::record(
        &who.email,
        None,
        "settings.users_load_mode",
        domain::audit::Outcome::Succeeded,
        mode.as_str(),
    )
    .await;
    Ok(())
}

/// The users pages' default mode, for the settings page.
#[server(prefix = "/api", endpoint = "users-load-mode-get", input = GetUrl)]
pub async fn users_load_mode() -> Result<String, AppError> {
    crate::auth::require_service_provider("settings.read", false).await?;
    let state = expect_context::<crate::state::AppState>();
    let mode = state
        .store
        .directory()
        .load_mode()
        .await
        .map_err(|e| AppError::unavailable("The database", e))?;
    Ok(mode.as_str().to_owned())
}

#[cfg(feature = "ssr")]
mod server {
    use domain::access::{AccessError, CustomerScope, Principal};
    use partner_center::PartnerCenter;

    use super::CustomerFailure;
    use crate::error::AppError;

    /// The customers a request may read: every one it may see, and those it asked for (one
    /// customer, refused and audited when not among them, or one reseller's, or all).
    pub async fn scopes(
        who: &Principal,
        action: &str,
        customer: Option<&str>,
        reseller: Option<&str>,
    ) -> Result<(Vec<CustomerScope>, Vec<CustomerScope>), AppError> {
        let state = leptos::prelude::expect_context::<crate::state::AppState>();
        let all = state.store.access().scopes(who).await;
        let all = crate::auth::access_answer(who, action, None, all).await?;
        let customer = customer.map(str::trim).filter(|c| !c.is_empty());
        let reseller = reseller.map(str::trim).filter(|r| !r.is_empty());
        let selected = match customer {
            Some(id) => {
                let wanted: partner_center::CustomerId = crate::error::parse_id("customer", id)?;
                match all.iter().find(|s| s.customer().id == wanted) {
                    Some(scope) => vec![scope.clone()],
                    None => {
                        let refused = Err(AccessError::Forbidden);
                        return crate::auth::access_answer(who, action, Some(id), refused).await;
                    }
                }
            }
            None => all
                .iter()
                .filter(|s| {
                    reseller.is_none_or(|r| {
                        s.customer()
                            .reseller_id
                            .as_ref()
                            .is_some_and(|x| x.as_str() == r)
                    })
                })
                .cloned()
                .collect(),
        };
        Ok((all, selected))
    }

    /// Each customer with its connection's client; customers whose connection cannot be
    /// opened come back as failures.
    pub async fn targets(
        scopes: Vec<CustomerScope>,
    ) -> (Vec<(CustomerScope, PartnerCenter)>, Vec<CustomerFailure>) {
        let state = leptos::prelude::expect_context::<crate::state::AppState>();
        let mut targets = Vec::new();
        let mut failures = Vec::new();
        for scope in scopes {
            let connection = &scope.customer().connection_id;
            match state
                .clients
                .get(&state.store, &state.sealer, connection)
                .await
            {
                Ok(pc) => targets.push((scope, pc)),
                Err(e) => {
                    tracing::warn!(connection.id = %connection, error = %e, "connection not usable");
                    failures.push(failure(scope.customer().company_name.clone()));
                }
            }
        }
        (targets, failures)
    }

    /// The line with every non-ASCII character escaped (`\uXXXX`, valid JSON) and a newline:
    /// the browser decodes each network chunk as text on its own, and a chunk boundary inside
    /// a multi-byte character would break it.
    pub fn ascii_line(json: &str) -> String {
        let mut line = String::with_capacity(json.len() + 1);
        for c in json.chars() {
            if c.is_ascii() {
                line.push(c);
            } else {
                for unit in c.encode_utf16(&mut [0; 2]) {
                    line.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
        line.push('\n');
        line
    }

    pub fn failure(customer: String) -> CustomerFailure {
        CustomerFailure {
            customer,
            message: "Partner Center did not answer for this customer. Try again in a moment."
                .into(),
        }
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    #[test]
    fn stream_lines_are_ascii_and_decode_to_the_same_text() {
        let update = super::RefreshUpdate::Failed {
            customer: "Müller 株式会社 🚀".into(),
            message: "x".into(),
        };
        let line = super::server::ascii_line(&serde_json::to_string(&update).unwrap());
        assert!(line.is_ascii() && line.ends_with('\n'));
        let back: super::RefreshUpdate = serde_json::from_str(line.trim()).unwrap();
        assert_eq!(back, update);
    }
}
