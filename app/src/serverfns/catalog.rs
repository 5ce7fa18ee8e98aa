//! The Catalog page: a connection's curated catalog, its refresh from Partner Center, and the
//! service provider admin's choice of what may be ordered.

use leptos::{prelude::*, server_fn::codec::GetUrl};
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CatalogRow {
    pub product_id: String,
    pub sku_id: String,
    pub product: String,
    pub sku: String,
    /// What Partner Center sells it with, in words ("1 year, billed annually").
    pub terms: Vec<String>,
    /// The billing cycles Partner Center sells it with (`monthly`, `annual`, …).
    pub cycles: Vec<String>,
    pub offered: bool,
    pub display_name: String,
    pub offered_cycles: Vec<String>,
    /// `new`, `reviewed` or `discontinued`.
    pub state: String,
    /// One subscription per customer: a further order adds licenses to it.
    pub add_to_existing: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CatalogPage {
    /// (id, name) of every connection, and the one shown.
    pub connections: Vec<(String, String)>,
    pub connection: String,
    pub connection_name: String,
    pub country: String,
    pub rows: Vec<CatalogRow>,
    /// The last refresh: when, and what it found, in words; empty before the first.
    pub last_refresh: String,
}

#[server(prefix = "/api", endpoint = "catalog", input = GetUrl)]
pub async fn catalog(#[server(default)] connection: String) -> Result<CatalogPage, AppError> {
    let provider = crate::door::caller("catalog.read")
        .await?
        .provider()
        .await?;
    let id = match connection.trim() {
        "" => None,
        id => Some(crate::error::parse_id("connection", id)?),
    };
    Ok(provider.catalog(id.as_ref()).await?.into())
}

/// What Partner Center sells in one country to one segment, read live through a connection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BrowseResult {
    pub connection_name: String,
    pub country: String,
    pub segment: String,
    /// Product, SKU (title · id), and what it is sold with in words.
    pub rows: Vec<(String, String, Vec<String>)>,
}

/// Browses Partner Center's catalog for any country and segment (staff; nothing is kept).
#[server(prefix = "/api", endpoint = "catalog-browse", input = GetUrl)]
pub async fn browse_catalog(
    connection: String,
    country: String,
    segment: String,
) -> Result<BrowseResult, AppError> {
    let provider = crate::door::caller("catalog.browse")
        .await?
        .provider()
        .await?;
    let id = crate::error::parse_id("connection", &connection)?;
    let found = provider.browse_catalog(&id, &country, &segment).await?;
    Ok(found.into())
}

/// Reads the connection's catalog from Partner Center (admins only).
#[server(prefix = "/api", endpoint = "catalog-refresh")]
pub async fn refresh_catalog(connection: String) -> Result<(), AppError> {
    let admin = crate::door::caller("catalog.refresh")
        .await?
        .provider_admin()
        .await?;
    let id = crate::error::parse_id("connection", &connection)?;
    admin.refresh_catalog(&id).await?;
    Ok(())
}

/// Offers a SKU through Seatwise (or not), with its display name and billing cycles.
#[server(prefix = "/api", endpoint = "catalog-curate")]
pub async fn curate_catalog_item(#[server(flatten)] form: CurationForm) -> Result<(), AppError> {
    let admin = crate::door::caller("catalog.curate")
        .await?
        .provider_admin()
        .await?;
    let id = crate::error::parse_id("connection", &form.connection)?;
    let (product, sku) = (form.product_id.clone(), form.sku_id.clone());
    admin.curate(&id, &product, &sku, &form.into()).await?;
    Ok(())
}

/// The curation form of one SKU: checkboxes are present when ticked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CurationForm {
    pub connection: String,
    pub product_id: String,
    pub sku_id: String,
    #[serde(default)]
    pub offered: Option<String>,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub monthly: Option<String>,
    #[serde(default)]
    pub annual: Option<String>,
    #[serde(default)]
    pub triennial: Option<String>,
    /// Ticked: one subscription per customer (a further order adds licenses to it).
    #[serde(default)]
    pub existing: Option<String>,
}

#[cfg(feature = "ssr")]
impl From<CurationForm> for domain::catalog::Curation {
    fn from(f: CurationForm) -> Self {
        let cycles = [
            ("monthly", &f.monthly),
            ("annual", &f.annual),
            ("triennial", &f.triennial),
        ];
        domain::catalog::Curation {
            offered: f.offered.is_some(),
            display_name: f.display_name,
            billing_cycles: cycles
                .iter()
                .filter(|(_, ticked)| ticked.is_some())
                .map(|(c, _)| (*c).to_owned())
                .collect(),
            add_to_existing: f.existing.is_some(),
        }
    }
}

#[cfg(feature = "ssr")]
impl From<domain::service::CatalogView> for CatalogPage {
    fn from(v: domain::service::CatalogView) -> Self {
        let last_refresh = v.last_refresh.map_or(String::new(), |r| {
            let at = crate::language::date(&domain::time::format_utc_datetime(r.at));
            let (listed, added, discontinued) = (r.listed, r.added, r.discontinued);
            tr!(p_catalog.last_refresh, at, listed, added, discontinued).to_string()
        });
        CatalogPage {
            connections: v
                .connections
                .iter()
                .map(|c| (c.id.to_string(), c.name.clone()))
                .collect(),
            connection: v.connection.id.to_string(),
            connection_name: v.connection.name,
            country: v.connection.country,
            rows: v.items.into_iter().map(CatalogRow::from).collect(),
            last_refresh,
        }
    }
}

#[cfg(feature = "ssr")]
impl From<domain::catalog::CatalogItem> for CatalogRow {
    fn from(i: domain::catalog::CatalogItem) -> Self {
        CatalogRow {
            terms: i
                .terms
                .iter()
                .map(|(d, c)| crate::language::term_billed(d, c))
                .collect(),
            cycles: i.available_cycles().into_iter().collect(),
            product_id: i.product_id,
            sku_id: i.sku_id,
            product: i.product_title,
            sku: i.sku_title,
            offered: i.offered,
            display_name: i.display_name,
            offered_cycles: i.billing_cycles,
            state: i.state.as_str().to_owned(),
            add_to_existing: i.add_to_existing,
        }
    }
}

#[cfg(feature = "ssr")]
impl From<domain::service::CatalogBrowse> for BrowseResult {
    fn from(b: domain::service::CatalogBrowse) -> Self {
        BrowseResult {
            connection_name: b.connection.name,
            country: b.country,
            segment: b.segment,
            rows: b
                .skus
                .into_iter()
                .map(|s| {
                    let terms = s
                        .terms
                        .iter()
                        .map(|(d, c)| crate::language::term_billed(d, c))
                        .collect();
                    (
                        s.product_title,
                        format!("{} · {}:{}", s.sku_title, s.product_id, s.sku_id),
                        terms,
                    )
                })
                .collect(),
        }
    }
}
