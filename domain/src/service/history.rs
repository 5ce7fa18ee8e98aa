//! The history page: the subscription history of the customers a person may see, filtered and
//! paged, and the same as an export read a batch at a time (any length, little memory).

use futures_util::{stream, Stream, StreamExt};
use partner_center::CustomerId;

use super::{Caller, ServiceError, Services};
use crate::history::{Entry, HistoryPage, HistoryQuery};

/// A page of the history and the customers it can be filtered by.
pub struct HistoryView {
    pub page: HistoryPage,
    /// (id, name) of every customer the person may see.
    pub customers: Vec<(CustomerId, String)>,
}

/// Every entry a query selects, checked now, to be read in batches.
pub struct HistoryExport {
    services: Services,
    query: HistoryQuery,
    /// (id, name) of every customer the person may see.
    pub customers: Vec<(CustomerId, String)>,
}

impl Caller {
    /// The entries `query` selects among the customers this person may see (a customer out of
    /// scope is refused and audited).
    pub async fn history(&self, query: HistoryQuery) -> Result<HistoryView, ServiceError> {
        let export = self.history_export(query).await?;
        Ok(HistoryView {
            page: self.services.store.history().query(&export.query).await?,
            customers: export.customers,
        })
    }

    /// The same entries, every one, for an export.
    pub async fn history_export(
        &self,
        mut query: HistoryQuery,
    ) -> Result<HistoryExport, ServiceError> {
        let access = self.services.store.access();
        if let Some(one) = &query.customer {
            let id = CustomerId::new(one.clone());
            let checked = access.authorize(&self.who, &id).await;
            self.checked(Some(&id), checked).await?;
        }
        let visible = access.visible_customers(&self.who).await?;
        query.customers = visible.iter().map(|c| c.id.to_string()).collect();
        query.every_customer = self.who.role.is_service_provider();
        Ok(HistoryExport {
            services: self.services.clone(),
            query,
            customers: visible
                .into_iter()
                .map(|c| (c.id, c.company_name))
                .collect(),
        })
    }
}

impl HistoryExport {
    /// The entries, newest first, `size` at a time; a failure ends the stream after it. Fused:
    /// a response body is asked again after its end (the compressor does).
    pub fn batches(
        self,
        size: usize,
    ) -> impl Stream<Item = Result<Vec<Entry>, ServiceError>> + Send + 'static {
        let state = (self.services, self.query, None::<(i64, String)>, false);
        stream::unfold(state, move |(services, query, after, done)| async move {
            if done {
                return None;
            }
            let history = services.store.history();
            match history.batch(&query, after.as_ref(), size).await {
                Ok(rows) if rows.is_empty() => None,
                Ok(rows) => {
                    let last = rows.last().map(|(id, e)| (e.at, id.clone()));
                    let done = rows.len() < size;
                    let entries = rows.into_iter().map(|(_, e)| e).collect();
                    Some((Ok(entries), (services, query, last, done)))
                }
                Err(e) => Some((Err(e.into()), (services, query, after, true))),
            }
        })
        .fuse()
    }
}
