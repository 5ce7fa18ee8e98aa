//! The history page: the subscription history of the customers the signed-in person may see,
//! filtered and paged, and the same entries as a CSV file.

use leptos::{
    prelude::*,
    server_fn::codec::{GetUrl, StreamingText, TextStream},
};
use serde::{Deserialize, Serialize};

use crate::error::AppError;

pub const PAGE: usize = 50;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryRow {
    /// `YYYY-MM-DD HH:MM UTC`.
    pub at: String,
    pub customer_id: String,
    pub customer: String,
    pub subscription_id: String,
    pub product: String,
    /// `change`, `order`, `discovered`, `gone`, `license`.
    pub kind: String,
    /// "quantity 5 → 7", "ordered: 5 × …", …
    pub what: String,
    pub field: String,
    pub old_value: String,
    pub new_value: String,
    pub in_seatwise: bool,
    /// Who, as kept (the "who" filter's value).
    pub actor: String,
    /// Who, in the reader's language ("Partner Center (outside Seatwise)").
    pub actor_words: String,
    pub role: String,
    pub request_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryPageData {
    pub rows: Vec<HistoryRow>,
    pub matching: usize,
    pub page: usize,
    pub pages: usize,
    pub customers: Vec<(String, String)>,
    /// For one subscription: its quantity over time (unix milliseconds, quantity), oldest first.
    pub quantities: Vec<(i64, i64)>,
}

/// The history page's filters, as query parameters.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HistoryFilter {
    pub customer: Option<String>,
    pub subscription: Option<String>,
    pub who: Option<String>,
    /// `change`, `order`, `discovered`, `gone`, `license`.
    pub kind: Option<String>,
    /// `seatwise` or `outside`.
    pub source: Option<String>,
    /// `YYYY-MM-DD` (UTC), both included.
    pub from: Option<String>,
    pub to: Option<String>,
    pub page: Option<String>,
}

#[server(prefix = "/api", endpoint = "history", input = GetUrl)]
pub async fn history(
    #[server(flatten)] filter: HistoryFilter,
) -> Result<HistoryPageData, AppError> {
    let call = crate::door::caller("history.read").await?;
    let view = call.history(filter.query(PAGE)?).await?;
    let chart = chart(&call, &filter).await?;
    Ok(HistoryPageData::new(view, chart))
}

/// For one subscription: its whole quantity history, for the chart (none for a list).
#[cfg(feature = "ssr")]
async fn chart(call: &domain::Caller, filter: &HistoryFilter) -> Result<Vec<(i64, i64)>, AppError> {
    use futures_util::TryStreamExt;
    let one = filter
        .subscription
        .as_deref()
        .is_some_and(|s| !s.trim().is_empty());
    if !one {
        return Ok(Vec::new());
    }
    let export = call.history_export(filter.query(PAGE)?).await?;
    let every: Vec<Vec<domain::history::Entry>> =
        export.batches(EXPORT_BATCH).try_collect().await?;
    Ok(quantities(&every.concat()))
}

/// The entries the filters select (every page), as CSV.
#[server(prefix = "/api", endpoint = "history-csv", input = GetUrl, output = StreamingText)]
pub async fn history_csv(
    #[server(flatten)] filter: HistoryFilter,
) -> Result<TextStream<AppError>, AppError> {
    use futures_util::StreamExt;
    let call = crate::door::caller("history.export").await?;
    let export = call.history_export(filter.query(PAGE)?).await?;
    super::csv_download("subscription-history.csv");
    let names = customer_names(&export.customers);
    // A batch at a time from the store: an export of any length in little memory.
    let lines = export
        .batches(EXPORT_BATCH)
        .map(move |batch| Ok(csv_lines(batch?, &names)));
    Ok(TextStream::new(
        futures_util::stream::once(async move { Ok(CSV_HEADER.to_owned()) }).chain(lines),
    ))
}

/// Entries read from the store at once for an export or a chart.
#[cfg(feature = "ssr")]
const EXPORT_BATCH: usize = 2_000;

#[cfg(feature = "ssr")]
impl HistoryFilter {
    fn query(&self, per_page: usize) -> Result<domain::history::HistoryQuery, AppError> {
        use domain::history::{HistoryQuery, Kind};
        let text = |v: &Option<String>| v.as_deref().map(str::trim).unwrap_or_default().to_owned();
        let customer = match text(&self.customer).as_str() {
            "" => None,
            id => Some(
                crate::error::parse_id::<partner_center::CustomerId>("customer", id)?.to_string(),
            ),
        };
        let subscription = match text(&self.subscription).as_str() {
            "" => String::new(),
            id => crate::error::parse_id::<partner_center::SubscriptionId>("subscription", id)?
                .to_string()
                .to_lowercase(),
        };
        let kind = match text(&self.kind).as_str() {
            "" => None,
            k => Some(Kind::from_name(k).ok_or_else(|| {
                AppError::field(
                    "kind",
                    "Choose change, order, discovered, gone, license or reconcile.",
                )
            })?),
        };
        let in_seatwise = match text(&self.source).as_str() {
            "" => None,
            "seatwise" => Some(true),
            "outside" => Some(false),
            _ => return Err(AppError::field("source", "Choose in Seatwise or outside.")),
        };
        let day = |field: &'static str, v: &Option<String>| -> Result<Option<i64>, AppError> {
            match text(v).as_str() {
                "" => Ok(None),
                d => domain::time::parse_date(d)
                    .map(Some)
                    .ok_or_else(|| AppError::field(field, "Enter the date as YYYY-MM-DD.")),
            }
        };
        let who = text(&self.who);
        if who.chars().count() > 200 {
            return Err(AppError::field("who", "Use at most 200 characters."));
        }
        Ok(HistoryQuery {
            // The door fills these in from who asks.
            customers: Vec::new(),
            every_customer: false,
            customer,
            subscription,
            who,
            kind,
            in_seatwise,
            from: day("from", &self.from)?,
            // The whole last day.
            before: day("to", &self.to)?.map(|d| d + 86_400_000),
            page: text(&self.page).parse().unwrap_or(1),
            per_page,
        })
    }
}

#[cfg(feature = "ssr")]
impl HistoryPageData {
    fn new(v: domain::service::HistoryView, quantities: Vec<(i64, i64)>) -> Self {
        let names = customer_names(&v.customers);
        HistoryPageData {
            rows: v.page.rows.into_iter().map(|e| to_row(e, &names)).collect(),
            matching: v.page.matching,
            page: v.page.page,
            pages: v.page.pages,
            customers: v
                .customers
                .into_iter()
                .map(|(id, name)| (id.to_string(), name))
                .collect(),
            quantities,
        }
    }
}

/// The CSV file's first line.
#[cfg(feature = "ssr")]
const CSV_HEADER: &str = "when_utc,customer,subscription_id,product,kind,field,old_value,new_value,made_in,who,role,request_id\r\n";

/// Entries as lines of the CSV file.
#[cfg(feature = "ssr")]
fn csv_lines(
    entries: Vec<domain::history::Entry>,
    names: &std::collections::HashMap<String, String>,
) -> String {
    entries
        .into_iter()
        .map(|e| csv_line(to_row(e, names)))
        .collect()
}

/// An entry as a line of the CSV file ([`CSV_HEADER`]'s columns, CRLF at the end).
#[cfg(feature = "ssr")]
fn csv_line(r: HistoryRow) -> String {
    let fields = [
        r.at.as_str(),
        &r.customer,
        &r.subscription_id,
        &r.product,
        &r.kind,
        &r.field,
        &r.old_value,
        &r.new_value,
        if r.in_seatwise { "seatwise" } else { "outside" },
        &r.actor,
        &r.role,
        &r.request_id,
    ];
    let line: Vec<String> = fields.iter().map(|f| domain::csv::field(f)).collect();
    line.join(",") + "\r\n"
}

/// Customers' names by id (lower case), as the history keeps the ids.
#[cfg(feature = "ssr")]
fn customer_names(
    customers: &[(partner_center::CustomerId, String)],
) -> std::collections::HashMap<String, String> {
    customers
        .iter()
        .map(|(id, name)| (id.as_str().to_lowercase(), name.clone()))
        .collect()
}

#[cfg(feature = "ssr")]
fn to_row(
    e: domain::history::Entry,
    names: &std::collections::HashMap<String, String>,
) -> HistoryRow {
    HistoryRow {
        at: crate::language::date(&domain::time::format_utc_datetime(e.at)),
        // A customer no longer in Seatwise (its history stays): its id.
        customer: names
            .get(&e.customer_id)
            .cloned()
            .unwrap_or_else(|| e.customer_id.clone()),
        what: what(&e),
        kind: e.kind.as_str().to_owned(),
        customer_id: e.customer_id,
        subscription_id: e.subscription_id,
        product: e.product,
        field: e.field,
        old_value: e.old_value,
        new_value: e.new_value,
        in_seatwise: e.in_seatwise,
        actor_words: crate::language::message(&e.actor),
        actor: e.actor,
        role: e.role,
        request_id: e.request_id,
    }
}

/// An entry in words.
#[cfg(feature = "ssr")]
fn what(e: &domain::history::Entry) -> String {
    use crate::language::{license_change, summary};
    use domain::history::Kind;
    match e.kind {
        Kind::Order => tr!(words.h_ordered, what = summary(&e.new_value)).to_string(),
        Kind::Discovered => tr!(words.h_discovered, what = summary(&e.new_value)).to_string(),
        Kind::Gone => tr!(words.h_gone, what = summary(&e.old_value)).to_string(),
        Kind::License => tr!(words.h_license, what = license_change(&e.new_value)).to_string(),
        Kind::Reconcile if e.field.is_empty() => {
            tr!(words.h_reconciled_added, what = summary(&e.new_value)).to_string()
        }
        Kind::Change | Kind::Reconcile | Kind::Increase => {
            let field = crate::language::field(&e.field);
            let shown = |v: &str| crate::language::shown_value(&e.field, v);
            let (old, new) = (shown(&e.old_value), shown(&e.new_value));
            let (field, old, new) = (field.as_str(), old.as_str(), new.as_str());
            match e.kind {
                Kind::Reconcile => tr!(words.h_reconciled, field, old, new).to_string(),
                Kind::Increase => tr!(words.h_increased, field, old, new).to_string(),
                _ => tr!(words.h_change, field, old, new).to_string(),
            }
        }
    }
}

/// A subscription's quantity over time, from its entries (newest first): where it started
/// (ordered or first seen) and each change.
#[cfg(feature = "ssr")]
fn quantities(rows: &[domain::history::Entry]) -> Vec<(i64, i64)> {
    use domain::history::Kind;
    let mut points: Vec<(i64, i64)> = rows
        .iter()
        .rev()
        .filter_map(|e| match e.kind {
            Kind::Change | Kind::Reconcile | Kind::Increase if e.field == "quantity" => {
                e.new_value.parse().ok().map(|q| (e.at, q))
            }
            Kind::Order | Kind::Discovered | Kind::Reconcile if e.field.is_empty() => e
                .new_value
                .split(" × ")
                .next()
                .and_then(|q| q.parse().ok())
                .map(|q| (e.at, q)),
            _ => None,
        })
        .collect();
    points.dedup();
    points
}
