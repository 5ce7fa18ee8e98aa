//! The subscriptions of every customer a person may see: a page of the store, and reading the
//! selected customers' lists from Partner Center into it (several customers at once).

use futures_util::{stream, Stream, StreamExt};
use partner_center::{
    wire::Subscription as Wire, CustomerId, PartnerCenter, PcError, SubscriptionId,
};

use super::{Caller, Selection, ServiceError};
use crate::{
    access::{CustomerScope, Role},
    audit::Outcome,
    history::{self, Author},
    subscriptions::{
        change::{self, Change},
        SubscriptionPage, SubscriptionQuery,
    },
    time::now_millis,
    users::directory::{LoadMode, RefreshEvent},
    Store,
};

/// How many customers' lists are read at once: as many as the Partner Center client sends at
/// once (each customer is a tenant of its own for Partner Center's rate limit).
const AT_ONCE: usize = 32;

/// The visible customers and the selected ones, checked now.
pub struct SubscriptionsDesk {
    caller: Caller,
    visible: Vec<CustomerScope>,
    selected: Vec<CustomerScope>,
}

pub struct SubscriptionsView {
    pub page: SubscriptionPage,
    /// Customers Partner Center did not answer for (by name) when this view read it.
    pub failures: Vec<String>,
    /// Every customer the person may see (id, name), for the filter.
    pub customers: Vec<(CustomerId, String)>,
    /// The page's setting: read Partner Center when it opens.
    pub live: bool,
}

/// One customer's list read, as it happens.
#[derive(Debug, Clone, PartialEq)]
pub enum ReadEvent {
    Started {
        customers: usize,
    },
    Read {
        customer_id: CustomerId,
        subscriptions: usize,
    },
    Failed {
        customer_name: String,
        error: String,
    },
    Finished,
}

impl Caller {
    /// The subscriptions of the customers this person may see (one customer out of scope is
    /// refused and audited).
    pub async fn subscriptions(
        &self,
        selection: &Selection,
    ) -> Result<SubscriptionsDesk, ServiceError> {
        let (visible, selected) = self.select(selection).await?;
        Ok(SubscriptionsDesk {
            caller: self.clone(),
            visible,
            selected,
        })
    }
}

impl SubscriptionsDesk {
    /// A page of the store; with `read`, the selected customers' lists are read from Partner
    /// Center first. `read` is `None` to follow the page's setting (live: read).
    pub async fn view(
        &self,
        query: &SubscriptionQuery,
        read: Option<bool>,
    ) -> Result<SubscriptionsView, ServiceError> {
        let store = &self.caller.services.store;
        let live = store.subscriptions().load_mode().await? == LoadMode::Live;
        let mut failures = Vec::new();
        if read.unwrap_or(live) {
            let mut events = std::pin::pin!(self.events().await);
            while let Some(event) = events.next().await {
                if let ReadEvent::Failed { customer_name, .. } = event {
                    failures.push(customer_name);
                }
            }
        }
        Ok(SubscriptionsView {
            page: store.subscriptions().query(&self.selected, query).await?,
            failures,
            customers: self
                .visible
                .iter()
                .map(|s| (s.customer().id.clone(), s.customer().company_name.clone()))
                .collect(),
            live,
        })
    }

    /// Reads the selected customers' lists into the store, an event per customer as it
    /// happens. Dropping the stream stops the work (the customers under way finish).
    pub async fn read(self) -> impl Stream<Item = ReadEvent> + Send + 'static {
        self.events().await
    }

    async fn events(&self) -> impl Stream<Item = ReadEvent> + Send + 'static {
        let (targets, unreachable) = self.caller.targets(self.selected.clone()).await;
        let store = self.caller.services.store.clone();
        let failed = unreachable.into_iter().filter_map(|e| match e {
            RefreshEvent::Failed {
                customer_name,
                error,
                ..
            } => Some(ReadEvent::Failed {
                customer_name,
                error,
            }),
            _ => None,
        });
        let started = ReadEvent::Started {
            customers: self.selected.len(),
        };
        let reads = stream::iter(targets)
            .map(move |(scope, pc)| crate::tasks::detached(read_one(store.clone(), scope, pc)))
            .buffer_unordered(AT_ONCE);
        stream::iter([started])
            .chain(stream::iter(failed))
            .chain(reads)
            .chain(stream::iter([ReadEvent::Finished]))
    }
}

/// Reads a customer's list from Partner Center into the store (with the history of what changed
/// outside Seatwise); answers how many subscriptions it listed and how many history entries were
/// recorded. A failure leaves the stored list as it was.
pub(super) async fn read_into_store(
    pc: &PartnerCenter,
    store: &Store,
    customer: &CustomerId,
) -> Result<(usize, usize), ServiceError> {
    let list = pc
        .subscriptions(customer)
        .await
        .map_err(ServiceError::partner_center)?;
    let changes = store
        .subscriptions()
        .replace(customer, &list, now_millis())
        .await?;
    Ok((list.len(), changes))
}

/// One customer's list from Partner Center into the store, as an event.
async fn read_one(store: Store, scope: CustomerScope, pc: PartnerCenter) -> ReadEvent {
    let customer = scope.customer();
    match read_into_store(&pc, &store, &customer.id).await {
        Ok((subscriptions, _)) => ReadEvent::Read {
            customer_id: customer.id.clone(),
            subscriptions,
        },
        Err(e) => {
            tracing::warn!(customer = %customer.id, error = ?e, "subscriptions not read");
            ReadEvent::Failed {
                customer_name: customer.company_name.clone(),
                error: e.to_string(),
            }
        }
    }
}

impl super::ProviderAdminDesk {
    /// Whether the subscriptions page reads Partner Center when it opens.
    pub async fn set_subscriptions_load_mode(&self, mode: LoadMode) -> Result<(), ServiceError> {
        let subscriptions = self.caller.services.store.subscriptions();
        let result = subscriptions
            .set_load_mode(mode)
            .await
            .map_err(ServiceError::from);
        self.caller.finish(None, mode.as_str(), result).await
    }
}

/// One subscription as Partner Center shows it now, for its details page.
pub struct SubscriptionDetail {
    pub customer_name: String,
    pub subscription: Wire,
    /// A decrease or cancellation is still possible now (new commerce: within 7 days of
    /// purchase or renewal).
    pub in_window: bool,
    /// This person may change it (not a read-only role).
    pub may_change: bool,
    /// And the reseller's Partner ID on it (the service provider or a reseller, not the
    /// customer).
    pub may_set_partner: bool,
    /// The (term, billing cycle) pairs its SKU is sold with, for a renewal with another term
    /// (new commerce, for those who may change it; empty otherwise or when the catalog did not
    /// answer).
    pub next_terms: Vec<(String, String)>,
    /// The publisher's site where a marketplace subscription's pending set-up is finished
    /// (an `http`/`https` address only; empty when none was given).
    pub publisher_link: String,
    /// The customer's auto-increase setting, for those who set it (the service provider's or
    /// the reseller's administrators).
    pub auto_increase: Option<crate::subscriptions::auto_increase::Setting>,
}

/// A change Partner Center accepted.
pub struct ChangeDone {
    pub words: String,
    /// It was scheduled for renewal instead of made now.
    pub at_renewal: bool,
}

impl Caller {
    /// One subscription, read from Partner Center now (refused and audited when the customer is
    /// out of scope).
    pub async fn subscription(
        &self,
        customer: &CustomerId,
        id: &SubscriptionId,
    ) -> Result<SubscriptionDetail, ServiceError> {
        let access = self.services.store.access();
        let scope = self
            .checked(Some(customer), access.authorize(&self.who, customer).await)
            .await?;
        let pc = self
            .services
            .client(&scope.customer().connection_id)
            .await?;
        let subscription = pc
            .subscription(&scope.customer().id, id)
            .await
            .map_err(refused)?;
        let may_change = !self.who.role.is_read_only();
        let may_set_partner = may_change && self.may_set_partner();
        let auto_increase = if may_set_partner {
            Some(
                self.services
                    .store
                    .auto_increase()
                    .setting(&scope.customer().id)
                    .await?,
            )
        } else {
            None
        };
        let next_terms = if may_change && subscription.is_nce() {
            let country = self
                .existing_connection(&scope.customer().connection_id)
                .await?
                .country;
            sold_terms(&pc, &subscription, &country).await
        } else {
            Vec::new()
        };
        let pending_setup = change::is_marketplace(&subscription)
            && subscription.status == Some(partner_center::wire::SubscriptionStatus::Pending);
        let publisher_link = if pending_setup {
            publisher_link(&pc, &scope.customer().id, id).await
        } else {
            String::new()
        };
        Ok(SubscriptionDetail {
            customer_name: scope.customer().company_name.clone(),
            in_window: change::in_window(&subscription, now_millis()),
            publisher_link,
            auto_increase,
            may_change,
            may_set_partner,
            next_terms,
            subscription,
        })
    }

    /// Changes one subscription on a task of its own, so that a request cut short never cuts
    /// the change short: read it, plan the change (a decrease after the window becomes a change
    /// scheduled for renewal), send it, read the customer's list into the store, audit. Read-only
    /// roles are refused.
    pub async fn change_subscription(
        &self,
        customer: &CustomerId,
        id: &SubscriptionId,
        change: Change,
    ) -> Result<ChangeDone, ServiceError> {
        let access = self.services.store.access();
        let checked = access.authorize_change(&self.who, customer).await;
        let scope = self.checked(Some(customer), checked).await?;
        if matches!(change, Change::PartnerId(_)) && !self.may_set_partner() {
            return Err(ServiceError::Forbidden(
                "Only the service provider or the reseller changes the partner on record.",
            ));
        }
        let customer = scope.as_ref().customer().id.clone();
        let pc = self
            .services
            .client(&scope.as_ref().customer().connection_id)
            .await?;
        let (store, id) = (self.services.store.clone(), id.clone());
        let named = id.clone();
        let describe = move |result: &Result<ChangeDone, ServiceError>| match result {
            Ok(done) => (Outcome::Succeeded, format!("{} ({named})", done.words)),
            Err(e) => (Outcome::Failed, format!("{named}: {e}")),
        };
        let key = customer.as_str().to_owned();
        let author = self.author();
        let work = async move {
            apply(
                &pc,
                &store,
                &customer,
                &id,
                &change,
                &author,
                history::Kind::Change,
            )
            .await
        };
        self.run_to_end(key, describe, work).await
    }
}

/// Sends one change and records it as a history entry of `kind` (the subscription page's
/// changes, optimisation's and auto-increase's).
pub(super) async fn apply(
    pc: &PartnerCenter,
    store: &Store,
    customer: &CustomerId,
    id: &SubscriptionId,
    change: &Change,
    author: &Author,
    kind: history::Kind,
) -> Result<ChangeDone, ServiceError> {
    let current = pc.subscription(customer, id).await.map_err(refused)?;
    let plan = change::plan(&current, change, now_millis())?;
    let (plan, answered) = match pc.update_subscription(customer, &plan.patched).await {
        Ok(answered) => (plan, answered),
        // Partner Center's clock says the window has closed before ours did: schedule instead.
        Err(PcError::Validation { code, .. })
            if code == WINDOW_CLOSED && matches!(change, Change::Quantity(_)) =>
        {
            let plan = change::plan(&current, change, i64::MAX)?;
            let answered = pc
                .update_subscription(customer, &plan.patched)
                .await
                .map_err(refused)?;
            (plan, answered)
        }
        // The answer was lost: what Partner Center shows now says whether it happened.
        Err(PcError::OutcomeUnknown(cause)) => match pc.subscription(customer, id).await {
            Ok(after) if change::shows(&after, &plan) => (plan, after),
            _ => {
                tracing::warn!(error = %cause, "subscription change not confirmed");
                return Err(ServiceError::Unconfirmed(
                    "Partner Center did not confirm the change in time. Read the \
                         subscriptions again in a moment to see whether it was made."
                        .into(),
                ));
            }
        },
        Err(e) => return Err(refused(e)),
    };
    // The history entry and the stored row, together; a failure here does not undo what
    // Partner Center did (the next read records the difference instead).
    if let Err(e) = store
        .subscriptions()
        .record_change(customer, &answered, author, kind, now_millis())
        .await
    {
        tracing::error!(error = %e, "subscription change not recorded in the history");
    }
    store_list(pc, store, customer).await;
    Ok(ChangeDone {
        words: plan.words,
        at_renewal: plan.at_renewal,
    })
}

impl Caller {
    fn may_set_partner(&self) -> bool {
        matches!(self.who.role, Role::SpAdmin | Role::ResellerAdmin)
    }
}

/// The first activation link Partner Center gives for a marketplace subscription, if it is a
/// web address (the documented example's placeholder, or anything else, is not shown as a link).
async fn publisher_link(pc: &PartnerCenter, customer: &CustomerId, id: &SubscriptionId) -> String {
    let links = match pc.activation_links(customer, id).await {
        Ok(links) => links,
        Err(e) => {
            tracing::warn!(error = %e, "the publisher's link was not read");
            return String::new();
        }
    };
    links
        .into_iter()
        .filter_map(|l| l.link?.uri)
        .find(|uri| {
            (uri.starts_with("https://") || uri.starts_with("http://"))
                && !uri.contains(char::is_whitespace)
        })
        .unwrap_or_default()
}

/// The (term, billing cycle) pairs the subscription's SKU is sold with in `country`, from the
/// catalog's availabilities; empty when the catalog does not answer (the page then offers no
/// other term).
async fn sold_terms(pc: &PartnerCenter, s: &Wire, country: &str) -> Vec<(String, String)> {
    let mut parts = s.offer_id.as_deref().unwrap_or_default().split(':');
    let (Some(product), Some(sku)) = (parts.next(), parts.next()) else {
        return Vec::new();
    };
    let product = partner_center::ProductId::new(product);
    let sku = partner_center::CatalogSkuId::new(sku);
    let availabilities = match pc.availabilities(&product, &sku, country).await {
        Ok(list) => list,
        Err(e) => {
            tracing::warn!(error = %e, "the SKU's terms were not read");
            return Vec::new();
        }
    };
    let mut terms: Vec<(String, String)> = availabilities
        .iter()
        .flat_map(|a| &a.terms)
        .filter_map(|t| {
            Some((
                t.duration.clone()?,
                t.billing_cycle.as_ref()?.as_str().to_owned(),
            ))
        })
        .collect();
    terms.sort();
    terms.dedup();
    terms
}

/// After a change Partner Center accepted, the customer's list is read into the store; if that
/// fails, the next read catches up (the change is done and is reported so).
pub(super) async fn store_list(pc: &PartnerCenter, store: &Store, customer: &CustomerId) {
    if let Err(e) = read_into_store(pc, store, customer).await {
        tracing::warn!(error = %e, "subscriptions not read into the store after a change");
    }
}

/// Partner Center's code for a decrease after the first 7 days of the term.
const WINDOW_CLOSED: &str = "800090";

/// Partner Center's refusal in words the person can act on.
fn refused(e: PcError) -> ServiceError {
    match e {
        PcError::NotFound { .. } => ServiceError::NotFound(
            "Partner Center does not know this subscription. Read the subscriptions again.".into(),
        ),
        PcError::Validation { message, .. } | PcError::Conflict { message, .. } => {
            ServiceError::BadInput(format!("Partner Center refused the change: {message}"))
        }
        other => ServiceError::partner_center(other),
    }
}
