//! License optimisation: licenses bought but not assigned are given back. For every licensing
//! SKU of a customer, unused = active − assigned; the subscriptions that grant it are reduced
//! by that many in all, each keeping at least one license, so that the customer never has fewer
//! licenses than it assigned. Subscriptions still inside the window where a decrease is allowed
//! go first (their reduction is made now); the others' is scheduled for renewal. Only the
//! partner's own connections (not one given to a reseller) are optimised, and only when a
//! service provider approves (or the setting says so): removing a license from a user never
//! shrinks a subscription by itself.

use partner_center::wire::{SubscribedSku, Subscription as Wire};

use crate::subscriptions::{granting, Grant};

/// One subscription to reduce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reduction {
    pub subscription_id: String,
    pub product: String,
    /// The licensing SKU's name (what users are assigned).
    pub sku: String,
    pub from: i64,
    pub to: i64,
    /// Made at renewal (outside the window where a decrease is allowed now).
    pub at_renewal: bool,
}

impl Reduction {
    pub fn words(&self) -> String {
        format!(
            "{} → {} licenses{}",
            self.from,
            self.to,
            if self.at_renewal {
                " at renewal"
            } else {
                " now"
            }
        )
    }
}

/// The reductions for one customer: its subscribed SKUs (active and assigned counts) and its
/// subscriptions as Partner Center shows them now, `grants` being the catalog's record of which
/// licensing SKU each catalog SKU grants; `now` in unix milliseconds decides the window.
pub fn plan(
    skus: &[SubscribedSku],
    subscriptions: &[Wire],
    grants: &std::collections::HashMap<String, String>,
    now: i64,
) -> Vec<Reduction> {
    let active: Vec<&Wire> = subscriptions
        .iter()
        .filter(|s| {
            s.status.as_ref().map(|s| s.as_str()) == Some("active")
                && s.quantity > 1
                // Marketplace offers are licensed by their publishers, not by Microsoft's SKUs.
                && s.is_microsoft_product != Some(false)
        })
        .collect();
    let held: Vec<Grant> = active.iter().map(|s| Grant::from(*s)).collect();
    let mut reductions = Vec::new();
    for sku in skus {
        let unused = sku.active_units - sku.consumed_units;
        if unused <= 0 {
            continue;
        }
        let sku_id = sku
            .product_sku
            .id
            .as_ref()
            .map(|i| i.to_string().to_lowercase())
            .unwrap_or_default();
        let name = sku
            .product_sku
            .name
            .clone()
            .or_else(|| sku.product_sku.sku_part_number.clone())
            .unwrap_or_default();
        // Each subscription with the quantity it will have: a reduction already scheduled for
        // renewal gives its licenses back then, and counts as given back.
        let mut candidates: Vec<(&Wire, bool, i64)> = granting(&sku_id, &name, &held, grants)
            .into_iter()
            .filter_map(|g| {
                active
                    .iter()
                    .find(|s| s.id.as_str().eq_ignore_ascii_case(&g.id))
            })
            .map(|s| {
                let within = crate::subscriptions::change::cancel_until(s).is_some_and(|t| t > now);
                let scheduled = s
                    .scheduled_next_term_instructions
                    .as_ref()
                    .and_then(|n| n.quantity)
                    .filter(|q| *q < s.quantity);
                (*s, !within, scheduled.unwrap_or(s.quantity))
            })
            .collect();
        let mut left = unused
            - candidates
                .iter()
                .map(|(s, _, will)| s.quantity - will)
                .sum::<i64>();
        // Those reduced now first, then the larger ones (fewer changes).
        candidates.sort_by_key(|(_, at_renewal, will)| (*at_renewal, std::cmp::Reverse(*will)));
        for (s, at_renewal, will) in candidates {
            if left <= 0 {
                break;
            }
            let cut = left.min(will - 1);
            if cut <= 0 {
                continue;
            }
            left -= cut;
            reductions.push(Reduction {
                subscription_id: s.id.as_str().to_lowercase(),
                product: s.offer_name.clone().unwrap_or_default(),
                sku: name.clone(),
                from: will,
                to: will - cut,
                at_renewal,
            });
        }
    }
    reductions
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn sku(id: &str, name: &str, active: i64, consumed: i64) -> SubscribedSku {
        partner_center::json::from_value(serde_json::json!({
            "activeUnits": active, "consumedUnits": consumed, "availableUnits": active - consumed,
            "suspendedUnits": 0, "warningUnits": 0, "totalUnits": active,
            "productSku": { "id": id, "name": name }
        }))
        .unwrap()
    }

    /// A subscription bought on `start` (`YYYY-MM-DD`): Partner Center allows a decrease until
    /// seven days later.
    fn sub(id: &str, offer: &str, name: &str, quantity: i64, start: &str) -> Wire {
        let begun = crate::time::parse_date(start).unwrap();
        let until = crate::time::format_utc_datetime(begun + 7 * 86_400_000);
        let until = format!("{}T{}:00Z", &until[..10], &until[11..16]);
        partner_center::json::from_value(serde_json::json!({
            "id": id, "offerId": offer, "offerName": name, "quantity": quantity,
            "status": "active", "billingCycle": "monthly", "termDuration": "P1Y",
            "effectiveStartDate": format!("{start}T00:00:00Z"),
            "commitmentEndDate": "2031-01-01T00:00:00Z",
            "cancellationAllowedUntilDate": until, "autoRenewEnabled": true,
            "productType": { "id": "OnlineServicesNCE" }
        }))
        .unwrap()
    }

    #[test]
    fn unused_licenses_are_given_back_never_below_what_is_assigned() {
        let grants: HashMap<String, String> = [(
            "CFQ7TTC0LF8Q:0001".to_owned(),
            "6fd2c87f-b296-42f0-b197-1e91e994b900".to_owned(),
        )]
        .into();
        let now = crate::time::parse_date("2030-01-05").unwrap();
        let skus = [
            // 15 bought, 6 assigned: 9 to give back.
            sku(
                "6fd2c87f-b296-42f0-b197-1e91e994b900",
                "Office 365 E3",
                15,
                6,
            ),
            // All assigned: nothing.
            sku(
                "4b9405b0-7788-4568-add1-99614e613b69",
                "Exchange Online (Plan 1)",
                4,
                4,
            ),
        ];
        let subs = [
            // Bought three days ago: inside the window, reduced now.
            sub(
                "aaaaaaaa-0000-0000-0000-000000000001",
                "CFQ7TTC0LF8Q:0001:P1Y",
                "Office 365 E3",
                5,
                "2030-01-02",
            ),
            // A year old: reduced at renewal, to no fewer than one.
            sub(
                "aaaaaaaa-0000-0000-0000-000000000002",
                "CFQ7TTC0LF8Q:0001:P1Y",
                "Office 365 E3",
                10,
                "2029-01-01",
            ),
            sub(
                "aaaaaaaa-0000-0000-0000-000000000003",
                "CFQ7TTC0LF8P:0001:P1Y",
                "Exchange Online (Plan 1)",
                4,
                "2030-01-02",
            ),
        ];
        let plan = plan(&skus, &subs, &grants, now);
        assert_eq!(
            plan.iter()
                .map(|r| (r.subscription_id.as_str(), r.from, r.to, r.at_renewal))
                .collect::<Vec<_>>(),
            [
                ("aaaaaaaa-0000-0000-0000-000000000001", 5, 1, false),
                ("aaaaaaaa-0000-0000-0000-000000000002", 10, 5, true),
            ]
        );
        let kept: i64 = 15 - plan.iter().map(|r| r.from - r.to).sum::<i64>();
        assert_eq!(kept, 6, "exactly what is assigned stays");
        assert_eq!(plan[0].words(), "5 → 1 licenses now");
    }

    #[test]
    fn nothing_is_reduced_when_every_license_is_assigned_or_only_one_is_left() {
        let grants = HashMap::new();
        let now = crate::time::parse_date("2030-01-05").unwrap();
        let skus = [sku(
            "6fd2c87f-b296-42f0-b197-1e91e994b900",
            "Office 365 E3",
            3,
            1,
        )];
        // By name (the catalog has not read this SKU); one license each: none to give back.
        let subs = [
            sub(
                "aaaaaaaa-0000-0000-0000-000000000001",
                "X:0001:P1Y",
                "Office 365 E3",
                1,
                "2030-01-02",
            ),
            sub(
                "aaaaaaaa-0000-0000-0000-000000000002",
                "X:0001:P1Y",
                "Office 365 E3",
                1,
                "2030-01-02",
            ),
        ];
        assert!(plan(&skus, &subs, &grants, now).is_empty());
    }
}
