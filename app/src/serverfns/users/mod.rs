//! Users across every customer the signed-in person may manage (the reseller's multi-customer
//! view, and the service provider's with a reseller filter): a page of the directory cache,
//! and a streamed refresh of it from Partner Center. The one customer's side is in `admin`
//! (its changes) and `licenses` (its licenses table).

pub mod admin;
pub mod licenses;

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
    /// `None` until the customer's licenses were read.
    pub licenses: Option<Vec<LicenseTag>>,
    pub roles: Vec<String>,
}

/// A license a user holds, on the users list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LicenseTag {
    pub name: String,
    /// The names of its service plans the user has off.
    pub plans_off: Vec<String>,
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
    let call = crate::door::caller("users.list").await?;
    let selection = server::selection(filter.customer.as_deref(), filter.reseller.as_deref())?;
    let desk = call.users(&selection).await?;
    let wait = filter.wait.as_deref().is_some_and(|w| !w.is_empty());
    Ok(desk.view(&filter.query(), wait).await?.into())
}

/// Reads the users, then licenses and roles, of the visible customers (or one customer, or one
/// reseller's) from Partner Center into the cache, answering one JSON line per customer and
/// stage as it happens.
#[server(prefix = "/api", endpoint = "users-refresh", output = StreamingText)]
pub async fn refresh_users(
    customer: Option<String>,
    reseller: Option<String>,
) -> Result<TextStream<AppError>, AppError> {
    use futures_util::StreamExt;
    let call = crate::door::caller("users.refresh").await?;
    let desk = call
        .users(&server::selection(
            customer.as_deref(),
            reseller.as_deref(),
        )?)
        .await?;
    let lines = desk.refresh().await.map(|event| {
        serde_json::to_string(&RefreshUpdate::from(event))
            .map(|line| super::json_line(&line))
            .map_err(AppError::internal)
    });
    Ok(TextStream::new(lines))
}

#[cfg(feature = "ssr")]
impl UsersFilter {
    /// The filters as the directory reads them: sorts and states are enums, anything unknown
    /// is the default.
    pub fn query(&self) -> domain::users::directory::UserQuery {
        use domain::users::directory::{StateFilter, UserQuery, UserSort};
        UserQuery {
            sku: self.sku.clone().filter(|s| !s.trim().is_empty()),
            state: match self.state.as_deref() {
                Some("active") => StateFilter::Active,
                Some("deleted") => StateFilter::Deleted,
                _ => StateFilter::All,
            },
            search: self.search.clone().unwrap_or_default(),
            sort: match self.sort.as_deref() {
                Some("name") => UserSort::Name,
                Some("upn") => UserSort::UserName,
                Some("location") => UserSort::Location,
                Some("state") => UserSort::State,
                _ => UserSort::Customer,
            },
            descending: self.dir.as_deref() == Some("desc"),
            page: (self.page.as_deref())
                .and_then(|p| p.trim().parse().ok())
                .unwrap_or(1),
            per_page: PAGE,
        }
    }
}

#[cfg(feature = "ssr")]
mod server {
    use domain::{
        service::{Selection, UsersView},
        users::directory::{DirectoryUser, RefreshEvent},
    };

    use super::{CustomerFailure, LicenseTag, RefreshUpdate, UserItem, UsersPage};
    use crate::error::{parse_id, AppError};

    const NO_ANSWER: &str =
        "Partner Center did not answer for this customer. Try again in a moment.";

    /// One customer, one reseller's, or (both blank) all of them.
    pub fn selection(
        customer: Option<&str>,
        reseller: Option<&str>,
    ) -> Result<Selection, AppError> {
        fn given(v: Option<&str>) -> Option<&str> {
            v.map(str::trim).filter(|v| !v.is_empty())
        }
        Ok(Selection {
            customer: given(customer)
                .map(|c| parse_id("customer", c))
                .transpose()?,
            reseller: given(reseller)
                .map(|r| parse_id("reseller", r))
                .transpose()?,
        })
    }

    impl From<UsersView> for UsersPage {
        fn from(v: UsersView) -> Self {
            let pair = |id: String, name: String| (id, name);
            UsersPage {
                rows: v.page.rows.into_iter().map(UserItem::from).collect(),
                matching: v.page.matching,
                page: v.page.page,
                pages: v.page.pages,
                customers_loaded: v.selected - v.freshness.never_fetched.len(),
                customers_total: v.selected,
                failures: v.failures.into_iter().map(failure).collect(),
                customers: v
                    .customers
                    .into_iter()
                    .map(|(id, n)| pair(id.to_string(), n))
                    .collect(),
                resellers: v
                    .resellers
                    .into_iter()
                    .map(|r| pair(r.id.to_string(), r.name))
                    .collect(),
                skus: v.skus.into_iter().map(|s| pair(s.sku_id, s.name)).collect(),
                fetched_secs_ago: v
                    .freshness
                    .oldest_users_at
                    .map(|at| (domain::time::now_millis() - at).max(0) / 1000),
                details_missing: v.freshness.details_missing,
                live: v.live,
            }
        }
    }

    impl From<DirectoryUser> for UserItem {
        fn from(u: DirectoryUser) -> Self {
            UserItem {
                customer_id: u.customer_id.to_string(),
                customer: u.customer_name,
                id: u.id.to_string(),
                display_name: u.display_name,
                user_principal_name: u.user_principal_name,
                usage_location: u.usage_location,
                deleted: u.deleted,
                licenses: u.licenses.map(|l| {
                    l.into_iter()
                        .map(|s| LicenseTag {
                            name: s.name,
                            plans_off: s.plans_off,
                        })
                        .collect()
                }),
                roles: u
                    .roles
                    .iter()
                    .map(|r| crate::language::directory_role(r))
                    .collect(),
            }
        }
    }

    impl From<RefreshEvent> for RefreshUpdate {
        fn from(event: RefreshEvent) -> Self {
            match event {
                RefreshEvent::Started { customers } => RefreshUpdate::Started { customers },
                RefreshEvent::Users { customer_id, .. } => RefreshUpdate::Users {
                    customer_id: customer_id.to_string(),
                },
                RefreshEvent::Details { customer_id } => RefreshUpdate::Details {
                    customer_id: customer_id.to_string(),
                },
                RefreshEvent::Failed { customer_name, .. } => RefreshUpdate::Failed {
                    customer: customer_name,
                    message: NO_ANSWER.into(),
                },
                RefreshEvent::Finished => RefreshUpdate::Finished,
            }
        }
    }

    fn failure(customer: String) -> CustomerFailure {
        CustomerFailure {
            customer,
            message: NO_ANSWER.into(),
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
        let line = crate::serverfns::json_line(&serde_json::to_string(&update).unwrap());
        assert!(line.is_ascii() && line.ends_with('\n'));
        let back: super::RefreshUpdate = serde_json::from_str(line.trim()).unwrap();
        assert_eq!(back, update);
    }
}
