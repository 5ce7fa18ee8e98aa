//! The service provider's Customers page: tenants of a connection (the default one unless
//! another is chosen) to import, resellers to assign, and the users pages' load mode.

use leptos::{prelude::*, server_fn::codec::GetUrl};
use serde::{Deserialize, Serialize};

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::{door::caller, error::parse_id};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tenant {
    pub id: String,
    pub company_name: String,
    pub domain: String,
    pub imported: bool,
    pub reseller_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResellerRow {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TenantsPage {
    /// The connection listed: name and id.
    pub connection: String,
    pub connection_id: String,
    /// (id, name) of every connection, for the choice.
    pub connections: Vec<(String, String)>,
    /// The reseller the connection was given to: its tenants become that reseller's.
    pub owner: Option<String>,
    pub tenants: Vec<Tenant>,
    pub resellers: Vec<ResellerRow>,
}

/// Every tenant of a connection (the default one when `connection` is empty), marked when
/// already imported.
#[server(prefix = "/api", endpoint = "tenants", input = GetUrl)]
pub async fn tenants(#[server(default)] connection: String) -> Result<TenantsPage, AppError> {
    let provider = caller("tenants.list").await?.provider().await?;
    let connection = optional_connection(&connection)?;
    Ok(provider.tenants(connection.as_ref()).await?.into())
}

/// Imports a tenant of a connection (the default one when `connection` is empty; admins only).
#[server(prefix = "/api", endpoint = "import-tenant")]
pub async fn import_tenant(
    tenant_id: String,
    #[server(default)] connection: String,
) -> Result<(), AppError> {
    let admin = caller("customer.import").await?.provider_admin().await?;
    let connection = optional_connection(&connection)?;
    Ok(admin
        .import_tenant(connection.as_ref(), &parse_id("tenant_id", &tenant_id)?)
        .await?)
}

#[cfg(feature = "ssr")]
fn optional_connection(
    connection: &str,
) -> Result<Option<domain::connections::ConnectionId>, AppError> {
    match connection.trim() {
        "" => Ok(None),
        id => parse_id("connection", id).map(Some),
    }
}

/// Puts a customer under a reseller, or makes it direct (`reseller_id` empty).
#[server(prefix = "/api", endpoint = "assign-reseller")]
pub async fn assign_reseller(tenant_id: String, reseller_id: String) -> Result<(), AppError> {
    let admin = caller("customer.reseller").await?.provider_admin().await?;
    let customer = parse_id("tenant_id", &tenant_id)?;
    let reseller = match reseller_id.trim() {
        "" => None,
        id => Some(parse_id("reseller_id", id)?),
    };
    Ok(admin.assign_reseller(&customer, reseller.as_ref()).await?)
}

/// Adds a reseller (admins only); customers are then assigned to it on this page.
#[server(prefix = "/api", endpoint = "create-reseller")]
pub async fn create_reseller(name: String, mpn_id: String) -> Result<(), AppError> {
    let admin = caller("reseller.create").await?.provider_admin().await?;
    admin.create_reseller(&name, Some(&mpn_id)).await?;
    Ok(())
}

/// Whether the users pages refresh from Partner Center on every visit (`live`) or show the
/// cache until someone presses Refresh (`cache`). Service provider admins only.
#[server(prefix = "/api", endpoint = "users-load-mode")]
pub async fn set_users_load_mode(mode: String) -> Result<(), AppError> {
    let admin = caller("settings.users_load_mode")
        .await?
        .provider_admin()
        .await?;
    let mode = domain::users::directory::LoadMode::parse(&mode)
        .ok_or_else(|| AppError::field("mode", "Choose live or cache."))?;
    Ok(admin.set_users_load_mode(mode).await?)
}

/// The users pages' default mode, for this page.
#[server(prefix = "/api", endpoint = "users-load-mode-get", input = GetUrl)]
pub async fn users_load_mode() -> Result<String, AppError> {
    let provider = caller("settings.read").await?.provider().await?;
    Ok(provider.users_load_mode().await?.as_str().to_owned())
}

#[cfg(feature = "ssr")]
impl From<domain::service::Tenants> for TenantsPage {
    fn from(t: domain::service::Tenants) -> Self {
        TenantsPage {
            connection: t.connection,
            connection_id: t.connection_id.to_string(),
            connections: t
                .connections
                .into_iter()
                .map(|(id, name)| (id.to_string(), name))
                .collect(),
            owner: t.owner,
            tenants: t.tenants.into_iter().map(Tenant::from).collect(),
            resellers: t.resellers.into_iter().map(ResellerRow::from).collect(),
        }
    }
}

#[cfg(feature = "ssr")]
impl From<domain::service::TenantListing> for Tenant {
    fn from(t: domain::service::TenantListing) -> Self {
        Tenant {
            id: t.id.to_string(),
            company_name: t.company_name,
            domain: t.domain,
            imported: t.imported,
            reseller_id: t.reseller_id.map(|r| r.to_string()),
        }
    }
}

#[cfg(feature = "ssr")]
impl From<domain::access::Reseller> for ResellerRow {
    fn from(r: domain::access::Reseller) -> Self {
        ResellerRow {
            id: r.id.to_string(),
            name: r.name,
        }
    }
}
