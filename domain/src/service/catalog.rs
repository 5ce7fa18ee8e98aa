//! The curated catalog on the Catalog page: the service provider's staff read it per
//! connection; admins refresh it from Partner Center (every product, SKU and availability of the
//! connection's country) and choose what may be ordered through Seatwise; the server refreshes
//! catalogs in use monthly by schedule.

use std::collections::BTreeSet;

use futures_util::{stream, StreamExt, TryStreamExt};
use partner_center::{wire::Product, PartnerCenter, PcError};

use super::{ProviderAdminDesk, ProviderDesk, ServiceError, Services};
use crate::{
    audit::{NewEntry, Outcome},
    catalog::{CatalogItem, Curation, ListedSku, RefreshSummary},
    connections::{Connection, ConnectionId},
    time::now_millis,
};

/// Products read from Partner Center at once during a refresh.
const AT_ONCE: usize = 8;

pub struct CatalogView {
    /// Every connection (for the choice), and the one shown.
    pub connections: Vec<Connection>,
    pub connection: Connection,
    pub items: Vec<CatalogItem>,
    pub last_refresh: Option<RefreshSummary>,
}

impl ProviderDesk {
    /// The curated catalog of a connection (the default one when none is named).
    pub async fn catalog(
        &self,
        connection: Option<&ConnectionId>,
    ) -> Result<CatalogView, ServiceError> {
        let services = &self.caller.services;
        let connections = services.store.connections(&services.sealer).list().await?;
        let chosen = match connection {
            Some(id) => connections.iter().find(|c| c.id == *id),
            None => connections
                .iter()
                .find(|c| c.is_default)
                .or(connections.first()),
        };
        let connection = chosen
            .cloned()
            .ok_or_else(|| ServiceError::NotFound("There is no such connection.".into()))?;
        let catalog = services.store.catalog();
        Ok(CatalogView {
            items: catalog.items(&connection.id).await?,
            last_refresh: catalog.last_refresh(&connection.id).await?,
            connection,
            connections,
        })
    }
}

impl ProviderAdminDesk {
    /// Reads what Partner Center lists for the connection's country and stores it: new SKUs
    /// wait for review, SKUs no longer listed are discontinued. Nothing is stored if a read
    /// fails (a partial list would discontinue what it missed).
    pub async fn refresh_catalog(
        &self,
        connection: &ConnectionId,
    ) -> Result<RefreshSummary, ServiceError> {
        let result = async {
            let c = self.caller.existing_connection(connection).await?;
            refresh(&self.caller.services, &c).await
        }
        .await;
        let detail = result
            .as_ref()
            .map_or(String::new(), |s| refresh_words(connection, s));
        self.caller.finish(None, &detail, result).await
    }

    /// Offers a SKU through Seatwise (or not), with a display name and billing cycles.
    pub async fn curate(
        &self,
        connection: &ConnectionId,
        product_id: &str,
        sku_id: &str,
        choice: &Curation,
    ) -> Result<CatalogItem, ServiceError> {
        let catalog = self.caller.services.store.catalog();
        let result = catalog
            .curate(connection, product_id, sku_id, choice)
            .await
            .map_err(ServiceError::naming_field);
        let detail = format!(
            "{product_id}:{sku_id} {}",
            if choice.offered {
                "offered"
            } else {
                "not offered"
            }
        );
        self.caller.finish(None, &detail, result).await
    }
}

/// The segments Partner Center sells to.
pub const SEGMENTS: [&str; 4] = ["commercial", "education", "government", "nonprofit"];

/// What Partner Center sells in one country to one segment, read live (nothing is kept).
pub struct CatalogBrowse {
    pub connection: Connection,
    pub country: String,
    pub segment: String,
    pub skus: Vec<ListedSku>,
}

impl ProviderDesk {
    /// Reads Partner Center's catalog through a connection for any country and segment, to
    /// look before choosing (the curated catalog stays that of the connection's country).
    pub async fn browse_catalog(
        &self,
        connection: &ConnectionId,
        country: &str,
        segment: &str,
    ) -> Result<CatalogBrowse, ServiceError> {
        let country = country.trim().to_uppercase();
        if country.len() != 2 || !country.chars().all(|c| c.is_ascii_alphabetic()) {
            return Err(ServiceError::field(
                "country",
                "Give a two-letter country code such as US or GB.",
            ));
        }
        let segment = segment.trim().to_lowercase();
        if !SEGMENTS.contains(&segment.as_str()) {
            return Err(ServiceError::field(
                "segment",
                "Choose commercial, education, government or nonprofit.",
            ));
        }
        let connection = self.caller.existing_connection(connection).await?;
        let pc = self.caller.services.client(&connection.id).await?;
        let mut skus = listed(&pc, &country, Some(&segment))
            .await
            .map_err(ServiceError::partner_center)?;
        skus.sort_by_cached_key(|s| (s.product_title.to_lowercase(), s.sku_title.to_lowercase()));
        Ok(CatalogBrowse {
            connection,
            country,
            segment,
            skus,
        })
    }
}

/// How often a catalog in use is read again by schedule.
pub const REFRESH_EVERY_MS: i64 = 30 * 86_400_000;

impl Services {
    /// The scheduled catalog refresh: every connection whose catalog was last read more than
    /// [`REFRESH_EVERY_MS`] ago is read again (one never read waits for its first refresh on
    /// the Catalog page), audited as done by the schedule. Answers how many were read.
    pub async fn refresh_catalogs_due(&self, now: i64) -> usize {
        let connections = match self.catalogs_due(now).await {
            Ok(list) => list,
            Err(e) => {
                tracing::warn!(error = %e, "scheduled catalog refresh: connections not read");
                return 0;
            }
        };
        let mut done = 0;
        for c in connections {
            let result = refresh(self, &c).await;
            let (outcome, detail) = match &result {
                Ok(summary) => (Outcome::Succeeded, refresh_words(&c.id, summary)),
                Err(e) => (Outcome::Failed, format!("{}: {e}", c.id)),
            };
            tracing::info!(connection = %c.id, %detail, "scheduled catalog refresh");
            self.record(NewEntry {
                actor: SCHEDULE,
                customer_id: None,
                action: "catalog.refresh",
                outcome,
                detail: &detail,
                request_id: None,
            })
            .await;
            done += usize::from(result.is_ok());
        }
        done
    }
}

impl Services {
    /// The connections whose catalog was last read [`REFRESH_EVERY_MS`] or more before `now`
    /// (one never read waits for its first refresh on the Catalog page).
    async fn catalogs_due(&self, now: i64) -> Result<Vec<Connection>, ServiceError> {
        let mut due = Vec::new();
        for c in self.store.connections(&self.sealer).list().await? {
            let last = self.store.catalog().last_refresh(&c.id).await?;
            if last.is_some_and(|s| now - s.at >= REFRESH_EVERY_MS) {
                due.push(c);
            }
        }
        Ok(due)
    }

    /// Queues the catalog refresh as a job when some catalog is due at `now`: once a day
    /// however many instances ask. Answers the job's id when it queued one.
    pub async fn catalog_refresh_due(&self, now: i64) -> Result<Option<String>, ServiceError> {
        if self.catalogs_due(now).await?.is_empty() {
            return Ok(None);
        }
        let today = &crate::time::format_utc_datetime(now)[..10];
        Ok(self
            .store
            .jobs()
            .create_scheduled(
                super::jobs::CATALOG_SCHEDULE,
                today,
                crate::jobs::JobKind::CatalogRefresh,
                SCHEDULE,
            )
            .await?)
    }
}

/// Who the audit log names for work the server does by schedule.
pub const SCHEDULE: &str = "Seatwise (schedule)";

/// Reads what Partner Center lists for the connection's country and stores it.
async fn refresh(services: &Services, c: &Connection) -> Result<RefreshSummary, ServiceError> {
    let pc = services.client(&c.id).await?;
    let listed = listed(&pc, &c.country, None)
        .await
        .map_err(ServiceError::partner_center)?;
    Ok(services
        .store
        .catalog()
        .record_refresh(&c.id, &listed, now_millis())
        .await?)
}

fn refresh_words(connection: &ConnectionId, s: &RefreshSummary) -> String {
    format!(
        "{connection}: {} listed, {} new, {} discontinued",
        s.listed, s.added, s.discontinued
    )
}

/// Every SKU of every product Partner Center lists for `country` (and `segment`, when given:
/// the availabilities of other segments are left out), with its terms.
async fn listed(
    pc: &PartnerCenter,
    country: &str,
    segment: Option<&str>,
) -> Result<Vec<ListedSku>, PcError> {
    let products = pc.products(country, "OnlineServices", segment).await?;
    let per_product: Vec<Vec<ListedSku>> = stream::iter(products)
        .map(|p| product_skus(pc, country, segment, p))
        .buffer_unordered(AT_ONCE)
        .try_collect()
        .await?;
    Ok(per_product.into_iter().flatten().collect())
}

async fn product_skus(
    pc: &PartnerCenter,
    country: &str,
    segment: Option<&str>,
    product: Product,
) -> Result<Vec<ListedSku>, PcError> {
    let mut listed = Vec::new();
    for sku in pc.skus(&product.id, country).await? {
        let mut terms = BTreeSet::new();
        let availabilities = pc.availabilities(&product.id, &sku.id, country).await?;
        let in_segment = availabilities.into_iter().filter(|a| {
            segment.is_none_or(|wanted| {
                a.segment
                    .as_deref()
                    .is_none_or(|s| s.eq_ignore_ascii_case(wanted))
            })
        });
        for a in in_segment {
            for t in a.terms {
                let cycle = t.billing_cycle.as_ref().map_or("none", |c| c.as_str());
                terms.insert((t.duration.clone().unwrap_or_default(), cycle.to_owned()));
            }
        }
        if terms.is_empty() && segment.is_some() {
            // Not sold to this segment.
            continue;
        }
        listed.push(ListedSku {
            product_id: product.id.to_string(),
            sku_id: sku.id.to_string(),
            product_title: product
                .title
                .clone()
                .unwrap_or_else(|| product.id.to_string()),
            sku_title: sku.title.clone().unwrap_or_else(|| sku.id.to_string()),
            terms,
            provisioning_id: sku.provisioning_id().unwrap_or_default().to_lowercase(),
        });
    }
    Ok(listed)
}
