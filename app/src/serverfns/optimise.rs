//! The Optimisation page: licenses bought and not assigned, and the reductions that would give
//! them back (the service provider's staff), approved reduction by reduction (admins).

use leptos::{prelude::*, server_fn::codec::GetUrl};
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReductionRow {
    /// Names the reduction when it is approved.
    pub key: String,
    pub customer: String,
    pub customer_id: String,
    pub subscription_id: String,
    pub product: String,
    pub from: i64,
    pub to: i64,
    pub at_renewal: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OptimisationPage {
    /// Asked for with `run`.
    pub ran: bool,
    pub reductions: Vec<ReductionRow>,
    /// Customers Partner Center did not answer for: (name, why).
    pub failures: Vec<(String, String)>,
    pub customers: usize,
    /// "N customers, N reductions (…), N licenses given back, N customers failed".
    pub summary: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApprovalResult {
    /// (customer, product, change in words) of each reduction made.
    pub made: Vec<(String, String, String)>,
    /// Approved reductions that no longer hold (Partner Center changed since the report).
    pub stale: usize,
    pub failures: Vec<(String, String)>,
}

/// With `run` (`1`): every customer of the partner's own connections read from Partner Center
/// now, and the reductions that would give back its unused licenses. Nothing is written.
#[server(prefix = "/api", endpoint = "optimisation", input = GetUrl)]
pub async fn optimisation(#[server(default)] run: String) -> Result<OptimisationPage, AppError> {
    let provider = crate::door::caller("optimise.read")
        .await?
        .provider()
        .await?;
    if crate::error::parse_run(&run, "Use 1 to read Partner Center now.")? {
        Ok(provider.optimisation().await?.into())
    } else {
        Ok(OptimisationPage {
            ran: false,
            reductions: Vec::new(),
            failures: Vec::new(),
            customers: 0,
            summary: String::new(),
        })
    }
}

/// Makes the approved reductions (`reductions`: their keys, one per line) that still hold.
#[server(prefix = "/api", endpoint = "optimisation-apply")]
pub async fn apply_optimisation(reductions: String) -> Result<ApprovalResult, AppError> {
    let admin = crate::door::caller("optimise.apply")
        .await?
        .provider_admin()
        .await?;
    let approved: Vec<domain::service::Approved> =
        crate::error::parse_lines("reductions", &reductions, "Choose at least one reduction.")?;
    if approved.len() > 1_000 {
        return Err(AppError::field(
            "reductions",
            "Approve at most 1,000 reductions at once.",
        ));
    }
    Ok(admin.approve_optimisation(approved).await?.into())
}

#[cfg(feature = "ssr")]
impl From<domain::service::Optimisation> for OptimisationPage {
    fn from(o: domain::service::Optimisation) -> Self {
        let reductions = o
            .reductions()
            .map(|(c, r)| ReductionRow {
                key: domain::service::approval_key(c, r),
                customer: c.company_name.clone(),
                customer_id: c.id.to_string(),
                subscription_id: r.subscription_id.clone(),
                product: r.product.clone(),
                from: r.from,
                to: r.to,
                at_renewal: r.at_renewal,
            })
            .collect();
        OptimisationPage {
            ran: true,
            reductions,
            failures: o
                .customers
                .iter()
                .filter_map(|(c, r)| {
                    r.as_ref()
                        .err()
                        .map(|e| (c.company_name.clone(), e.clone()))
                })
                .collect(),
            customers: o.customers.len(),
            summary: o.to_string(),
        }
    }
}

#[cfg(feature = "ssr")]
impl From<domain::service::ApprovalDone> for ApprovalResult {
    fn from(d: domain::service::ApprovalDone) -> Self {
        ApprovalResult {
            made: d
                .done
                .reductions()
                .map(|(c, r)| (c.company_name.clone(), r.product.clone(), r.words()))
                .collect(),
            stale: d.stale,
            failures: d
                .done
                .customers
                .iter()
                .filter_map(|(c, r)| {
                    r.as_ref()
                        .err()
                        .map(|e| (c.company_name.clone(), e.clone()))
                })
                .collect(),
        }
    }
}
