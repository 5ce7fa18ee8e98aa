//! The curated catalog of a connection: what Partner Center lists for the connection's country
//! (products, SKUs, and the terms and billing cycles each SKU is sold with), and the service
//! provider's choice of what may be ordered through Seatwise. A refresh compares what is listed
//! with what was stored: new SKUs wait for review, SKUs no longer listed are discontinued (and no
//! longer offered), and the refresh's summary is kept.

use std::collections::{BTreeSet, HashMap};

use sqlx::AnyPool;

use crate::{connections::ConnectionId, StoreError};

/// A SKU as a catalog refresh saw it.
#[derive(Debug, Clone, PartialEq)]
pub struct ListedSku {
    pub product_id: String,
    pub sku_id: String,
    pub product_title: String,
    pub sku_title: String,
    /// (term duration, billing cycle) pairs it is sold with, e.g. ("P1Y", "annual").
    pub terms: BTreeSet<(String, String)>,
    /// The licensing SKU it grants (lower case), empty when Partner Center gives none.
    pub provisioning_id: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Seen for the first time by a refresh: waiting for review.
    New,
    Reviewed,
    /// No longer listed by Partner Center: cannot be offered.
    Discontinued,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::New => "new",
            State::Reviewed => "reviewed",
            State::Discontinued => "discontinued",
        }
    }

    fn parse(s: &str) -> State {
        match s {
            "new" => State::New,
            "discontinued" => State::Discontinued,
            _ => State::Reviewed,
        }
    }
}

/// A SKU of the curated catalog.
#[derive(Debug, Clone, PartialEq)]
pub struct CatalogItem {
    pub product_id: String,
    pub sku_id: String,
    pub product_title: String,
    pub sku_title: String,
    pub terms: Vec<(String, String)>,
    pub offered: bool,
    pub display_name: String,
    pub billing_cycles: Vec<String>,
    pub state: State,
    /// A customer has one subscription of it: a further order adds licenses to that one
    /// (otherwise every order is a new subscription, as Dynamics instances need).
    pub add_to_existing: bool,
}

impl CatalogItem {
    /// The billing cycles Partner Center sells this SKU with.
    pub fn available_cycles(&self) -> BTreeSet<String> {
        self.terms.iter().map(|(_, c)| c.clone()).collect()
    }
}

/// What a refresh found, compared with the stored catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RefreshSummary {
    pub at: i64,
    pub added: usize,
    pub discontinued: usize,
    pub listed: usize,
}

/// The service provider's choice for one SKU.
#[derive(Debug, Clone, PartialEq)]
pub struct Curation {
    pub offered: bool,
    pub display_name: String,
    pub billing_cycles: Vec<String>,
    pub add_to_existing: bool,
}

pub struct Catalog<'a> {
    pool: &'a AnyPool,
}

type Row = (
    String,
    String,
    String,
    String,
    String,
    i64,
    String,
    String,
    String,
    i64,
);

impl<'a> Catalog<'a> {
    pub(crate) fn new(pool: &'a AnyPool) -> Self {
        Catalog { pool }
    }

    /// The licensing SKU each catalog SKU of the connection grants: `PRODUCT:SKU` (upper case)
    /// → the directory's SKU id (lower case), for the SKUs whose grant Partner Center named.
    pub async fn licensing_skus(
        &self,
        connection: &ConnectionId,
    ) -> Result<HashMap<String, String>, StoreError> {
        let rows: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT product_id, sku_id, provisioning_id FROM catalog_items \
             WHERE connection_id = $1 AND provisioning_id <> ''",
        )
        .bind(connection.as_str())
        .fetch_all(self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(product, sku, grant)| {
                (
                    format!("{product}:{sku}").to_uppercase(),
                    grant.to_lowercase(),
                )
            })
            .collect())
    }

    /// Stores what a refresh listed, in one transaction, and answers what changed.
    pub async fn record_refresh(
        &self,
        connection: &ConnectionId,
        listed: &[ListedSku],
        now: i64,
    ) -> Result<RefreshSummary, StoreError> {
        let stored: HashMap<(String, String), State> = self
            .items(connection)
            .await?
            .into_iter()
            .map(|i| ((i.product_id, i.sku_id), i.state))
            .collect();
        let mut summary = RefreshSummary {
            at: now,
            listed: listed.len(),
            ..Default::default()
        };
        let mut tx = self.pool.begin().await?;
        let mut seen = BTreeSet::new();
        for sku in listed {
            let key = (sku.product_id.clone(), sku.sku_id.clone());
            if !seen.insert(key.clone()) {
                continue;
            }
            let terms = terms_text(&sku.terms);
            match stored.get(&key) {
                None => {
                    summary.added += 1;
                    sqlx::query(
                        "INSERT INTO catalog_items (connection_id, product_id, sku_id, \
                         product_title, sku_title, terms, offered, display_name, billing_cycles, \
                         state, first_seen_at, last_seen_at, provisioning_id) \
                         VALUES ($1, $2, $3, $4, $5, $6, 0, '', '', 'new', $7, $7, $8)",
                    )
                    .bind(connection.as_str())
                    .bind(&key.0)
                    .bind(&key.1)
                    .bind(&sku.product_title)
                    .bind(&sku.sku_title)
                    .bind(&terms)
                    .bind(now)
                    .bind(&sku.provisioning_id)
                    .execute(&mut *tx)
                    .await?;
                }
                Some(state) => {
                    // Listed again after it was discontinued: it waits for review once more.
                    let state = match state {
                        State::Discontinued => {
                            summary.added += 1;
                            State::New
                        }
                        other => *other,
                    };
                    sqlx::query(
                        "UPDATE catalog_items SET product_title = $1, sku_title = $2, terms = $3, \
                         state = $4, last_seen_at = $5, provisioning_id = $6 \
                         WHERE connection_id = $7 AND product_id = $8 AND sku_id = $9",
                    )
                    .bind(&sku.product_title)
                    .bind(&sku.sku_title)
                    .bind(&terms)
                    .bind(state.as_str())
                    .bind(now)
                    .bind(&sku.provisioning_id)
                    .bind(connection.as_str())
                    .bind(&key.0)
                    .bind(&key.1)
                    .execute(&mut *tx)
                    .await?;
                }
            }
        }
        for (key, state) in &stored {
            if !seen.contains(key) && *state != State::Discontinued {
                summary.discontinued += 1;
                sqlx::query(
                    "UPDATE catalog_items SET state = 'discontinued', offered = 0 \
                     WHERE connection_id = $1 AND product_id = $2 AND sku_id = $3",
                )
                .bind(connection.as_str())
                .bind(&key.0)
                .bind(&key.1)
                .execute(&mut *tx)
                .await?;
            }
        }
        sqlx::query(
            "INSERT INTO catalog_refreshes (connection_id, refreshed_at, added, discontinued, \
             listed) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (connection_id) DO UPDATE SET \
             refreshed_at = excluded.refreshed_at, added = excluded.added, \
             discontinued = excluded.discontinued, listed = excluded.listed",
        )
        .bind(connection.as_str())
        .bind(now)
        .bind(summary.added as i64)
        .bind(summary.discontinued as i64)
        .bind(summary.listed as i64)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(summary)
    }

    /// The connection's catalog, by product and SKU title.
    pub async fn items(&self, connection: &ConnectionId) -> Result<Vec<CatalogItem>, StoreError> {
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT product_id, sku_id, product_title, sku_title, terms, offered, display_name, \
             billing_cycles, state, add_to_existing FROM catalog_items WHERE connection_id = $1 \
             ORDER BY LOWER(product_title), LOWER(sku_title), sku_id",
        )
        .bind(connection.as_str())
        .fetch_all(self.pool)
        .await?;
        Ok(rows.into_iter().map(to_item).collect())
    }

    pub async fn last_refresh(
        &self,
        connection: &ConnectionId,
    ) -> Result<Option<RefreshSummary>, StoreError> {
        let row: Option<(i64, i64, i64, i64)> = sqlx::query_as(
            "SELECT refreshed_at, added, discontinued, listed FROM catalog_refreshes \
             WHERE connection_id = $1",
        )
        .bind(connection.as_str())
        .fetch_optional(self.pool)
        .await?;
        Ok(row.map(|(at, added, discontinued, listed)| RefreshSummary {
            at,
            added: added as usize,
            discontinued: discontinued as usize,
            listed: listed as usize,
        }))
    }

    /// The service provider's choice for one SKU; it is reviewed from then on. A discontinued
    /// SKU cannot be offered, and only the billing cycles Partner Center sells it with can be.
    pub async fn curate(
        &self,
        connection: &ConnectionId,
        product_id: &str,
        sku_id: &str,
        choice: &Curation,
    ) -> Result<CatalogItem, StoreError> {
        let item = self
            .items(connection)
            .await?
            .into_iter()
            .find(|i| i.product_id == product_id && i.sku_id == sku_id)
            .ok_or_else(|| StoreError::Invalid("sku: this SKU is not in the catalog".into()))?;
        let name = choice.display_name.trim();
        if name.chars().count() > 100 || name.chars().any(char::is_control) {
            return Err(StoreError::Invalid(
                "display_name: use at most 100 characters".into(),
            ));
        }
        let available = item.available_cycles();
        let cycles: BTreeSet<String> = choice.billing_cycles.iter().cloned().collect();
        if let Some(unknown) = cycles.iter().find(|c| !available.contains(*c)) {
            return Err(StoreError::Invalid(format!(
                "billing_cycles: Partner Center does not sell this SKU billed {unknown}"
            )));
        }
        if choice.offered && item.state == State::Discontinued {
            return Err(StoreError::Invalid(
                "offered: this SKU is discontinued and can no longer be ordered".into(),
            ));
        }
        if choice.offered && cycles.is_empty() {
            return Err(StoreError::Invalid(
                "billing_cycles: offer at least one billing cycle".into(),
            ));
        }
        let state = if item.state == State::Discontinued {
            State::Discontinued
        } else {
            State::Reviewed
        };
        sqlx::query(
            "UPDATE catalog_items SET offered = $1, display_name = $2, billing_cycles = $3, \
             state = $4, add_to_existing = $5 \
             WHERE connection_id = $6 AND product_id = $7 AND sku_id = $8",
        )
        .bind(i64::from(choice.offered))
        .bind(name)
        .bind(cycles.into_iter().collect::<Vec<_>>().join(" "))
        .bind(state.as_str())
        .bind(i64::from(choice.add_to_existing))
        .bind(connection.as_str())
        .bind(product_id)
        .bind(sku_id)
        .execute(self.pool)
        .await?;
        self.items(connection)
            .await?
            .into_iter()
            .find(|i| i.product_id == product_id && i.sku_id == sku_id)
            .ok_or_else(|| StoreError::Invalid("sku: this SKU is not in the catalog".into()))
    }
}

fn terms_text(terms: &BTreeSet<(String, String)>) -> String {
    terms
        .iter()
        .map(|(d, c)| format!("{d}:{c}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn to_item(r: Row) -> CatalogItem {
    CatalogItem {
        product_id: r.0,
        sku_id: r.1,
        product_title: r.2,
        sku_title: r.3,
        terms: r
            .4
            .split_whitespace()
            .filter_map(|t| t.split_once(':'))
            .map(|(d, c)| (d.to_owned(), c.to_owned()))
            .collect(),
        offered: r.5 != 0,
        display_name: r.6,
        billing_cycles: r.7.split_whitespace().map(str::to_owned).collect(),
        state: State::parse(&r.8),
        add_to_existing: r.9 != 0,
    }
}
