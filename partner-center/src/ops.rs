//! Every Partner Center operation Seatwise uses (contract sections 3–9), one method each.

use http::Method;

use crate::{
    client::{Call, Pager, PartnerCenter},
    error::PcError,
    ids::{CartId, CustomerId, OrderId, ProductId, RoleId, SubscriptionId, UserId},
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
            Call::new(Method::GET, "/customers", "/customers".into())
                .query("size", size.clamp(1, 500).to_string()),
        )
    }

    /// Customers whose company name starts with `prefix` (case-insensitive).
    pub fn search_customers(&self, prefix: &str) -> Pager<Customer> {
        self.pager(
            Call::new(Method::GET, "/customers", "/customers".into())
                .query("size", "0")
                .query("filter", filter("CompanyName", prefix, "starts_with")),
        )
    }

    pub async fn customer(&self, id: &CustomerId) -> Result<Customer, PcError> {
        self.json(Call::new(
            Method::GET,
            "/customers/{id}",
            format!("/customers/{id}"),
        ))
        .await
    }

    pub async fn create_customer(&self, customer: &Customer) -> Result<Customer, PcError> {
        self.json(Call::new(Method::POST, "/customers", "/customers".into()).json(customer)?)
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
            .empty(Call::new(
                Method::HEAD,
                "/domains/{domain}",
                format!("/domains/{domain}"),
            ))
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
            Call::new(
                Method::GET,
                "/customers/{id}/users",
                format!("/customers/{customer}/users"),
            )
            .query("size", size.clamp(1, 500).to_string()),
        )
    }

    /// Soft-deleted users, restorable for 30 days.
    pub fn deleted_users(&self, customer: &CustomerId, size: u32) -> Pager<CustomerUser> {
        self.pager(
            Call::new(
                Method::GET,
                "/customers/{id}/users",
                format!("/customers/{customer}/users"),
            )
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
            format!("/customers/{customer}/users/{user}"),
        ))
        .await
    }

    pub async fn create_user(
        &self,
        customer: &CustomerId,
        user: &CustomerUser,
    ) -> Result<CustomerUser, PcError> {
        self.json(
            Call::new(
                Method::POST,
                "/customers/{id}/users",
                format!("/customers/{customer}/users"),
            )
            .json(user)?,
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
                format!("/customers/{customer}/users/{user}"),
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
            format!("/customers/{customer}/users/{user}"),
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
            format!("/customers/{customer}/subscribedskus"),
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
            format!("/customers/{customer}/subscribedskus"),
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
            format!("/customers/{customer}/users/{user}/licenses"),
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
            format!("/customers/{customer}/users/{user}/licenses"),
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
                format!("/customers/{customer}/users/{user}/licenseupdates"),
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
            format!("/customers/{customer}/directoryroles"),
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
            format!("/customers/{customer}/users/{user}/directoryroles"),
        ))
        .await
    }

    pub fn role_members(&self, customer: &CustomerId, role: &RoleId) -> Pager<UserMember> {
        self.pager(
            Call::new(
                Method::GET,
                "/customers/{id}/directoryroles/{role_id}/usermembers",
                format!("/customers/{customer}/directoryroles/{role}/usermembers"),
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
                format!("/customers/{customer}/directoryroles/{role}/usermembers"),
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
            format!("/customers/{customer}/directoryroles/{role}/usermembers/{user}"),
        ))
        .await
        .map(drop)
    }

    // ---- Subscriptions (section 7) ----

    pub async fn subscriptions(&self, customer: &CustomerId) -> Result<Vec<Subscription>, PcError> {
        self.items(Call::new(
            Method::GET,
            "/customers/{id}/subscriptions",
            format!("/customers/{customer}/subscriptions"),
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
                format!("/customers/{customer}/subscriptions"),
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
                format!("/customers/{customer}/subscriptions"),
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
                format!("/customers/{customer}/subscriptions/{id}/transitionEligibilities"),
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
                format!("/customers/{customer}/subscriptions/{id}/transitions"),
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
            format!("/customers/{customer}/subscriptions/{id}"),
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
            format!("/customers/{customer}/subscriptions/{}", subscription.id),
        )
        .json(subscription)?;
        if let Some(etag) = subscription
            .attributes
            .as_ref()
            .and_then(|a| a.etag.as_ref())
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
            format!("/customers/{customer}/subscriptions/{id}/addons"),
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
            format!("/customers/{customer}/subscriptions/{id}/provisioningstatus"),
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
        let mut call = Call::new(Method::GET, "/products", "/products".into())
            .query("country", country)
            .query("targetView", target_view);
        if let Some(segment) = segment {
            call = call.query("targetSegment", segment);
        }
        self.items(call).await
    }

    pub async fn product(&self, id: &ProductId, country: &str) -> Result<Product, PcError> {
        self.json(
            Call::new(
                Method::GET,
                "/products/{product_id}",
                format!("/products/{id}"),
            )
            .query("country", country),
        )
        .await
    }

    pub async fn skus(&self, product: &ProductId, country: &str) -> Result<Vec<Sku>, PcError> {
        self.items(
            Call::new(
                Method::GET,
                "/products/{product_id}/skus",
                format!("/products/{product}/skus"),
            )
            .query("country", country),
        )
        .await
    }

    pub async fn sku(&self, product: &ProductId, sku: &str, country: &str) -> Result<Sku, PcError> {
        self.json(
            Call::new(
                Method::GET,
                "/products/{product_id}/skus/{sku_id}",
                format!("/products/{product}/skus/{sku}"),
            )
            .query("country", country),
        )
        .await
    }

    pub async fn availabilities(
        &self,
        product: &ProductId,
        sku: &str,
        country: &str,
    ) -> Result<Vec<Availability>, PcError> {
        self.items(
            Call::new(
                Method::GET,
                "/products/{product_id}/skus/{sku_id}/availabilities",
                format!("/products/{product}/skus/{sku}/availabilities"),
            )
            .query("country", country),
        )
        .await
    }

    pub async fn availability(
        &self,
        product: &ProductId,
        sku: &str,
        availability: &str,
        country: &str,
    ) -> Result<Availability, PcError> {
        self.json(
            Call::new(
                Method::GET,
                "/products/{product_id}/skus/{sku_id}/availabilities/{availability_id}",
                format!("/products/{product}/skus/{sku}/availabilities/{availability}"),
            )
            .query("country", country),
        )
        .await
    }

    // ---- Carts and orders (section 9) ----

    pub async fn create_cart(&self, customer: &CustomerId, cart: &Cart) -> Result<Cart, PcError> {
        self.json(
            Call::new(
                Method::POST,
                "/customers/{id}/carts",
                format!("/customers/{customer}/carts"),
            )
            .json(cart)?,
        )
        .await
    }

    pub async fn cart(&self, customer: &CustomerId, id: &CartId) -> Result<Cart, PcError> {
        self.json(Call::new(
            Method::GET,
            "/customers/{id}/carts/{cart_id}",
            format!("/customers/{customer}/carts/{id}"),
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
                format!("/customers/{customer}/carts/{id}"),
            )
            .json(cart)?,
        )
        .await
    }

    /// Buys the cart. Retried with the same `MS-RequestId`, so a timeout never buys twice.
    pub async fn checkout(
        &self,
        customer: &CustomerId,
        id: &CartId,
    ) -> Result<CartCheckoutResult, PcError> {
        self.json(Call::new(
            Method::POST,
            "/customers/{id}/carts/{cart_id}/checkout",
            format!("/customers/{customer}/carts/{id}/checkout"),
        ))
        .await
    }

    pub async fn orders(&self, customer: &CustomerId) -> Result<Vec<Order>, PcError> {
        self.items(Call::new(
            Method::GET,
            "/customers/{id}/orders",
            format!("/customers/{customer}/orders"),
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
            Call::new(
                Method::POST,
                "/customers/{id}/orders",
                format!("/customers/{customer}/orders"),
            )
            .json(order)?,
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
            format!("/customers/{customer}/orders/{id}/provisioningstatus"),
        ))
        .await
    }

    pub async fn order(&self, customer: &CustomerId, id: &OrderId) -> Result<Order, PcError> {
        self.json(Call::new(
            Method::GET,
            "/customers/{id}/orders/{order_id}",
            format!("/customers/{customer}/orders/{id}"),
        ))
        .await
    }
}
