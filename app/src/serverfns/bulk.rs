//! The bulk page: users created from a CSV file, and one license swapped for another on chosen
//! users of one customer; each checked first (nothing sent), then run as a job whose progress
//! and result file the page shows.

use leptos::{
    prelude::*,
    server_fn::codec::{GetUrl, StreamingText, TextStream},
};
use serde::{Deserialize, Serialize};

use super::jobs::JobRow;
use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BulkView {
    /// (id, name) of the customers this person may change.
    pub customers: Vec<(String, String)>,
    /// The customer chosen (empty when none).
    pub customer: String,
    /// (SKU id, product name) of its licenses.
    pub skus: Vec<(String, String)>,
    /// (id, user name, display name) of the users to choose from for a swap.
    pub holders: Vec<(String, String, String)>,
    /// (id, name) of the plan templates that may be applied to its users.
    pub templates: Vec<(String, String)>,
    /// The bulk jobs on these customers, newest first.
    pub jobs: Vec<JobRow>,
}

#[server(prefix = "/api", endpoint = "bulk", input = GetUrl)]
pub async fn bulk_data(
    #[server(default)] customer: String,
    #[server(default)] from: String,
    /// `1`: the users to choose from for a swap are listed.
    #[server(default)]
    find: String,
) -> Result<BulkView, AppError> {
    let call = crate::door::caller("bulk.read").await?;
    let customers = changeable_customers(&call).await?;
    // With one customer in reach, it is chosen.
    let customer = match (customer.trim(), customers.as_slice()) {
        ("", [(only, _)]) => only.clone(),
        (chosen, _) => chosen.to_lowercase(),
    };
    let choices = customer_choices(&call, &customer, &from, find == "1").await?;
    let jobs = call.bulk_jobs().await?.into_iter();
    let jobs = jobs.map(|j| JobRow::new(j, Vec::new())).collect();
    Ok(choices.into_view(customers, customer, jobs))
}

/// (id, name) of the customers whose users this person may change (none for read-only roles).
#[cfg(feature = "ssr")]
async fn changeable_customers(call: &domain::Caller) -> Result<Vec<(String, String)>, AppError> {
    if call.who().role.is_read_only() {
        return Ok(Vec::new());
    }
    let customers = call.customers().await?.into_iter();
    Ok(customers
        .map(|(c, _)| (c.id.as_str().to_lowercase(), c.company_name))
        .collect())
}

/// What the chosen customer offers to bulk work (see [`BulkView`]).
#[cfg(feature = "ssr")]
#[derive(Default)]
struct CustomerChoices {
    skus: Vec<(String, String)>,
    holders: Vec<(String, String, String)>,
    templates: Vec<(String, String)>,
}

#[cfg(feature = "ssr")]
impl CustomerChoices {
    fn into_view(
        self,
        customers: Vec<(String, String)>,
        customer: String,
        jobs: Vec<JobRow>,
    ) -> BulkView {
        BulkView {
            customers,
            customer,
            skus: self.skus,
            holders: self.holders,
            templates: self.templates,
            jobs,
        }
    }
}

/// The SKUs, the users to choose from for a swap (when `find`) and the plan templates of the
/// chosen customer (nothing when none is chosen).
#[cfg(feature = "ssr")]
async fn customer_choices(
    call: &domain::Caller,
    customer: &str,
    from: &str,
    find: bool,
) -> Result<CustomerChoices, AppError> {
    if customer.is_empty() {
        return Ok(CustomerChoices::default());
    }
    let id = crate::error::parse_id("customer", customer)?;
    let choices = call.bulk_choices(&id, from, find).await?;
    let templates = call.templates_for(&id).await?.into_iter();
    Ok(CustomerChoices {
        skus: choices.skus,
        holders: choices.holders,
        templates: templates.map(|t| (t.id.to_string(), t.name)).collect(),
    })
}

/// One row of a checked file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PreviewRow {
    pub line: String,
    pub user_name: String,
    pub display_name: String,
    /// Licenses by name, comma-separated.
    pub licenses: String,
    pub role: String,
    /// What running it will do, in words.
    pub action: String,
    pub errors: Vec<String>,
}

/// A checked file, or a checked swap.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckedBulk {
    pub rows: Vec<PreviewRow>,
    /// Subscriptions that grow first, in words.
    pub increases: Vec<String>,
    /// Licenses missing that nothing covers, in words.
    pub missing: Vec<String>,
    pub problems: usize,
    /// Users to create (a file) or to change (a swap).
    pub to_do: usize,
}

impl CheckedBulk {
    pub fn runnable(&self) -> bool {
        self.problems == 0 && self.missing.is_empty() && self.to_do > 0
    }
}

/// Checks a file of new users against the tenant now; nothing is sent.
#[server(prefix = "/api", endpoint = "bulk-preview")]
pub async fn bulk_preview(customer: String, csv: String) -> Result<CheckedBulk, AppError> {
    let call = crate::door::caller("bulk.preview").await?;
    let customer = crate::error::parse_id("customer", &customer)?;
    Ok(call.provision_preview(&customer, &csv).await?.into())
}

/// Queues a checked file as a job; answers the job's id.
#[server(prefix = "/api", endpoint = "bulk-start")]
pub async fn bulk_start(customer: String, csv: String) -> Result<String, AppError> {
    let call = crate::door::caller("bulk.start").await?;
    let customer = crate::error::parse_id("customer", &customer)?;
    Ok(call.provision_start(&customer, &csv).await?)
}

/// Checks a swap (`from` replaced by `to`, SKU ids, either may be empty), or a plan template
/// applied (`template`), on `users` (comma-separated ids); nothing is sent.
#[server(prefix = "/api", endpoint = "swap-preview")]
pub async fn swap_preview(
    customer: String,
    #[server(default)] from: String,
    #[server(default)] to: String,
    #[server(default)] template: String,
    #[server(default)] users: String,
) -> Result<CheckedBulk, AppError> {
    let call = crate::door::caller("swap.preview").await?;
    let customer = crate::error::parse_id("customer", &customer)?;
    let template = crate::serverfns::templates::optional_id(Some(&template))?;
    let users = user_ids(&users)?;
    let checked = call.swap_preview(&customer, &from, &to, template.as_ref(), &users);
    Ok(checked.await?.into())
}

/// Queues a checked swap as a job; answers the job's id.
#[server(prefix = "/api", endpoint = "swap-start")]
pub async fn swap_start(
    customer: String,
    #[server(default)] from: String,
    #[server(default)] to: String,
    #[server(default)] template: String,
    #[server(default)] users: String,
) -> Result<String, AppError> {
    let call = crate::door::caller("swap.start").await?;
    let customer = crate::error::parse_id("customer", &customer)?;
    let template = crate::serverfns::templates::optional_id(Some(&template))?;
    let users = user_ids(&users)?;
    let started = call.swap_start(&customer, &from, &to, template.as_ref(), &users);
    Ok(started.await?)
}

/// A bulk job with its lines so far.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BulkJobPage {
    pub job: JobRow,
    pub customer: String,
    pub lines: Vec<ResultRow>,
    /// Lines not shown (the result file has them all).
    pub more: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultRow {
    pub line: String,
    pub user_name: String,
    pub outcome: String,
    pub detail: String,
}

/// Lines a bulk job's page shows.
pub const SHOWN_LINES: usize = 200;

#[server(prefix = "/api", endpoint = "bulk-job", input = GetUrl)]
pub async fn bulk_job(job: String) -> Result<BulkJobPage, AppError> {
    let call = crate::door::caller("bulk.read").await?;
    let id = domain::service::parse_job_id(&job)?;
    Ok(call.bulk_job(&id, false).await?.into())
}

/// The job and its first [`SHOWN_LINES`] lines, their details in the page's language.
#[cfg(feature = "ssr")]
impl From<domain::service::BulkJob> for BulkJobPage {
    fn from(found: domain::service::BulkJob) -> Self {
        let more = found.lines.len().saturating_sub(SHOWN_LINES);
        let lines = found
            .lines
            .into_iter()
            .take(SHOWN_LINES)
            .map(|l| ResultRow {
                line: l.line,
                user_name: l.user_name,
                outcome: l.outcome,
                detail: crate::language::message(&l.detail),
            });
        BulkJobPage {
            job: JobRow::new(found.job, Vec::new()),
            customer: found.customer_name,
            lines: lines.collect(),
            more,
        }
    }
}

/// A bulk job's result as CSV: a line per user with what happened, and the first password of
/// each user created (kept a week).
#[server(prefix = "/api", endpoint = "bulk-result", input = GetUrl, output = StreamingText)]
pub async fn bulk_result(job: String) -> Result<TextStream<AppError>, AppError> {
    let call = crate::door::caller("bulk.result").await?;
    let id = domain::service::parse_job_id(&job)?;
    let found = call.bulk_job(&id, true).await?;
    super::csv_download("seatwise-bulk-result.csv");
    let mut csv = domain::csv::line(&["line", "user_name", "outcome", "detail", "password"]);
    for l in found.lines {
        csv.push_str(&domain::csv::line(&[
            &l.line,
            &l.user_name,
            &l.outcome,
            &l.detail,
            &l.password,
        ]));
    }
    Ok(TextStream::new(futures_util::stream::iter([Ok(csv)])))
}

#[cfg(feature = "ssr")]
fn user_ids(text: &str) -> Result<Vec<partner_center::UserId>, AppError> {
    text.split([',', '\n'])
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .map(|u| crate::error::parse_id("users", u))
        .collect()
}

#[cfg(feature = "ssr")]
impl From<domain::service::ProvisionPreview> for CheckedBulk {
    fn from(p: domain::service::ProvisionPreview) -> Self {
        use domain::bulk::provision::Plan;
        let (problems, to_do) = (p.problems(), p.to_create());
        checked_bulk(p, problems, to_do, |c| {
            let action = match (&c.plan, c.errors.is_empty()) {
                (_, false) => tr!(words.row_nothing).to_owned(),
                (Plan::Create, true) => tr!(words.row_create).to_owned(),
                (Plan::AddLicenses(missing), true) => {
                    tr!(words.row_add, n = missing.len()).to_string()
                }
                (Plan::Done, true) => tr!(words.row_skip).to_owned(),
            };
            let licenses: Vec<&str> = c.licenses.iter().map(|l| l.name.as_str()).collect();
            PreviewRow {
                line: c.row.line.to_string(),
                licenses: licenses.join(", "),
                user_name: c.row.user_name,
                display_name: c.display_name,
                role: c
                    .role
                    .map(|r| crate::language::directory_role(&r.1))
                    .unwrap_or_default(),
                action,
                errors: c
                    .errors
                    .iter()
                    .map(|e| crate::language::message(e))
                    .collect(),
            }
        })
    }
}

#[cfg(feature = "ssr")]
impl From<domain::service::SwapPreview> for CheckedBulk {
    fn from(p: domain::service::SwapPreview) -> Self {
        let (problems, to_do) = (p.problems(), p.changing());
        checked_bulk(p, problems, to_do, |r| {
            let (action, errors) = match (r.error, r.changes()) {
                (true, _) => (
                    tr!(words.user_out).to_owned(),
                    vec![crate::language::message(&r.note)],
                ),
                (false, _) => (crate::language::messages(&r.note, "; "), Vec::new()),
            };
            PreviewRow {
                line: String::new(),
                user_name: r.user_name,
                display_name: r.display_name,
                licenses: String::new(),
                role: String::new(),
                action,
                errors,
            }
        })
    }
}

#[cfg(feature = "ssr")]
fn checked_bulk<R>(
    p: domain::service::BulkPreview<R>,
    problems: usize,
    to_do: usize,
    row: impl Fn(R) -> PreviewRow,
) -> CheckedBulk {
    CheckedBulk {
        rows: p.rows.into_iter().map(row).collect(),
        increases: increases(&p.increases),
        missing: missing(&p.missing),
        problems,
        to_do,
    }
}

#[cfg(feature = "ssr")]
fn increases(list: &[domain::subscriptions::auto_increase::Increase]) -> Vec<String> {
    list.iter()
        .map(|i| tr!(words.grows, name = i.name.as_str(), by = i.by).to_string())
        .collect()
}

#[cfg(feature = "ssr")]
fn missing(list: &[domain::subscriptions::auto_increase::Shortfall]) -> Vec<String> {
    list.iter()
        .map(|m| {
            let (n, name) = (m.missing, m.name.as_str());
            tr_n!(n, said.more_needed_single | said.more_needed_many, n, name)
        })
        .collect()
}
