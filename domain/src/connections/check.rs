//! Every read operation once against a connection, one line each: `seatwise pc-check` prints
//! them with `N passed, N failed`, and the Connections page's Test shows them.

use std::future::Future;

use partner_center::{ids::*, PartnerCenter, PcError};

#[derive(Debug, Clone)]
pub struct CheckLine {
    pub ok: bool,
    /// Not tried: there was nothing to try it on (no orders, say). Counts as ok.
    pub skipped: bool,
    pub operation: &'static str,
    /// The HTTP status, or `-` when there was none (transport error, skipped).
    pub status: String,
    pub detail: String,
}

impl std::fmt::Display for CheckLine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:<4} {:<34} {:>3}  {}",
            if self.ok { "ok" } else { "FAIL" },
            self.operation,
            self.status,
            self.detail
        )
    }
}

struct Checks {
    lines: Vec<CheckLine>,
}

impl Checks {
    async fn run<T>(
        &mut self,
        operation: &'static str,
        call: impl Future<Output = Result<T, PcError>>,
        describe: impl FnOnce(&T) -> String,
    ) -> Option<T> {
        match call.await {
            Ok(value) => {
                self.lines.push(CheckLine {
                    ok: true,
                    skipped: false,
                    operation,
                    status: "200".into(),
                    detail: describe(&value),
                });
                Some(value)
            }
            Err(e) => {
                self.lines.push(CheckLine {
                    ok: false,
                    skipped: false,
                    operation,
                    status: status_of(&e),
                    detail: e.to_string(),
                });
                None
            }
        }
    }

    fn skip(&mut self, operation: &'static str, why: &str) {
        self.lines.push(CheckLine {
            ok: true,
            skipped: true,
            operation,
            status: "-".into(),
            detail: format!("skipped: {why}"),
        });
    }
}

fn status_of(e: &PcError) -> String {
    match e {
        PcError::NotFound { .. } => "404".into(),
        PcError::Conflict { .. } => "409".into(),
        PcError::Throttled { .. } => "429".into(),
        PcError::Auth { .. } => "401".into(),
        PcError::Forbidden { .. } => "403".into(),
        PcError::NotEnoughLicenses { .. } | PcError::UsageLocationMissing { .. } => "400".into(),
        PcError::Validation { status, .. } | PcError::Unavailable { status, .. } => {
            status.to_string()
        }
        PcError::Timeout
        | PcError::Transport(_)
        | PcError::Decode(_)
        | PcError::OutcomeUnknown(_) => "-".into(),
    }
}

/// Runs every read operation; `customer` picks the tenant (default: the first listed).
pub async fn run(
    pc: &PartnerCenter,
    customer: Option<CustomerId>,
    country: &str,
) -> Vec<CheckLine> {
    let mut c = Checks { lines: Vec::new() };
    let customers = c
        .run(
            "list customers",
            async { pc.customers(50).next_page().await.unwrap_or(Ok(Vec::new())) },
            |v| format!("{} on the first page", v.len()),
        )
        .await
        .unwrap_or_default();
    let customer_id = customer.or_else(|| customers.first().map(|x| x.id.clone()));
    let Some(cid) = customer_id else {
        c.skip("customer operations", "no customer to check against");
        return catalog(pc, c, country).await.lines;
    };
    let one = c
        .run("get customer", pc.customer(&cid), |x| {
            x.company_name().to_owned()
        })
        .await;
    if let Some(one) = &one {
        let prefix: String = one.company_name().chars().take(3).collect();
        c.run(
            "search customers by name",
            pc.search_customers(&prefix).all(),
            |v| format!("{} match {prefix:?}", v.len()),
        )
        .await;
        let domain = one.domain().to_owned();
        c.run("check domain", pc.domain_taken(&domain), |taken| {
            format!("{domain} taken: {taken}")
        })
        .await;
    }
    let users = c
        .run(
            "list users",
            async {
                pc.users(&cid, 100)
                    .next_page()
                    .await
                    .unwrap_or(Ok(Vec::new()))
            },
            |v| format!("{} on the first page", v.len()),
        )
        .await
        .unwrap_or_default();
    c.run(
        "list deleted users",
        pc.deleted_users(&cid, 100).all(),
        |v| format!("{} deleted", v.len()),
    )
    .await;
    match users.first().and_then(|u| u.id.clone()) {
        Some(uid) => {
            c.run("get user", pc.user(&cid, &uid), |u| {
                u.user_principal_name.clone().unwrap_or_default()
            })
            .await;
            c.run("user licenses", pc.user_licenses(&cid, &uid), |v| {
                format!("{} licenses", v.len())
            })
            .await;
            c.run("user directory roles", pc.user_roles(&cid, &uid), |v| {
                format!("{} roles", v.len())
            })
            .await;
        }
        None => c.skip("user operations", "the customer has no users"),
    }
    c.run("subscribed SKUs", pc.subscribed_skus(&cid), |v| {
        format!("{} SKUs", v.len())
    })
    .await;
    let roles = c
        .run("directory roles", pc.directory_roles(&cid), |v| {
            format!("{} roles", v.len())
        })
        .await;
    if let Some(role) = roles.as_ref().and_then(|r| r.first()) {
        c.run("role members", pc.role_members(&cid, &role.id).all(), |v| {
            format!(
                "{} members of {}",
                v.len(),
                role.name.as_deref().unwrap_or("?")
            )
        })
        .await;
    }
    let subs = c
        .run("subscriptions", pc.subscriptions(&cid), |v| {
            format!("{} subscriptions", v.len())
        })
        .await
        .unwrap_or_default();
    match subs.first() {
        Some(s) => {
            c.run("get subscription", pc.subscription(&cid, &s.id), |x| {
                x.offer_name.clone().unwrap_or_default()
            })
            .await;
            c.run(
                "subscription provisioning status",
                pc.subscription_provisioning_status(&cid, &s.id),
                |x| x.status.clone().unwrap_or_default(),
            )
            .await;
            c.run("subscription add-ons", pc.addons(&cid, &s.id), |v| {
                format!("{} add-ons", v.len())
            })
            .await;
        }
        None => c.skip(
            "subscription operations",
            "the customer has no subscriptions",
        ),
    }
    let orders = c
        .run("orders", pc.orders(&cid), |v| format!("{} orders", v.len()))
        .await
        .unwrap_or_default();
    match orders.first().and_then(|o| o.id.clone()) {
        Some(oid) => {
            c.run("get order", pc.order(&cid, &oid), |o| {
                o.status.clone().unwrap_or_default()
            })
            .await;
        }
        None => c.skip("get order", "the customer has no orders"),
    }
    catalog(pc, c, country).await.lines
}

async fn catalog(pc: &PartnerCenter, mut c: Checks, country: &str) -> Checks {
    let products = c
        .run(
            "products",
            pc.products(country, "OnlineServices", None),
            |v| format!("{} products in {country}", v.len()),
        )
        .await
        .unwrap_or_default();
    let Some(product) = products.first() else {
        c.skip("catalog details", "no products listed");
        return c;
    };
    c.run("get product", pc.product(&product.id, country), |p| {
        p.title.clone().unwrap_or_default()
    })
    .await;
    let skus = c
        .run("SKUs", pc.skus(&product.id, country), |v| {
            format!("{} SKUs", v.len())
        })
        .await
        .unwrap_or_default();
    let Some(sku) = skus.first() else { return c };
    c.run("get SKU", pc.sku(&product.id, &sku.id, country), |s| {
        s.title.clone().unwrap_or_default()
    })
    .await;
    let availabilities = c
        .run(
            "availabilities",
            pc.availabilities(&product.id, &sku.id, country),
            |v| format!("{} availabilities", v.len()),
        )
        .await
        .unwrap_or_default();
    if let Some(a) = availabilities.first() {
        c.run(
            "get availability",
            pc.availability(&product.id, &sku.id, &a.id, country),
            |a| a.catalog_item_id.clone().unwrap_or_default(),
        )
        .await;
    }
    c
}

/// `N passed, N failed`.
pub fn summary(lines: &[CheckLine]) -> (usize, usize) {
    let passed = lines.iter().filter(|l| l.ok).count();
    (passed, lines.len() - passed)
}
