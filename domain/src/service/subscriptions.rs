//! The subscriptions of every customer a person may see: a page of the store, and reading the
//! selected customers' lists from Partner Center into it (several customers at once).

use futures_util::{stream, Stream, StreamExt};
use partner_center::{CustomerId, PartnerCenter};

use super::{Caller, Selection, ServiceError};
use crate::{
    access::CustomerScope,
    subscriptions::{SubscriptionPage, SubscriptionQuery},
    time::now_millis,
    users::directory::{LoadMode, RefreshEvent},
    Store,
};

/// How many customers' lists are read at once.
const AT_ONCE: usize = 8;

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
    /// happens. Dropping the stream stops the work.
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
            .map(move |(scope, pc)| read_one(store.clone(), scope, pc))
            .buffer_unordered(AT_ONCE);
        stream::iter([started])
            .chain(stream::iter(failed))
            .chain(reads)
            .chain(stream::iter([ReadEvent::Finished]))
    }
}

/// One customer's list from Partner Center into the store; a failure leaves the stored list
/// as it was.
async fn read_one(store: Store, scope: CustomerScope, pc: PartnerCenter) -> ReadEvent {
    let customer = scope.customer();
    let read = async {
        let list = pc
            .subscriptions(&customer.id)
            .await
            .map_err(ServiceError::partner_center)?;
        store
            .subscriptions()
            .replace(&customer.id, &list, now_millis())
            .await?;
        Ok::<_, ServiceError>(list.len())
    };
    match read.await {
        Ok(subscriptions) => ReadEvent::Read {
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
