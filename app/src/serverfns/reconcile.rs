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
                        Err(why) => section.unreachable.push((name, why)),
                        Ok(found) if found.is_empty() => section.in_agreement += 1,
                        Ok(found) => section.findings.extend(found.iter().map(|f| FindingRow {
                            key: f.key(),
                            customer_id: f.customer_id.to_string(),
                            customer: name.clone(),
                            subscription_id: f.subscription_id.clone(),
                            product: f.product.clone(),
                            problem: f.problem_words(),
                            ours: f.ours.clone(),
                            theirs: f.theirs.clone(),
                            action: f.action().words().to_owned(),
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
                            f.change_words(),
                        )
                    }));
                }
                Err(why) => result.failures.push((customer.company_name, why)),
            }
        }
        result
    }
}
