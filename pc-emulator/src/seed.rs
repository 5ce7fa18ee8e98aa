//! Deterministic demo and benchmark data: the same seed gives the same tenants, users,
//! subscriptions and license assignments, ids included.

use partner_center::{ids::*, wire::*};
use rand::{rngs::StdRng, seq::SliceRandom, Rng, SeedableRng};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::{
    catalog::{self, ITEMS},
    world::{accepted, new_subscription, order_record, CustomerRec, SubRec, UserRec, World, ROLES},
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedOptions {
    pub seed: u64,
    pub customers: usize,
    pub users_per_customer: usize,
    pub subscriptions_per_customer: usize,
}

impl Default for SeedOptions {
    fn default() -> Self {
        SeedOptions {
            seed: 42,
            customers: 3,
            users_per_customer: 12,
            subscriptions_per_customer: 3,
        }
    }
}

const DEMO_COMPANIES: &[(&str, &str, &str)] = &[
    ("Contoso Ltd", "contoso", "US"),
    ("Fabrikam Inc", "fabrikam", "US"),
    ("Northwind Traders", "northwind", "GB"),
    ("Tailspin Toys", "tailspintoys", "DE"),
    ("Wide World Importers", "wideworldimporters", "NL"),
];
const FIRST: &[&str] = &[
    "Ann", "Ben", "Chloe", "David", "Emma", "Farid", "Grace", "Hiro", "Isla", "Jonas", "Kira",
    "Liam", "Maya", "Noah", "Olga", "Pablo", "Quinn", "Rosa", "Sven", "Tara", "Umar", "Vera",
    "Wei", "Xena", "Yusuf", "Zoe",
];
const LAST: &[&str] = &[
    "Lee", "Berg", "Costa", "Dubois", "Evans", "Fischer", "Garcia", "Hansen", "Ito", "Jensen",
    "Kowalski", "Larsen", "Moreau", "Nakamura", "Olsen", "Petrov", "Quint", "Rossi", "Smith",
    "Tanaka", "Ueda", "Varga", "Weber", "Yilmaz", "Zimmer",
];

/// A v4-shaped UUID drawn from the seeded generator, so ids repeat across runs.
fn uuid(rng: &mut StdRng) -> String {
    Uuid::from_u128(rng.gen::<u128>() & !(0xF000 << 64) | (0x4000 << 64)).to_string()
}

pub fn world(options: &SeedOptions, now: OffsetDateTime) -> World {
    let mut rng = StdRng::seed_from_u64(options.seed);
    let customers = (0..options.customers)
        .map(|n| customer(&mut rng, n, options, now))
        .collect();
    World {
        clock_offset_secs: 0,
        customers,
        withdrawn: Vec::new(),
    }
}

fn customer(rng: &mut StdRng, n: usize, options: &SeedOptions, now: OffsetDateTime) -> CustomerRec {
    let (name, slug, country) = match DEMO_COMPANIES.get(n) {
        Some(&(name, slug, country)) => (name.to_owned(), slug.to_owned(), country),
        None => (
            format!("Customer {:04} Ltd", n + 1),
            format!("customer{:04}", n + 1),
            "US",
        ),
    };
    let id = CustomerId::new(uuid(rng));
    let domain = format!("{slug}.onmicrosoft.com");
    let customer = Customer {
        id: id.clone(),
        commerce_id: Some(uuid(rng)),
        company_profile: Some(CompanyProfile {
            tenant_id: Some(id.to_string()),
            domain: Some(domain.clone()),
            company_name: Some(name.clone()),
            attributes: Attributes::of("CustomerCompanyProfile"),
            ..CompanyProfile::default()
        }),
        billing_profile: Some(BillingProfile {
            email: Some(format!("billing@{slug}.example")),
            culture: Some("en-US".into()),
            language: Some("en".into()),
            company_name: Some(name),
            default_address: Some(Address {
                country: Some(country.into()),
                city: Some("Redmond".into()),
                address_line1: Some("1 Main St".into()),
                postal_code: Some("98052".into()),
                ..Address::default()
            }),
            ..BillingProfile::default()
        }),
        relationship_to_partner: Some(RelationshipToPartner::Reseller),
        // A domain the customer verified in its tenant, besides its onmicrosoft.com one.
        custom_domains: vec![format!("{slug}.example")],
        links: Some(Links {
            self_link: Some(Link::get(format!("/customers/{id}"))),
            ..Links::default()
        }),
        attributes: Attributes::of("Customer"),
        ..Customer::default()
    };

    // Subscriptions: distinct catalog items, bought a few weeks ago (outside the 7-day window).
    let mut items: Vec<_> = ITEMS.iter().collect();
    items.shuffle(rng);
    let mut subscriptions = Vec::new();
    let mut orders = Vec::new();
    // More subscriptions than catalog items repeat products (several subscriptions of one
    // product, as customers with instances or separate terms have).
    for item in items
        .into_iter()
        .cycle()
        .take(options.subscriptions_per_customer)
    {
        let bought = now - Duration::days(rng.gen_range(20..200));
        let quantity = (options.users_per_customer as i64 / 2 + rng.gen_range(2..8)).max(2);
        let sub_id = SubscriptionId::new(uuid(rng).to_uppercase());
        let order = OrderId::new(uuid(rng));
        let line = CartLineItem {
            catalog_item_id: item.catalog_item_id(),
            quantity,
            ..CartLineItem::default()
        };
        let mut sub = new_subscription(&id, sub_id, item, &line, "P1Y", &order, bought);
        if let Some(a) = sub.attributes.as_mut() {
            a.etag = Some(uuid(rng).replace('-', ""));
        }
        // The order that bought it, as `GET .../orders` lists it.
        let bought_line = OrderLineItem {
            line_item_number: 0,
            offer_id: line.catalog_item_id.clone(),
            subscription_id: Some(sub.id.clone()),
            quantity,
            term_duration: Some("P1Y".into()),
            transaction_type: Some("New".into()),
            ..OrderLineItem::default()
        };
        orders.push(order_record(
            &id,
            &order,
            vec![bought_line],
            sub.billing_cycle.clone(),
            bought,
        ));
        subscriptions.push(SubRec {
            term_start: bought.unix_timestamp(),
            sub,
        });
    }

    // Users: most hold one license of a subscribed SKU while seats last; a few have none.
    let mut users = Vec::new();
    let mut used: std::collections::HashMap<String, i64> = Default::default();
    for u in 0..options.users_per_customer {
        let first = FIRST[rng.gen_range(0..FIRST.len())];
        let last = LAST[rng.gen_range(0..LAST.len())];
        let upn = format!(
            "{}.{}{}@{domain}",
            first.to_lowercase(),
            last.to_lowercase(),
            u + 1
        );
        let user_id = UserId::new(uuid(rng));
        let mut licenses = Vec::new();
        if !subscriptions.is_empty() && rng.gen_bool(0.8) {
            let s = &subscriptions[rng.gen_range(0..subscriptions.len())].sub;
            if let Some(item) = s.offer_id.as_deref().and_then(catalog::by_catalog_item_id) {
                let n = used.entry(item.license_sku.into()).or_default();
                if *n < s.quantity {
                    *n += 1;
                    licenses.push(SkuId::new(item.license_sku));
                }
            }
        }
        users.push(UserRec {
            user: CustomerUser {
                id: Some(user_id.clone()),
                user_principal_name: Some(upn),
                first_name: Some(first.into()),
                last_name: Some(last.into()),
                display_name: Some(format!("{first} {last}")),
                // One in ten users has no usage location, as in real tenants.
                usage_location: (u % 10 != 9).then(|| country.to_owned()),
                user_domain_type: Some(UserDomainType::Managed),
                state: Some(UserState::Active),
                links: Some(Links {
                    self_link: Some(Link::get(format!("/customers/{id}/users/{user_id}"))),
                    ..Links::default()
                }),
                attributes: Attributes::of("CustomerUser"),
                ..CustomerUser::default()
            },
            licenses,
            ..UserRec::default()
        });
    }
    // Fabrikam bought a marketplace offer two days ago and has not finished its set-up on the
    // publisher's site (fixed ids and after the users, so the random draws stay as they were).
    if n == 1 {
        let item = &catalog::MARKETPLACE[0];
        let sub_id = SubscriptionId::new(format!("5A3D7A5F-0000-4000-8000-{n:012X}"));
        let order = OrderId::new(format!("0a1b2c3d-0000-4000-8000-{n:012x}"));
        let bought = now - Duration::days(2);
        let line = CartLineItem {
            catalog_item_id: item.catalog_item_id(),
            quantity: 5,
            term_duration: Some("P1M".into()),
            ..CartLineItem::default()
        };
        let sub = new_subscription(&id, sub_id, item, &line, "P1M", &order, bought);
        let bought_line = OrderLineItem {
            line_item_number: 0,
            offer_id: line.catalog_item_id.clone(),
            subscription_id: Some(sub.id.clone()),
            quantity: 5,
            term_duration: Some("P1M".into()),
            transaction_type: Some("New".into()),
            ..OrderLineItem::default()
        };
        let mut pending = order_record(
            &id,
            &order,
            vec![bought_line],
            sub.billing_cycle.clone(),
            bought,
        );
        pending.status = Some("pending".into());
        orders.push(pending);
        subscriptions.push(SubRec {
            term_start: bought.unix_timestamp(),
            sub,
        });
    }

    let mut role_members = std::collections::BTreeMap::new();
    if let Some(first) = users.first() {
        role_members.insert(
            ROLES[0].0.to_owned(),
            vec![first.user.id.clone().unwrap_or_default()],
        );
    }
    // Every customer accepted the Microsoft Customer Agreement a year ago, except Northwind
    // Traders: its partner has yet to confirm it, so ordering for it waits for that.
    let agreements = if n == 2 {
        Vec::new()
    } else {
        vec![accepted(
            "Avery",
            "Owner",
            &format!("owner@{slug}.example"),
            WireTime(now - Duration::days(365)),
        )]
    };
    CustomerRec {
        customer,
        country: country.into(),
        users,
        subscriptions,
        role_members,
        carts: Vec::new(),
        orders,
        agreements,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_world() {
        let now = OffsetDateTime::now_utc();
        let a = world(&SeedOptions::default(), now);
        let b = world(&SeedOptions::default(), now);
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            serde_json::to_string(&b).unwrap()
        );
        assert_eq!(a.customers.len(), 3);
        assert_eq!(a.customers[0].customer.company_name(), "Contoso Ltd");
        assert!(a.customers.iter().all(|c| c.users.len() == 12));
        let other = world(
            &SeedOptions {
                seed: 7,
                ..SeedOptions::default()
            },
            now,
        );
        assert_ne!(a.customers[0].customer.id, other.customers[0].customer.id);
    }

    #[test]
    fn seeded_subscriptions_name_orders_that_are_listed() {
        let w = world(&SeedOptions::default(), OffsetDateTime::now_utc());
        for c in &w.customers {
            assert_eq!(c.orders.len(), c.subscriptions.len());
            for s in &c.subscriptions {
                let order = c
                    .orders
                    .iter()
                    .find(|o| o.id == s.sub.order_id)
                    .expect("the subscription's order is listed");
                assert_eq!(
                    order.line_items[0].subscription_id.as_ref(),
                    Some(&s.sub.id)
                );
            }
        }
    }

    #[test]
    fn seeded_assignments_never_exceed_seats() {
        let now = OffsetDateTime::now_utc();
        let w = world(
            &SeedOptions {
                customers: 20,
                ..SeedOptions::default()
            },
            now,
        );
        for c in &w.customers {
            for item in ITEMS {
                let sku = SkuId::new(item.license_sku);
                assert!(c.consumed(&sku) <= c.units(&sku).0);
            }
        }
    }
}
