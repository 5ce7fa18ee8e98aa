//! One customer's users and licenses: the [`UserAdmin`] handle, opened after the access check,
//! and changes that run to their end on a task of their own.

use std::future::Future;

use partner_center::CustomerId;

use super::{Caller, ServiceError};
use crate::{
    access::{ChangeScope, CustomerScope},
    audit::Outcome,
    users::{Actor, UserAdmin, UserError},
};

impl Caller {
    /// One customer's users to read (refused and audited when out of scope).
    pub async fn customer(
        &self,
        id: &CustomerId,
    ) -> Result<UserAdmin<CustomerScope>, ServiceError> {
        let checked = self.services.store.access().authorize(&self.who, id).await;
        let scope = self.checked(Some(id), checked).await?;
        self.user_admin(scope).await
    }

    /// Runs a change of one customer's users on a task of its own and waits for it: if this
    /// request is cut short (a timeout, a closed tab), the change still runs to its end, with
    /// everything that must follow it (cache, transactions, outbox) and its audit entry
    /// (`detail` describes a success). Read-only roles are refused.
    pub async fn change<T, D, W, F>(
        &self,
        id: &CustomerId,
        detail: D,
        work: W,
    ) -> Result<T, ServiceError>
    where
        T: Send + 'static,
        D: FnOnce(&T) -> String + Send + 'static,
        W: FnOnce(UserAdmin<ChangeScope>) -> F,
        F: Future<Output = Result<T, UserError>> + Send + 'static,
    {
        let checked = self
            .services
            .store
            .access()
            .authorize_change(&self.who, id)
            .await;
        let scope = self.checked(Some(id), checked).await?;
        let admin = self.user_admin(scope).await?;
        let customer = admin.customer_key();
        let describe = |result: &Result<T, UserError>| match result {
            Ok(value) => (Outcome::Succeeded, detail(value)),
            Err(e) => (Outcome::Failed, e.to_string()),
        };
        self.run_to_end(customer, describe, work(admin)).await
    }

    pub(super) async fn user_admin<S: AsRef<CustomerScope>>(
        &self,
        scope: S,
    ) -> Result<UserAdmin<S>, ServiceError> {
        let pc = self
            .services
            .client(&scope.as_ref().customer().connection_id)
            .await?;
        let actor = Actor {
            email: self.who.email.clone(),
            request_id: self.request_id.clone(),
        };
        Ok(UserAdmin::new(
            self.services.store.clone(),
            pc,
            scope,
            actor,
        ))
    }
}
