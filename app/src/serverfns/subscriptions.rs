//! The subscriptions page: the subscriptions of every customer the signed-in person may see,
//! from the store, read from Partner Center when the page's setting says so or when asked.

use leptos::{
    prelude::*,
    server_fn::codec::{GetUrl, StreamingText, TextStream},
};
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

/// One subscription, read from Partner Center now, for its details page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubscriptionFacts {
    pub item: SubscriptionItem,
    /// New commerce (the 7-day rules apply).
    pub nce: bool,
    /// A decrease or cancellation is possible now.
    pub in_window: bool,
    pub may_change: bool,
    /// May change the reseller's Partner ID (the service provider or the reseller).
    pub may_set_partner: bool,
    pub scheduled: bool,
    /// The indirect reseller's Partner ID on record, empty when none.
    pub partner_id: String,
    /// What it can renew with: `term:cycle` and its words ("1 year, billed annually").
    pub next_terms: Vec<(String, String)>,
    /// The `term:cycle` and quantity it renews with now (scheduled, else today's).
    pub next_term: String,
    pub next_quantity: i64,
    /// A marketplace (ISV SaaS) subscription.
    pub marketplace: bool,
    /// Its set-up on the publisher's site is not finished ("Action needed").
    pub pending_setup: bool,
    /// Where to finish it; empty when Partner Center gave no web address.
    pub publisher_link: String,
    /// Auto-increase, for those who set it: the customer's setting, and this subscription's
    /// own (`on`, `off`, or empty when it follows the customer's).
    pub auto_increase: Option<(bool, String)>,
}

#[server(prefix = "/api", endpoint = "subscription", input = GetUrl)]
pub async fn subscription_details(
    customer: String,
    id: String,
) -> Result<SubscriptionFacts, AppError> {
    use crate::error::parse_id;
    let call = crate::door::caller("subscription.read").await?;
    let customer = parse_id("customer", &customer)?;
    let detail = call.subscription(&customer, &parse_id("id", &id)?).await?;
    Ok(SubscriptionFacts::new(&customer, detail))
}

/// Changes one subscription: `change` is `quantity`, `name`, `partner_id` (with `value`),
/// `auto_renew` (`value` on/off), `next_term` (`next` = `term:cycle`, `value` the quantity),
/// `suspend`, `reactivate`, `cancel` or `unschedule`. Answers what was done.
#[server(prefix = "/api", endpoint = "subscription-change")]
pub async fn change_subscription(
    customer: String,
    id: String,
    change: String,
    #[server(default)] value: String,
    #[server(default)] next: String,
) -> Result<String, AppError> {
    use crate::error::parse_id;
    let call = crate::door::caller("subscription.change").await?;
    let (customer, id) = (parse_id("customer", &customer)?, parse_id("id", &id)?);
    let done = call
        .change_subscription(&customer, &id, parse_change(&change, &value, &next)?)
        .await?;
    Ok(done.words + ".")
}

/// Sets auto-increase on assignment: the customer's (`subscription` empty; `value` `on` or
/// `off`) or one subscription's (`value` `on`, `off`, or empty to follow the customer's).
#[server(prefix = "/api", endpoint = "auto-increase-save")]
pub async fn save_auto_increase(
    customer: String,
    #[server(default)] subscription: String,
    #[server(default)] value: String,
) -> Result<String, AppError> {
    use crate::error::{parse_id, parse_optional_id};
    let call = crate::door::caller("auto_increase.save").await?;
    let customer = parse_id("customer", &customer)?;
    let subscription = parse_optional_id("subscription", &subscription)?;
    let enabled = auto_increase_choice(&value, subscription.is_some())?;
    call.set_auto_increase(&customer, subscription.as_ref(), enabled)
        .await?;
    Ok("Auto-increase saved.".into())
}

/// The auto-increase setting chosen: on, off, or (for one subscription) the customer's.
#[cfg(feature = "ssr")]
fn auto_increase_choice(value: &str, one_subscription: bool) -> Result<Option<bool>, AppError> {
    match (value, one_subscription) {
        ("on", _) => Ok(Some(true)),
        ("off", _) => Ok(Some(false)),
        ("", true) => Ok(None),
        _ => Err(AppError::field("value", "Choose on or off.")),
    }
}

/// One line of the streamed read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ReadUpdate {
    Started { customers: usize },
    Read,
    Failed { customer: String },
    Finished,
}

/// Reads the subscriptions of the visible customers (or one customer) from Partner Center into
/// the store, answering one JSON line per customer as it happens.
#[server(prefix = "/api", endpoint = "subscriptions-read", output = StreamingText)]
pub async fn read_subscriptions(
    #[server(default)] customer: String,
) -> Result<TextStream<AppError>, AppError> {
    use futures_util::StreamExt;
    let filter = SubscriptionsFilter {
        customer: Some(customer),
        ..Default::default()
    };
    let call = crate::door::caller("subscriptions.read").await?;
    let desk = call.subscriptions(&filter.selection()?).await?;
    let lines = desk.read().await.map(|event| {
        serde_json::to_string(&ReadUpdate::from(event))
            .map(|line| super::json_line(&line))
            .map_err(AppError::internal)
    });
    Ok(TextStream::new(lines))
}

#[cfg(feature = "ssr")]
impl From<domain::service::ReadEvent> for ReadUpdate {
    fn from(e: domain::service::ReadEvent) -> Self {
        use domain::service::ReadEvent;
        match e {
            ReadEvent::Started { customers } => ReadUpdate::Started { customers },
            ReadEvent::Read { .. } => ReadUpdate::Read,
            ReadEvent::Failed { customer_name, .. } => ReadUpdate::Failed {
                customer: customer_name,
            },
            ReadEvent::Finished => ReadUpdate::Finished,
        }
    }
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
fn parse_change(
    change: &str,
    value: &str,
    next: &str,
) -> Result<domain::subscriptions::change::Change, AppError> {
    use domain::subscriptions::change::Change;
    let quantity = || {
        value
            .trim()
            .parse()
            .map_err(|_| AppError::field("value", "Give the quantity as a whole number."))
    };
    Ok(match change {
        "quantity" => Change::Quantity(quantity()?),
        "name" => Change::FriendlyName(value.to_owned()),
        "partner_id" => Change::PartnerId(value.to_owned()),
        "next_term" => {
            let (term, cycle) = next.split_once(':').ok_or_else(|| {
                AppError::field("next", "Choose a term and billing cycle from the list.")
            })?;
            Change::NextTerm {
                term: term.to_owned(),
                cycle: cycle.to_owned(),
                quantity: quantity()?,
            }
        }
        "auto_renew" => match value {
            "on" => Change::AutoRenew(true),
            "off" => Change::AutoRenew(false),
            _ => return Err(AppError::field("value", "Choose on or off.")),
        },
        "suspend" => Change::Suspend,
        "reactivate" => Change::Reactivate,
        "cancel" => Change::Cancel,
        "unschedule" => Change::Unschedule,
        _ => {
            return Err(AppError::field(
                "change",
                "Choose a change this page offers.",
            ))
        }
    })
}

#[cfg(feature = "ssr")]
impl SubscriptionFacts {
    fn new(customer: &partner_center::CustomerId, d: domain::service::SubscriptionDetail) -> Self {
        let mut stored =
            domain::subscriptions::StoredSubscription::from_wire(customer, &d.subscription);
        stored.customer_name = d.customer_name;
        let w = &d.subscription;
        let scheduled = w.scheduled_next_term_instructions.clone();
        let product = scheduled.as_ref().and_then(|s| s.product.clone());
        let next_term = format!(
            "{}:{}",
            product
                .as_ref()
                .and_then(|p| p.term_duration.clone())
                .or_else(|| w.term_duration.clone())
                .unwrap_or_default(),
            product
                .as_ref()
                .and_then(|p| p.billing_cycle.clone())
                .or_else(|| w.billing_cycle.clone())
                .map(|c| c.as_str().to_owned())
                .unwrap_or_default()
        );
        SubscriptionFacts {
            nce: w.is_nce(),
            in_window: d.in_window,
            may_change: d.may_change,
            may_set_partner: d.may_set_partner,
            scheduled: scheduled.is_some(),
            partner_id: w.partner_id.clone().unwrap_or_default(),
            next_terms: d
                .next_terms
                .iter()
                .map(|(term, cycle)| {
                    (
                        format!("{term}:{cycle}"),
                        crate::language::term_billed(term, cycle),
                    )
                })
                .collect(),
            next_quantity: scheduled
                .as_ref()
                .and_then(|s| s.quantity)
                .unwrap_or(w.quantity),
            next_term,
            auto_increase: d.auto_increase.map(|a| {
                let own = match a.subscriptions.get(&w.id.as_str().to_lowercase()) {
                    Some(true) => "on",
                    Some(false) => "off",
                    None => "",
                };
                (a.customer, own.to_owned())
            }),
            marketplace: domain::subscriptions::change::is_marketplace(w),
            pending_setup: domain::subscriptions::change::is_marketplace(w)
                && w.status == Some(partner_center::wire::SubscriptionStatus::Pending),
            publisher_link: d.publisher_link.clone(),
            item: stored.into(),
        }
    }
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
                .map(|t| crate::language::date(&domain::time::format_utc_datetime(t)))
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
            at.map(|ms| crate::language::date(&domain::time::format_utc_date(ms)))
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
            term: crate::language::term(&s.term_duration),
            start: date(s.start_at),
            commitment_end: date(s.commitment_end_at),
            // Only while the window is open.
            cancel_until: date(
                s.cancel_until_at
                    .filter(|&at| at >= domain::time::now_millis()),
            ),
            auto_renew: s.auto_renew,
            next_term: crate::language::next_term(&s.next_term),
            publisher: s.publisher,
            add_on: !s.parent_id.is_empty(),
            id: s.id,
        }
    }
}
