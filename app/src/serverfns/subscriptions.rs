//! The subscriptions page: the subscriptions of every customer the signed-in person may see,
//! from the store, read from Partner Center when the page's setting says so or when asked.

use leptos::{prelude::*, server_fn::codec::GetUrl};
use serde::{Deserialize, Serialize};

use crate::error::AppError;

pub const PAGE: usize = 50;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubscriptionItem {
    pub customer_id: String,
    pub customer: String,
    pub connection: String,
    pub id: String,
    pub product: String,
    pub friendly_name: String,
    pub quantity: i64,
    /// `active`, `suspended`, …
    pub status: String,
    /// "Monthly", "Annual", …
    pub billing: String,
    /// "1 month", "1 year", …
    pub term: String,
    /// `YYYY-MM-DD`, empty when unknown.
    pub start: String,
    pub commitment_end: String,
    /// Until when a decrease or cancellation is allowed (new commerce), `YYYY-MM-DD`.
    pub cancel_until: String,
    pub auto_renew: bool,
    /// The change scheduled for renewal, in words; empty when none.
    pub next_term: String,
    pub publisher: String,
    pub add_on: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubscriptionsPage {
    pub rows: Vec<SubscriptionItem>,
    pub matching: usize,
    pub page: usize,
    pub pages: usize,
    /// When the oldest list shown was read, `YYYY-MM-DD HH:MM UTC`; empty when a selected
    /// customer's list was never read.
    pub read_at: String,
    pub never_read: usize,
    /// Customers Partner Center did not answer for just now.
    pub failures: Vec<String>,
    /// (id, name) of every customer the person may see, for the filter.
    pub customers: Vec<(String, String)>,
    /// The page's setting: read Partner Center when it opens.
    pub live: bool,
}

/// The filters of the subscriptions page, as query parameters.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SubscriptionsFilter {
    pub customer: Option<String>,
    pub search: Option<String>,
    pub status: Option<String>,
    /// `marketplace` for the marketplace (ISV SaaS) tab.
    pub tab: Option<String>,
    /// 1-based.
    pub page: Option<String>,
    /// `1`: read Partner Center first; `0`: the store only; absent: the page's setting.
    pub read: Option<String>,
}

#[server(prefix = "/api", endpoint = "subscriptions", input = GetUrl)]
pub async fn subscriptions_view(
    #[server(flatten)] filter: SubscriptionsFilter,
) -> Result<SubscriptionsPage, AppError> {
    let call = crate::door::caller("subscriptions.list").await?;
    let desk = call.subscriptions(&filter.selection()?).await?;
    let read = match filter.read.as_deref() {
        Some("1") => Some(true),
        Some("0") => Some(false),
        _ => None,
    };
    Ok(desk.view(&filter.query(), read).await?.into())
}

/// Whether the subscriptions page reads Partner Center when it opens (`live`) or shows the
/// store until someone asks (`cache`). Service provider admins only.
#[server(prefix = "/api", endpoint = "subscriptions-load-mode")]
pub async fn set_subscriptions_load_mode(mode: String) -> Result<(), AppError> {
    let admin = crate::door::caller("settings.subscriptions_load_mode")
        .await?
        .provider_admin()
        .await?;
    let mode = domain::users::directory::LoadMode::parse(&mode)
        .ok_or_else(|| AppError::field("mode", "Choose live or cache."))?;
    Ok(admin.set_subscriptions_load_mode(mode).await?)
}

#[cfg(feature = "ssr")]
impl SubscriptionsFilter {
    fn selection(&self) -> Result<domain::service::Selection, AppError> {
        let customer = self
            .customer
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty());
        Ok(domain::service::Selection {
            customer: customer
                .map(|c| crate::error::parse_id("customer", c))
                .transpose()?,
            reseller: None,
        })
    }

    fn query(&self) -> domain::subscriptions::SubscriptionQuery {
        domain::subscriptions::SubscriptionQuery {
            search: self.search.clone().unwrap_or_default(),
            status: self.status.clone().unwrap_or_default(),
            marketplace: self.tab.as_deref() == Some("marketplace"),
            page: (self.page.as_deref())
                .and_then(|p| p.trim().parse().ok())
                .unwrap_or(1),
            per_page: PAGE,
        }
    }
}

#[cfg(feature = "ssr")]
impl From<domain::service::SubscriptionsView> for SubscriptionsPage {
    fn from(v: domain::service::SubscriptionsView) -> Self {
        let page = v.page;
        SubscriptionsPage {
            rows: page.rows.into_iter().map(SubscriptionItem::from).collect(),
            matching: page.matching,
            page: page.page,
            pages: page.pages,
            read_at: page
                .oldest_read_at
                .map(domain::time::format_utc_datetime)
                .unwrap_or_default(),
            never_read: page.never_read,
            failures: v.failures,
            customers: v
                .customers
                .into_iter()
                .map(|(id, name)| (id.to_string(), name))
                .collect(),
            live: v.live,
        }
    }
}

#[cfg(feature = "ssr")]
impl From<domain::subscriptions::StoredSubscription> for SubscriptionItem {
    fn from(s: domain::subscriptions::StoredSubscription) -> Self {
        let date = |at: Option<i64>| {
            at.map(|ms| domain::time::format_utc_datetime(ms)[..10].to_owned())
                .unwrap_or_default()
        };
        let mut billing = s.billing_cycle.replace('_', " ");
        if let Some(first) = billing.get_mut(..1) {
            first.make_ascii_uppercase();
        }
        SubscriptionItem {
            customer_id: s.customer_id.to_string(),
            customer: s.customer_name,
            connection: s.connection_name,
            product: s.offer_name,
            friendly_name: s.friendly_name,
            quantity: s.quantity,
            status: s.status,
            billing,
            term: domain::subscriptions::term_words(&s.term_duration).to_owned(),
            start: date(s.start_at),
            commitment_end: date(s.commitment_end_at),
            // Only while the window is open.
            cancel_until: date(
                s.cancel_until_at
                    .filter(|&at| at >= domain::time::now_millis()),
            ),
            auto_renew: s.auto_renew,
            next_term: s.next_term,
            publisher: s.publisher,
            add_on: !s.parent_id.is_empty(),
            id: s.id,
        }
    }
}
