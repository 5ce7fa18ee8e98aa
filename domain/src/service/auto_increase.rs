//! Auto-increase on assignment: a license update that first grows the subscriptions set to
//! grow by exactly the licenses missing (one quantity change per subscription for the whole
//! update), and the setting itself (per customer, per subscription).

use partner_center::{CustomerId, SkuId, SubscriptionId, UserId};

use super::{subscriptions::apply, Caller, ServiceError};
use crate::{
    access::{ChangeScope, Role},
    audit::Outcome,
    history::{self, Author},
    subscriptions::{auto_increase::Increase, change::Change},
    users::{LicenseOutcome, PlansOff, UserAdmin, UserError},
};

impl Caller {
    /// One license update of one user (assign and remove together). A product with no license
    /// free grows first when the customer or its subscription is set to; the increase is kept
    /// (and named) even if the update then fails.
    pub async fn update_licenses(
        &self,
        customer: &CustomerId,
        user: UserId,
        assign: Vec<SkuId>,
        remove: Vec<SkuId>,
        plans: Vec<PlansOff>,
    ) -> Result<LicenseOutcome, ServiceError> {
        let mut detail = format!("{user}: +[{}] -[{}]", ids(&assign), ids(&remove));
        for p in &plans {
            detail.push_str(&format!("; {} plans off: [{}]", p.sku, ids(&p.off)));
        }
        let author = self.author();
        let work = move |admin: UserAdmin<ChangeScope>| async move {
            let mut grown = Vec::new();
            if !assign.is_empty() && admin.grows_any().await? {
                let upn = admin.user_name(&user).await?;
                admin.needs_location(&user).await?;
                let wanted = admin
                    .not_held(&user, &assign)
                    .await?
                    .into_iter()
                    .map(|sku| (sku.as_str().to_lowercase(), 1))
                    .collect();
                let increases = admin.increases(&wanted).await?;
                grown = grow(&admin, increases, &author, &upn).await?;
            }
            let mut outcome = match admin.update_licenses(&user, &assign, &remove, &plans).await {
                Ok(outcome) => outcome,
                // What grew stays grown (Partner Center made it): the refusal says so.
                Err(e) if !grown.is_empty() => {
                    return Err(UserError::CannotGrow(format!(
                        "Grown first (kept): {}. The licenses were not given: {e}",
                        grown.join("; ")
                    )))
                }
                Err(e) => return Err(e),
            };
            outcome.grown = grown;
            Ok(outcome)
        };
        let describe = move |o: &LicenseOutcome| {
            if o.grown.is_empty() {
                detail
            } else {
                format!("{detail}; grown: {}", o.grown.join("; "))
            }
        };
        self.change(customer, describe, work).await
    }

    /// Sets the customer's auto-increase (`subscription` None) or one subscription's (`enabled`
    /// None: it follows the customer's again). A decision about the partner's billing: the
    /// service provider's or the reseller's administrators only.
    pub async fn set_auto_increase(
        &self,
        customer: &CustomerId,
        subscription: Option<&SubscriptionId>,
        enabled: Option<bool>,
    ) -> Result<(), ServiceError> {
        let checked = self
            .services
            .store
            .access()
            .authorize_change(&self.who, customer)
            .await;
        self.checked(Some(customer), checked).await?;
        if !matches!(self.who.role, Role::SpAdmin | Role::ResellerAdmin) {
            return Err(ServiceError::Forbidden(
                "Only the service provider's or the reseller's administrators set auto-increase.",
            ));
        }
        if let Some(id) = subscription {
            let own = self.services.store.subscriptions().grants(customer).await?;
            if !own.iter().any(|g| g.id.eq_ignore_ascii_case(id.as_str())) {
                return Err(ServiceError::NotFound(
                    "This subscription is not among the customer's. Read the subscriptions again."
                        .into(),
                ));
            }
        }
        let result = self
            .services
            .store
            .auto_increase()
            .set(customer, subscription, enabled, &self.who.email)
            .await
            .map_err(ServiceError::from);
        let what = match enabled {
            Some(true) => "on",
            Some(false) => "off",
            None => "as the customer",
        };
        let detail = match subscription {
            Some(s) => format!("auto-increase of {s}: {what}"),
            None => format!("auto-increase of the customer: {what}"),
        };
        let outcome = Outcome::of(usize::from(result.is_err()));
        self.record(Some(customer.as_str()), outcome, &detail).await;
        result
    }
}

/// Makes `increases`, one quantity change each, recorded in the history (kind `increase`) and
/// as a license transaction for `for_whom`. Answers what was grown; a refusal stops the rest
/// and names the increases already made (Partner Center made them: they are never reported as
/// failed).
pub(super) async fn grow(
    admin: &UserAdmin<ChangeScope>,
    increases: Vec<Increase>,
    author: &Author,
    for_whom: &str,
) -> Result<Vec<String>, UserError> {
    let mut grown = Vec::new();
    for increase in increases {
        let sent = match increase.subscription_id.parse::<SubscriptionId>() {
            Ok(id) => apply(
                admin.partner_center(),
                admin.store(),
                admin.customer_id(),
                &id,
                &Change::Add(increase.by),
                author,
                history::Kind::Increase,
            )
            .await
            .map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        match sent {
            Ok(done) => {
                if let Err(e) = admin.record_increase(&increase, for_whom).await {
                    tracing::error!(error = %e, "an increase was made but its transaction not recorded");
                }
                grown.push(done.words);
            }
            Err(why) => {
                let before = if grown.is_empty() {
                    String::new()
                } else {
                    format!(" Grown before it: {}.", grown.join("; "))
                };
                return Err(UserError::CannotGrow(format!(
                    "{} more {} license{} needed and the subscription could not grow: {why}{before}",
                    increase.by,
                    increase.name,
                    if increase.by == 1 { " is" } else { "s are" },
                )));
            }
        }
    }
    Ok(grown)
}

fn ids<T: std::fmt::Display>(ids: &[T]) -> String {
    ids.iter().map(T::to_string).collect::<Vec<_>>().join(",")
}
