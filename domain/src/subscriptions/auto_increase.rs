//! Auto-increase on assignment: whether a customer's subscriptions grow when a license is
//! assigned and none is free (a setting for the customer, and one per subscription that
//! overrides it), and which subscription grows by how much for a set of new assignments. Sending
//! the increases is the service layer's job.

use std::collections::HashMap;

use partner_center::{CustomerId, SubscriptionId};
use sqlx::AnyPool;

use super::{granting, Grant};
use crate::{sql::key, time::now_millis, StoreError};

/// A customer's setting and the subscriptions set otherwise.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Setting {
    /// Subscriptions grow unless set otherwise.
    pub customer: bool,
    /// Subscription id (lower case) → its own setting.
    pub subscriptions: HashMap<String, bool>,
}

impl Setting {
    /// Whether `subscription` (any case) grows.
    pub fn grows(&self, subscription: &str) -> bool {
        self.subscriptions
            .get(&subscription.to_lowercase())
            .copied()
            .unwrap_or(self.customer)
    }

    /// Whether any subscription of the customer may grow (else nothing needs reading).
    pub fn any(&self) -> bool {
        self.customer || self.subscriptions.values().any(|on| *on)
    }
}

pub struct AutoIncrease<'a> {
    pool: &'a AnyPool,
}

impl<'a> AutoIncrease<'a> {
    pub(crate) fn new(pool: &'a AnyPool) -> Self {
        AutoIncrease { pool }
    }

    pub async fn setting(&self, customer: &CustomerId) -> Result<Setting, StoreError> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT subscription_id, enabled FROM auto_increase WHERE customer_id = $1",
        )
        .bind(key(customer))
        .fetch_all(self.pool)
        .await?;
        let mut setting = Setting::default();
        for (subscription, enabled) in rows {
            if subscription.is_empty() {
                setting.customer = enabled != 0;
            } else {
                setting.subscriptions.insert(subscription, enabled != 0);
            }
        }
        Ok(setting)
    }

    /// Sets the customer's setting (`subscription` None) or one subscription's; `enabled` None
    /// makes the subscription follow the customer again (for the customer: off).
    pub async fn set(
        &self,
        customer: &CustomerId,
        subscription: Option<&SubscriptionId>,
        enabled: Option<bool>,
        by: &str,
    ) -> Result<(), StoreError> {
        let subscription = subscription.map(key).unwrap_or_default();
        let Some(enabled) = enabled else {
            sqlx::query(
                "DELETE FROM auto_increase WHERE customer_id = $1 AND subscription_id = $2",
            )
            .bind(key(customer))
            .bind(subscription)
            .execute(self.pool)
            .await?;
            return Ok(());
        };
        sqlx::query(
            "INSERT INTO auto_increase (customer_id, subscription_id, enabled, updated_at, \
             updated_by) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (customer_id, subscription_id) \
             DO UPDATE SET enabled = excluded.enabled, updated_at = excluded.updated_at, \
             updated_by = excluded.updated_by",
        )
        .bind(key(customer))
        .bind(subscription)
        .bind(i64::from(enabled))
        .bind(now_millis())
        .bind(by.to_owned())
        .execute(self.pool)
        .await?;
        Ok(())
    }
}

/// Licenses of one SKU wanted beyond those free.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shortfall {
    /// The licensing SKU id (lower case).
    pub sku_id: String,
    /// Its product name, as Partner Center gives it.
    pub name: String,
    pub missing: i64,
}

/// One subscription to grow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Increase {
    pub subscription_id: String,
    pub sku_id: String,
    pub name: String,
    pub by: i64,
}

/// The licenses missing per SKU: `wanted` new assignments of a SKU (users who do not hold it
/// yet) against `free` licenses (`sku id → active − assigned`); SKUs with enough left out.
pub fn shortfalls(
    wanted: &HashMap<String, i64>,
    free: &HashMap<String, (String, i64)>,
) -> Vec<Shortfall> {
    let mut out: Vec<Shortfall> = wanted
        .iter()
        .filter_map(|(sku, want)| {
            let (name, free) = free.get(sku).cloned().unwrap_or_default();
            let missing = want - free.max(0);
            (missing > 0).then(|| Shortfall {
                sku_id: sku.clone(),
                name,
                missing,
            })
        })
        .collect();
    out.sort_by(|a, b| a.sku_id.cmp(&b.sku_id));
    out
}

/// The increases that cover `shortfalls`: for each, the first subscription granting the SKU
/// that is set to grow (none: the shortfall stays, and the assignment is refused as before).
pub fn plan(
    shortfalls: &[Shortfall],
    setting: &Setting,
    subscriptions: &[Grant],
    grants: &HashMap<String, String>,
) -> Vec<Increase> {
    shortfalls
        .iter()
        .filter_map(|s| {
            let grows = granting(&s.sku_id, &s.name, subscriptions, grants)
                .into_iter()
                .find(|g| setting.grows(&g.id))?;
            Some(Increase {
                subscription_id: grows.id.clone(),
                sku_id: s.sku_id.clone(),
                name: s.name.clone(),
                by: s.missing,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(id: &str, name: &str) -> Grant {
        Grant {
            id: id.into(),
            offer_id: String::new(),
            offer_name: name.into(),
        }
    }

    #[test]
    fn only_what_is_missing_and_only_where_set_to_grow() {
        let wanted = HashMap::from([("e3".to_owned(), 5), ("bp".to_owned(), 2)]);
        let free = HashMap::from([
            ("e3".to_owned(), ("Office 365 E3".to_owned(), 3)),
            ("bp".to_owned(), ("Business Premium".to_owned(), 2)),
        ]);
        let short = shortfalls(&wanted, &free);
        assert_eq!(
            short,
            vec![Shortfall {
                sku_id: "e3".into(),
                name: "Office 365 E3".into(),
                missing: 2
            }]
        );
        let subs = [
            grant("s-off", "Office 365 E3"),
            grant("s-on", "Office 365 E3"),
        ];
        let mut setting = Setting::default();
        assert!(plan(&short, &setting, &subs, &HashMap::new()).is_empty());
        setting.customer = true;
        setting.subscriptions.insert("s-off".into(), false);
        let increases = plan(&short, &setting, &subs, &HashMap::new());
        assert_eq!(increases.len(), 1);
        assert_eq!(
            (increases[0].subscription_id.as_str(), increases[0].by),
            ("s-on", 2)
        );
        // A SKU nobody has (no free licenses known) needs all it wants.
        let short = shortfalls(&HashMap::from([("new".to_owned(), 3)]), &free);
        assert_eq!(short[0].missing, 3);
    }
}
