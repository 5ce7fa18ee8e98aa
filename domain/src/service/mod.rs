//! The one door into the domain. [`Services`] owns the store, the sealer and the Partner Center
//! clients. A request becomes a [`Caller`] (who asks, for which action, under which request
//! id), and the caller hands out a handle (a customer's users, the users of many customers,
//! the service provider's tools, portal accounts) only after the access check. Refusals and
//! outcomes go to the audit log here, and every failure is a [`ServiceError`].
//!
//! A new capability adds a handle (a module here) that the caller opens after its check; the
//! server functions above only parse their input, open the handle, call it and convert.

mod accounts;
mod auto_increase;
mod bulk;
mod catalog;
mod connections;
mod customer;
mod error;
mod history;
mod jobs;
mod new_customer;
mod optimise;
mod orders;
mod provider;
mod reconcile;
mod subscriptions;
mod sync;
mod templates;
mod users;

use std::{sync::Arc, time::Instant};

use partner_center::{CustomerId, PartnerCenter};

pub use self::{
    accounts::{AccountsDesk, AccountsView},
    bulk::{
        BulkChoices, BulkJob, BulkPreview, ProvisionPreview, ResultLine, SwapPreview,
        MOST_SWAP_USERS,
    },
    catalog::{CatalogBrowse, CatalogView, REFRESH_EVERY_MS, SCHEDULE, SEGMENTS},
    connections::{CheckReport, ConnectionListing},
    error::ServiceError,
    history::{HistoryExport, HistoryView},
    jobs::{parse_job_id, JobsView, NIGHTLY_SCHEDULE},
    new_customer::{CreatedTenant, DomainCheck},
    optimise::{approval_key, ApprovalDone, Approved, Optimisation},
    orders::{NewOrder, OrderChoice, OrderPage, Placed},
    provider::{ProviderAdminDesk, ProviderDesk, StatusFacts, TenantListing, Tenants},
    reconcile::{
        ApplyReport, ConnectionReport, CustomerReport, ReconcileView, Reconciliation, MOST_CHOICES,
    },
    subscriptions::{
        ChangeDone, ReadEvent, SubscriptionDetail, SubscriptionsDesk, SubscriptionsView,
    },
    sync::{NightlySync, SyncEvent, SyncSummary, NIGHTLY_AT},
    templates::LicenseOffer,
    users::{Selection, UsersDesk, UsersView},
};
use crate::{
    access::{AccessError, CustomerScope, Principal, Reseller},
    audit::{NewEntry, Outcome},
    connections::{Clients, ConnectionId},
    crypto::Sealer,
    notifications::Notice,
    users::directory::RefreshEvent,
    Store,
};

/// Everything the domain needs to serve requests; cheap to clone.
#[derive(Clone, Debug)]
pub struct Services {
    store: Store,
    sealer: Sealer,
    clients: Arc<Clients>,
    /// Where people reach Seatwise, for links in mail.
    public_url: Arc<str>,
    started_at: Instant,
    /// How long a job's lease lasts without a heartbeat.
    job_lease_ms: i64,
}

impl Services {
    pub fn new(store: Store, sealer: Sealer, clients: Clients, public_url: String) -> Self {
        Services {
            store,
            sealer,
            clients: Arc::new(clients),
            public_url: public_url.into(),
            started_at: Instant::now(),
            job_lease_ms: crate::jobs::LEASE_MS,
        }
    }

    /// With another lease for the jobs this instance runs.
    pub fn with_job_lease(mut self, lease: std::time::Duration) -> Self {
        self.job_lease_ms = i64::try_from(lease.as_millis()).unwrap_or(crate::jobs::LEASE_MS);
        self
    }

    /// The store, for the server's own layers (sign-in, sessions, links) and the command line.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Who asks (`None`: nobody signed in, refused and audited), for `action`.
    pub async fn caller(
        &self,
        who: Option<Principal>,
        action: &'static str,
        request_id: Option<String>,
    ) -> Result<Caller, ServiceError> {
        let caller = |who| Caller {
            services: self.clone(),
            who,
            action,
            request_id: request_id.clone(),
        };
        match who {
            Some(who) => Ok(caller(who)),
            None => {
                tracing::warn!(action, why = "not signed in", "refused");
                self.record(NewEntry {
                    actor: "-",
                    customer_id: None,
                    action,
                    outcome: Outcome::Refused,
                    detail: "not signed in",
                    request_id: request_id.as_deref(),
                })
                .await;
                Err(ServiceError::Forbidden(SESSION_ENDED))
            }
        }
    }

    /// The Partner Center client of a connection (shared by every request).
    async fn client(&self, connection: &ConnectionId) -> Result<PartnerCenter, ServiceError> {
        self.clients
            .get(&self.store, &self.sealer, connection)
            .await
            .map_err(ServiceError::partner_center)
    }

    async fn record(&self, entry: NewEntry<'_>) {
        if let Err(e) = self.store.audit().record(entry).await {
            tracing::error!(error = %e, "could not write the audit log");
        }
    }
}

const SESSION_ENDED: &str = "Your session has ended. Sign in again.";

/// The customers `named` names (each once, in the order first named), all of them among
/// `covered`; `outside` is the refusal when one is not.
fn customers_named<'a>(
    covered: &'a [crate::access::Customer],
    named: impl IntoIterator<Item = &'a CustomerId>,
    outside: &str,
) -> Result<Vec<&'a crate::access::Customer>, ServiceError> {
    let mut found: Vec<&crate::access::Customer> = Vec::new();
    for id in named {
        let customer = covered
            .iter()
            .find(|c| c.id == *id)
            .ok_or_else(|| ServiceError::NotFound(outside.to_owned()))?;
        if !found.iter().any(|c| c.id == customer.id) {
            found.push(customer);
        }
    }
    Ok(found)
}

/// One request's person and action: opens handles after the access check and writes the audit
/// log. Cheap to clone, so that a change can carry it onto a task of its own.
#[derive(Clone, Debug)]
pub struct Caller {
    services: Services,
    who: Principal,
    action: &'static str,
    request_id: Option<String>,
}

impl Caller {
    pub fn who(&self) -> &Principal {
        &self.who
    }

    /// This request's person, as the subscription history names them.
    pub(crate) fn author(&self) -> crate::history::Author {
        crate::history::Author {
            email: self.who.email.clone(),
            role: self.who.role.as_str().to_owned(),
            request_id: self.request_id.clone().unwrap_or_default(),
        }
    }

    /// Writes this action's audit entry (a failure to write is logged, never the caller's).
    pub(crate) async fn record(&self, customer: Option<&str>, outcome: Outcome, detail: &str) {
        self.services
            .record(NewEntry {
                actor: &self.who.email,
                customer_id: customer,
                action: self.action,
                outcome,
                detail,
                request_id: self.request_id.as_deref(),
            })
            .await;
    }

    /// The answer of an access check: a refusal is audited (with the customer asked for) and
    /// answered the same whether that customer exists or not.
    async fn checked<T>(
        &self,
        customer: Option<&CustomerId>,
        result: Result<T, AccessError>,
    ) -> Result<T, ServiceError> {
        let (why, message) = match result {
            Ok(value) => return Ok(value),
            Err(AccessError::Store(e)) => return Err(ServiceError::database(e)),
            Err(AccessError::Forbidden) if customer.is_some() => (
                "customer not in scope",
                "You do not have access to this customer.",
            ),
            Err(AccessError::Forbidden) => ("account no longer allowed", SESSION_ENDED),
            Err(AccessError::ReadOnly) => (
                "read-only role",
                "Your role can look but not change anything. Ask a service provider admin.",
            ),
            Err(AccessError::NotProvider { admins_only: true }) => (
                "service provider admins only",
                "Only service provider admins can do this.",
            ),
            Err(AccessError::NotProvider { admins_only: false }) => (
                "service provider only",
                "Only the service provider's staff can see this.",
            ),
        };
        let customer = customer.map(|c| c.as_str());
        tracing::warn!(actor = %self.who.email, action = self.action, customer, why, "refused");
        self.record(customer, Outcome::Refused, why).await;
        Err(ServiceError::Forbidden(message))
    }

    /// The customers this person may see, each with its reseller's name.
    pub async fn customers(
        &self,
    ) -> Result<Vec<(crate::access::Customer, Option<String>)>, ServiceError> {
        let access = self.services.store.access();
        let resellers: Vec<Reseller> = access.resellers().await?;
        let customers = access.visible_customers(&self.who).await?;
        Ok(customers
            .into_iter()
            .map(|c| {
                let reseller = c.reseller_id.as_ref().and_then(|r| {
                    resellers
                        .iter()
                        .find(|x| x.id == *r)
                        .map(|x| x.name.clone())
                });
                (c, reseller)
            })
            .collect())
    }

    /// Changes the signed-in person's own password (the current one is required).
    pub async fn change_own_password(&self, current: &str, new: &str) -> Result<(), ServiceError> {
        let result = self
            .services
            .store
            .accounts()
            .change_own_password(&self.who, current, new)
            .await;
        accounts::finish(self, result.map(|_| String::new())).await
    }

    /// Sets the language the signed-in person reads Seatwise in (`None`: the browser's);
    /// audited.
    pub async fn choose_my_language(
        &self,
        language: Option<crate::language::Language>,
    ) -> Result<(), ServiceError> {
        self.services
            .store
            .accounts()
            .set_language(&self.who.account, language)
            .await?;
        let chosen = language.map_or("browser", |l| l.code());
        self.record(None, Outcome::Succeeded, chosen).await;
        Ok(())
    }

    /// The notices the signed-in person may choose (those meant for their role), and whether
    /// they chose each.
    pub async fn my_notices(&self) -> Result<Vec<(Notice, bool)>, ServiceError> {
        let chosen = self
            .services
            .store
            .notifications()
            .chosen(&self.who.account)
            .await?;
        Ok(Notice::ALL
            .into_iter()
            .filter(|n| n.for_role(self.who.role.as_str()))
            .map(|n| (n, chosen.contains(&n)))
            .collect())
    }

    /// Replaces the signed-in person's choice of notices (audited).
    pub async fn choose_my_notices(&self, notices: &[Notice]) -> Result<(), ServiceError> {
        let role = self.who.role.as_str();
        self.services
            .store
            .notifications()
            .choose(&self.who.account, role, notices)
            .await?;
        let chosen: Vec<&str> = notices
            .iter()
            .filter(|n| n.for_role(role))
            .map(|n| n.as_str())
            .collect();
        self.record(None, Outcome::Succeeded, &format!("[{}]", chosen.join(",")))
            .await;
        Ok(())
    }

    /// Runs a change on a task of its own and waits for it: if this request is cut short (a
    /// timeout, a closed tab), the change still runs to its end, with its audit entry for
    /// `customer` (`describe` words the outcome).
    async fn run_to_end<T, E, F>(
        &self,
        customer: String,
        describe: impl FnOnce(&Result<T, E>) -> (Outcome, String) + Send + 'static,
        work: F,
    ) -> Result<T, ServiceError>
    where
        T: Send + 'static,
        E: Into<ServiceError> + Send + 'static,
        F: std::future::Future<Output = Result<T, E>> + Send + 'static,
    {
        let caller = self.clone();
        let task = tokio::spawn(async move {
            let result = work.await;
            let (outcome, text) = describe(&result);
            caller.record(Some(&customer), outcome, &text).await;
            result
        });
        match task.await {
            Ok(result) => result.map_err(Into::into),
            Err(e) => Err(ServiceError::Internal(e.to_string())),
        }
    }

    /// Each customer with its connection's client; customers whose connection cannot be
    /// opened come back as failures, for the page to report.
    async fn targets(
        &self,
        scopes: Vec<CustomerScope>,
    ) -> (Vec<(CustomerScope, PartnerCenter)>, Vec<RefreshEvent>) {
        let mut targets = Vec::new();
        let mut unreachable = Vec::new();
        for scope in scopes {
            let connection = &scope.customer().connection_id;
            match self.services.client(connection).await {
                Ok(pc) => targets.push((scope, pc)),
                Err(e) => {
                    tracing::warn!(connection.id = %connection, error = %e, "connection not usable");
                    unreachable.push(RefreshEvent::Failed {
                        customer_id: scope.customer().id.clone(),
                        customer_name: scope.customer().company_name.clone(),
                        error: e.to_string(),
                    });
                }
            }
        }
        (targets, unreachable)
    }
}
