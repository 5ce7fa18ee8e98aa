//! Licenses free and licenses wanted for one customer, for auto-increase on assignment: what a
//! set of new assignments lacks, which subscriptions grow to cover it (by the customer's
//! setting), and the license transaction that records each increase. Sending the increases is
//! the service layer's job (it owns subscription changes).

use std::collections::HashMap;

use super::{
    admin::{name_of, user_error, NewTransaction},
    directory::product_name,
    UserAdmin, UserError,
};
use crate::{
    access::ChangeScope,
    subscriptions::auto_increase::{plan, shortfalls, Increase, Shortfall},
};
use partner_center::{CustomerId, PartnerCenter, SkuId, UserId};

impl UserAdmin<ChangeScope> {
    pub fn partner_center(&self) -> &PartnerCenter {
        &self.pc
    }

    pub fn customer_id(&self) -> &CustomerId {
        self.customer()
    }

    pub fn scope_ref(&self) -> &crate::access::CustomerScope {
        self.scope()
    }

    pub fn store(&self) -> &crate::Store {
        &self.store
    }

    /// The user's name, once the user is known to be the customer's.
    pub async fn user_name(&self, user: &UserId) -> Result<String, UserError> {
        self.owned(user).await
    }

    /// Whether any of the customer's subscriptions is set to grow.
    pub async fn grows_any(&self) -> Result<bool, UserError> {
        Ok(self
            .store
            .auto_increase()
            .setting(self.customer())
            .await?
            .any())
    }

    /// Refuses a user without a usage location before anything is bought for it (Partner
    /// Center would then refuse the licenses).
    pub async fn needs_location(&self, user: &UserId) -> Result<(), UserError> {
        let found = self
            .pc
            .user(self.customer(), user)
            .await
            .map_err(user_error)?;
        if found
            .usage_location
            .as_deref()
            .unwrap_or_default()
            .trim()
            .is_empty()
        {
            return Err(UserError::UsageLocationMissing);
        }
        Ok(())
    }

    /// Which of `skus` the user does not hold now (read from Partner Center).
    pub async fn not_held(&self, user: &UserId, skus: &[SkuId]) -> Result<Vec<SkuId>, UserError> {
        let held: Vec<SkuId> = self
            .pc
            .user_licenses(self.customer(), user)
            .await
            .map_err(user_error)?
            .into_iter()
            .filter_map(|l| l.product_sku.id)
            .collect();
        Ok(skus.iter().filter(|s| !held.contains(s)).cloned().collect())
    }

    /// The increases that `wanted` new assignments (licensing SKU id, lower case → how many)
    /// need: none when the customer has no subscription set to grow (nothing is read then);
    /// otherwise the licenses free now are read from Partner Center (and the cache's seat
    /// counts updated).
    pub async fn increases(
        &self,
        wanted: &HashMap<String, i64>,
    ) -> Result<Vec<Increase>, UserError> {
        if !self.grows_any().await? || wanted.values().all(|n| *n <= 0) {
            return Ok(Vec::new());
        }
        let skus = self.read_seats().await?;
        let free: HashMap<String, (String, i64)> = skus
            .iter()
            .filter_map(|s| {
                let id = s.product_sku.id.as_ref()?.as_str().to_lowercase();
                Some((id, (product_name(s), s.active_units - s.consumed_units)))
            })
            .collect();
        self.increases_for(&shortfalls(wanted, &free)).await
    }

    /// The increases that cover `short`: for each SKU, the first subscription granting it
    /// that is set to grow (a shortfall no subscription covers is left out).
    pub async fn increases_for(&self, short: &[Shortfall]) -> Result<Vec<Increase>, UserError> {
        if short.is_empty() {
            return Ok(Vec::new());
        }
        let setting = self.store.auto_increase().setting(self.customer()).await?;
        let ledger = self.ledger().await?;
        Ok(plan(short, &setting, &ledger.subscriptions, &ledger.grants))
    }

    /// Records an increase Partner Center made as a license transaction (the billing record:
    /// `for_whom` names the assignments it was made for).
    pub async fn record_increase(
        &self,
        increase: &Increase,
        for_whom: &str,
    ) -> Result<(), UserError> {
        let names = self.store.directory().sku_names(self.scope()).await?;
        let name = name_of(&names, &SkuId::new(&increase.sku_id));
        let transaction = NewTransaction {
            user_id: String::new(),
            user_principal_name: for_whom.to_owned(),
            sku_id: increase.sku_id.clone(),
            product_name: name,
            subscriptions: increase.subscription_id.clone(),
            delta: increase.by,
            reason: "auto-increase",
        };
        self.insert_transaction(self.store.pool(), transaction)
            .await?;
        Ok(())
    }
}
