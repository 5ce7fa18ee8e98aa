//! The client parses the example payloads of the public Partner Center documentation (and the
//! quirks of live responses listed in the contract's last section), kept as fixture files.

use partner_center::{error::PcError, ids::*, json, wire::*};

fn fixture<T: serde::de::DeserializeOwned>(name: &str) -> T {
    // Read at run time, not baked in with env!(): the build cache is shared between clones at
    // different paths, and a test binary built in one must find the fixtures of another.
    let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into());
    let path = format!("{dir}/tests/fixtures/{name}");
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    json::from_slice(&bytes).unwrap_or_else(|e| panic!("{name} does not parse: {e}"))
}

#[test]
fn nce_subscription_with_bom() {
    let s: Subscription = fixture("subscription_nce.json");
    assert!(s.is_nce());
    assert_eq!(s.quantity, 10);
    assert_eq!(s.status, Some(SubscriptionStatus::Active));
    assert_eq!(s.billing_cycle, Some(BillingCycle::Monthly));
    assert_eq!(s.product_id(), Some("CFQ7TTC0LH18"));
    assert_eq!(s.refund_options[0].kind.as_deref(), Some("Full"));
    assert_eq!(s.attributes.unwrap().etag.as_deref(), Some("abc123"));
    assert!(s.links.unwrap().other.contains_key("product"));
    // Written back camelCase, with empty optional fields left out.
    let out = serde_json::to_value(fixture::<Subscription>("subscription_nce.json")).unwrap();
    assert_eq!(out["offerId"], "CFQ7TTC0LH18:0001:CFQ7TTC0K971");
    assert_eq!(out["autoRenewEnabled"], true);
    assert!(out.get("entitlementId").is_none());
}

#[test]
fn license_updates_in_pascal_and_camel_case() {
    let request: LicenseUpdate = fixture("license_update_request_pascal.json");
    let assign = request.licenses_to_assign.unwrap();
    assert_eq!(
        assign[0].sku_id,
        SkuId::new("F8A1DB68-BE16-40ED-86D5-CB42CE701560")
    );
    assert_eq!(
        request.attributes.unwrap().object_type.as_deref(),
        Some("LicenseUpdate")
    );
    let response: LicenseUpdate = fixture("license_update_response.json");
    assert!(response.license_warnings.is_empty());
    let out = serde_json::to_value(&response).unwrap();
    assert!(out.get("licensesToAssign").is_some());
}

#[test]
fn errors_with_numeric_and_string_codes() {
    let e: ApiError = fixture("error_out_of_licenses.json");
    assert_eq!(e.code, "60012");
    match PcError::from_response(400, Some(e), None) {
        PcError::NotEnoughLicenses { message } => assert!(message.starts_with("We're sorry")),
        other => panic!("{other:?}"),
    }
    let e: ApiError = fixture("error_string_code.json");
    assert!(matches!(
        PcError::from_response(400, Some(e), None),
        PcError::Validation { code, .. } if code == "2002"
    ));
}

#[test]
fn token_responses_and_errors() {
    let t: TokenResponse = fixture("token_response.json");
    assert_eq!(t.expires_in, 3600);
    assert_eq!(t.refresh_token.as_deref(), Some("0.AAAA"));
    let e: AadError = fixture("aad_error.json");
    assert_eq!(e.error, "invalid_client");
    assert_eq!(e.error_codes, [7000215]);
    let t: ThrottleBody = fixture("throttle_429.json");
    assert_eq!(t.status_code, 429);
}

#[test]
fn users_active_and_deleted() {
    let u: CustomerUser = fixture("customer_user.json");
    assert_eq!(
        u.user_principal_name.as_deref(),
        Some("ann@contoso.onmicrosoft.com")
    );
    assert_eq!(u.user_domain_type, Some(UserDomainType::None));
    let page: Collection<CustomerUser> = fixture("deleted_users_page.json");
    let gone = &page.items[0];
    assert_eq!(gone.state, Some(UserState::Inactive));
    assert_eq!(
        gone.soft_deletion_time.unwrap().format(),
        "2019-02-01T20:04:30.7211447Z"
    );
    assert!(page.next_link().is_none());
}

#[test]
fn seek_pages_carry_the_next_link() {
    let page: Collection<Customer> = fixture("customers_seek_page.json");
    assert_eq!(page.items[0].company_name(), "Wingtip");
    assert_eq!(
        page.items[0].relationship_to_partner,
        Some(RelationshipToPartner::Reseller)
    );
    let next = page.next_link().unwrap();
    assert_eq!(next.headers[0].key, "MS-ContinuationToken");
    assert_eq!(page.continuation_token.as_deref(), Some("AQAAAA=="));
}

#[test]
fn carts_in_both_spellings_and_checkout_results() {
    let cart: Cart = fixture("cart_request_nce.json");
    assert_eq!(cart.line_items[0].quantity, 5);
    assert_eq!(
        cart.line_items[0].billing_cycle,
        Some(BillingCycle::Monthly)
    );
    let cart: Cart = fixture("cart_pascal_with_errors.json");
    let line = &cart.line_items[0];
    assert_eq!(line.id, Some(0));
    assert_eq!(line.catalog_item_id, "DZH318Z0BQ3Q:0001:DZH318Z0BMGJ");
    assert_eq!(line.quantity, 2);
    assert_eq!(
        line.provisioning_context
            .get("duration")
            .map(String::as_str),
        Some("3")
    );
    assert_eq!(line.error.as_ref().unwrap().error_code, "10001");
    assert!(cart.creation_timestamp.is_some());
    let result: CartCheckoutResult = fixture("checkout_result.json");
    assert_eq!(result.orders[0].billing_cycle, Some(BillingCycle::Annual));
    assert_eq!(
        result.orders[0].line_items[0].subscription_id,
        Some(SubscriptionId::new("a1b2c3d4-0000-0000-0000-0000000000aa"))
    );
    assert_eq!(result.order_errors[0].code, "800002");
}

#[test]
fn catalog_shapes() {
    let a: Availability = fixture("availability_currency_object.json");
    assert!(matches!(a.default_currency, Some(Currency::Object { ref code, .. }) if code == "USD"));
    assert_eq!(a.terms[0].duration.as_deref(), Some("P1Y"));
    let a: Availability = fixture("availability_currency_string.json");
    assert!(matches!(a.default_currency, Some(Currency::Code(ref c)) if c == "USD"));
    let sku: Sku = fixture("sku_digits.json");
    assert_eq!(sku.id.as_str(), "0001", "SKU ids stay strings");
    assert!(sku.supported_billing_cycles.contains(&BillingCycle::None));
    assert_eq!(sku.description.as_deref(), Some(""));
}

#[test]
fn roles_and_subscribed_skus() {
    let roles: Collection<DirectoryRole> = fixture("directory_roles.json");
    assert_eq!(
        roles.items[0].name.as_deref(),
        Some("Helpdesk Administrator")
    );
    let skus: Collection<SubscribedSku> = fixture("subscribed_skus.json");
    let s = &skus.items[0];
    assert_eq!((s.active_units, s.available_units), (1, 1));
    assert_eq!(
        s.product_sku.sku_part_number.as_deref(),
        Some("LITEPACK_P2")
    );
    assert_eq!(s.product_sku.license_group_id.as_deref(), Some("group1"));
}

#[test]
fn agreements_as_documented_and_as_a_bare_list() {
    let confirmed: Agreement = fixture("agreement_confirmed.json");
    assert_eq!(confirmed.primary_contact.last_name, "Carr");
    assert_eq!(
        confirmed.agreement_type.as_deref(),
        Some(CUSTOMER_AGREEMENT)
    );
    assert!(confirmed.date_agreed.is_some());
    // The list example: a bare array (the swagger's type), a date without a zone, and the
    // key "phoneNumber:".
    let listed: Listing<Agreement> = fixture("agreements_bare_list.json");
    let listed = listed.into_items();
    assert_eq!(listed[0].primary_contact.email, "someone@example.com");
    assert_eq!(
        listed[0].primary_contact.phone_number.as_deref(),
        Some("1234567890")
    );
    assert_eq!(listed[0].date_agreed.unwrap().0.year(), 2019);
    let templates: Listing<AgreementMetaData> = fixture("agreement_templates.json");
    let templates = templates.into_items();
    assert_eq!(
        templates[0].template_id,
        "117a77b0-9360-443b-8795-c6dedc750cf9"
    );
    assert_eq!(
        templates[0].agreement_type.as_deref(),
        Some(CUSTOMER_AGREEMENT)
    );
    // Written back as the POST body.
    let out = serde_json::to_value(&confirmed).unwrap();
    assert_eq!(out["type"], CUSTOMER_AGREEMENT);
    assert_eq!(out["primaryContact"]["firstName"], "Tania");
}

/// A marketplace (SaaS) subscription as the cancel and auto-renew pages show it (no product
/// type, an empty ETag, a full refund window), and the activation link collection with the
/// documented placeholder for its uri.
#[test]
fn marketplace_subscriptions_and_activation_links_are_read() {
    let s: Subscription = fixture("subscription_saas.json");
    assert!(!s.is_nce());
    assert_eq!(s.is_microsoft_product, Some(false));
    assert_eq!(s.publisher_name.as_deref(), Some("Test publisher"));
    assert_eq!(s.refund_options[0].kind.as_deref(), Some("Full"));
    assert!(s.refund_options[0].expires_at.is_some());
    assert_eq!(s.attributes.unwrap().etag.as_deref(), Some(""));
    let links: Collection<ActivationLink> = fixture("activation_links.json");
    assert_eq!(links.items[0].line_item_number, 0);
    assert_eq!(
        links.items[0].link.as_ref().unwrap().uri.as_deref(),
        Some("<link populated here>")
    );
}

/// The licensing SKU a catalog SKU grants, from its free-form dynamic attributes.
#[test]
fn a_sku_names_the_licensing_sku_it_grants() {
    let plain: Sku = fixture("sku_digits.json");
    assert_eq!(plain.provisioning_id(), None);
    let named: Sku = json::from_slice(
        br#"{"id":"0001","dynamicAttributes":{"isAddon":false,"provisioningId":"3b555118-da6a-4418-894f-7df1e2096870"}}"#,
    )
    .unwrap();
    assert_eq!(
        named.provisioning_id(),
        Some("3b555118-da6a-4418-894f-7df1e2096870")
    );
}
