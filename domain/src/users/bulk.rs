//! What bulk work needs of one customer's users: the tenant as it is now (read from Partner
//! Center, a few calls whatever the size of the file), and a license update whose result is
//! known without reading it back (one call per user).

use std::collections::HashMap;

use futures_util::{stream, StreamExt, TryStreamExt};
use partner_center::{
    wire::{CustomerUser, SubscribedSku},
    SkuId, UserId,
};

use super::{
    admin::{assignable, user_error},
    directory::{product_name, Held},
    UserAdmin, UserError,
};
use crate::{
    access::ChangeScope,
    bulk::{ExistingUser, SkuFact, Tenant},
};

/// License reads at once when a bulk check reads the users it names.
const READS_AT_ONCE: usize = 16;

impl UserAdmin<ChangeScope> {
    /// The tenant now: its users (one call per 500), the licenses it can give with those free
    /// (one call; the cache's seat counts are updated), its roles when `roles`, and the licenses
    /// of the users `named` picks (one call each, 16 at once).
    pub async fn tenant(
        &self,
        roles: bool,
        named: impl Fn(&CustomerUser) -> bool,
    ) -> Result<Tenant, UserError> {
        let id = self.customer();
        let all_roles = async {
            if roles {
                self.pc.directory_roles(id).await
            } else {
                Ok(Vec::new())
            }
        };
        let (users, skus, roles) = tokio::try_join!(
            self.pc.users(id, partner_center::ops::USER_PAGE).all(),
            self.pc.subscribed_skus(id),
            all_roles,
        )
        .map_err(user_error)?;
        let mut tx = self.store.pool().begin().await?;
        super::directory::set_skus(&mut tx, self.scope(), &skus).await?;
        tx.commit().await?;
        let wanted: Vec<UserId> = users
            .iter()
            .filter(|u| named(u))
            .filter_map(|u| u.id.clone())
            .collect();
        let licenses: HashMap<UserId, Vec<String>> = stream::iter(wanted)
            .map(|user| async move {
                let held = self.pc.user_licenses(id, &user).await?;
                let held = held
                    .into_iter()
                    .filter_map(|l| Some(l.product_sku.id?.as_str().to_lowercase()))
                    .collect();
                Ok::<_, partner_center::PcError>((user, held))
            })
            .buffer_unordered(READS_AT_ONCE)
            .try_collect()
            .await
            .map_err(user_error)?;
        let users = users
            .into_iter()
            .filter_map(|u| {
                let name = u.user_principal_name.clone()?.to_lowercase();
                let id = u.id.clone()?;
                let existing = ExistingUser {
                    licenses: licenses.get(&id).cloned().unwrap_or_default(),
                    id: id.as_str().to_lowercase(),
                    first_name: u.first_name.unwrap_or_default(),
                    last_name: u.last_name.unwrap_or_default(),
                    display_name: u.display_name.unwrap_or_default(),
                    usage_location: u.usage_location.unwrap_or_default(),
                };
                Some((name, existing))
            })
            .collect();
        Ok(Tenant {
            domains: self.domains().await?,
            users,
            skus: skus
                .iter()
                .filter(|s| assignable(s))
                .filter_map(|s| {
                    Some(SkuFact {
                        id: s.product_sku.id.as_ref()?.as_str().to_lowercase(),
                        name: product_name(s),
                        free: s.active_units - s.consumed_units,
                    })
                })
                .collect(),
            roles: roles
                .into_iter()
                .map(|r| {
                    let name = r.name.clone().unwrap_or_else(|| r.id.to_string());
                    (r.id.to_string(), name)
                })
                .collect(),
        })
    }

    /// One license update of a user whose licenses are known (`held`, read just before, or
    /// none for a user just created): sent, then recorded without reading it back.
    pub async fn give_licenses(
        &self,
        user: &UserId,
        held: &[SkuId],
        assign: &[SkuId],
        remove: &[SkuId],
    ) -> Result<(), UserError> {
        self.send_licenses(user, assign, remove, &[]).await?;
        let now: Vec<Held> = held
            .iter()
            .filter(|s| !remove.contains(s))
            .chain(assign.iter().filter(|a| !held.contains(a)))
            .cloned()
            .map(Held::implied)
            .collect();
        self.record_licenses_held(user, &now, None, assign, remove)
            .await
    }

    /// Reads the seats again into the cache after bulk work (one call).
    pub async fn refresh_seats(&self) -> Result<(), UserError> {
        self.read_seats().await.map(drop)
    }

    /// The customer's subscribed SKUs now (one call), kept in the cache's seat counts.
    pub(super) async fn read_seats(&self) -> Result<Vec<SubscribedSku>, UserError> {
        let skus = self
            .pc
            .subscribed_skus(self.customer())
            .await
            .map_err(user_error)?;
        let mut tx = self.store.pool().begin().await?;
        super::directory::set_skus(&mut tx, self.scope(), &skus).await?;
        tx.commit().await?;
        Ok(skus)
    }
}
