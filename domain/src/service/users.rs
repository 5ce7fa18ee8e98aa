//! The users of every customer a person may see (the multi-customer view): a page of the
//! directory cache, and its refresh from Partner Center.

use futures_util::{stream, Stream, StreamExt};
use partner_center::CustomerId;

use super::{Caller, ServiceError};
use crate::{
    access::{AccessError, CustomerScope, Reseller, ResellerId},
    users::directory::{
        self, Depth, Freshness, LoadMode, RefreshEvent, SkuName, UserPage, UserQuery,
    },
};

/// Which of the visible customers a view covers: one, one reseller's, or (neither) all.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub customer: Option<CustomerId>,
    pub reseller: Option<ResellerId>,
}

/// The visible customers and the selected ones, checked now.
pub struct UsersDesk {
    caller: Caller,
    visible: Vec<CustomerScope>,
    selected: Vec<CustomerScope>,
}

/// A page of the users view, with what its filters and notes need.
pub struct UsersView {
    pub page: UserPage,
    /// Customers Partner Center did not answer for (by name).
    pub failures: Vec<String>,
    /// Every customer the person may see (id, name), for the filter.
    pub customers: Vec<(CustomerId, String)>,
    /// The resellers, for the service provider's filter (empty for others).
    pub resellers: Vec<Reseller>,
    pub skus: Vec<SkuName>,
    pub freshness: Freshness,
    /// How many customers the view covers.
    pub selected: usize,
    /// The default mode: refresh from Partner Center on every visit.
    pub live: bool,
}

impl Caller {
    /// The customers this person may see and the selected ones; one customer out of scope is
    /// refused and audited.
    pub async fn users(&self, selection: &Selection) -> Result<UsersDesk, ServiceError> {
        let (visible, selected) = self.select(selection).await?;
        Ok(UsersDesk {
            caller: self.clone(),
            visible,
            selected,
        })
    }

    /// The customers this person may see, and those of them `selection` picks; one customer
    /// out of scope is refused and audited (the same answer whether it exists or not).
    pub(super) async fn select(
        &self,
        selection: &Selection,
    ) -> Result<(Vec<CustomerScope>, Vec<CustomerScope>), ServiceError> {
        let all = self.services.store.access().scopes(&self.who).await;
        let visible = self.checked(None, all).await?;
        let selected: Vec<CustomerScope> = match &selection.customer {
            Some(wanted) => match visible.iter().find(|s| s.customer().id == *wanted) {
                Some(scope) => vec![scope.clone()],
                None => {
                    return self
                        .checked(Some(wanted), Err(AccessError::Forbidden))
                        .await
                }
            },
            None => visible
                .iter()
                .filter(|s| {
                    selection
                        .reseller
                        .as_ref()
                        .is_none_or(|r| s.customer().reseller_id.as_ref().is_some_and(|x| x == r))
                })
                .cloned()
                .collect(),
        };
        Ok((visible, selected))
    }
}

impl UsersDesk {
    /// A page of the cache; with `wait`, the user lists are read from Partner Center first
    /// (the refresh of a page without JavaScript).
    pub async fn view(&self, query: &UserQuery, wait: bool) -> Result<UsersView, ServiceError> {
        let store = &self.caller.services.store;
        let mut failures = Vec::new();
        if wait {
            let mut events = std::pin::pin!(self.events(Depth::Users).await);
            while let Some(event) = events.next().await {
                if let RefreshEvent::Failed { customer_name, .. } = event {
                    failures.push(customer_name);
                }
            }
        }
        let directory = store.directory();
        let resellers = if self.caller.who.role.is_service_provider() {
            store.access().resellers().await?
        } else {
            Vec::new()
        };
        Ok(UsersView {
            freshness: directory.freshness(&self.selected).await?,
            page: directory.query(&self.selected, query).await?,
            skus: directory.skus(&self.selected).await?,
            live: directory.load_mode().await? == LoadMode::Live,
            failures,
            customers: self
                .visible
                .iter()
                .map(|s| (s.customer().id.clone(), s.customer().company_name.clone()))
                .collect(),
            resellers,
            selected: self.selected.len(),
        })
    }

    /// Reads the users, then licenses and roles, of the selected customers into the cache,
    /// an event per customer and stage as it happens. Dropping the stream stops the work.
    pub async fn refresh(self) -> impl Stream<Item = RefreshEvent> + Send + 'static {
        self.events(Depth::Everything).await
    }

    async fn events(&self, depth: Depth) -> impl Stream<Item = RefreshEvent> + Send + 'static {
        let (targets, unreachable) = self.caller.targets(self.selected.clone()).await;
        let store = self.caller.services.store.clone();
        stream::iter(unreachable).chain(directory::refresh(store, targets, depth))
    }
}
