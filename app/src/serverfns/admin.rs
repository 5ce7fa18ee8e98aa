//! The service provider's administration: importing tenants from Partner Center, resellers,
//! and the audit log.

use leptos::{prelude::*, server_fn::codec::GetUrl};
use serde::{Deserialize, Serialize};

use crate::error::AppError;

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
    pub connection: String,
    pub tenants: Vec<Tenant>,
    pub resellers: Vec<ResellerRow>,
}

#[cfg(feature = "ssr")]
fn db(e: domain::StoreError) -> AppError {
    AppError::unavailable("The database", e)
}

/// The default connection and its shared client: where tenants are imported from.
#[cfg(feature = "ssr")]
async fn default_connection(
    state: &crate::state::AppState,
) -> Result<
    (
        domain::connections::Connection,
        partner_center::PartnerCenter,
    ),
    AppError,
> {
    let connection = state
        .store
        .connections(&state.sealer)
        .default_connection()
        .await
        .map_err(db)?
        .ok_or_else(|| {
            AppError::new(
                crate::error::ErrorKind::NotFound,
                "There is no default Partner Center connection.",
            )
        })?;
    let pc = state
        .clients
        .get(&state.store, &state.sealer, &connection.id)
        .await
        .map_err(db)?;
    Ok((connection, pc))
}

/// Every tenant of the default connection, marked when already imported.
#[server(prefix = "/api", endpoint = "tenants", input = GetUrl)]
pub async fn tenants() -> Result<TenantsPage, AppError> {
    let who = crate::auth::require_service_provider("tenants.list", false).await?;
    let state = expect_context::<crate::state::AppState>();
    let (connection, pc) = default_connection(&state).await?;
    let live = pc
        .customers(500)
        .all()
        .await
        .map_err(|e| AppError::unavailable("Partner Center", e))?;
    let access = state.store.access();
    let imported = access.visible_customers(&who).await.map_err(db)?;
    let tenants = live
        .iter()
        .map(|t| {
            let known = imported.iter().find(|c| c.id == t.id);
            Tenant {
                id: t.id.to_string(),
                company_name: t.company_name().to_owned(),
                domain: t.domain().to_owned(),
                imported: known.is_some(),
                reseller_id: known.and_then(|c| c.reseller_id.as_ref().map(|r| r.to_string())),
            }
        })
        .collect();
    let resellers = access
        .resellers()
        .await
        .map_err(db)?
        .into_iter()
        .map(|r| ResellerRow {
            id: r.id.to_string(),
            name: r.name,
        })
        .collect();
    Ok(TenantsPage {
        connection: connection.name,
        tenants,
        resellers,
    })
}

/// Imports a tenant of the default connection (admins only).
#[server(prefix = "/api", endpoint = "import-tenant")]
pub async fn import_tenant(tenant_id: String) -> Result<(), AppError> {
    let (who, admin) = crate::auth::require_provider_admin("customer.import").await?;
    let id: partner_center::CustomerId = crate::error::parse_id("tenant_id", &tenant_id)?;
    let state = expect_context::<crate::state::AppState>();
    let (connection, pc) = default_connection(&state).await?;
    let tenant = pc.customer(&id).await.map_err(|e| match e {
        partner_center::PcError::NotFound { .. } => AppError::new(
            crate::error::ErrorKind::NotFound,
            "Partner Center does not know this tenant.",
        ),
        other => AppError::unavailable("Partner Center", other),
    })?;
    state
        .store
        .access()
        .import_customer(
            &admin,
            &connection.id,
            &tenant.id,
            tenant.company_name(),
            tenant.domain(),
        )
        .await
        .map_err(db)?;
    crate::audit::record(
        &who.email,
        Some(tenant.id.as_str()),
        "customer.import",
        domain::audit::Outcome::Succeeded,
        tenant.company_name(),
    )
    .await;
    Ok(())
}

/// Puts a customer under a reseller, or makes it direct (`reseller_id` empty).
#[server(prefix = "/api", endpoint = "assign-reseller")]
pub async fn assign_reseller(tenant_id: String, reseller_id: String) -> Result<(), AppError> {
    let (who, admin) = crate::auth::require_provider_admin("customer.reseller").await?;
    let customer: partner_center::CustomerId = crate::error::parse_id("tenant_id", &tenant_id)?;
    let state = expect_context::<crate::state::AppState>();
    let reseller = (!reseller_id.trim().is_empty())
        .then(|| domain::access::ResellerId::new(reseller_id.trim()));
    state
        .store
        .access()
        .assign_reseller(&admin, &customer, reseller.as_ref())
        .await
        .map_err(|e| match e {
            domain::StoreError::Invalid(m) => AppError::new(crate::error::ErrorKind::BadInput, m),
            other => db(other),
        })?;
    crate::audit::record(
        &who.email,
        Some(customer.as_str()),
        "customer.reseller",
        domain::audit::Outcome::Succeeded,
        reseller.as_ref().map_or("direct", |r| r.as_str()),
    )
    .await;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditRow {
    pub id: String,
    pub at: String,
    pub actor: String,
    pub customer: Option<String>,
    pub action: String,
    pub outcome: String,
    pub detail: String,
    pub request_id: Option<String>,
}

/// One page of the audit log, newest first; `before` is the last id of the previous page.
#[server(prefix = "/api", endpoint = "audit-log", input = GetUrl)]
pub async fn audit_log(
    actor: Option<String>,
    outcome: Option<String>,
    before: Option<String>,
) -> Result<Vec<AuditRow>, AppError> {
    crate::auth::require_service_provider("audit.read", false).await?;
    let state = expect_context::<crate::state::AppState>();
    let blank = |s: Option<String>| s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    let outcome = match blank(outcome).as_deref() {
        None => None,
        Some("succeeded") => Some(domain::audit::Outcome::Succeeded),
        Some("refused") => Some(domain::audit::Outcome::Refused),
        Some("failed") => Some(domain::audit::Outcome::Failed),
        Some(_) => {
            return Err(AppError::new(
                crate::error::ErrorKind::BadInput,
                "outcome: choose succeeded, refused or failed",
            ))
        }
    };
    let entries = state
        .store
        .audit()
        .list(&domain::audit::Query {
            actor: blank(actor).map(|a| a.to_lowercase()),
            customer_id: None,
            outcome,
            before: blank(before),
            limit: 50,
        })
        .await
        .map_err(db)?;
    Ok(entries
        .into_iter()
        .map(|e| AuditRow {
            at: domain::time::format_utc_datetime(e.at),
            id: e.id,
            actor: e.actor,
            customer: e.customer_id,
            action: e.action,
            outcome: e.outcome.as_str().to_owned(),
            detail: e.detail,
            request_id: e.request_id,
        })
        .collect())
}

/// Adds a reseller (admins only); customers are then assigned to it on the Customers page.
#[server(prefix = "/api", endpoint = "create-reseller")]
pub async fn create_reseller(name: String, mpn_id: String) -> Result<(), AppError> {
    let (who, admin) = crate::auth::require_provider_admin("reseller.create").await?;
    let state = expect_context::<crate::state::AppState>();
    let mpn = mpn_id.trim();
    if !mpn.is_empty() && !mpn.chars().all(|c| c.is_ascii_digit()) {
        return Err(AppError::new(
            crate::error::ErrorKind::BadInput,
            "mpn_id: a Partner ID (MPN ID) is made of digits only",
        ));
    }
    let reseller = state
        .store
        .access()
        .create_reseller(&admin, &name, (!mpn.is_empty()).then_some(mpn))
        .await
        .map_err(|e| match e {
            domain::StoreError::Invalid(m) => AppError::new(crate::error::ErrorKind::BadInput, m),
            other => db(other),
        })?;
    crate::audit::record(
        &who.email,
        None,
        "reseller.create",
        domain::audit::Outcome::Succeeded,
        &reseller.name,
    )
    .await;
    Ok(())
}
