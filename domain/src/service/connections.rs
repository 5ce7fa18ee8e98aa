//! Partner Center connections, as the Connections page shows them: the service provider's staff
//! list them and run the Test (every read once); admins add, rename, rotate the secret, choose
//! the default and remove. Every change is audited with the connection's name.

use partner_center::PartnerCenter;

use super::{Caller, ProviderAdminDesk, ProviderDesk, ServiceError};
use crate::{
    access::{Reseller, ResellerId, DEMO_ACCOUNTS},
    connections::{
        check, check::CheckLine, Connection, ConnectionId, Connections, NewConnection, Secret,
    },
};

/// A connection with the customers imported under it.
pub struct ConnectionListing {
    pub connection: Connection,
    pub customers: Vec<String>,
    /// The reseller it was given to, by name.
    pub reseller: Option<String>,
}

/// What a Test found: one line per operation.
pub struct CheckReport {
    /// The connection's name (or the name given to settings not stored yet).
    pub name: String,
    pub lines: Vec<CheckLine>,
    pub passed: usize,
    pub failed: usize,
    /// Reads not tried because there was nothing to read them on.
    pub skipped: usize,
}

impl CheckReport {
    fn of(name: &str, lines: Vec<CheckLine>) -> Self {
        let count = |f: fn(&CheckLine) -> bool| lines.iter().filter(|l| f(l)).count();
        CheckReport {
            name: name.to_owned(),
            passed: count(|l| l.ok && !l.skipped),
            failed: count(|l| !l.ok),
            skipped: count(|l| l.skipped),
            lines,
        }
    }
}

impl Caller {
    pub(super) fn connections(&self) -> Connections<'_> {
        self.services.store.connections(&self.services.sealer)
    }

    /// Runs every read once through `pc`, in the connection's country; records the last
    /// success when the connection is stored.
    async fn run_check(
        &self,
        pc: &PartnerCenter,
        name: &str,
        country: &str,
        stored: Option<&ConnectionId>,
    ) -> Result<CheckReport, ServiceError> {
        let report = CheckReport::of(name, check::run(pc, None, country).await);
        if let (Some(id), Some(last)) = (stored, pc.last_success()) {
            self.connections().mark_ok(id, last).await?;
        }
        Ok(report)
    }

    pub(super) async fn existing_connection(
        &self,
        id: &ConnectionId,
    ) -> Result<Connection, ServiceError> {
        self.connections()
            .by_id(id)
            .await?
            .ok_or_else(|| ServiceError::NotFound("That connection no longer exists.".into()))
    }
}

impl ProviderDesk {
    /// Every connection with its customers, and the resellers one can be given to; the last
    /// successful call is the newer of the stored one and this process's clients'.
    pub async fn connections(
        &self,
    ) -> Result<(Vec<ConnectionListing>, Vec<Reseller>), ServiceError> {
        let store = self.caller.connections();
        let resellers = self.caller.services.store.access().resellers().await?;
        let mut listings = Vec::new();
        for mut connection in store.list().await? {
            let seen = self.caller.services.clients.last_success(&connection.id);
            if seen > connection.last_ok_at {
                if let Some(at) = seen {
                    store.mark_ok(&connection.id, at).await?;
                }
                connection.last_ok_at = seen;
            }
            let customers = store.customers_of(&connection.id).await?;
            let reseller = connection
                .reseller_id
                .as_ref()
                .and_then(|id| resellers.iter().find(|r| r.id == *id))
                .map(|r| r.name.clone());
            listings.push(ConnectionListing {
                connection,
                customers,
                reseller,
            });
        }
        Ok((listings, resellers))
    }

    /// The Test of a stored connection: every read once.
    pub async fn test_connection(&self, id: &ConnectionId) -> Result<CheckReport, ServiceError> {
        let connection = self.caller.existing_connection(id).await?;
        let pc = self.caller.services.client(&connection.id).await?;
        self.caller
            .run_check(
                &pc,
                &connection.name,
                &connection.country,
                Some(&connection.id),
            )
            .await
    }
}

impl ProviderAdminDesk {
    /// The Test of settings not stored yet: nothing is kept, not even the secret.
    pub async fn test_new_connection(
        &self,
        mut new: NewConnection,
    ) -> Result<CheckReport, ServiceError> {
        new.validate().map_err(ServiceError::naming_field)?;
        let pc = new.client(self.caller.services.clients.http());
        self.caller
            .run_check(&pc, &new.name, &new.country, None)
            .await
    }

    /// Stores a connection (its secret sealed). Refused while the demo accounts exist: their
    /// passwords were shown on a console and must never reach a real partner's tenants.
    pub async fn add_connection(&self, new: NewConnection) -> Result<Connection, ServiceError> {
        let access = self.caller.services.store.access();
        let result = if access.accounts_present(&DEMO_ACCOUNTS).await? {
            Err(ServiceError::Conflict(
                "The demo accounts exist, and they are for the sandbox only. Remove them first \
                 with `seatwise demo remove` on the server, then add the connection."
                    .into(),
            ))
        } else {
            self.caller
                .connections()
                .create(new)
                .await
                .map_err(ServiceError::naming_field)
        };
        let detail = result.as_ref().map_or(String::new(), |c| c.name.clone());
        self.caller.finish(None, &detail, result).await
    }

    pub async fn set_default_connection(&self, id: &ConnectionId) -> Result<(), ServiceError> {
        let result = self.caller.connections().set_default(id).await;
        self.finish(result).await
    }

    pub async fn rename_connection(
        &self,
        id: &ConnectionId,
        name: &str,
    ) -> Result<(), ServiceError> {
        let result = self.caller.connections().rename(id, name).await;
        self.finish(result).await
    }

    /// A new secret; the old one is gone at once (clients are made anew on the next call).
    pub async fn rotate_connection_secret(
        &self,
        id: &ConnectionId,
        secret: &Secret,
    ) -> Result<(), ServiceError> {
        let result = self.caller.connections().rotate_secret(id, secret).await;
        self.finish(result).await
    }

    /// Gives a connection to a reseller that sells through its own Partner Center account
    /// (`None`: back to the service provider): customers imported under it from then on are
    /// that reseller's, and it buys for them as the partner itself.
    pub async fn give_connection(
        &self,
        id: &ConnectionId,
        reseller: Option<&ResellerId>,
    ) -> Result<(), ServiceError> {
        let result = self.caller.connections().give(id, reseller).await;
        self.finish(result).await
    }

    /// Removes a connection no customer uses (the refusal names those that do).
    pub async fn remove_connection(&self, id: &ConnectionId) -> Result<(), ServiceError> {
        let result = self.caller.connections().remove(id).await;
        self.finish(result).await
    }

    /// Audits a change of a connection under its name.
    async fn finish(
        &self,
        result: Result<Connection, crate::StoreError>,
    ) -> Result<(), ServiceError> {
        let result = result.map_err(ServiceError::naming_field);
        let detail = result.as_ref().map_or(String::new(), |c| c.name.clone());
        self.caller.finish(None, &detail, result.map(drop)).await
    }
}
