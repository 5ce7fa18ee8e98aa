//! A plan template applied to one user: its usage location when the user has none, its licenses
//! (each with the service plans it leaves off) in one license update, and its role.

use partner_center::{wire::CustomerUser, ServicePlanId, SkuId, UserId};

use super::{
    admin::{settle, user_error},
    directory::{self, sku_plans},
    PlansOff, UserAdmin, UserError,
};
use crate::{access::ChangeScope, templates::Template};

impl UserAdmin<ChangeScope> {
    /// Applies `template` to `user`; answers what changed, in words. A license the tenant does
    /// not have is left out (and named); a failure stops there, after what was done before it.
    #[tracing::instrument(skip_all, fields(customer.id = %self.customer(), user.id = %user))]
    pub async fn apply_template(
        &self,
        user: &UserId,
        template: &Template,
    ) -> Result<String, UserError> {
        let (u, held, skus) = self.read_licenses(user).await?;
        let mut done = Vec::new();
        if let Some(location) = &template.usage_location {
            if u.usage_location
                .as_deref()
                .is_none_or(|l| l.trim().is_empty())
            {
                self.set_location(user, location).await?;
                done.push(format!("location {location}"));
            }
        }
        let (mut assign, mut plans, mut missing) = (Vec::new(), Vec::new(), Vec::new());
        for wanted in &template.licenses {
            let sku = SkuId::new(wanted.sku_id.clone());
            let Some(subscribed) = skus
                .iter()
                .find(|s| s.product_sku.id.as_ref() == Some(&sku))
            else {
                missing.push(wanted.name.clone());
                continue;
            };
            let all = sku_plans(subscribed);
            // Plans the SKU no longer has are left out.
            let off: Vec<ServicePlanId> = all
                .iter()
                .filter(|p| {
                    wanted
                        .plans_off
                        .iter()
                        .any(|o| p.id.as_str().eq_ignore_ascii_case(o))
                })
                .map(|p| p.id.clone())
                .collect();
            match held.iter().find(|h| h.sku == sku) {
                None => {
                    assign.push(sku.clone());
                    if !off.is_empty() {
                        plans.push(PlansOff { sku, off });
                    }
                }
                Some(h) => {
                    let now_off: Vec<ServicePlanId> =
                        directory::plans_off(&all, h.plans_on.as_deref())
                            .into_iter()
                            .map(|p| p.id.clone())
                            .collect();
                    let same =
                        now_off.len() == off.len() && now_off.iter().all(|p| off.contains(p));
                    if !same {
                        plans.push(PlansOff { sku, off });
                    }
                }
            }
        }
        if !assign.is_empty() || !plans.is_empty() {
            self.send_licenses(user, &assign, &[], &plans).await?;
            self.record_license_change(user, &assign, &[], &plans)
                .await?;
            let names = |skus: &[SkuId]| {
                skus.iter()
                    .filter_map(|s| {
                        template
                            .licenses
                            .iter()
                            .find(|l| l.sku_id.eq_ignore_ascii_case(s.as_str()))
                    })
                    .map(|l| l.name.clone())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            if !assign.is_empty() {
                done.push(format!("licenses {}", names(&assign)));
            }
            let replanned: Vec<SkuId> = plans
                .iter()
                .filter(|p| !assign.contains(&p.sku))
                .map(|p| p.sku.clone())
                .collect();
            if !replanned.is_empty() {
                done.push(format!("service plans of {}", names(&replanned)));
            }
        }
        if let Some(role) = &template.role {
            if self.give_role(user, &u, role).await? {
                done.push(format!("role {role}"));
            }
        }
        let mut said = if done.is_empty() {
            "Nothing to change: it matches the template.".to_owned()
        } else {
            format!("Given: {}.", done.join("; "))
        };
        if !missing.is_empty() {
            said.push_str(&format!(" Not in this tenant: {}.", missing.join(", ")));
        }
        Ok(said)
    }

    /// Sets a usage location Partner Center accepted into the cache too.
    async fn set_location(&self, user: &UserId, location: &str) -> Result<(), UserError> {
        let body = CustomerUser {
            usage_location: Some(location.to_owned()),
            ..CustomerUser::default()
        };
        let updated = self.pc.update_user(self.customer(), user, &body).await;
        let updated = settle(updated, || async {
            let now = self.pc.user(self.customer(), user).await?;
            Ok(now
                .usage_location
                .as_deref()
                .is_some_and(|l| l.eq_ignore_ascii_case(location))
                .then_some(now))
        })
        .await?;
        let mut tx = self.store.pool().begin().await?;
        directory::upsert_user(&mut tx, self.scope(), &updated).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Makes the user a member of the tenant's role named `name` (any case); false when it was
    /// one already. A role the tenant does not have is refused by name.
    async fn give_role(
        &self,
        user: &UserId,
        u: &CustomerUser,
        name: &str,
    ) -> Result<bool, UserError> {
        let (roles, mine) = tokio::try_join!(
            self.pc.directory_roles(self.customer()),
            self.pc.user_roles(self.customer(), user),
        )
        .map_err(user_error)?;
        let Some(role) = roles.iter().find(|r| {
            r.name
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        }) else {
            return Err(UserError::Field {
                field: "role",
                message: format!("The tenant has no role named {name}."),
            });
        };
        if mine.iter().any(|r| r.id == role.id) {
            return Ok(false);
        }
        self.join_role(user, u, &role.id).await?;
        let now: Vec<_> = mine.iter().chain(std::iter::once(role)).collect();
        let mut tx = self.store.pool().begin().await?;
        directory::set_user_roles(&mut tx, self.scope(), user, &now).await?;
        tx.commit().await?;
        Ok(true)
    }
}
