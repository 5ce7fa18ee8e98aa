//! The New customer page: a customer tenant created in Partner Center and imported, its
//! domain checked as it is typed.

use leptos::{prelude::*, server_fn::codec::GetUrl};
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// What a domain prefix is now: `free`, `taken` or `invalid`, with the whole domain or why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DomainAnswer {
    pub state: String,
    pub words: String,
}

/// Whether `prefix.onmicrosoft.com` is free (the service provider's and resellers' admins).
#[server(prefix = "/api", endpoint = "tenant-domain", input = GetUrl)]
pub async fn tenant_domain(prefix: String) -> Result<DomainAnswer, AppError> {
    let call = crate::door::caller("tenant.domain").await?;
    Ok(call.check_domain(&prefix).await?.into())
}

#[cfg(feature = "ssr")]
impl From<domain::service::DomainCheck> for DomainAnswer {
    fn from(check: domain::service::DomainCheck) -> Self {
        use domain::service::DomainCheck;
        let (state, words) = match check {
            DomainCheck::Free(d) => (
                "free",
                tr!(words.domain_free, domain = d.as_str()).to_string(),
            ),
            DomainCheck::Taken(d) => (
                "taken",
                tr!(words.domain_taken, domain = d.as_str()).to_string(),
            ),
            DomainCheck::Invalid(why) => ("invalid", why),
        };
        DomainAnswer {
            state: state.into(),
            words,
        }
    }
}

/// The invitation link for an existing tenant to accept the partner as its reseller.
#[server(prefix = "/api", endpoint = "relationship-link", input = GetUrl)]
pub async fn relationship_link() -> Result<String, AppError> {
    let call = crate::door::caller("tenant.invite").await?;
    Ok(call.relationship_link().await?)
}

/// The form's fields.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TenantFields {
    pub company_name: String,
    pub domain_prefix: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    #[serde(default)]
    pub phone: String,
    pub address_line1: String,
    pub city: String,
    #[serde(default)]
    pub state: String,
    pub postal_code: String,
    pub country: String,
    /// A reseller's id, or empty for a direct customer.
    #[serde(default)]
    pub reseller: String,
    /// `on`: the contact accepted the Microsoft Customer Agreement.
    #[serde(default)]
    pub agreement: String,
    /// `on`: mail the administrator's sign-in to the contact.
    #[serde(default)]
    pub mail: String,
}

/// A tenant created: its administrator's sign-in, shown once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TenantCreated {
    pub id: String,
    pub company_name: String,
    pub domain: String,
    pub admin_user: String,
    pub admin_password: String,
    pub mailed_to: Option<String>,
    pub agreement_problem: Option<String>,
}

#[server(prefix = "/api", endpoint = "tenant-create")]
pub async fn create_tenant(
    #[server(flatten)] fields: TenantFields,
) -> Result<TenantCreated, AppError> {
    let call = crate::door::caller("tenant.create").await?;
    let reseller = crate::error::parse_optional_id("reseller", fields.reseller.trim())?;
    let (mail, agreed) = (fields.mail == "on", fields.agreement == "on");
    let created = call
        .create_tenant(fields.into(), reseller.as_ref(), agreed, mail)
        .await?;
    Ok(created.into())
}

#[cfg(feature = "ssr")]
impl From<domain::service::CreatedTenant> for TenantCreated {
    fn from(created: domain::service::CreatedTenant) -> Self {
        TenantCreated {
            id: created.id.as_str().to_lowercase(),
            company_name: created.company_name,
            domain: created.domain,
            admin_user: created.admin_user,
            admin_password: created.admin_password,
            mailed_to: created.mailed_to,
            agreement_problem: created.agreement_problem,
        }
    }
}

#[cfg(feature = "ssr")]
impl From<TenantFields> for domain::tenants::NewTenant {
    fn from(f: TenantFields) -> Self {
        domain::tenants::NewTenant {
            company_name: f.company_name,
            domain_prefix: f.domain_prefix,
            first_name: f.first_name,
            last_name: f.last_name,
            email: f.email,
            phone: f.phone,
            address_line1: f.address_line1,
            city: f.city,
            state: f.state,
            postal_code: f.postal_code,
            country: f.country,
        }
    }
}
