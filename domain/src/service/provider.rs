//! The service provider's own tools: tenants of the default connection, resellers, the audit
//! log, the outbox, the system's status and the users pages' load mode. Reads are open to
//! admins and support ([`ProviderDesk`]); changes only to admins ([`ProviderAdminDesk`]).

use std::time::Duration;

use partner_center::{CustomerId, PartnerCenter, PcError};

use super::{Caller, ServiceError};
use crate::{
    access::{Need, ProviderAdmin, Reseller, ResellerId},
    audit::{self, Outcome},
    connections::{Connection, ConnectionId},
    outbox::Mail,
    store::StoreStatus,
    users::directory::LoadMode,
};

/// The service provider's staff, checked now.
pub struct ProviderDesk {
    pub(super) caller: Caller,
}

/// A service provider admin, checked now.
pub struct ProviderAdminDesk {
    pub(super) caller: Caller,
    pub(super) admin: ProviderAdmin,
}

/// A tenant of the default connection, and whether it is imported.
pub struct TenantListing {
    pub id: CustomerId,
    pub company_name: String,
    pub domain: String,
    pub imported: bool,
    pub reseller_id: Option<ResellerId>,
}

pub struct Tenants {
    /// The connection listed: its name and id.
    pub connection: String,
    pub connection_id: ConnectionId,
    /// Every connection (id, name), for the choice.
    pub connections: Vec<(ConnectionId, String)>,
    /// The reseller the connection was given to: its tenants become that reseller's.
    pub owner: Option<String>,
    pub tenants: Vec<TenantListing>,
    pub resellers: Vec<Reseller>,
}

/// What the status page reports.
pub struct StatusFacts {
    pub store: StoreStatus,
    pub connections: Vec<Connection>,
    pub uptime: Duration,
}

impl Caller {
    /// The service provider's tools to read (admins and support).
    pub async fn provider(&self) -> Result<ProviderDesk, ServiceError> {
        let checked = self
            .services
            .store
            .access()
            .provider(&self.who, Need::Read)
            .await;
        self.checked(None, checked).await?;
        Ok(ProviderDesk {
            caller: self.clone(),
        })
    }

    /// The service provider's tools to change (admins only).
    pub async fn provider_admin(&self) -> Result<ProviderAdminDesk, ServiceError> {
        let checked = self.services.store.access().provider_admin(&self.who).await;
        let admin = self.checked(None, checked).await?;
        Ok(ProviderAdminDesk {
            caller: self.clone(),
            admin,
        })
    }

    /// A connection (the default one when none is named) and its client: where tenants are
    /// imported from.
    pub(super) async fn import_connection(
        &self,
        id: Option<&ConnectionId>,
    ) -> Result<(Connection, PartnerCenter), ServiceError> {
        let services = &self.services;
        let connection = match id {
            Some(id) => self.existing_connection(id).await?,
            None => services
                .store
                .connections(&services.sealer)
                .default_connection()
                .await?
                .ok_or_else(|| {
                    ServiceError::NotFound("There is no default Partner Center connection.".into())
                })?,
        };
        let pc = services.client(&connection.id).await?;
        Ok((connection, pc))
    }

    /// Records the outcome of a change (`detail` on success, the error otherwise).
    pub(super) async fn finish<T>(
        &self,
        customer: Option<&str>,
        detail: &str,
        result: Result<T, ServiceError>,
    ) -> Result<T, ServiceError> {
        match &result {
            Ok(_) => self.record(customer, Outcome::Succeeded, detail).await,
            Err(e) => self.record(customer, Outcome::Failed, &e.to_string()).await,
        }
        result
    }
}

impl ProviderDesk {
    /// Every tenant of a connection (the default one when none is named), marked when already
    /// imported.
    pub async fn tenants(
        &self,
        connection: Option<&ConnectionId>,
    ) -> Result<Tenants, ServiceError> {
        let (connection, pc) = self.caller.import_connection(connection).await?;
        let live = pc
            .customers(500)
            .all()
            .await
            .map_err(ServiceError::partner_center)?;
        let access = self.caller.services.store.access();
        let imported = access.visible_customers(&self.caller.who).await?;
        let tenants = live
            .iter()
            .map(|t| {
                let known = imported.iter().find(|c| c.id == t.id);
                TenantListing {
                    id: t.id.clone(),
                    company_name: t.company_name().to_owned(),
                    domain: t.domain().to_owned(),
                    imported: known.is_some(),
                    reseller_id: known.and_then(|c| c.reseller_id.clone()),
                }
            })
            .collect();
        let connections = self.caller.connections().list().await?;
        let resellers = access.resellers().await?;
        let owner = connection
            .reseller_id
            .as_ref()
            .and_then(|id| resellers.iter().find(|r| r.id == *id))
            .map(|r| r.name.clone());
        Ok(Tenants {
            connection: connection.name,
            connection_id: connection.id,
            connections: connections.into_iter().map(|c| (c.id, c.name)).collect(),
            owner,
            tenants,
            resellers,
        })
    }

    /// A page of the audit log, newest first.
    pub async fn audit_log(&self, query: &audit::Query) -> Result<Vec<audit::Entry>, ServiceError> {
        Ok(self.caller.services.store.audit().list(query).await?)
    }

    /// The newest mail, sent or waiting.
    pub async fn outbox(&self, limit: i64) -> Result<Vec<Mail>, ServiceError> {
        Ok(self.caller.services.store.outbox().recent(limit).await?)
    }

    pub async fn status(&self) -> Result<StatusFacts, ServiceError> {
        let services = &self.caller.services;
        Ok(StatusFacts {
            store: services.store.status().await?,
            connections: services.store.connections(&services.sealer).list().await?,
            uptime: services.started_at.elapsed(),
        })
    }

    pub async fn users_load_mode(&self) -> Result<LoadMode, ServiceError> {
        Ok(self.caller.services.store.directory().load_mode().await?)
    }
}

impl ProviderAdminDesk {
    /// Imports a tenant of a connection (the default one when none is named); under a connection
    /// given to a reseller it becomes that reseller's.
    pub async fn import_tenant(
        &self,
        connection: Option<&ConnectionId>,
        id: &CustomerId,
    ) -> Result<(), ServiceError> {
        let (connection, pc) = self.caller.import_connection(connection).await?;
        let tenant = pc.customer(id).await.map_err(|e| match e {
            PcError::NotFound { .. } => {
                ServiceError::NotFound("Partner Center does not know this tenant.".into())
            }
            other => ServiceError::partner_center(other),
        })?;
        let imported = self
            .caller
            .services
            .store
            .access()
            .import_customer(
                &self.admin,
                &connection.id,
                &tenant.id,
                tenant.company_name(),
                tenant.domain(),
            )
            .await;
        let detail = tenant.company_name();
        let result = imported.map(drop).map_err(ServiceError::from);
        self.caller
            .finish(Some(tenant.id.as_str()), detail, result)
            .await
    }

    /// Puts a customer under a reseller, or makes it direct (`None`).
    pub async fn assign_reseller(
        &self,
        customer: &CustomerId,
        reseller: Option<&ResellerId>,
    ) -> Result<(), ServiceError> {
        let access = self.caller.services.store.access();
        let result = access
            .assign_reseller(&self.admin, customer, reseller)
            .await;
        let detail = reseller.map_or("direct", |r| r.as_str());
        let result = result.map_err(ServiceError::naming_field);
        self.caller
            .finish(Some(customer.as_str()), detail, result)
            .await
    }

    /// Adds a reseller; `mpn_id` (its Partner ID), when given, is digits only.
    pub async fn create_reseller(
        &self,
        name: &str,
        mpn_id: Option<&str>,
    ) -> Result<Reseller, ServiceError> {
        let mpn = mpn_id.map(str::trim).filter(|m| !m.is_empty());
        if mpn.is_some_and(|m| !m.chars().all(|c| c.is_ascii_digit())) {
            return Err(ServiceError::field(
                "mpn_id",
                "A Partner ID (MPN ID) is made of digits only.",
            ));
        }
        let access = self.caller.services.store.access();
        let result = access.create_reseller(&self.admin, name, mpn).await;
        let result = result.map_err(ServiceError::from);
        let detail = result.as_ref().map_or(String::new(), |r| r.name.clone());
        self.caller.finish(None, &detail, result).await
    }

    /// Whether the users pages refresh on every visit or show the cache until asked.
    pub async fn set_users_load_mode(&self, mode: LoadMode) -> Result<(), ServiceError> {
        let directory = self.caller.services.store.directory();
        let result = directory
            .set_load_mode(mode)
            .await
            .map_err(ServiceError::from);
        self.caller.finish(None, mode.as_str(), result).await
    }
}
