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

/// Customers read at once.
const AT_ONCE: usize = 16;

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

impl Services {
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
        for r in reductions {
            let id: SubscriptionId = r
                .subscription_id
                .parse()
                .map_err(|e: partner_center::IdError| e.to_string())?;
            apply(
                &pc,
                &self.store,
                &customer.id,
                &id,
                &Change::Quantity(r.to),
                author,
            )
            .await
            .map_err(|e| format!("{}: {e}", r.product))?;
        }
        Ok(())
    }
}
