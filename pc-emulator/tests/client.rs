//! The Partner Center client against the emulator over real HTTP: every operation, paging,
//! the documented errors, BOM bodies, PascalCase input, throttling, faults and retries.

use std::{sync::atomic::Ordering, sync::Arc, time::Duration};

use partner_center::{ids::*, wire::*, ClientConfig, Credential, PartnerCenter, PcError};
use pc_emulator::{Credentials, Emulator, Fault, Knobs, Options, Running, SeedOptions};

struct Env {
    emulator: Arc<Emulator>,
    running: Running,
    pc: PartnerCenter,
}

async fn env() -> Env {
    env_with(|_| {}).await
}

async fn env_with(tune: impl FnOnce(&mut ClientConfig)) -> Env {
    let (emulator, running) = pc_emulator::start(Options {
        seed: SeedOptions::default(),
        credentials: Credentials {
            client_id: Some("app-id".into()),
            client_secret: Some("app-secret".into()),
            refresh_token: Some("refresh-1".into()),
        },
        random_seed: 7,
        ..Options::default()
    })
    .await;
    let pc = running.client(|config| {
        config.backoff_base = Duration::from_millis(20);
        tune(config);
    });
    Env {
        emulator,
        running,
        pc,
    }
}

impl Env {
    async fn first_customer(&self) -> CustomerId {
        self.pc.customers(500).all().await.unwrap()[0].id.clone()
    }

    fn knobs(&self, knobs: Knobs) {
        self.emulator.set_knobs(knobs);
    }
}

#[tokio::test]
async fn customers_page_through_continuation_tokens() {
    let e = env().await;
    let mut pager = e.pc.customers(2);
    let first = pager.next_page().await.unwrap().unwrap();
    let second = pager.next_page().await.unwrap().unwrap();
    assert_eq!((first.len(), second.len()), (2, 1));
    assert!(pager.next_page().await.is_none());
    assert_eq!(first[0].company_name(), "Contoso Ltd");

    let found = e.pc.search_customers("fab").all().await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].company_name(), "Fabrikam Inc");

    let one = e.pc.customer(&first[0].id).await.unwrap();
    assert_eq!(one.domain(), "contoso.onmicrosoft.com");
    // Ids compare without case, as the service mixes cases.
    let upper = CustomerId::new(first[0].id.as_str().to_uppercase());
    assert_eq!(e.pc.customer(&upper).await.unwrap().id, first[0].id);
    assert!(matches!(
        e.pc.customer(&CustomerId::new("00000000-0000-0000-0000-000000000000"))
            .await,
        Err(PcError::NotFound { .. })
    ));
    assert!(e.pc.domain_taken("contoso.onmicrosoft.com").await.unwrap());
    assert!(!e
        .pc
        .domain_taken("nobody-here.onmicrosoft.com")
        .await
        .unwrap());
}

#[tokio::test]
async fn customer_creation_returns_the_admin_credentials() {
    let e = env().await;
    let created =
        e.pc.create_customer(&Customer {
            company_profile: Some(CompanyProfile {
                domain: Some("newco.onmicrosoft.com".into()),
                ..CompanyProfile::default()
            }),
            billing_profile: Some(BillingProfile {
                email: Some("a@newco.example".into()),
                company_name: Some("NewCo".into()),
                default_address: Some(Address {
                    country: Some("US".into()),
                    ..Address::default()
                }),
                ..BillingProfile::default()
            }),
            ..Customer::default()
        })
        .await
        .unwrap();
    assert_eq!(created.company_name(), "NewCo");
    assert!(created.user_credentials.unwrap().password.is_some());
    assert_eq!(e.pc.customers(500).all().await.unwrap().len(), 4);
}

#[tokio::test]
async fn users_page_and_every_user_operation_works() {
    let e = env().await;
    let c = e.first_customer().await;
    let mut pager = e.pc.users(&c, 5);
    let mut sizes = Vec::new();
    while let Some(page) = pager.next_page().await {
        sizes.push(page.unwrap().len());
    }
    assert_eq!(sizes, [5, 5, 2]);

    let created =
        e.pc.create_user(
            &c,
            &CustomerUser {
                user_principal_name: Some("new.person@contoso.onmicrosoft.com".into()),
                first_name: Some("New".into()),
                last_name: Some("Person".into()),
                display_name: Some("New Person".into()),
                usage_location: Some("US".into()),
                password_profile: Some(PasswordProfile {
                    password: Some("Str0ng!Passw0rd".into()),
                    force_change_password: Some(true),
                }),
                ..CustomerUser::default()
            },
        )
        .await
        .unwrap();
    let id = created.id.clone().unwrap();
    assert_eq!(
        e.pc.user(&c, &id).await.unwrap().display_name.as_deref(),
        Some("New Person")
    );

    let updated =
        e.pc.update_user(
            &c,
            &id,
            &CustomerUser {
                display_name: Some("Renamed".into()),
                ..CustomerUser::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(updated.display_name.as_deref(), Some("Renamed"));
    e.pc.reset_password(&c, &id, "An0ther!Passw0rd", true)
        .await
        .unwrap();

    e.pc.delete_user(&c, &id).await.unwrap();
    let deleted = e.pc.deleted_users(&c, 100).all().await.unwrap();
    assert!(deleted
        .iter()
        .any(|u| u.id.as_ref() == Some(&id) && u.state == Some(UserState::Inactive)));
    assert!(deleted[0].soft_deletion_time.is_some());
    assert_eq!(e.pc.users(&c, 500).all().await.unwrap().len(), 12);

    let restored = e.pc.restore_user(&c, &id).await.unwrap();
    assert_eq!(restored.state, Some(UserState::Active));
    assert_eq!(e.pc.users(&c, 500).all().await.unwrap().len(), 13);
}

#[tokio::test]
async fn documented_user_errors_are_typed() {
    let e = env().await;
    let c = e.first_customer().await;
    let existing = e.pc.users(&c, 500).all().await.unwrap()[0].clone();
    let mut user = CustomerUser {
        user_principal_name: existing.user_principal_name.clone(),
        display_name: Some("Copy".into()),
        password_profile: Some(PasswordProfile {
            password: Some("Str0ng!Passw0rd".into()),
            force_change_password: Some(false),
        }),
        ..CustomerUser::default()
    };
    assert!(matches!(
        e.pc.create_user(&c, &user).await,
        Err(PcError::Conflict { .. })
    ));
    user.user_principal_name = Some("fresh@contoso.onmicrosoft.com".into());
    user.password_profile = Some(PasswordProfile {
        password: Some("weak".into()),
        force_change_password: None,
    });
    match e.pc.create_user(&c, &user).await {
        Err(PcError::Validation {
            status: 400,
            message,
            ..
        }) => assert!(message.contains("complexity")),
        other => panic!("expected a validation error, got {other:?}"),
    }
    assert!(matches!(
        e.pc.user(&c, &UserId::new("11111111-1111-1111-1111-111111111111"))
            .await,
        Err(PcError::NotFound { .. })
    ));
}

#[tokio::test]
async fn restore_is_refused_after_thirty_days() {
    let e = env().await;
    let c = e.first_customer().await;
    let user = e.pc.users(&c, 500).all().await.unwrap()[1]
        .id
        .clone()
        .unwrap();
    e.pc.delete_user(&c, &user).await.unwrap();
    e.emulator.advance_clock(31 * 24 * 3600);
    assert!(
        e.pc.deleted_users(&c, 100).all().await.unwrap().is_empty(),
        "purged"
    );
    assert!(matches!(
        e.pc.restore_user(&c, &user).await,
        Err(PcError::NotFound { .. })
    ));
}

#[tokio::test]
async fn licenses_assign_remove_and_refuse_as_documented() {
    let e = env().await;
    let c = e.first_customer().await;
    let skus = e.pc.subscribed_skus(&c).await.unwrap();
    assert!(!skus.is_empty());
    for s in &skus {
        assert_eq!(s.available_units, s.active_units - s.consumed_units);
    }
    let sku = skus[0].product_sku.id.clone().unwrap();
    let users = e.pc.users(&c, 500).all().await.unwrap();
    // The seed gives every tenth user no usage location.
    let without_location = users.iter().find(|u| u.usage_location.is_none()).unwrap();
    let assign = LicenseUpdate {
        licenses_to_assign: Some(vec![LicenseAssignment {
            sku_id: sku.clone(),
            excluded_plans: None,
        }]),
        ..LicenseUpdate::default()
    };
    assert!(matches!(
        e.pc.update_licenses(&c, without_location.id.as_ref().unwrap(), &assign)
            .await,
        Err(PcError::UsageLocationMissing { .. })
    ));

    // Fill the remaining seats, then one more is refused.
    let mut candidates = Vec::new();
    for u in users.iter().filter(|u| u.usage_location.is_some()) {
        let id = u.id.clone().unwrap();
        let held = e.pc.user_licenses(&c, &id).await.unwrap();
        if held.iter().all(|l| l.product_sku.id.as_ref() != Some(&sku)) {
            candidates.push(id);
        }
    }
    let available =
        e.pc.subscribed_skus(&c)
            .await
            .unwrap()
            .into_iter()
            .find(|s| s.product_sku.id.as_ref() == Some(&sku))
            .unwrap()
            .available_units;
    assert!(
        candidates.len() as i64 > available,
        "the seed leaves more users than seats"
    );
    for id in candidates.iter().take(available as usize) {
        let answer = e.pc.update_licenses(&c, id, &assign).await.unwrap();
        assert!(answer.license_warnings.is_empty());
    }
    let last = &candidates[available as usize];
    match e.pc.update_licenses(&c, last, &assign).await {
        Err(PcError::NotEnoughLicenses { message }) => {
            assert!(message.contains("run out of licenses"), "{message}")
        }
        other => panic!("expected NotEnoughLicenses, got {other:?}"),
    }

    // Removing one frees a seat; assignment and removal can travel in one request.
    let holder = &candidates[0];
    let swap = LicenseUpdate {
        licenses_to_remove: Some(vec![sku.clone()]),
        ..LicenseUpdate::default()
    };
    e.pc.update_licenses(&c, holder, &swap).await.unwrap();
    e.pc.update_licenses(&c, last, &assign).await.unwrap();
    let held = e.pc.user_licenses(&c, last).await.unwrap();
    let license = held
        .iter()
        .find(|l| l.product_sku.id.as_ref() == Some(&sku))
        .expect("assigned");
    assert!(license
        .service_plans
        .iter()
        .all(|p| p.capability_status.as_deref() == Some("Assigned")));
    assert!(e
        .pc
        .user_licenses(&c, holder)
        .await
        .unwrap()
        .iter()
        .all(|l| l.product_sku.id.as_ref() != Some(&sku)));
}

#[tokio::test]
async fn service_plans_are_turned_off_per_user_license() {
    let e = env().await;
    let c = e.first_customer().await;
    let skus = e.pc.subscribed_skus(&c).await.unwrap();
    // A license with two plans or more, every plan `Enabled` under the tenant's SKUs.
    let sku = skus
        .iter()
        .find(|s| s.service_plans.len() >= 2 && s.available_units > 0)
        .expect("a SKU with plans and a free seat");
    assert!(sku
        .service_plans
        .iter()
        .all(|p| p.capability_status.as_deref() == Some("Enabled") && p.id.is_some()));
    let sku_id = sku.product_sku.id.clone().unwrap();
    let plans: Vec<ServicePlanId> = sku
        .service_plans
        .iter()
        .filter_map(|p| p.id.clone())
        .collect();
    let users = e.pc.users(&c, 500).all().await.unwrap();
    let mut user = None;
    for u in users.iter().filter(|u| u.usage_location.is_some()) {
        let id = u.id.clone().unwrap();
        let held = e.pc.user_licenses(&c, &id).await.unwrap();
        if held
            .iter()
            .all(|l| l.product_sku.id.as_ref() != Some(&sku_id))
        {
            user = Some(id);
            break;
        }
    }
    let user = user.expect("a user without the license");
    let update = |excluded: Option<Vec<ServicePlanId>>| LicenseUpdate {
        licenses_to_assign: Some(vec![LicenseAssignment {
            sku_id: sku_id.clone(),
            excluded_plans: excluded,
        }]),
        ..LicenseUpdate::default()
    };
    let plans_of = |held: Vec<License>| -> Vec<ServicePlanId> {
        held.into_iter()
            .find(|l| l.product_sku.id.as_ref() == Some(&sku_id))
            .expect("held")
            .service_plans
            .into_iter()
            .filter_map(|p| p.id)
            .collect()
    };

    // A plan that is not the SKU's is refused, and nothing is assigned.
    match e
        .pc
        .update_licenses(
            &c,
            &user,
            &update(Some(vec!["00000000-0000-0000-0000-000000000000".into()])),
        )
        .await
    {
        Err(PcError::Validation {
            status: 400,
            code,
            message,
        }) => {
            assert_eq!(code, partner_center::error::codes::UNKNOWN_SERVICE_PLAN);
            assert!(
                message.contains("00000000-0000-0000-0000-000000000000"),
                "{message}"
            );
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert!(e
        .pc
        .user_licenses(&c, &user)
        .await
        .unwrap()
        .iter()
        .all(|l| l.product_sku.id.as_ref() != Some(&sku_id)));

    // Assigned with the first plan off: the user's license leaves it out; one seat is used.
    let answer =
        e.pc.update_licenses(
            &c,
            &user,
            &update(Some(vec![ServicePlanId::new(
                plans[0].as_str().to_uppercase(),
            )])),
        )
        .await
        .unwrap();
    assert_eq!(answer.licenses_to_assign.unwrap()[0].sku_id, sku_id);
    assert_eq!(
        plans_of(e.pc.user_licenses(&c, &user).await.unwrap()),
        plans[1..]
    );
    let consumed = |skus: Vec<SubscribedSku>| {
        skus.into_iter()
            .find(|s| s.product_sku.id.as_ref() == Some(&sku_id))
            .unwrap()
            .consumed_units
    };
    let used = consumed(e.pc.subscribed_skus(&c).await.unwrap());
    assert_eq!(used, sku.consumed_units + 1);

    // Assigned again with nothing excluded: every plan is back, no second seat.
    e.pc.update_licenses(&c, &user, &update(None))
        .await
        .unwrap();
    assert_eq!(
        plans_of(e.pc.user_licenses(&c, &user).await.unwrap()),
        plans
    );
    assert_eq!(consumed(e.pc.subscribed_skus(&c).await.unwrap()), used);

    // Turned off again, removed, given back: the license comes back whole.
    e.pc.update_licenses(&c, &user, &update(Some(vec![plans[1].clone()])))
        .await
        .unwrap();
    assert_eq!(
        plans_of(e.pc.user_licenses(&c, &user).await.unwrap()).len(),
        plans.len() - 1
    );
    let remove = LicenseUpdate {
        licenses_to_remove: Some(vec![sku_id.clone()]),
        ..LicenseUpdate::default()
    };
    e.pc.update_licenses(&c, &user, &remove).await.unwrap();
    e.pc.update_licenses(&c, &user, &update(None))
        .await
        .unwrap();
    assert_eq!(
        plans_of(e.pc.user_licenses(&c, &user).await.unwrap()),
        plans
    );
}

#[tokio::test]
async fn directory_roles_list_add_and_remove() {
    let e = env().await;
    let c = e.first_customer().await;
    let roles = e.pc.directory_roles(&c).await.unwrap();
    let user_admin = roles
        .iter()
        .find(|r| r.name.as_deref() == Some("User Administrator"))
        .unwrap()
        .id
        .clone();
    let user = e.pc.users(&c, 500).all().await.unwrap()[3].clone();
    let id = user.id.clone().unwrap();
    let member = UserMember {
        id: id.clone(),
        display_name: user.display_name.clone(),
        user_principal_name: user.user_principal_name.clone(),
        role_id: None,
        attributes: None,
    };
    e.pc.add_role_member(&c, &user_admin, &member)
        .await
        .unwrap();
    assert!(matches!(
        e.pc.add_role_member(&c, &user_admin, &member).await,
        Err(PcError::Conflict { .. })
    ));
    assert_eq!(e.pc.user_roles(&c, &id).await.unwrap()[0].id, user_admin);
    assert_eq!(
        e.pc.role_members(&c, &user_admin)
            .all()
            .await
            .unwrap()
            .len(),
        1
    );
    e.pc.remove_role_member(&c, &user_admin, &id).await.unwrap();
    assert!(e.pc.user_roles(&c, &id).await.unwrap().is_empty());
    assert!(matches!(
        e.pc.remove_role_member(&c, &user_admin, &id).await,
        Err(PcError::NotFound { .. })
    ));
}

#[tokio::test]
async fn catalog_reads_every_level() {
    let e = env().await;
    let products =
        e.pc.products("US", "OnlineServices", Some("commercial"))
            .await
            .unwrap();
    assert!(products.len() >= 5);
    let p = &products[0].id;
    assert_eq!(e.pc.product(p, "US").await.unwrap().id, *p);
    let skus = e.pc.skus(p, "US").await.unwrap();
    let sku = e.pc.sku(p, &skus[0].id, "US").await.unwrap();
    let availabilities = e.pc.availabilities(p, &sku.id, "US").await.unwrap();
    let a =
        e.pc.availability(p, &sku.id, &availabilities[0].id, "US")
            .await
            .unwrap();
    assert_eq!(a.catalog_item_id.as_deref().unwrap().split(':').count(), 3);
    assert!(
        matches!(e.pc.product(&ProductId::new("NOPE"), "US").await, Err(PcError::NotFound { code, .. }) if code == "400013")
    );
    // The sandbox sells to the commercial segment only; an unknown segment is refused.
    let schools =
        e.pc.products("US", "OnlineServices", Some("education"))
            .await
            .unwrap();
    assert!(schools.is_empty());
    assert!(matches!(
        e.pc.products("US", "OnlineServices", Some("charity")).await,
        Err(PcError::Validation { .. })
    ));
}

async fn buy(e: &Env, c: &CustomerId, quantity: i64) -> (Order, Subscription) {
    let products = e.pc.products("US", "OnlineServices", None).await.unwrap();
    let p = &products[0].id;
    let sku = &e.pc.skus(p, "US").await.unwrap()[0];
    let availability = &e.pc.availabilities(p, &sku.id, "US").await.unwrap()[0];
    let cart =
        e.pc.create_cart(
            c,
            &Cart {
                line_items: vec![CartLineItem {
                    id: Some(0),
                    catalog_item_id: availability.catalog_item_id.clone().unwrap(),
                    quantity,
                    billing_cycle: Some(BillingCycle::Monthly),
                    term_duration: Some("P1Y".into()),
                    ..CartLineItem::default()
                }],
                ..Cart::default()
            },
        )
        .await
        .unwrap();
    let cart_id = cart.id.clone().unwrap();
    assert_eq!(
        e.pc.cart(c, &cart_id).await.unwrap().status.as_deref(),
        Some("Active")
    );
    let request = uuid::Uuid::new_v4().to_string();
    let result = e.pc.checkout(c, &cart_id, &request).await.unwrap();
    assert!(result.order_errors.is_empty());
    // Asked again with the same request id (an answer lost on the way): the same order, not
    // a second one.
    let again = e.pc.checkout(c, &cart_id, &request).await.unwrap();
    assert_eq!(again.orders[0].id, result.orders[0].id);
    let order = result.orders[0].clone();
    let sub_id = order.line_items[0].subscription_id.clone().unwrap();
    let sub = e.pc.subscription(c, &sub_id).await.unwrap();
    (order, sub)
}

/// A cart of one line: `quantity` of the catalog item.
fn cart_of(catalog_item_id: &str, quantity: i64) -> Cart {
    Cart {
        line_items: vec![CartLineItem {
            id: Some(0),
            catalog_item_id: catalog_item_id.into(),
            quantity,
            billing_cycle: Some(BillingCycle::Monthly),
            term_duration: Some("P1Y".into()),
            ..CartLineItem::default()
        }],
        ..Cart::default()
    }
}

#[tokio::test]
async fn withdrawn_skus_are_no_longer_listed_or_sold() {
    let e = env().await;
    let c = e.first_customer().await;
    let product = ProductId::new("CFQ7TTC0LCHC");
    let listed = |skus: Vec<Sku>| skus.iter().any(|s| s.id.as_str() == "0003");
    assert!(listed(e.pc.skus(&product, "US").await.unwrap()));
    let withdraw = |withdrawn: bool| {
        let url = format!("{}/_emulator/catalog/withdraw", e.running.url());
        async move {
            reqwest::Client::new()
                .post(url)
                .json(&serde_json::json!({
                    "productId": "CFQ7TTC0LCHC", "skuId": "0003", "withdrawn": withdrawn
                }))
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(withdraw(true).await, 204);
    assert!(!listed(e.pc.skus(&product, "US").await.unwrap()));
    assert!(matches!(
        e.pc.sku(&product, &CatalogSkuId::new("0003"), "US").await,
        Err(PcError::NotFound { .. })
    ));
    // A cart line for it carries a line error, as the service answers for what it cannot sell.
    let cart =
        e.pc.create_cart(&c, &cart_of("CFQ7TTC0LCHC:0003:CFQ7TTC0K5DN", 1))
            .await
            .unwrap();
    let error = cart.line_items[0].error.as_ref().expect("a line error");
    assert!(
        error
            .error_description
            .as_deref()
            .unwrap()
            .contains("no longer available"),
        "{error:?}"
    );
    // Back on sale.
    assert_eq!(withdraw(false).await, 204);
    assert!(listed(e.pc.skus(&product, "US").await.unwrap()));
}

#[tokio::test]
async fn faults_aimed_at_one_path_reach_only_it_and_replays_when_asked() {
    let e = env_with(|c| c.max_retries = 2).await;
    let c = e.first_customer().await;
    let cart =
        e.pc.create_cart(&c, &cart_of("CFQ7TTC0LCHC:0003:CFQ7TTC0K5DN", 2))
            .await
            .unwrap();
    let cart_id = cart.id.unwrap();
    let before = e.pc.subscriptions(&c).await.unwrap().len();
    e.knobs(Knobs {
        fault_rate: 1.0,
        faults: vec![Fault::Drop],
        fault_match: "/checkout".into(),
        fault_replays: true,
        ..Knobs::default()
    });
    // Reads elsewhere are untouched; every answer to the checkout is lost, repeats included.
    assert_eq!(e.pc.subscriptions(&c).await.unwrap().len(), before);
    let lost = e.pc.checkout(&c, &cart_id, "lost-answer").await;
    assert!(matches!(&lost, Err(e) if e.outcome_unknown()), "{lost:?}");
    e.knobs(Knobs::default());
    // It took effect once; asked again under the same request id, the first order comes back.
    let after = e.pc.subscriptions(&c).await.unwrap();
    assert_eq!(after.len(), before + 1);
    let again = e.pc.checkout(&c, &cart_id, "lost-answer").await.unwrap();
    assert_eq!(
        again.orders[0].line_items[0].subscription_id.as_ref(),
        Some(&after.last().unwrap().id)
    );
    assert_eq!(e.pc.subscriptions(&c).await.unwrap().len(), before + 1);
}

#[tokio::test]
async fn carts_check_out_into_orders_and_subscriptions() {
    let e = env().await;
    let c = e.first_customer().await;
    let (order, sub) = buy(&e, &c, 5).await;
    assert_eq!(sub.quantity, 5);
    assert!(sub.is_nce());
    let order_id = order.id.clone().unwrap();
    assert_eq!(e.pc.order(&c, &order_id).await.unwrap().line_items.len(), 1);
    assert!(e
        .pc
        .orders(&c)
        .await
        .unwrap()
        .iter()
        .any(|o| o.id.as_ref() == Some(&order_id)));
    assert_eq!(
        e.pc.subscriptions_by_order(&c, &order_id).await.unwrap()[0].id,
        sub.id
    );
    assert_eq!(
        e.pc.subscription_provisioning_status(&c, &sub.id)
            .await
            .unwrap()
            .status
            .as_deref(),
        Some("success")
    );
    assert!(e.pc.addons(&c, &sub.id).await.unwrap().is_empty());

    // A cart is bought once.
    let carts_cart =
        e.pc.create_cart(
            &c,
            &Cart {
                line_items: vec![CartLineItem {
                    catalog_item_id: "BAD:0001:X".into(),
                    quantity: 1,
                    ..CartLineItem::default()
                }],
                ..Cart::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        carts_cart.line_items[0].error.as_ref().unwrap().error_code,
        "10001"
    );
    assert!(
        matches!(e.pc.checkout(&c, carts_cart.id.as_ref().unwrap(), "bad-cart").await, Err(PcError::Validation { code, .. }) if code == "800009")
    );
}

#[tokio::test]
async fn purchases_wait_for_the_customer_agreement() {
    let e = env().await;
    let customers = e.pc.customers(500).all().await.unwrap();
    let northwind = customers
        .iter()
        .find(|c| c.company_name() == "Northwind Traders")
        .unwrap()
        .id
        .clone();
    assert!(e
        .pc
        .agreements(&northwind, CUSTOMER_AGREEMENT)
        .await
        .unwrap()
        .is_empty());
    let contoso = &customers[0].id;
    assert_eq!(
        e.pc.agreements(contoso, CUSTOMER_AGREEMENT).await.unwrap()[0]
            .primary_contact
            .last_name,
        "Owner"
    );

    // Not yet confirmed: checkout is refused with 13605 and nothing is bought.
    let line = CartLineItem {
        catalog_item_id: "CFQ7TTC0LCHC:0003:CFQ7TTC0K5DN".into(),
        quantity: 2,
        billing_cycle: Some(BillingCycle::Monthly),
        term_duration: Some("P1Y".into()),
        participants: vec![KeyValue {
            key: "transaction_reseller".into(),
            value: "4455667".into(),
        }],
        ..CartLineItem::default()
    };
    let cart = Cart {
        line_items: vec![line],
        ..Cart::default()
    };
    let first = e.pc.create_cart(&northwind, &cart).await.unwrap();
    let before = e.pc.subscriptions(&northwind).await.unwrap().len();
    let refused =
        e.pc.checkout(&northwind, first.id.as_ref().unwrap(), "before-agreement")
            .await;
    assert!(
        matches!(&refused, Err(PcError::Forbidden { code, .. }) if code == "13605"),
        "{refused:?}"
    );
    assert_eq!(e.pc.subscriptions(&northwind).await.unwrap().len(), before);

    // The template, then the confirmation; a repeat with the same contact is refused (600061).
    let template = e.pc.agreement_templates(CUSTOMER_AGREEMENT).await.unwrap();
    assert_eq!(template.len(), 1);
    let agreement = Agreement {
        primary_contact: Contact {
            first_name: "Tania".into(),
            last_name: "Carr".into(),
            email: "tania@northwind.example".into(),
            phone_number: None,
        },
        date_agreed: Some(WireTime(
            time::OffsetDateTime::now_utc() - time::Duration::hours(1),
        )),
        template_id: template[0].template_id.clone(),
        agreement_type: Some(CUSTOMER_AGREEMENT.into()),
        ..Agreement::default()
    };
    let confirmed =
        e.pc.confirm_agreement(&northwind, &agreement)
            .await
            .unwrap();
    assert!(confirmed.user_id.is_some());
    let repeat = e.pc.confirm_agreement(&northwind, &agreement).await;
    assert!(
        matches!(&repeat, Err(PcError::Conflict { code, .. }) if code == "600061"),
        "{repeat:?}"
    );
    let future = Agreement {
        date_agreed: Some(WireTime(
            time::OffsetDateTime::now_utc() + time::Duration::days(2),
        )),
        ..agreement.clone()
    };
    assert!(matches!(
        e.pc.confirm_agreement(&northwind, &future).await,
        Err(PcError::Validation { .. })
    ));

    // Confirmed: the same cart buys, with the reseller as partner on record.
    let result =
        e.pc.checkout(&northwind, first.id.as_ref().unwrap(), "after-agreement")
            .await
            .unwrap();
    let line = &result.orders[0].line_items[0];
    assert_eq!(line.partner_id_on_record.as_deref(), Some("4455667"));
    let sub =
        e.pc.subscription(&northwind, line.subscription_id.as_ref().unwrap())
            .await
            .unwrap();
    assert_eq!(sub.partner_id.as_deref(), Some("4455667"));
}

#[tokio::test]
async fn subscription_changes_follow_nce_rules() {
    let e = env().await;
    let c = e.first_customer().await;
    let (_, fresh) = buy(&e, &c, 10).await;

    // Within 7 days of purchase: increase, decrease, rename, suspend and reactivate.
    let mut s = fresh.clone();
    s.quantity = 12;
    let s = e.pc.update_subscription(&c, &s).await.unwrap();
    assert_eq!(s.quantity, 12);
    let mut s2 = s.clone();
    s2.quantity = 8;
    s2.friendly_name = Some("Sales team".into());
    let s2 = e.pc.update_subscription(&c, &s2).await.unwrap();
    assert_eq!(
        (s2.quantity, s2.friendly_name.as_deref()),
        (8, Some("Sales team"))
    );

    // A stale ETag is refused.
    assert!(
        matches!(e.pc.update_subscription(&c, &s).await, Err(PcError::Validation { code, .. }) if code == "2055")
    );

    // After the window: no decrease, no cancellation; increases still work.
    e.emulator.advance_clock(8 * 24 * 3600);
    let current = e.pc.subscription(&c, &fresh.id).await.unwrap();
    let mut down = current.clone();
    down.quantity = 5;
    assert!(
        matches!(e.pc.update_subscription(&c, &down).await, Err(PcError::Validation { code, .. }) if code == "800090")
    );
    let mut cancel = current.clone();
    cancel.status = Some(SubscriptionStatus::Deleted);
    assert!(
        matches!(e.pc.update_subscription(&c, &cancel).await, Err(PcError::Validation { code, .. }) if code == "800096")
    );
    let mut up = current.clone();
    up.quantity = 9;
    assert_eq!(e.pc.update_subscription(&c, &up).await.unwrap().quantity, 9);

    // A change made directly in Partner Center shows up on the next read.
    e.emulator
        .with_world(|w| w.outside_change(&c, &fresh.id, Some(20), None, None))
        .unwrap();
    assert_eq!(e.pc.subscription(&c, &fresh.id).await.unwrap().quantity, 20);
}

#[tokio::test]
async fn next_term_changes_apply_at_renewal_and_partner_ids_change() {
    let e = env().await;
    let c = e.first_customer().await;
    let (_, fresh) = buy(&e, &c, 10).await;
    let mut parts = fresh.offer_id.as_deref().unwrap().split(':');
    let product = NextTermProduct {
        product_id: parts.next().map(ProductId::new),
        sku_id: parts.next().map(str::to_owned),
        availability_id: parts.next().map(str::to_owned),
        billing_cycle: Some(BillingCycle::Annual),
        term_duration: Some("P1Y".into()),
    };
    let with = |next: ScheduledNextTermInstructions| {
        let mut s = fresh.clone();
        s.scheduled_next_term_instructions = Some(next);
        s
    };

    // A term the SKU is not sold with is refused; one it is sold with is kept until renewal.
    let triennial = with(ScheduledNextTermInstructions {
        product: Some(NextTermProduct {
            billing_cycle: Some(BillingCycle::Triennial),
            term_duration: Some("P3Y".into()),
            ..product.clone()
        }),
        quantity: Some(12),
        custom_term_end_date: None,
    });
    assert!(matches!(
        e.pc.update_subscription(&c, &triennial).await,
        Err(PcError::Validation { code, .. }) if code == "800002"
    ));
    let annual = with(ScheduledNextTermInstructions {
        product: Some(product),
        quantity: Some(12),
        custom_term_end_date: None,
    });
    let scheduled = e.pc.update_subscription(&c, &annual).await.unwrap();
    assert_eq!(scheduled.quantity, 10);
    assert_eq!(scheduled.billing_cycle, Some(BillingCycle::Monthly));

    // The reseller's Partner ID: digits only.
    let mut partner = scheduled.clone();
    partner.partner_id = Some("4455667".into());
    let partner = e.pc.update_subscription(&c, &partner).await.unwrap();
    assert_eq!(partner.partner_id.as_deref(), Some("4455667"));
    let mut bad = partner.clone();
    bad.partner_id = Some("44-55".into());
    assert!(matches!(
        e.pc.update_subscription(&c, &bad).await,
        Err(PcError::Validation { code, .. }) if code == "800002"
    ));

    // At renewal it becomes what was scheduled, and the schedule is spent.
    e.emulator.advance_clock(366 * 24 * 3600);
    let renewed = e.pc.subscription(&c, &fresh.id).await.unwrap();
    assert_eq!(renewed.quantity, 12);
    assert_eq!(renewed.billing_cycle, Some(BillingCycle::Annual));
    assert_eq!(renewed.scheduled_next_term_instructions, None);
}

#[tokio::test]
async fn marketplace_offers_are_set_up_at_the_publisher_before_they_change() {
    let e = env().await;
    let customers = e.pc.customers(500).all().await.unwrap();
    let c = customers[0].id.clone();
    let products = e.pc.products("US", "OnlineServices", None).await.unwrap();
    let saas = products
        .iter()
        .find(|p| p.id.as_str() == "DZH318Z0BXWC")
        .expect("marketplace offers are listed");
    assert_eq!(saas.product_type.as_ref().unwrap().id, "Azure");
    assert_eq!(saas.is_microsoft_product, Some(false));

    // Bought through a cart: an order of its own, pending, without the subscription id yet.
    let cart =
        e.pc.create_cart(&c, &cart_of("DZH318Z0BXWC:0002:DZH318Z0BMRV", 3))
            .await
            .unwrap();
    assert!(cart.line_items[0].error.is_none(), "{cart:?}");
    let result =
        e.pc.checkout(&c, cart.id.as_ref().unwrap(), "saas-1")
            .await
            .unwrap();
    let order = &result.orders[0];
    assert_eq!(order.status.as_deref(), Some("pending"));
    assert_eq!(order.line_items[0].subscription_id, None);
    let subs =
        e.pc.subscriptions_by_order(&c, order.id.as_ref().unwrap())
            .await
            .unwrap();
    let sub = subs[0].clone();
    assert_eq!(sub.status, Some(SubscriptionStatus::Pending));
    assert_eq!(sub.publisher_name.as_deref(), Some("Adatum Software"));
    assert_eq!(sub.attributes.as_ref().unwrap().etag.as_deref(), Some(""));

    // Nothing changes before the set-up; the link leads to the publisher's page.
    let mut more = sub.clone();
    more.quantity = 4;
    assert!(matches!(
        e.pc.update_subscription(&c, &more).await,
        Err(PcError::Validation { code, .. }) if code == "800081"
    ));
    let links = e.pc.activation_links(&c, &sub.id).await.unwrap();
    let link = links[0].link.as_ref().unwrap().uri.clone().unwrap();
    assert!(
        link.starts_with(&format!("{}/_emulator/publisher/", e.running.url())),
        "{link}"
    );
    let http = reqwest::Client::new();
    let page = http.get(&link).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Finish set-up"), "{page}");
    let done = http.post(&link).send().await.unwrap().text().await.unwrap();
    assert!(done.contains("is set up"), "{done}");
    let active = e.pc.subscription(&c, &sub.id).await.unwrap();
    assert_eq!(active.status, Some(SubscriptionStatus::Active));

    // Then: quantity (no ETag to match), no suspension, no cancel after its one-day window.
    let mut more = active.clone();
    more.quantity = 4;
    assert_eq!(
        e.pc.update_subscription(&c, &more).await.unwrap().quantity,
        4
    );
    let mut suspend = active.clone();
    suspend.status = Some(SubscriptionStatus::Suspended);
    assert!(matches!(
        e.pc.update_subscription(&c, &suspend).await,
        Err(PcError::Validation { code, .. }) if code == "800096"
    ));
    e.emulator.advance_clock(2 * 24 * 3600);
    let mut cancel = e.pc.subscription(&c, &sub.id).await.unwrap();
    cancel.status = Some(SubscriptionStatus::Deleted);
    assert!(matches!(
        e.pc.update_subscription(&c, &cancel).await,
        Err(PcError::Validation { code, .. }) if code == "900117"
    ));

    // The seed: Fabrikam's marketplace subscription waits for its set-up.
    let fabrikam = &customers[1].id;
    let seeded = e.pc.subscriptions(fabrikam).await.unwrap();
    assert!(seeded
        .iter()
        .any(|s| s.is_microsoft_product == Some(false)
            && s.status == Some(SubscriptionStatus::Pending)));
    // Microsoft's subscriptions have nothing to set up.
    let microsoft = seeded.iter().find(|s| s.is_nce()).unwrap();
    assert!(e
        .pc
        .activation_links(fabrikam, &microsoft.id)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn bom_prefixed_bodies_are_read() {
    let e = env().await;
    e.knobs(Knobs {
        bom: true,
        ..Knobs::default()
    });
    let c = e.first_customer().await;
    assert_eq!(e.pc.users(&c, 500).all().await.unwrap().len(), 12);
    assert!(!e.pc.subscribed_skus(&c).await.unwrap().is_empty());
}

#[tokio::test]
async fn the_emulator_reads_pascal_case_input() {
    let e = env().await;
    let c = e.first_customer().await;
    let users = e.pc.users(&c, 500).all().await.unwrap();
    let user = users.iter().find(|u| u.usage_location.is_some()).unwrap();
    let token = reqwest::Client::new()
        .post(format!("{}/tenant/oauth2/token", e.running.url()))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "app-id"),
            ("client_secret", "app-secret"),
            ("resource", "x"),
        ])
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap();
    assert_eq!(
        token["expires_in"], "3600",
        "AAD v1 writes numbers as strings"
    );
    let response = reqwest::Client::new()
        .patch(format!("{}/v1/customers/{c}/users/{}", e.running.url(), user.id.as_ref().unwrap()))
        .bearer_auth(token["access_token"].as_str().unwrap())
        .json(&serde_json::json!({ "DisplayName": "Pascal Case", "Attributes": { "ObjectType": "CustomerUser" } }))
        .send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        e.pc.user(&c, user.id.as_ref().unwrap())
            .await
            .unwrap()
            .display_name
            .as_deref(),
        Some("Pascal Case")
    );
}

#[tokio::test]
async fn throttling_is_waited_out_using_retry_after() {
    let e = env().await;
    let c = e.first_customer().await;
    e.knobs(Knobs {
        fault_rate: 1.0,
        faults: vec![Fault::Throttle],
        ..Knobs::default()
    });
    let started = std::time::Instant::now();
    let result = e.pc.subscribed_skus(&c).await;
    assert!(
        matches!(result, Err(PcError::Throttled { retry_after: Some(d) }) if d == Duration::from_secs(1))
    );
    assert!(
        started.elapsed() >= Duration::from_secs(4),
        "waited Retry-After (1 s) between 5 attempts"
    );
    assert_eq!(e.pc.stats().throttled.load(Ordering::Relaxed), 5);

    e.knobs(Knobs {
        fault_rate: 0.5,
        faults: vec![Fault::Throttle, Fault::ServerError, Fault::Unavailable],
        ..Knobs::default()
    });
    for _ in 0..6 {
        e.pc.subscriptions(&c).await.unwrap();
    }
    assert!(e.pc.stats().retries.load(Ordering::Relaxed) > 4);
}

#[tokio::test]
async fn a_retried_write_is_applied_once() {
    let e = env_with(|c| c.timeout = Duration::from_millis(400)).await;
    let c = e.first_customer().await;
    let before = e.emulator.stats.writes_applied.load(Ordering::Relaxed);
    // Every first attempt does the work and then loses (Drop) or delays (Slow) the answer;
    // the retry carries the same MS-RequestId and gets the first answer again.
    for (n, fault) in [Fault::Slow, Fault::Drop].into_iter().enumerate() {
        e.knobs(Knobs {
            fault_rate: 1.0,
            faults: vec![fault],
            slow_ms: 1500,
            ..Knobs::default()
        });
        let upn = format!("retry{n}@contoso.onmicrosoft.com");
        let created =
            e.pc.create_user(
                &c,
                &CustomerUser {
                    user_principal_name: Some(upn.clone()),
                    display_name: Some("Retry".into()),
                    password_profile: Some(PasswordProfile {
                        password: Some("Str0ng!Passw0rd".into()),
                        force_change_password: Some(true),
                    }),
                    ..CustomerUser::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(created.user_principal_name.as_deref(), Some(upn.as_str()));
        e.knobs(Knobs::default());
        let same =
            e.pc.users(&c, 500)
                .all()
                .await
                .unwrap()
                .into_iter()
                .filter(|u| u.user_principal_name.as_deref() == Some(upn.as_str()))
                .count();
        assert_eq!(same, 1, "{fault:?}: one user, not two");
    }
    assert_eq!(
        e.emulator.stats.writes_applied.load(Ordering::Relaxed) - before,
        2
    );
    assert!(e.emulator.stats.replays.load(Ordering::Relaxed) >= 2);
}

#[tokio::test]
async fn tokens_are_fetched_once_and_renewed_when_revoked() {
    let e = env().await;
    let c = e.first_customer().await;
    let calls: Vec<_> = (0..20)
        .map(|_| {
            let pc = e.pc.clone();
            let c = c.clone();
            tokio::spawn(async move { pc.subscriptions(&c).await })
        })
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
    assert_eq!(
        e.emulator.stats.tokens_issued.load(Ordering::Relaxed),
        1,
        "one token for all callers"
    );
    e.emulator.revoke_tokens();
    e.pc.subscriptions(&c).await.unwrap();
    assert_eq!(e.emulator.stats.tokens_issued.load(Ordering::Relaxed), 2);
}

#[tokio::test]
async fn bad_credentials_are_an_auth_error_and_refresh_tokens_work() {
    let e = env_with(|c| c.credential = Credential::ClientSecret("wrong".into())).await;
    match e.pc.customers(10).all().await {
        Err(PcError::Auth { message }) => assert!(message.contains("invalid_client"), "{message}"),
        other => panic!("expected an auth error, got {other:?}"),
    }
    let e = env_with(|c| {
        c.credential = Credential::RefreshToken {
            refresh_token: "refresh-1".into(),
            client_secret: Some("app-secret".into()),
        }
    })
    .await;
    assert_eq!(e.pc.customers(10).all().await.unwrap().len(), 3);
}

#[tokio::test]
async fn state_persists_across_restarts() {
    let dir = std::env::temp_dir().join(format!("pc-emu-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("state.json");
    let _ = std::fs::remove_file(&file);
    let options = || Options {
        persist: Some(file.clone()),
        ..Options::default()
    };
    let first = Emulator::new(options()).unwrap();
    let c = first.with_world(|w| w.customers[0].customer.id.clone());
    let user = first.with_world(|w| w.users(&c, false).unwrap()[0].id.clone().unwrap());
    first.with_world(|w| w.delete_user(&c, &user)).unwrap();
    let second = Emulator::new(options()).unwrap();
    let deleted = second.with_world(|w| w.users(&c, true).unwrap());
    assert_eq!(deleted.len(), 1);
    assert_eq!(deleted[0].id.as_ref(), Some(&user));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn license_groups_orders_and_transitions() {
    let e = env().await;
    let c = e.first_customer().await;
    let all = e.pc.subscribed_skus(&c).await.unwrap();
    assert_eq!(
        e.pc.subscribed_skus_in_groups(&c, &["Group1"])
            .await
            .unwrap()
            .len(),
        all.len()
    );
    assert!(
        e.pc.subscribed_skus_in_groups(&c, &["Group2"])
            .await
            .unwrap()
            .is_empty(),
        "no Minecraft"
    );
    let user = e.pc.users(&c, 500).all().await.unwrap()[0]
        .id
        .clone()
        .unwrap();
    let held = e.pc.user_licenses(&c, &user).await.unwrap().len();
    assert_eq!(
        e.pc.user_licenses_in_groups(&c, &user, &["Group1"])
            .await
            .unwrap()
            .len(),
        held
    );
    assert!(e
        .pc
        .subscriptions_by_reseller(&c, "9999999")
        .await
        .unwrap()
        .is_empty());

    // An order placed directly, and its provisioning status.
    let order =
        e.pc.create_order(
            &c,
            &Order {
                billing_cycle: Some(BillingCycle::Monthly),
                line_items: vec![OrderLineItem {
                    line_item_number: 0,
                    offer_id: "CFQ7TTC0LH18:0001:CFQ7TTC0K971".into(),
                    quantity: 4,
                    ..OrderLineItem::default()
                }],
                ..Order::default()
            },
        )
        .await
        .unwrap();
    let order_id = order.id.clone().unwrap();
    let status = e.pc.order_provisioning_status(&c, &order_id).await.unwrap();
    assert_eq!(status[0].status.as_deref(), Some("fulfilled"));
    let bad = Order {
        line_items: vec![OrderLineItem {
            offer_id: "NOT-AN-OFFER".into(),
            quantity: 1,
            ..OrderLineItem::default()
        }],
        ..Order::default()
    };
    assert!(
        matches!(e.pc.create_order(&c, &bad).await, Err(PcError::Validation { code, .. }) if code == "800004")
    );

    // Upgrade: all seats and their license assignments move to the target.
    let source = order.line_items[0].subscription_id.clone().unwrap();
    let from_sku = SkuId::new("3b555118-da6a-4418-894f-7df1e2096870");
    let holder =
        e.pc.users(&c, 500)
            .all()
            .await
            .unwrap()
            .into_iter()
            .find(|u| u.usage_location.is_some())
            .unwrap()
            .id
            .unwrap();
    let holds =
        |l: &Vec<License>, sku: &SkuId| l.iter().any(|x| x.product_sku.id.as_ref() == Some(sku));
    if !holds(&e.pc.user_licenses(&c, &holder).await.unwrap(), &from_sku) {
        e.pc.update_licenses(
            &c,
            &holder,
            &LicenseUpdate {
                licenses_to_assign: Some(vec![LicenseAssignment {
                    sku_id: from_sku.clone(),
                    excluded_plans: None,
                }]),
                ..LicenseUpdate::default()
            },
        )
        .await
        .unwrap();
    }
    let options =
        e.pc.transition_eligibilities(&c, &source, "immediate")
            .await
            .unwrap();
    let target = options
        .iter()
        .find(|o| o.catalog_item_id.starts_with("CFQ7TTC0LCHC:0003"))
        .unwrap();
    assert!(target.eligibilities[0].is_eligible);
    let before_from =
        e.pc.subscribed_skus(&c)
            .await
            .unwrap()
            .into_iter()
            .find(|s| s.product_sku.id.as_ref() == Some(&from_sku))
            .unwrap();
    let done =
        e.pc.transition(
            &c,
            &source,
            &Transition {
                to_catalog_item_id: target.catalog_item_id.clone(),
                quantity: Some(4),
                transition_type: Some("transition_with_license_transfer".into()),
                ..Transition::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(done.status.as_deref(), Some("Completed"));
    let new_sub =
        e.pc.subscription(&c, done.to_subscription_id.as_ref().unwrap())
            .await
            .unwrap();
    assert_eq!(new_sub.quantity, 4);
    let old = e.pc.subscription(&c, &source).await.unwrap();
    assert_eq!(
        (old.quantity, old.status),
        (0, Some(SubscriptionStatus::Deleted))
    );
    let after_from =
        e.pc.subscribed_skus(&c)
            .await
            .unwrap()
            .into_iter()
            .find(|s| s.product_sku.id.as_ref() == Some(&from_sku));
    assert!(
        after_from.is_none_or(|s| s.consumed_units < before_from.consumed_units),
        "licenses moved off the old SKU"
    );
}
