//! Service plans: what a license consists of (Exchange, Teams, SharePoint, …) and which of them
//! a user's license has on. Partner Center lists a SKU's plans under the customer's subscribed
//! SKUs and a user's under its licenses; a plan of the SKU missing from the user's license is
//! turned off (an excluded plan).

use partner_center::{
    wire::{License, SubscribedSku},
    ServicePlanId, SkuId,
};
use serde::{Deserialize, Serialize};

/// One service plan of a license SKU.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub id: ServicePlanId,
    /// Partner Center's display name (its service name when there is none).
    pub name: String,
}

/// The plans of a subscribed SKU, as Partner Center lists them.
pub fn sku_plans(sku: &SubscribedSku) -> Vec<Plan> {
    sku.service_plans
        .iter()
        .filter_map(|p| {
            let id = p.id.clone()?;
            let name = p
                .display_name
                .clone()
                .or_else(|| p.service_name.clone())
                .unwrap_or_else(|| id.to_string());
            Some(Plan { id, name })
        })
        .collect()
}

/// A license a user holds, and the plans it has on when they were read.
#[derive(Debug, Clone, PartialEq)]
pub struct Held {
    pub sku: SkuId,
    /// `None` when not read (an update not read back, or a license that lists no plans): the
    /// cache keeps what it knew, and nothing shows as off.
    pub plans_on: Option<Vec<ServicePlanId>>,
}

impl Held {
    /// A user's license as Partner Center gives it; `None` without a SKU id. A plan listed as
    /// disabled or deleted counts as off, as one left out does.
    pub fn read(license: License) -> Option<Held> {
        let sku = license.product_sku.id?;
        let plans_on = (!license.service_plans.is_empty()).then(|| {
            license
                .service_plans
                .into_iter()
                .filter(|p| {
                    !p.capability_status.as_deref().is_some_and(|s| {
                        s.eq_ignore_ascii_case("disabled") || s.eq_ignore_ascii_case("deleted")
                    })
                })
                .filter_map(|p| p.id)
                .collect()
        });
        Some(Held { sku, plans_on })
    }

    /// Every license of a user's list that names its SKU.
    pub fn all(licenses: Vec<License>) -> Vec<Held> {
        licenses.into_iter().filter_map(Held::read).collect()
    }

    /// A license the user holds after an update that was not read back.
    pub fn implied(sku: SkuId) -> Held {
        Held {
            sku,
            plans_on: None,
        }
    }
}

/// The plans of `plans` that are off, given those on (none off when not read).
pub fn plans_off<'a>(plans: &'a [Plan], on: Option<&[ServicePlanId]>) -> Vec<&'a Plan> {
    match on {
        None => Vec::new(),
        Some(on) => plans.iter().filter(|p| !on.contains(&p.id)).collect(),
    }
}

/// The SKU's plans as the cache keeps them (JSON `[[id, name], …]`).
pub(crate) fn plans_to_column(plans: &[Plan]) -> String {
    let pairs: Vec<(&str, &str)> = plans
        .iter()
        .map(|p| (p.id.as_str(), p.name.as_str()))
        .collect();
    serde_json::to_string(&pairs).unwrap_or_else(|_| "[]".into())
}

pub(crate) fn plans_from_column(text: &str) -> Vec<Plan> {
    serde_json::from_str::<Vec<(String, String)>>(text)
        .unwrap_or_default()
        .into_iter()
        .map(|(id, name)| Plan {
            id: ServicePlanId::new(id),
            name,
        })
        .collect()
}

/// The plans on as the cache keeps them: comma-separated ids, NULL when not read.
pub(crate) fn on_to_column(on: Option<&[ServicePlanId]>) -> Option<String> {
    on.map(|ids| {
        ids.iter()
            .map(|i| i.as_str().to_lowercase())
            .collect::<Vec<_>>()
            .join(",")
    })
}

pub(crate) fn on_from_column(text: Option<&str>) -> Option<Vec<ServicePlanId>> {
    text.map(|t| {
        t.split(',')
            .filter(|s| !s.is_empty())
            .map(ServicePlanId::new)
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use partner_center::wire::{ProductSku, ServicePlan};

    use super::*;

    fn plan(id: &str, status: &str) -> ServicePlan {
        ServicePlan {
            id: Some(ServicePlanId::new(id)),
            display_name: Some(format!("Plan {id}")),
            capability_status: Some(status.into()),
            ..ServicePlan::default()
        }
    }

    #[test]
    fn a_plan_left_out_or_disabled_is_off() {
        let sku = SubscribedSku {
            service_plans: vec![
                plan("a", "Enabled"),
                plan("b", "Enabled"),
                plan("c", "Enabled"),
            ],
            ..SubscribedSku::default()
        };
        let plans = sku_plans(&sku);
        let license = License {
            product_sku: ProductSku {
                id: Some(SkuId::new("s")),
                ..ProductSku::default()
            },
            service_plans: vec![plan("A", "Assigned"), plan("c", "Disabled")],
            ..License::default()
        };
        let held = Held::read(license).unwrap();
        let off: Vec<&str> = plans_off(&plans, held.plans_on.as_deref())
            .iter()
            .map(|p| p.name.as_str())
            .collect();
        assert_eq!(off, ["Plan b", "Plan c"]);
        // A license that lists no plans is not read as every plan off.
        let bare = Held::read(License {
            product_sku: ProductSku {
                id: Some(SkuId::new("s")),
                ..ProductSku::default()
            },
            ..License::default()
        })
        .unwrap();
        assert!(plans_off(&plans, bare.plans_on.as_deref()).is_empty());
        // The cache's columns give the same back.
        assert_eq!(plans_from_column(&plans_to_column(&plans)), plans);
        let column = on_to_column(held.plans_on.as_deref());
        assert_eq!(column.as_deref(), Some("a"));
        assert_eq!(on_from_column(column.as_deref()), held.plans_on);
        assert_eq!(on_from_column(Some("")), Some(Vec::new()));
    }
}
