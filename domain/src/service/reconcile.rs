//! Reconciliation: the store against Partner Center, per connection. The report reads every
//! chosen customer's list live (several at once) and compares it with the store, writing
//! nothing; corrective actions are chosen findings, run as a dry run first (the same work rolled
//! back, so it shows exactly what would change) and recorded in the history when applied. The
//! service provider's staff read the report; its admins apply actions; the command line
//! (`seatwise reconcile`) does both as the operator.

use std::collections::BTreeMap;

use futures_util::{stream, StreamExt};
use partner_center::CustomerId;

use super::{provider::ProviderAdminDesk, ProviderDesk, ServiceError, Services};
use crate::{
    access::{Customer, ProviderAdmin},
    audit::Outcome,
    connections::ConnectionId,
    history::Author,
    subscriptions::reconcile::{Applied, Choice, Finding},
    time::now_millis,
};

/// Customers read at once (each is a tenant of its own for Partner Center's rate limit).
const AT_ONCE: usize = 16;

/// At most this many findings are applied by one request.
pub const MOST_CHOICES: usize = 500;

/// The report: one section per connection, by name.
#[derive(Debug, Clone, Default)]
pub struct Reconciliation {
    pub connections: Vec<ConnectionReport>,
}

#[derive(Debug, Clone)]
pub struct ConnectionReport {
    pub id: ConnectionId,
    pub name: String,
    /// Each customer of the connection, by name: its findings, or why Partner Center did not
    /// answer for it.
    pub customers: Vec<CustomerReport>,
}

#[derive(Debug, Clone)]
pub struct CustomerReport {
    pub customer: Customer,
    pub outcome: Result<Vec<Finding>, String>,
}

impl Reconciliation {
    pub fn findings(&self) -> usize {
        self.customers()
            .filter_map(|c| c.outcome.as_ref().ok())
            .map(Vec::len)
            .sum()
    }

    pub fn unreachable(&self) -> usize {
        self.customers().filter(|c| c.outcome.is_err()).count()
    }

    fn customers(&self) -> impl Iterator<Item = &CustomerReport> {
        self.connections.iter().flat_map(|c| c.customers.iter())
    }
}

/// What applying chosen findings did (or would do), per customer.
#[derive(Debug, Clone)]
pub struct ApplyReport {
    pub dry_run: bool,
    pub customers: Vec<(Customer, Result<Applied, String>)>,
}

impl ApplyReport {
    pub fn done(&self) -> usize {
        self.customers
            .iter()
            .filter_map(|(_, r)| r.as_ref().ok())
            .map(|a| a.done.len())
            .sum()
    }

    pub fn failed(&self) -> usize {
        self.customers.iter().filter(|(_, r)| r.is_err()).count()
    }
}

impl Services {
    /// The report for the customers of one connection, or of all (as the operator).
    pub async fn reconciliation(
        &self,
        connection: Option<&ConnectionId>,
    ) -> Result<Reconciliation, ServiceError> {
        let customers = self
            .sync_targets(&ProviderAdmin::command_line(), None, connection)
            .await?;
        self.compare(customers).await
    }

    async fn compare(&self, customers: Vec<Customer>) -> Result<Reconciliation, ServiceError> {
        let names: BTreeMap<ConnectionId, String> = self
            .store
            .connections(&self.sealer)
            .list()
            .await?
            .into_iter()
            .map(|c| (c.id, c.name))
            .collect();
        let read = stream::iter(customers)
            .map(|customer| async move {
                let outcome = self.findings_of(&customer).await.map_err(|e| {
                    tracing::warn!(customer = %customer.id, error = %e, "not reconciled");
                    e.to_string()
                });
                CustomerReport { customer, outcome }
            })
            .buffered(AT_ONCE)
            .collect::<Vec<_>>()
            .await;
        let mut by_connection: BTreeMap<ConnectionId, Vec<CustomerReport>> = BTreeMap::new();
        for report in read {
            by_connection
                .entry(report.customer.connection_id.clone())
                .or_default()
                .push(report);
        }
        let mut connections: Vec<ConnectionReport> = by_connection
            .into_iter()
            .map(|(id, customers)| ConnectionReport {
                name: names.get(&id).cloned().unwrap_or_default(),
                id,
                customers,
            })
            .collect();
        connections.sort_by_key(|c| c.name.to_lowercase());
        Ok(Reconciliation { connections })
    }

    async fn findings_of(&self, customer: &Customer) -> Result<Vec<Finding>, ServiceError> {
        let pc = self.client(&customer.connection_id).await?;
        let live = pc
            .subscriptions(&customer.id)
            .await
            .map_err(ServiceError::partner_center)?;
        Ok(self
            .store
            .subscriptions()
            .findings(&customer.id, &live)
            .await?)
    }

    /// Applies `choices` (findings found again now: one that no longer holds is skipped), each
    /// customer in one transaction with its history entries by `author`; a dry run writes
    /// nothing. A customer that is not imported is refused before anything is read.
    pub async fn apply_reconciliation(
        &self,
        choices: Vec<Choice>,
        author: &Author,
        dry_run: bool,
    ) -> Result<ApplyReport, ServiceError> {
        if choices.len() > MOST_CHOICES {
            return Err(ServiceError::BadInput(format!(
                "Choose at most {MOST_CHOICES} findings at once."
            )));
        }
        let all = self
            .store
            .access()
            .all_customers(&ProviderAdmin::command_line())
            .await?;
        let named = super::customers_named(
            &all,
            choices.iter().map(|c| &c.customer_id),
            "A finding names a customer that is not imported.",
        )?;
        let by_customer: Vec<(Customer, Vec<Choice>)> = named
            .into_iter()
            .map(|customer| {
                let chosen = choices
                    .iter()
                    .filter(|c| c.customer_id == customer.id)
                    .cloned()
                    .collect();
                (customer.clone(), chosen)
            })
            .collect();
        let at = now_millis();
        let customers = stream::iter(by_customer)
            .map(|(customer, chosen)| async move {
                let outcome = self
                    .apply_one(
                        &customer.id,
                        &customer.connection_id,
                        &chosen,
                        author,
                        at,
                        dry_run,
                    )
                    .await
                    .map_err(|e| e.to_string());
                (customer, outcome)
            })
            .buffered(AT_ONCE)
            .collect()
            .await;
        Ok(ApplyReport { dry_run, customers })
    }

    async fn apply_one(
        &self,
        customer: &CustomerId,
        connection: &ConnectionId,
        chosen: &[Choice],
        author: &Author,
        at: i64,
        dry_run: bool,
    ) -> Result<Applied, ServiceError> {
        let pc = self.client(connection).await?;
        let live = pc
            .subscriptions(customer)
            .await
            .map_err(ServiceError::partner_center)?;
        Ok(self
            .store
            .subscriptions()
            .reconcile(customer, &live, chosen, author, at, dry_run)
            .await?)
    }
}

/// The Reconciliation page: the connections to choose from, and the report when asked for.
pub struct ReconcileView {
    /// (id, name) of every connection.
    pub connections: Vec<(ConnectionId, String)>,
    pub report: Option<Reconciliation>,
}

impl ProviderDesk {
    /// The connections; with `run`, the report for one connection's customers (or every
    /// customer's), read from Partner Center now.
    pub async fn reconciliation(
        &self,
        connection: Option<&ConnectionId>,
        run: bool,
    ) -> Result<ReconcileView, ServiceError> {
        if let Some(id) = connection {
            self.caller.existing_connection(id).await?;
        }
        let connections = self.caller.connections().list().await?;
        let report = if run {
            Some(self.caller.services.reconciliation(connection).await?)
        } else {
            None
        };
        Ok(ReconcileView {
            connections: connections.into_iter().map(|c| (c.id, c.name)).collect(),
            report,
        })
    }
}

impl ProviderAdminDesk {
    /// Applies chosen findings (or, in a dry run, shows what applying them would change); the
    /// audit log records what was applied.
    pub async fn reconcile(
        &self,
        choices: Vec<Choice>,
        dry_run: bool,
    ) -> Result<ApplyReport, ServiceError> {
        let author = self.caller.author();
        let result = self
            .caller
            .services
            .apply_reconciliation(choices, &author, dry_run)
            .await;
        if !dry_run {
            match &result {
                Ok(report) => {
                    let detail = format!(
                        "{} corrective actions applied, {} customers failed",
                        report.done(),
                        report.failed()
                    );
                    let outcome = Outcome::of(report.failed());
                    self.caller.record(None, outcome, &detail).await;
                }
                Err(e) => {
                    self.caller
                        .record(None, Outcome::Failed, &e.to_string())
                        .await
                }
            }
        }
        result
    }
}
