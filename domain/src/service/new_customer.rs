//! A new customer tenant, created by the service provider's admin (for a reseller, or direct)
//! or by a reseller's admin (for itself): the domain checked as it is typed, then Partner Center
//! creates the tenant (with its first global administrator), Seatwise imports it, records the
//! customer agreement the contact accepted, and shows the administrator's sign-in once (and
//! mails it when asked).

use partner_center::{CustomerId, PartnerCenter, PcError};

use super::{orders::confirm, Caller, ServiceError};
use crate::{
    access::{ProviderAdmin, ResellerId, Role},
    connections::Connection,
    language::Language,
    orders::Acceptance,
    tenants::{domain_of, NewTenant},
    time::now_millis,
};

/// What a domain prefix is, now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DomainCheck {
    Free(String),
    Taken(String),
    Invalid(String),
}

/// A tenant Partner Center created and Seatwise imported.
#[derive(Debug, Clone)]
pub struct CreatedTenant {
    pub id: CustomerId,
    pub company_name: String,
    pub domain: String,
    /// The first global administrator's sign-in, shown once (empty when Partner Center's
    /// answer was lost and the tenant was found afterwards).
    pub admin_user: String,
    pub admin_password: String,
    /// Where the sign-in was mailed, when asked.
    pub mailed_to: Option<String>,
    /// The agreement could not be recorded (the tenant exists: record it from the order page).
    pub agreement_problem: Option<String>,
}

/// Who creates a tenant, checked now.
enum Creator {
    /// The service provider's admin: for any reseller, or a direct customer.
    Provider(ProviderAdmin),
    /// A reseller's admin: for its own reseller only.
    Reseller(ResellerId),
}

impl Caller {
    async fn tenant_creator(&self) -> Result<Creator, ServiceError> {
        if let (Role::ResellerAdmin, Some(own)) = (self.who.role, &self.who.reseller) {
            return Ok(Creator::Reseller(own.clone()));
        }
        let checked = self.services.store.access().provider_admin(&self.who).await;
        Ok(Creator::Provider(self.checked(None, checked).await?))
    }

    /// Where a creator's tenants are made: a reseller's own connection when it was given one,
    /// else the default connection.
    async fn tenant_connection(
        &self,
        creator: &Creator,
    ) -> Result<(Connection, PartnerCenter), ServiceError> {
        if let Creator::Reseller(own) = creator {
            let connections = self.services.store.connections(&self.services.sealer);
            let given = connections
                .list()
                .await?
                .into_iter()
                .find(|c| c.reseller_id.as_ref() == Some(own));
            if let Some(c) = given {
                let pc = self.services.client(&c.id).await?;
                return Ok((c, pc));
            }
        }
        self.import_connection(None).await
    }

    /// The invitation link an existing tenant's global administrator accepts to make the
    /// partner its reseller (Partner Center's relationship request); once accepted, the tenant
    /// is listed for import. Only an `https` address is handed out.
    pub async fn relationship_link(&self) -> Result<String, ServiceError> {
        let creator = self.tenant_creator().await?;
        let (_, pc) = self.tenant_connection(&creator).await?;
        let request = pc
            .relationship_request()
            .await
            .map_err(ServiceError::partner_center)?;
        request
            .url
            .filter(|u| u.starts_with("https://") && !u.contains(char::is_whitespace))
            .ok_or_else(|| ServiceError::partner_center("the invitation link is not a web address"))
    }

    /// Whether `prefix.onmicrosoft.com` can be had.
    pub async fn check_domain(&self, prefix: &str) -> Result<DomainCheck, ServiceError> {
        let creator = self.tenant_creator().await?;
        let domain = match domain_of(prefix) {
            Ok(d) => d,
            Err(why) => return Ok(DomainCheck::Invalid(why)),
        };
        let (_, pc) = self.tenant_connection(&creator).await?;
        let taken = pc
            .domain_taken(&domain)
            .await
            .map_err(ServiceError::partner_center)?;
        Ok(if taken {
            DomainCheck::Taken(domain)
        } else {
            DomainCheck::Free(domain)
        })
    }

    /// Creates the tenant in Partner Center and imports it; see the module. `reseller` is the
    /// service provider's choice (a reseller's admin creates for its own); `agreed`: the
    /// contact accepted the Microsoft Customer Agreement (nothing is created without it).
    pub async fn create_tenant(
        &self,
        new: NewTenant,
        reseller: Option<&ResellerId>,
        agreed: bool,
        mail: bool,
    ) -> Result<CreatedTenant, ServiceError> {
        let creator = self.tenant_creator().await?;
        if !agreed {
            return Err(ServiceError::field(
                "agreement",
                "The customer's contact must accept the Microsoft Customer Agreement first.",
            ));
        }
        let reseller = match &creator {
            Creator::Provider(_) => reseller.cloned(),
            Creator::Reseller(own) if reseller.is_none_or(|r| r == own) => Some(own.clone()),
            Creator::Reseller(_) => {
                return Err(ServiceError::field(
                    "reseller",
                    "A reseller creates customers for itself only.",
                ))
            }
        };
        if let Some((field, message)) = new.problems().into_iter().next() {
            return Err(ServiceError::field(field, message));
        }
        let domain =
            domain_of(&new.domain_prefix).map_err(|e| ServiceError::field("domain_prefix", e))?;
        let store = &self.services.store;
        if let Some(r) = &reseller {
            if store.access().reseller(r).await?.is_none() {
                return Err(ServiceError::field(
                    "reseller",
                    "Choose one of the resellers.",
                ));
            }
        }
        let (connection, pc) = self.tenant_connection(&creator).await?;
        let taken = || {
            ServiceError::field(
                "domain_prefix",
                format!("{domain} is taken: choose another."),
            )
        };
        if pc
            .domain_taken(&domain)
            .await
            .map_err(ServiceError::partner_center)?
        {
            return Err(taken());
        }
        let created = match pc.create_customer(&new.to_wire(&domain)).await {
            Ok(c) => c,
            Err(PcError::Conflict { .. }) => return Err(taken()),
            // The answer was lost: the tenant exists exactly when its domain is listed.
            Err(PcError::OutcomeUnknown(cause)) => {
                let all = pc
                    .customers(500)
                    .all()
                    .await
                    .map_err(ServiceError::partner_center)?;
                all.into_iter()
                    .find(|c| c.domain().eq_ignore_ascii_case(&domain))
                    .ok_or_else(|| ServiceError::partner_center(cause))?
            }
            Err(PcError::Validation { message, .. }) => {
                return Err(ServiceError::BadInput(format!(
                    "Partner Center refused the new customer: {message}"
                )))
            }
            Err(e) => return Err(ServiceError::partner_center(e)),
        };
        let company = new.company_name.trim().to_owned();
        let name = if created.company_name().is_empty() {
            company.as_str()
        } else {
            created.company_name()
        };
        let access = store.access();
        let imported = match &creator {
            Creator::Provider(admin) => {
                let imported = access
                    .import_customer(admin, &connection.id, &created.id, name, &domain)
                    .await;
                match (imported, &reseller) {
                    (Ok(c), Some(_)) => access
                        .assign_reseller(admin, &c.id, reseller.as_ref())
                        .await
                        .map(|()| c),
                    (other, _) => other,
                }
            }
            Creator::Reseller(_) => {
                access
                    .import_for_reseller(&self.who, &connection.id, &created.id, name, &domain)
                    .await
            }
        };
        let imported = match imported {
            Ok(c) => c,
            Err(e) => {
                let detail = format!("{domain} created in Partner Center, not imported");
                let failed = Err(ServiceError::from(e));
                return self
                    .finish(Some(created.id.as_str()), &detail, failed)
                    .await;
            }
        };
        // The agreement the contact accepted, sent and kept as the order page does.
        let acceptance = Acceptance {
            first_name: new.first_name.trim().into(),
            last_name: new.last_name.trim().into(),
            email: new.email.trim().into(),
            phone: new.phone.trim().into(),
            agreed_at: now_millis(),
        };
        let agreement_problem = match confirm(&pc, &imported.id, &acceptance).await {
            Ok(()) => {
                store
                    .orders()
                    .record_agreement(&imported.id, &acceptance, &self.who.email, now_millis())
                    .await?;
                None
            }
            Err(e) => Some(e.to_string()),
        };
        let credentials = created.user_credentials.clone().unwrap_or_default();
        let (admin_user, admin_password) = (
            credentials.user_name.unwrap_or_default(),
            credentials.password.unwrap_or_default(),
        );
        let mailed_to = if mail && !admin_password.is_empty() {
            let to = new.email.trim().to_owned();
            let letter = crate::mails::Mail::TenantReady {
                company: &company,
                domain: &domain,
                admin_user: &admin_user,
                admin_password: &admin_password,
            }
            .letter(self.who.language.unwrap_or(Language::English));
            let mut tx = store.pool().begin().await?;
            crate::outbox::enqueue(
                &mut tx,
                Some(&imported.id),
                &to,
                &letter.subject,
                &letter.body,
            )
            .await?;
            tx.commit().await?;
            Some(to)
        } else {
            None
        };
        let detail = format!("{company} ({domain}) created");
        let done = CreatedTenant {
            id: imported.id.clone(),
            company_name: imported.company_name.clone(),
            domain,
            admin_user,
            admin_password,
            mailed_to,
            agreement_problem,
        };
        let key = done.id.as_str().to_owned();
        self.finish(Some(&key), &detail, Ok(done)).await
    }
}
