//! A new customer tenant, created by the service provider: the domain checked as it is typed,
//! then Partner Center creates the tenant (with its first global administrator), Seatwise
//! imports it (under a reseller when chosen), records the customer agreement the contact
//! accepted, and shows the administrator's sign-in once (and mails it when asked).

use partner_center::{CustomerId, PcError};

use super::{orders::confirm, ProviderAdminDesk, ServiceError};
use crate::{
    access::ResellerId,
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

impl ProviderAdminDesk {
    /// Whether `prefix.onmicrosoft.com` can be had (the default connection's Partner Center).
    pub async fn check_domain(&self, prefix: &str) -> Result<DomainCheck, ServiceError> {
        let domain = match domain_of(prefix) {
            Ok(d) => d,
            Err(why) => return Ok(DomainCheck::Invalid(why)),
        };
        let (_, pc) = self.caller.import_connection(None).await?;
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

    /// Creates the tenant in Partner Center and imports it; see the module.
    pub async fn create_tenant(
        &self,
        new: NewTenant,
        reseller: Option<&ResellerId>,
        mail: bool,
    ) -> Result<CreatedTenant, ServiceError> {
        if let Some((field, message)) = new.problems().into_iter().next() {
            return Err(ServiceError::field(field, message));
        }
        let domain =
            domain_of(&new.domain_prefix).map_err(|e| ServiceError::field("domain_prefix", e))?;
        let store = &self.caller.services.store;
        if let Some(r) = reseller {
            if store.access().reseller(r).await?.is_none() {
                return Err(ServiceError::field(
                    "reseller",
                    "Choose one of the resellers.",
                ));
            }
        }
        let (connection, pc) = self.caller.import_connection(None).await?;
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
        let imported = store
            .access()
            .import_customer(&self.admin, &connection.id, &created.id, name, &domain)
            .await;
        let imported = match imported {
            Ok(c) => c,
            Err(e) => {
                let detail = format!("{domain} created in Partner Center, not imported");
                let failed = Err(ServiceError::from(e));
                return self
                    .caller
                    .finish(Some(created.id.as_str()), &detail, failed)
                    .await;
            }
        };
        if reseller.is_some() {
            store
                .access()
                .assign_reseller(&self.admin, &imported.id, reseller)
                .await?;
        }
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
                    .record_agreement(
                        &imported.id,
                        &acceptance,
                        &self.caller.who.email,
                        now_millis(),
                    )
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
            let body = format!(
                "Hello,\n\nThe Microsoft 365 tenant of {company} is ready.\n\nDomain: {domain}\n\
                 Global administrator: {admin_user}\nPassword: {admin_password}\n\n\
                 You will be asked to choose a new password when you sign in at \
                 https://portal.office.com.\n"
            );
            let mut tx = store.pool().begin().await?;
            crate::outbox::enqueue(
                &mut tx,
                Some(&imported.id),
                &to,
                &format!("Your Microsoft 365 tenant {domain}"),
                &body,
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
        self.caller.finish(Some(&key), &detail, Ok(done)).await
    }
}
