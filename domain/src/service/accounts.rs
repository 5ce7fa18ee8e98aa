//! Portal accounts: who can sign in. Service provider admins manage every account, reseller
//! admins their reseller's and its customers' admins ([`AccountsScope`]).

use super::{Caller, ServiceError};
use crate::{
    access::{AccessError, AccountId, Customer, Reseller, Role},
    accounts::{AccountRow, AccountsScope, Grant},
    audit::Outcome,
    StoreError,
};

/// An accounts administrator, checked now.
pub struct AccountsDesk {
    caller: Caller,
    scope: AccountsScope,
}

/// What the accounts page shows.
pub struct AccountsView {
    pub accounts: Vec<AccountRow>,
    /// The roles this administrator may give, the narrowest first.
    pub roles: Vec<Role>,
    /// The resellers and customers an account may be given.
    pub resellers: Vec<Reseller>,
    pub customers: Vec<Customer>,
}

impl Caller {
    /// The accounts this person may manage (service provider and reseller admins).
    pub async fn accounts(&self) -> Result<AccountsDesk, ServiceError> {
        let checked = self.services.store.access().accounts_admin(&self.who).await;
        let scope = self.checked(None, checked).await?;
        Ok(AccountsDesk {
            caller: self.clone(),
            scope,
        })
    }
}

impl AccountsDesk {
    pub async fn view(&self) -> Result<AccountsView, ServiceError> {
        let store = &self.caller.services.store;
        let who = &self.caller.who;
        let resellers = match &who.reseller {
            Some(mine) => store.access().reseller(mine).await?.into_iter().collect(),
            None => store.access().resellers().await?,
        };
        Ok(AccountsView {
            accounts: store.accounts().list(&self.scope).await?,
            roles: self.scope.roles(),
            resellers,
            customers: store.access().visible_customers(who).await?,
        })
    }

    /// Invites someone: an account without a password, and a set-password link in the outbox.
    pub async fn invite(
        &self,
        email: &str,
        display_name: &str,
        grant: Grant,
    ) -> Result<(), ServiceError> {
        let services = &self.caller.services;
        let invited = services
            .store
            .accounts()
            .invite(
                &self.scope,
                email,
                display_name,
                grant,
                &services.public_url,
            )
            .await;
        finish(&self.caller, invited.map(|i| i.account.email)).await
    }

    /// A new role and scope (the account's sessions end).
    pub async fn update(&self, id: &AccountId, grant: Grant) -> Result<(), ServiceError> {
        let role = grant.role.as_str();
        let result = self
            .caller
            .services
            .store
            .accounts()
            .update(&self.scope, id, grant)
            .await;
        finish(&self.caller, result.map(|_| format!("{id} → {role}"))).await
    }

    /// Disables (its sessions end at once) or enables an account.
    pub async fn set_disabled(&self, id: &AccountId, disabled: bool) -> Result<(), ServiceError> {
        let accounts = self.caller.services.store.accounts();
        let result = accounts.set_disabled(&self.scope, id, disabled).await;
        let what = if disabled { "disabled" } else { "enabled" };
        finish(&self.caller, result.map(|_| format!("{id} {what}"))).await
    }

    /// A new set-password link for an invited account.
    pub async fn resend(&self, id: &AccountId) -> Result<(), ServiceError> {
        let services = &self.caller.services;
        let accounts = services.store.accounts();
        let result = accounts.resend(&self.scope, id, &services.public_url).await;
        finish(&self.caller, result.map(|_| id.to_string())).await
    }
}

/// Records an account change: a success with its detail, bad input as failed (a field error
/// when the message names one), anything out of scope as refused.
pub(super) async fn finish(
    caller: &Caller,
    result: Result<String, AccessError>,
) -> Result<(), ServiceError> {
    match result {
        Ok(detail) => {
            caller.record(None, Outcome::Succeeded, &detail).await;
            Ok(())
        }
        Err(AccessError::Store(StoreError::Invalid(message))) => {
            caller.record(None, Outcome::Failed, &message).await;
            Err(ServiceError::invalid(message))
        }
        Err(AccessError::Store(e)) => Err(ServiceError::database(e)),
        Err(refused) => {
            let who = &caller.who.email;
            tracing::warn!(actor = %who, action = caller.action, error = %refused, "refused");
            let why = "account or access out of scope";
            caller.record(None, Outcome::Refused, why).await;
            Err(ServiceError::Forbidden(
                "You cannot manage this account or give this access.",
            ))
        }
    }
}
