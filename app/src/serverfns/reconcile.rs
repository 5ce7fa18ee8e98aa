//! The Reconciliation page: the store against Partner Center per connection (the service
//! provider's staff), and chosen corrective actions previewed, then applied (admins).

use leptos::{prelude::*, server_fn::codec::GetUrl};
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// One finding: what differs for one subscription, and what would correct it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FindingRow {
    /// Names the finding when it is chosen.
    pub key: String,
    pub customer_id: String,
    pub customer: String,
    pub subscription_id: String,
    pub product: String,
    /// "Quantity differs", "Not in Seatwise", …
    pub problem: String,
    /// The store's value and Partner Center's ("" when that side has none).
    pub ours: String,
    pub theirs: String,
    /// "Take Partner Center's value", "Import it", "Mark it as cancelled".
    pub action: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConnectionSection {
    pub id: String,
    pub name: String,
    pub customers: usize,
    /// Customers whose lists agree with Partner Center.
    pub in_agreement: usize,
    /// Customers Partner Center did not answer for: (name, why).
    pub unreachable: Vec<(String, String)>,
    pub findings: Vec<FindingRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReconcileReport {
    pub sections: Vec<ConnectionSection>,
    pub findings: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReconcilePage {
    /// (id, name) of every connection.
    pub connections: Vec<(String, String)>,
    /// Asked for with `run`.
    pub report: Option<ReconcileReport>,
}

/// What corrective actions did (or, previewed, would do).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApplyResult {
    pub dry_run: bool,
    /// (customer, product, subscription id, the change in words).
    pub changes: Vec<(String, String, String, String)>,
    /// Chosen findings that no longer hold (the store and Partner Center agree on them now).
    pub skipped: usize,
    /// Customers that could not be corrected: (name, why).
    pub failures: Vec<(String, String)>,
}

/// The connections; with `run` (`1`), the store compared with Partner Center for one
/// connection's customers (or all), live.
#[server(prefix = "/api", endpoint = "reconciliation", input = GetUrl)]
pub async fn reconciliation(
    #[server(default)] connection: String,
    #[server(default)] run: String,
) -> Result<ReconcilePage, AppError> {
    let provider = crate::door::caller("reconcile.read")
        .await?
        .provider()
        .await?;
    let id = match connection.trim() {
        "" => None,
        id => Some(crate::error::parse_id("connection", id)?),
    };
    let run = crate::error::parse_run(&run, "Use 1 to compare now.")?;
    Ok(provider.reconciliation(id.as_ref(), run).await?.into())
}

/// Applies the chosen findings (`findings`: their keys, one per line); `mode` is `preview` (a
/// dry run: what would change, nothing written) or `apply`.
#[server(prefix = "/api", endpoint = "reconcile-apply")]
pub async fn reconcile_apply(findings: String, mode: String) -> Result<ApplyResult, AppError> {
    let admin = crate::door::caller("reconcile.apply")
        .await?
        .provider_admin()
        .await?;
    let dry_run = match mode.as_str() {
        "preview" => true,
        "apply" => false,
        _ => return Err(AppError::field("mode", "Choose preview or apply.")),
    };
    let choices = crate::error::parse_lines("findings", &findings, "Choose at least one finding.")?;
    Ok(admin.reconcile(choices, dry_run).await?.into())
}

#[cfg(feature = "ssr")]
impl From<domain::service::ReconcileView> for ReconcilePage {
    fn from(v: domain::service::ReconcileView) -> Self {
        ReconcilePage {
            connections: v
                .connections
                .into_iter()
                .map(|(id, name)| (id.to_string(), name))
                .collect(),
            report: v.report.map(Into::into),
        }
    }
}

#[cfg(feature = "ssr")]
impl From<domain::service::Reconciliation> for ReconcileReport {
    fn from(r: domain::service::Reconciliation) -> Self {
        let findings = r.findings();
        let sections = r
            .connections
            .into_iter()
            .map(|c| {
                let mut section = ConnectionSection {
                    id: c.id.to_string(),
                    name: c.name,
                    customers: c.customers.len(),
                    in_agreement: 0,
                    unreachable: Vec::new(),
                    findings: Vec::new(),
                };
                for report in c.customers {
                    let name = report.customer.company_name;
                    match report.outcome {
                        Err(why) => section
                            .unreachable
                            .push((name, crate::language::message(&why))),
                        Ok(found) if found.is_empty() => section.in_agreement += 1,
                        Ok(found) => section.findings.extend(found.iter().map(|f| FindingRow {
                            key: f.key(),
                            customer_id: f.customer_id.to_string(),
                            customer: name.clone(),
                            subscription_id: f.subscription_id.clone(),
                            product: f.product.clone(),
                            problem: problem_words(f),
                            ours: finding_value(f, &f.ours),
                            theirs: finding_value(f, &f.theirs),
                            action: action_words(f.action()).to_owned(),
                        })),
                    }
                }
                section
            })
            .collect();
        ReconcileReport { sections, findings }
    }
}

#[cfg(feature = "ssr")]
impl From<domain::service::ApplyReport> for ApplyResult {
    fn from(r: domain::service::ApplyReport) -> Self {
        let mut result = ApplyResult {
            dry_run: r.dry_run,
            changes: Vec::new(),
            skipped: 0,
            failures: Vec::new(),
        };
        for (customer, outcome) in r.customers {
            match outcome {
                Ok(applied) => {
                    result.skipped += applied.gone.len();
                    result.changes.extend(applied.done.iter().map(|f| {
                        (
                            customer.company_name.clone(),
                            f.product.clone(),
                            f.subscription_id.clone(),
                            change_words(f),
                        )
                    }));
                }
                Err(why) => result
                    .failures
                    .push((customer.company_name, crate::language::message(&why))),
            }
        }
        result
    }
}

/// What is wrong with a finding, in the reader's language ("Quantity differs").
#[cfg(feature = "ssr")]
fn problem_words(f: &domain::subscriptions::reconcile::Finding) -> String {
    use domain::subscriptions::reconcile::Problem;
    match f.problem {
        Problem::MissingHere => tr!(said.not_in_seatwise).to_owned(),
        Problem::MissingThere => tr!(said.no_longer_in_pc).to_owned(),
        Problem::Differs(field) => {
            let field = crate::pages::subscriptions::capitalised(&crate::language::field(field));
            tr!(said.differs, field).to_string()
        }
    }
}

/// A corrective action in the reader's language.
#[cfg(feature = "ssr")]
fn action_words(action: domain::subscriptions::reconcile::Action) -> &'static str {
    use domain::subscriptions::reconcile::Action;
    match action {
        Action::Import => tr!(said.import_it),
        Action::MarkCancelled => tr!(said.mark_cancelled),
        Action::TakePartnerCenter => tr!(said.take_pc),
    }
}

/// One side of a finding in the reader's language: a field's value, or a whole subscription.
#[cfg(feature = "ssr")]
fn finding_value(f: &domain::subscriptions::reconcile::Finding, value: &str) -> String {
    use domain::subscriptions::reconcile::Problem;
    match f.problem {
        Problem::Differs(field) => crate::language::value(field, value),
        _ => crate::language::summary(value),
    }
}

/// What applying a finding changes in the store, in the reader's language.
#[cfg(feature = "ssr")]
fn change_words(f: &domain::subscriptions::reconcile::Finding) -> String {
    use domain::subscriptions::reconcile::Problem;
    match f.problem {
        Problem::MissingHere => tr!(
            said.add_to_store,
            what = crate::language::summary(&f.theirs)
        )
        .to_string(),
        Problem::MissingThere => {
            let status = f.ours.rsplit(", ").next().unwrap_or_default();
            let (what, status) = (
                crate::language::summary(&f.ours),
                crate::language::value("status", status),
            );
            tr!(said.cancel_in_store, what, status).to_string()
        }
        Problem::Differs(field) => {
            let shown = |v: &str| crate::language::shown_value(field, v);
            let (old, new) = (shown(&f.ours), shown(&f.theirs));
            let field = crate::language::field(field);
            tr!(said.field_change, field, old, new).to_string()
        }
    }
}
