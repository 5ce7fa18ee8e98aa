//! The licenses table of one customer: seats per product as Partner Center reports them, the
//! subscriptions behind them, and the newest license changes made through Seatwise.

use leptos::{prelude::*, server_fn::codec::GetUrl};
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductRow {
    pub sku_id: String,
    /// As Partner Center names the product.
    pub name: String,
    pub active: i64,
    pub assigned: i64,
    pub available: i64,
    pub suspended: i64,
    /// Microsoft subscription ids behind the product.
    pub subscriptions: Vec<String>,
    /// The names of its service plans.
    pub plans: Vec<String>,
    /// Active users with some of its plans off.
    pub users_with_plans_off: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LicenseChange {
    pub at: String,
    pub actor: String,
    pub user_name: String,
    pub product: String,
    /// The subscriptions behind the product when it changed.
    pub subscriptions: Vec<String>,
    pub delta: i64,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LicensesData {
    pub customer: String,
    pub customer_id: String,
    pub products: Vec<ProductRow>,
    /// When Partner Center gave these figures (UTC time).
    pub read_at: String,
    pub changes: Vec<LicenseChange>,
    /// Domains for new user names.
    pub domains: Vec<String>,
}

/// The licenses table of one customer, read from Partner Center now (seats and subscriptions,
/// two calls at once), with the newest license changes made through Seatwise.
#[server(prefix = "/api", endpoint = "licenses", input = GetUrl)]
pub async fn licenses(customer: String) -> Result<LicensesData, AppError> {
    let call = crate::door::caller("licenses.read").await?;
    let admin = call
        .customer(&crate::error::parse_id("customer", &customer)?)
        .await?;
    let (products, domains, changes) =
        futures_util::future::join3(admin.products(), admin.domains(), admin.license_changes(20))
            .await;
    Ok(LicensesData {
        customer: admin.customer_name(),
        customer_id: admin.customer_key(),
        products: products?.into_iter().map(ProductRow::from).collect(),
        read_at: domain::time::format_utc_time(domain::time::now_millis()),
        changes: changes?.into_iter().map(LicenseChange::from).collect(),
        domains: domains?,
    })
}

#[cfg(feature = "ssr")]
mod server {
    use domain::users::{LicenseTransaction, Product};

    use super::{LicenseChange, ProductRow};

    impl From<Product> for ProductRow {
        fn from(p: Product) -> Self {
            ProductRow {
                sku_id: p.sku_id,
                name: p.name,
                active: p.active,
                assigned: p.consumed,
                available: p.available,
                suspended: p.suspended,
                subscriptions: p.subscriptions,
                plans: p.plans,
                users_with_plans_off: p.users_with_plans_off,
            }
        }
    }

    impl From<LicenseTransaction> for LicenseChange {
        fn from(t: LicenseTransaction) -> Self {
            LicenseChange {
                at: crate::language::date(&domain::time::format_utc_datetime(t.at)),
                actor: t.actor,
                user_name: t.user_principal_name,
                product: t.product_name,
                subscriptions: t.subscriptions,
                delta: t.delta,
                reason: crate::language::reason(&t.reason),
            }
        }
    }
}
