//! License optimisation over every customer of the partner's own connections: the report (each
//! customer's licensing SKUs and subscriptions read live, several customers at once, nothing
//! written) and applying it (each reduction sent as a quantity change, made now inside the
//! window and scheduled for renewal outside it, recorded in the subscription history).

use futures_util::{stream, StreamExt};
use partner_center::SubscriptionId;

use super::{subscriptions::apply, ServiceError, Services};
use crate::{
    access::{Customer, ProviderAdmin},
    history::Author,
    optimise::{plan, Reduction},
    subscriptions::change::Change,
    time::now_millis,
};

/// Customers read at once (as many as the sync: each customer is a tenant of its own for
/// Partner Center's rate limit).
const AT_ONCE: usize = 32;

/// What optimisation would do (or did) for each customer, by name.
#[derive(Debug, Clone, Default)]
pub struct Optimisation {
    pub customers: Vec<(Customer, Result<Vec<Reduction>, String>)>,
}

impl Optimisation {
    pub fn reductions(&self) -> impl Iterator<Item = (&Customer, &Reduction)> {
        self.customers
            .iter()
            .filter_map(|(c, r)| r.as_ref().ok().map(|r| (c, r)))
            .flat_map(|(c, r)| r.iter().map(move |r| (c, r)))
    }

    pub fn failed(&self) -> usize {
        self.customers.iter().filter(|(_, r)| r.is_err()).count()
    }
}

impl std::fmt::Display for Optimisation {
    /// `N customers, N reductions (N now, N at renewal), N licenses given back, N customers
    /// failed`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (mut now, mut later, mut licenses) = (0, 0, 0);
        for (_, r) in self.reductions() {
            if r.at_renewal {
                later += 1;
            } else {
                now += 1;
            }
            licenses += r.from - r.to;
        }
        write!(
            f,
            "{} customers, {} reductions ({now} now, {later} at renewal), {licenses} licenses \
             given back, {} customers failed",
            self.customers.len(),
            now + later,
            self.failed()
        )
    }
}

/// The setting that lets the nightly optimisation make its reductions without an approval
/// (`on`; anything else: off, the default).
pub const AUTOMATIC: &str = "optimise.automatic";

impl Services {
    /// Whether the nightly optimisation makes its reductions without an approval.
    pub async fn optimise_automatically(&self) -> Result<bool, ServiceError> {
        Ok(self.store.settings().get(AUTOMATIC).await?.as_deref() == Some("on"))
    }

    /// The customers optimisation covers: those of connections the partner bills itself (not
    /// one given to a reseller).
    async fn own_customers(&self) -> Result<Vec<Customer>, ServiceError> {
        let given: Vec<_> = self
            .store
            .connections(&self.sealer)
            .list()
            .await?
            .into_iter()
            .filter(|c| c.reseller_id.is_some())
            .map(|c| c.id)
            .collect();
        Ok(self
            .store
            .access()
            .all_customers(&ProviderAdmin::command_line())
            .await?
            .into_iter()
            .filter(|c| !given.contains(&c.connection_id))
            .collect())
    }

    /// What optimisation would do now: nothing is written.
    pub async fn optimisation(&self) -> Result<Optimisation, ServiceError> {
        let customers = self.own_customers().await?;
        let now = now_millis();
        let customers = stream::iter(customers)
            .map(|c| async move {
                let planned = self.plan_one(&c, now).await.map_err(|e| {
                    tracing::warn!(customer = %c.id, error = %e, "not optimised");
                    e.to_string()
                });
                (c, planned)
            })
            .buffered(AT_ONCE)
            .collect()
            .await;
        Ok(Optimisation { customers })
    }

    async fn plan_one(&self, c: &Customer, now: i64) -> Result<Vec<Reduction>, ServiceError> {
        let pc = self.client(&c.connection_id).await?;
        let (skus, subscriptions) =
            tokio::try_join!(pc.subscribed_skus(&c.id), pc.subscriptions(&c.id))
                .map_err(ServiceError::partner_center)?;
        let grants = self
            .store
            .catalog()
            .licensing_skus(&c.connection_id)
            .await?;
        Ok(plan(&skus, &subscriptions, &grants, now))
    }

    /// Applies `report`'s reductions, customer by customer, as `author`; answers what was done
    /// (a reduction that failed is that customer's failure; the others go on).
    pub async fn apply_optimisation(&self, report: Optimisation, author: &Author) -> Optimisation {
        let mut done = Optimisation::default();
        for (customer, planned) in report.customers {
            let Ok(reductions) = planned else {
                done.customers.push((customer, planned));
                continue;
            };
            let outcome = self.reduce(&customer, &reductions, author).await;
            done.customers
                .push((customer, outcome.map(|()| reductions)));
        }
        done
    }

    async fn reduce(
        &self,
        customer: &Customer,
        reductions: &[Reduction],
        author: &Author,
    ) -> Result<(), String> {
        let pc = self
            .client(&customer.connection_id)
            .await
            .map_err(|e| e.to_string())?;
        // A failure stops this customer's reductions; those Partner Center already made are
        // named in it, never reported as failed.
        let mut made: Vec<String> = Vec::new();
        for r in reductions {
            let sent = match r.subscription_id.parse::<SubscriptionId>() {
                Ok(id) => apply(
                    &pc,
                    &self.store,
                    &customer.id,
                    &id,
                    &Change::Quantity(r.to),
                    author,
                    crate::history::Kind::Change,
                )
                .await
                .map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            if let Err(e) = sent {
                let before = if made.is_empty() {
                    String::new()
                } else {
                    format!(" (made before it: {})", made.join("; "))
                };
                return Err(format!("{}: {e}{before}", r.product));
            }
            made.push(format!("{} {}", r.product, r.words()));
        }
        Ok(())
    }
}

/// A reduction a service provider approved, as the report showed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approved {
    pub customer_id: partner_center::CustomerId,
    pub subscription_id: SubscriptionId,
    pub from: i64,
    pub to: i64,
}

impl std::str::FromStr for Approved {
    type Err = &'static str;

    /// `customer/subscription/from/to`, as [`approval_key`] writes it.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        const BAD: &str = "A reduction is named customer/subscription/from/to.";
        let parts: Vec<&str> = s.trim().split('/').collect();
        let [customer, subscription, from, to] = parts.as_slice() else {
            return Err(BAD);
        };
        let number = |v: &str| {
            v.parse::<i64>()
                .ok()
                .filter(|n| (1..=1_000_000).contains(n))
        };
        let (Some(from), Some(to)) = (number(from), number(to)) else {
            return Err(BAD);
        };
        if to >= from {
            return Err("A reduction leaves fewer licenses than it found.");
        }
        Ok(Approved {
            customer_id: customer
                .parse()
                .map_err(|_| "A reduction names a customer by its tenant id.")?,
            subscription_id: subscription
                .parse()
                .map_err(|_| "A reduction names a subscription by its id.")?,
            from,
            to,
        })
    }
}

/// How the report names a reduction for its approval.
pub fn approval_key(customer: &Customer, r: &Reduction) -> String {
    format!(
        "{}/{}/{}/{}",
        customer.id.as_str().to_lowercase(),
        r.subscription_id,
        r.from,
        r.to
    )
}

/// What approving did: the reductions made, and those approved that no longer hold (Partner
/// Center changed since the report: read it again).
#[derive(Debug, Clone, Default)]
pub struct ApprovalDone {
    pub done: Optimisation,
    pub stale: usize,
}

impl super::ProviderDesk {
    /// The report, read from Partner Center now; nothing is written.
    pub async fn optimisation(&self) -> Result<Optimisation, ServiceError> {
        self.caller.services.optimisation().await
    }
}

impl super::ProviderAdminDesk {
    /// Applies the approved reductions that still hold: each customer is planned again now and
    /// only a reduction found the same (subscription, from, to) is made; audited.
    pub async fn approve_optimisation(
        &self,
        approved: Vec<Approved>,
    ) -> Result<ApprovalDone, ServiceError> {
        let services = &self.caller.services;
        let all = services.own_customers().await?;
        let now = now_millis();
        let mut result = ApprovalDone::default();
        let customers = super::customers_named(
            &all,
            approved.iter().map(|a| &a.customer_id),
            "A reduction names a customer that optimisation does not cover.",
        )?;
        let mut planned = Optimisation::default();
        for c in customers {
            let outcome = match services.plan_one(c, now).await {
                Ok(fresh) => Ok(fresh
                    .into_iter()
                    .filter(|r| {
                        approved.iter().any(|a| {
                            a.customer_id == c.id
                                && a.subscription_id
                                    .as_str()
                                    .eq_ignore_ascii_case(&r.subscription_id)
                                && (a.from, a.to) == (r.from, r.to)
                        })
                    })
                    .collect::<Vec<_>>()),
                Err(e) => Err(e.to_string()),
            };
            planned.customers.push((c.clone(), outcome));
        }
        let found = planned.reductions().count();
        result.stale = approved.len() - found;
        result.done = services
            .apply_optimisation(planned, &self.caller.author())
            .await;
        let detail = format!("{} (approved {})", result.done, approved.len());
        let outcome = crate::audit::Outcome::of(result.done.failed());
        self.caller.record(None, outcome, &detail).await;
        Ok(result)
    }
}
