//! Every Partner Center operation Seatwise uses (contract sections 3–9), one method each.

use http::Method;

use crate::{
    client::{Call, Pager, PartnerCenter},
    error::PcError,
    ids::{
        AvailabilityId, CartId, CatalogSkuId, CustomerId, OrderId, ProductId, RoleId,
        SubscriptionId, UserId,
    },
    wire::*,
};

/// Page size for customers (the service allows up to 500).
pub const CUSTOMER_PAGE: u32 = 500;
/// Page size for users and role members.
pub const USER_PAGE: u32 = 500;

fn filter(field: &str, value: &str, operator: &str) -> String {
    serde_json::json!({ "Field": field, "Value": value, "Operator": operator }).to_string()
}

impl PartnerCenter {
    // ---- Customers (section 3) ----

    pub fn customers(&self, size: u32) -> Pager<Customer> {
        self.pager(
            Call::new(Method::GET, "/customers", &[]).query("size", size.clamp(1, 500).to_string()),
        )
    }

    /// Customers whose company name starts with `prefix` (case-insensitive).
    pub fn search_customers(&self, prefix: &str) -> Pager<Customer> {
        self.pager(
            Call::new(Method::GET, "/customers", &[])
                .query("size", "0")
                .query("filter", filter("CompanyName", prefix, "starts_with")),
        )
    }

    pub async fn customer(&self, id: &CustomerId) -> Result<Customer, PcError> {
        self.json(Call::new(Method::GET, "/customers/{id}", &[id.as_str()]))
            .await
    }

    pub async fn create_customer(&self, customer: &Customer) -> Result<Customer, PcError> {
        self.json(Call::new(Method::POST, "/customers", &[]).json(customer)?)
            .await
    }

    /// The reseller relationship invitation link to send an existing tenant (§16).
    pub async fn relationship_request(&self) -> Result<crate::wire::RelationshipRequest, PcError> {
        self.json(Call::new(
            Method::GET,
            "/customers/relationshiprequests",
            &[],
        ))
        .await
    }

    /// Whether a `*.onmicrosoft.com` domain is taken (HEAD: 200 taken, 404 free).
    pub async fn domain_taken(&self, domain: &str) -> Result<bool, PcError> {
        if !domain
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        {
            return Err(PcError::Validation {
                status: 400,
                code: String::new(),
                message: format!("{domain:?} is not a domain name"),
            });
        }
        match self
            .empty(Call::new(Method::HEAD, "/domains/{domain}", &[domain]))
            .await
        {
            Ok(_) => Ok(true),
            Err(PcError::NotFound { .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }

    // ---- Users (section 4) ----

    pub fn users(&self, customer: &CustomerId, size: u32) -> Pager<CustomerUser> {
        self.pager(
            Call::new(Method::GET, "/customers/{id}/users", &[customer.as_str()])
                .query("size", size.clamp(1, 500).to_string()),
        )
    }

    /// Soft-deleted users, restorable for 30 days.
    pub fn deleted_users(&self, customer: &CustomerId, size: u32) -> Pager<CustomerUser> {
        self.pager(
            Call::new(Method::GET, "/customers/{id}/users", &[customer.as_str()])
                .query("size", size.clamp(1, 500).to_string())
                .query("filter", filter("UserState", "Inactive", "equals")),
        )
    }

    pub async fn user(
        &self,
        customer: &CustomerId,
        user: &UserId,
    ) -> Result<CustomerUser, PcError> {
        self.json(Call::new(
            Method::GET,
            "/customers/{id}/users/{user_id}",
            &[customer.as_str(), user.as_str()],
        ))
        .await
    }

    pub async fn create_user(
        &self,
        customer: &CustomerId,
        user: &CustomerUser,
    ) -> Result<CustomerUser, PcError> {
        self.json(
            Call::new(Method::POST, "/customers/{id}/users", &[customer.as_str()]).json(user)?,
        )
        .await
    }

    /// Changes the fields set in `changes` (names, usage location, …).
    pub async fn update_user(
        &self,
        customer: &CustomerId,
        user: &UserId,
        changes: &CustomerUser,
    ) -> Result<CustomerUser, PcError> {
        self.json(
            Call::new(
                Method::PATCH,
                "/customers/{id}/users/{user_id}",
                &[customer.as_str(), user.as_str()],
            )
            .json(changes)?,
        )
        .await
    }

    pub async fn reset_password(
        &self,
        customer: &CustomerId,
        user: &UserId,
        password: &str,
        force_change: bool,
    ) -> Result<CustomerUser, PcError> {
        let body = CustomerUser {
            password_profile: Some(PasswordProfile {
                password: Some(password.to_owned()),
                force_change_password: Some(force_change),
            }),
            ..CustomerUser::default()
        };
        self.update_user(customer, user, &body).await
    }

    /// Soft delete: the user stays restorable for 30 days.
    pub async fn delete_user(&self, customer: &CustomerId, user: &UserId) -> Result<(), PcError> {
        self.empty(Call::new(
            Method::DELETE,
            "/customers/{id}/users/{user_id}",
            &[customer.as_str(), user.as_str()],
        ))
        .await
        .map(drop)
    }

    pub async fn restore_user(
        &self,
        customer: &CustomerId,
        user: &UserId,
    ) -> Result<CustomerUser, PcError> {
        let body = CustomerUser {
            state: Some(UserState::Active),
            ..CustomerUser::default()
        };
        self.update_user(customer, user, &body).await
    }

    // ---- Licenses (section 5) ----

    pub async fn subscribed_skus(
        &self,
        customer: &CustomerId,
    ) -> Result<Vec<SubscribedSku>, PcError> {
        self.items(Call::new(
            Method::GET,
            "/customers/{id}/subscribedskus",
            &[customer.as_str()],
        ))
        .await
    }

    /// Subscribed SKUs of some license groups only (`Group1`: Entra ID products,
    /// `Group2`: Minecraft Education).
    pub async fn subscribed_skus_in_groups(
        &self,
        customer: &CustomerId,
        groups: &[&str],
    ) -> Result<Vec<SubscribedSku>, PcError> {
        let mut call = Call::new(
            Method::GET,
            "/customers/{id}/subscribedskus",
            &[customer.as_str()],
        );
        for group in groups {
            call = call.query("licenseGroupIds", *group);
        }
        self.items(call).await
    }

    pub async fn user_licenses_in_groups(
        &self,
        customer: &CustomerId,
        user: &UserId,
        groups: &[&str],
    ) -> Result<Vec<License>, PcError> {
        let mut call = Call::new(
            Method::GET,
            "/customers/{id}/users/{user_id}/licenses",
            &[customer.as_str(), user.as_str()],
        );
        for group in groups {
            call = call.query("licenseGroupIds", *group);
        }
        self.items(call).await
    }

    pub async fn user_licenses(
        &self,
        customer: &CustomerId,
        user: &UserId,
    ) -> Result<Vec<License>, PcError> {
        self.items(Call::new(
            Method::GET,
            "/customers/{id}/users/{user_id}/licenses",
            &[customer.as_str(), user.as_str()],
        ))
        .await
    }

    /// Assigns and removes licenses in one request; the answer carries warnings.
    pub async fn update_licenses(
        &self,
        customer: &CustomerId,
        user: &UserId,
        update: &LicenseUpdate,
    ) -> Result<LicenseUpdate, PcError> {
        let mut update = update.clone();
        update.attributes = Attributes::of("LicenseUpdate");
        self.json(
            Call::new(
                Method::POST,
                "/customers/{id}/users/{user_id}/licenseupdates",
                &[customer.as_str(), user.as_str()],
            )
            .json(&update)?,
        )
        .await
    }

    // ---- Directory roles (section 6) ----

    pub async fn directory_roles(
        &self,
        customer: &CustomerId,
    ) -> Result<Vec<DirectoryRole>, PcError> {
        self.items(Call::new(
            Method::GET,
            "/customers/{id}/directoryroles",
            &[customer.as_str()],
        ))
        .await
    }

    pub async fn user_roles(
        &self,
        customer: &CustomerId,
        user: &UserId,
    ) -> Result<Vec<DirectoryRole>, PcError> {
        self.items(Call::new(
            Method::GET,
            "/customers/{id}/users/{user_id}/directoryroles",
            &[customer.as_str(), user.as_str()],
        ))
        .await
    }

    pub fn role_members(&self, customer: &CustomerId, role: &RoleId) -> Pager<UserMember> {
        self.pager(
            Call::new(
                Method::GET,
                "/customers/{id}/directoryroles/{role_id}/usermembers",
                &[customer.as_str(), role.as_str()],
            )
            .query("size", USER_PAGE.to_string()),
        )
    }

    pub async fn add_role_member(
        &self,
        customer: &CustomerId,
        role: &RoleId,
        member: &UserMember,
    ) -> Result<UserMember, PcError> {
        let mut member = member.clone();
        member.role_id = Some(role.clone());
        member.attributes = Attributes::of("UserMember");
        self.json(
            Call::new(
                Method::POST,
                "/customers/{id}/directoryroles/{role_id}/usermembers",
                &[customer.as_str(), role.as_str()],
            )
            .json(&member)?,
        )
        .await
    }

    pub async fn remove_role_member(
        &self,
        customer: &CustomerId,
        role: &RoleId,
        user: &UserId,
    ) -> Result<(), PcError> {
        self.empty(Call::new(
            Method::DELETE,
            "/customers/{id}/directoryroles/{role_id}/usermembers/{user_id}",
            &[customer.as_str(), role.as_str(), user.as_str()],
        ))
        .await
        .map(drop)
    }

    // ---- Subscriptions (section 7) ----

    pub async fn subscriptions(&self, customer: &CustomerId) -> Result<Vec<Subscription>, PcError> {
        self.items(Call::new(
            Method::GET,
            "/customers/{id}/subscriptions",
            &[customer.as_str()],
        ))
        .await
    }

    pub async fn subscriptions_by_order(
        &self,
        customer: &CustomerId,
        order: &OrderId,
    ) -> Result<Vec<Subscription>, PcError> {
        self.items(
            Call::new(
                Method::GET,
                "/customers/{id}/subscriptions",
                &[customer.as_str()],
            )
            .query("order_id", order.as_str()),
        )
        .await
    }

    /// The subscriptions an indirect reseller (by MPN id) sold to this customer.
    pub async fn subscriptions_by_reseller(
        &self,
        customer: &CustomerId,
        mpn_id: &str,
    ) -> Result<Vec<Subscription>, PcError> {
        self.items(
            Call::new(
                Method::GET,
                "/customers/{id}/subscriptions",
                &[customer.as_str()],
            )
            .query("mpn_id", mpn_id),
        )
        .await
    }

    /// Where an NCE subscription can be moved (`immediate` or `scheduled`).
    pub async fn transition_eligibilities(
        &self,
        customer: &CustomerId,
        id: &SubscriptionId,
        eligibility_type: &str,
    ) -> Result<Vec<TransitionEligibility>, PcError> {
        self.items(
            Call::new(
                Method::GET,
                "/customers/{id}/subscriptions/{sub_id}/transitionEligibilities",
                &[customer.as_str(), id.as_str()],
            )
            .query("eligibilityType", eligibility_type),
        )
        .await
    }

    /// Moves (upgrades) an NCE subscription, optionally taking its license assignments along.
    pub async fn transition(
        &self,
        customer: &CustomerId,
        id: &SubscriptionId,
        transition: &Transition,
    ) -> Result<Transition, PcError> {
        self.json(
            Call::new(
                Method::POST,
                "/customers/{id}/subscriptions/{sub_id}/transitions",
                &[customer.as_str(), id.as_str()],
            )
            .json(transition)?,
        )
        .await
    }

    pub async fn subscription(
        &self,
        customer: &CustomerId,
        id: &SubscriptionId,
    ) -> Result<Subscription, PcError> {
        self.json(Call::new(
            Method::GET,
            "/customers/{id}/subscriptions/{sub_id}",
            &[customer.as_str(), id.as_str()],
        ))
        .await
    }

    /// The publisher's links to finish a marketplace (SaaS) subscription's set-up.
    pub async fn activation_links(
        &self,
        customer: &CustomerId,
        id: &SubscriptionId,
    ) -> Result<Vec<ActivationLink>, PcError> {
        self.items(Call::new(
            Method::GET,
            "/customers/{id}/subscriptions/{sub_id}/activationlinks",
            &[customer.as_str(), id.as_str()],
        ))
        .await
    }

    /// PATCH with the whole resource, as documented: read it, change fields, send it back.
    pub async fn update_subscription(
        &self,
        customer: &CustomerId,
        subscription: &Subscription,
    ) -> Result<Subscription, PcError> {
        let mut call = Call::new(
            Method::PATCH,
            "/customers/{id}/subscriptions/{sub_id}",
            &[customer.as_str(), subscription.id.as_str()],
        )
        .json(subscription)?;
        if let Some(etag) = subscription
            .attributes
            .as_ref()
            .and_then(|a| a.etag.as_ref())
            // Marketplace subscriptions answer with an empty ETag: nothing to match.
            .filter(|etag| !etag.is_empty())
        {
            call.headers
                .push(("If-Match".into(), format!("\"{etag}\"")));
        }
        self.json(call).await
    }

    pub async fn addons(
        &self,
        customer: &CustomerId,
        id: &SubscriptionId,
    ) -> Result<Vec<Subscription>, PcError> {
        self.items(Call::new(
            Method::GET,
            "/customers/{id}/subscriptions/{sub_id}/addons",
            &[customer.as_str(), id.as_str()],
        ))
        .await
    }

    pub async fn subscription_provisioning_status(
        &self,
        customer: &CustomerId,
        id: &SubscriptionId,
    ) -> Result<SubscriptionProvisioningStatus, PcError> {
        self.json(Call::new(
            Method::GET,
            "/customers/{id}/subscriptions/{sub_id}/provisioningstatus",
            &[customer.as_str(), id.as_str()],
        ))
        .await
    }

    // ---- Catalog (section 8.1) ----

    pub async fn products(
        &self,
        country: &str,
        target_view: &str,
        segment: Option<&str>,
    ) -> Result<Vec<Product>, PcError> {
        let mut call = Call::new(Method::GET, "/products", &[])
            .query("country", country)
            .query("targetView", target_view);
        if let Some(segment) = segment {
            call = call.query("targetSegment", segment);
        }
        self.items(call).await
    }

    pub async fn product(&self, id: &ProductId, country: &str) -> Result<Product, PcError> {
        self.json(
            Call::new(Method::GET, "/products/{product_id}", &[id.as_str()])
                .query("country", country),
        )
        .await
    }

    pub async fn skus(&self, product: &ProductId, country: &str) -> Result<Vec<Sku>, PcError> {
        self.items(
            Call::new(
                Method::GET,
                "/products/{product_id}/skus",
                &[product.as_str()],
            )
            .query("country", country),
        )
        .await
    }

    pub async fn sku(
        &self,
        product: &ProductId,
        sku: &CatalogSkuId,
        country: &str,
    ) -> Result<Sku, PcError> {
        self.json(
            Call::new(
                Method::GET,
                "/products/{product_id}/skus/{sku_id}",
                &[product.as_str(), sku.as_str()],
            )
            .query("country", country),
        )
        .await
    }

    pub async fn availabilities(
        &self,
        product: &ProductId,
        sku: &CatalogSkuId,
        country: &str,
    ) -> Result<Vec<Availability>, PcError> {
        self.items(
            Call::new(
                Method::GET,
                "/products/{product_id}/skus/{sku_id}/availabilities",
                &[product.as_str(), sku.as_str()],
            )
            .query("country", country),
        )
        .await
    }

    pub async fn availability(
        &self,
        product: &ProductId,
        sku: &CatalogSkuId,
        availability: &AvailabilityId,
        country: &str,
    ) -> Result<Availability, PcError> {
        self.json(
            Call::new(
                Method::GET,
                "/products/{product_id}/skus/{sku_id}/availabilities/{availability_id}",
                &[product.as_str(), sku.as_str(), availability.as_str()],
            )
            .query("country", country),
        )
        .await
    }

    // ---- Carts and orders (section 9) ----

    pub async fn create_cart(&self, customer: &CustomerId, cart: &Cart) -> Result<Cart, PcError> {
        self.json(
            Call::new(Method::POST, "/customers/{id}/carts", &[customer.as_str()]).json(cart)?,
        )
        .await
    }

    pub async fn cart(&self, customer: &CustomerId, id: &CartId) -> Result<Cart, PcError> {
        self.json(Call::new(
            Method::GET,
            "/customers/{id}/carts/{cart_id}",
            &[customer.as_str(), id.as_str()],
        ))
        .await
    }

    pub async fn update_cart(
        &self,
        customer: &CustomerId,
        id: &CartId,
        cart: &Cart,
    ) -> Result<Cart, PcError> {
        self.json(
            Call::new(
                Method::PUT,
                "/customers/{id}/carts/{cart_id}",
                &[customer.as_str(), id.as_str()],
            )
            .json(cart)?,
        )
        .await
    }

    /// Buys the cart. Every attempt carries `request_id` as its `MS-RequestId`: asked again
    /// with the same id (after a timeout, even from another process), the service answers
    /// with the first outcome instead of buying twice.
    pub async fn checkout(
        &self,
        customer: &CustomerId,
        id: &CartId,
        request_id: &str,
    ) -> Result<CartCheckoutResult, PcError> {
        self.json(
            Call::new(
                Method::POST,
                "/customers/{id}/carts/{cart_id}/checkout",
                &[customer.as_str(), id.as_str()],
            )
            .request_id(request_id),
        )
        .await
    }

    pub async fn orders(&self, customer: &CustomerId) -> Result<Vec<Order>, PcError> {
        self.items(Call::new(
            Method::GET,
            "/customers/{id}/orders",
            &[customer.as_str()],
        ))
        .await
    }

    /// Places an order directly (the offer path; NCE purchases normally go through carts).
    pub async fn create_order(
        &self,
        customer: &CustomerId,
        order: &Order,
    ) -> Result<Order, PcError> {
        self.json(
            Call::new(Method::POST, "/customers/{id}/orders", &[customer.as_str()]).json(order)?,
        )
        .await
    }

    pub async fn order_provisioning_status(
        &self,
        customer: &CustomerId,
        id: &OrderId,
    ) -> Result<Vec<OrderLineProvisioningStatus>, PcError> {
        self.items(Call::new(
            Method::GET,
            "/customers/{id}/orders/{order_id}/provisioningstatus",
            &[customer.as_str(), id.as_str()],
        ))
        .await
    }

    pub async fn order(&self, customer: &CustomerId, id: &OrderId) -> Result<Order, PcError> {
        self.json(Call::new(
            Method::GET,
            "/customers/{id}/orders/{order_id}",
            &[customer.as_str(), id.as_str()],
        ))
        .await
    }

    // ---- Customer agreements (section 14) ----

    /// The templates of one agreement type (`MicrosoftCustomerAgreement`, …).
    pub async fn agreement_templates(&self, kind: &str) -> Result<Vec<AgreementMetaData>, PcError> {
        let listed: Listing<AgreementMetaData> = self
            .json(Call::new(Method::GET, "/agreements", &[]).query("agreementType", kind))
            .await?;
        Ok(listed.into_items())
    }

    /// Confirms that the customer accepted an agreement (the contact is the person who did).
    pub async fn confirm_agreement(
        &self,
        customer: &CustomerId,
        agreement: &Agreement,
    ) -> Result<Agreement, PcError> {
        self.json(
            Call::new(
                Method::POST,
                "/customers/{id}/agreements",
                &[customer.as_str()],
            )
            .json(agreement)?,
        )
        .await
    }

    /// The confirmations recorded for a customer, of one agreement type.
    pub async fn agreements(
        &self,
        customer: &CustomerId,
        kind: &str,
    ) -> Result<Vec<Agreement>, PcError> {
        let listed: Listing<Agreement> = self
            .json(
                Call::new(
                    Method::GET,
                    "/customers/{id}/agreements",
                    &[customer.as_str()],
                )
                .query("agreementType", kind),
            )
            .await?;
        Ok(listed.into_items())
    }
}
