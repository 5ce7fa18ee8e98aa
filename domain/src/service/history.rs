//! The history page: the subscription history of the customers a person may see, filtered and
//! paged, and the same as CSV.

use partner_center::CustomerId;

use super::{Caller, ServiceError};
use crate::history::{HistoryPage, HistoryQuery};

/// A page of the history and the customers it can be filtered by.
pub struct HistoryView {
    pub page: HistoryPage,
    /// (id, name) of every customer the person may see.
    pub customers: Vec<(CustomerId, String)>,
}

impl Caller {
    /// The entries `query` selects among the customers this person may see (a customer out of
    /// scope is refused and audited).
    pub async fn history(&self, mut query: HistoryQuery) -> Result<HistoryView, ServiceError> {
        let access = self.services.store.access();
        if let Some(one) = &query.customer {
            let id = CustomerId::new(one.clone());
            let checked = access.authorize(&self.who, &id).await;
            self.checked(Some(&id), checked).await?;
        }
        let visible = access.visible_customers(&self.who).await?;
        query.customers = visible.iter().map(|c| c.id.to_string()).collect();
        query.every_customer = self.who.role.is_service_provider();
        Ok(HistoryView {
            page: self.services.store.history().query(&query).await?,
            customers: visible
                .into_iter()
                .map(|c| (c.id, c.company_name))
                .collect(),
        })
    }
}
