//! The emulated Partner Center: customers, users, licenses, roles, subscriptions, carts and
//! orders, with the service's rules. No HTTP here; `http.rs` maps requests onto these methods.

use std::collections::BTreeMap;

use partner_center::{error::codes, ids::*, wire::*};
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::catalog::{self, CatalogItem};

/// A refusal in Partner Center's terms: HTTP status, error code, description.
#[derive(Debug, Clone, PartialEq)]
pub struct EmuError {
    pub status: u16,
    pub code: String,
    pub description: String,
}

pub type R<T> = Result<T, EmuError>;

pub fn err<T>(status: u16, code: impl ToString, description: impl Into<String>) -> R<T> {
    Err(EmuError {
        status,
        code: code.to_string(),
        description: description.into(),
    })
}

/// How long a deleted user can be restored.
pub const RESTORE_WINDOW: Duration = Duration::days(30);
/// How long after purchase or renewal an NCE subscription can be reduced or cancelled.
pub const CHANGE_WINDOW: Duration = Duration::days(7);

/// Well-known directory role template ids, used as role ids (contract section 6).
pub const ROLES: &[(&str, &str)] = &[
    (
        "62e90394-69f5-4237-9190-012177145e10",
        "Global Administrator",
    ),
    ("fe930be7-5e62-47db-91af-98c3a49a38b1", "User Administrator"),
    (
        "729827e3-9c14-49f7-bb1b-9608f156bbb8",
        "Helpdesk Administrator",
    ),
    (
        "f023fd81-a637-4b56-95fd-791ac0226033",
        "Service Support Administrator",
    ),
    (
        "b0f54661-2d74-4c50-afa3-1ec803f12efe",
        "Billing Administrator",
    ),
    (
        "29232cdf-9323-42fd-ade2-1d097af3e4de",
        "Exchange Administrator",
    ),
    (
        "f28a1f50-f6e7-4571-818b-6a12f2af6b6c",
        "SharePoint Administrator",
    ),
];

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct World {
    /// Added to the real clock; moved forward by tests to cross 7- and 30-day windows.
    pub clock_offset_secs: i64,
    pub customers: Vec<CustomerRec>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CustomerRec {
    pub customer: Customer,
    pub country: String,
    pub users: Vec<UserRec>,
    pub subscriptions: Vec<SubRec>,
    /// Role id → member user ids.
    pub role_members: BTreeMap<String, Vec<UserId>>,
    pub carts: Vec<Cart>,
    pub orders: Vec<Order>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct UserRec {
    pub user: CustomerUser,
    pub licenses: Vec<SkuId>,
    /// What the user held when deleted; given back on restore where seats allow.
    pub licenses_before_delete: Vec<SkuId>,
    pub deleted_at: Option<i64>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SubRec {
    pub sub: Subscription,
    /// Unix seconds of purchase or last renewal: the start of the 7-day change window.
    pub term_start: i64,
}

fn not_found(code: &str, description: &str) -> EmuError {
    EmuError {
        status: 404,
        code: code.into(),
        description: description.into(),
    }
}

fn user_missing() -> EmuError {
    not_found("60002", "User object ID is not found.")
}

fn new_etag() -> String {
    Uuid::new_v4().simple().to_string()
}

fn term_length(term: &str) -> Duration {
    match term.to_ascii_uppercase().as_str() {
        "P1M" => Duration::days(30),
        "P3Y" => Duration::days(3 * 365),
        _ => Duration::days(365),
    }
}

impl World {
    pub fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc() + Duration::seconds(self.clock_offset_secs)
    }

    fn wire_now(&self) -> WireTime {
        WireTime(self.now())
    }

    pub fn customer(&self, id: &CustomerId) -> R<&CustomerRec> {
        self.customers
            .iter()
            .find(|c| c.customer.id == *id)
            .map_or_else(|| err(404, "60003", "Tenant not found."), Ok)
    }

    pub fn customer_mut(&mut self, id: &CustomerId) -> R<&mut CustomerRec> {
        match self.customers.iter_mut().find(|c| c.customer.id == *id) {
            Some(c) => Ok(c),
            None => err(404, "60003", "Tenant not found."),
        }
    }

    /// Applies what time does: purges users deleted over 30 days ago, renews subscriptions.
    pub fn tick(&mut self) {
        let now = self.now();
        for c in &mut self.customers {
            c.users.retain(|u| {
                u.deleted_at
                    .is_none_or(|at| now.unix_timestamp() - at < RESTORE_WINDOW.whole_seconds())
            });
            for s in &mut c.subscriptions {
                renew_if_due(s, now);
            }
        }
    }

    // ---- Customers ----

    /// The list shape: id, company profile, relationship, links.
    pub fn customer_list(&self, name_prefix: Option<(&str, &str)>) -> Vec<Customer> {
        self.customers
            .iter()
            .filter(|c| match name_prefix {
                None => true,
                Some((field, prefix)) => {
                    let value = if field.eq_ignore_ascii_case("Domain") {
                        c.customer.domain()
                    } else {
                        c.customer.company_name()
                    };
                    value.to_lowercase().starts_with(&prefix.to_lowercase())
                }
            })
            .map(|c| Customer {
                id: c.customer.id.clone(),
                company_profile: c.customer.company_profile.clone(),
                relationship_to_partner: c.customer.relationship_to_partner.clone(),
                links: c.customer.links.clone(),
                attributes: Attributes::of("Customer"),
                ..Customer::default()
            })
            .collect()
    }

    pub fn domain_taken(&self, domain: &str) -> bool {
        self.customers.iter().any(|c| {
            c.customer.domain().eq_ignore_ascii_case(domain)
                || c.customer
                    .custom_domains
                    .iter()
                    .any(|d| d.eq_ignore_ascii_case(domain))
        })
    }

    pub fn create_customer(&mut self, mut body: Customer) -> R<Customer> {
        let domain = body
            .company_profile
            .as_ref()
            .and_then(|p| p.domain.clone())
            .unwrap_or_default();
        if domain.is_empty() {
            return err(400, "800002", "companyProfile.domain is required.");
        }
        let billing = body.billing_profile.clone().unwrap_or_default();
        let Some(address) = billing.default_address.clone() else {
            return err(400, "800002", "billingProfile.defaultAddress is required.");
        };
        if billing.email.as_deref().unwrap_or_default().is_empty() {
            return err(400, "800002", "billingProfile.email is required.");
        }
        if self.domain_taken(&domain) {
            return err(
                409,
                "1001",
                format!("The domain {domain} is already in use."),
            );
        }
        let id = CustomerId::new(Uuid::new_v4().to_string());
        let name = billing
            .company_name
            .clone()
            .unwrap_or_else(|| domain.clone());
        let country = address.country.clone().unwrap_or_else(|| "US".into());
        body.id = id.clone();
        body.commerce_id = Some(Uuid::new_v4().to_string());
        body.company_profile = Some(CompanyProfile {
            tenant_id: Some(id.to_string()),
            domain: Some(domain.clone()),
            company_name: Some(name),
            attributes: Attributes::of("CustomerCompanyProfile"),
            ..CompanyProfile::default()
        });
        body.relationship_to_partner = Some(RelationshipToPartner::Reseller);
        body.links = Some(Links {
            self_link: Some(Link::get(format!("/customers/{id}"))),
            ..Links::default()
        });
        body.attributes = Attributes::of("Customer");
        let admin = format!("admin@{domain}");
        let rec = CustomerRec {
            customer: body.clone(),
            country,
            ..CustomerRec::default()
        };
        self.customers.push(rec);
        body.user_credentials = Some(UserCredentials {
            user_name: Some(admin),
            password: Some(format!(
                "Tmp-{}!",
                &Uuid::new_v4().simple().to_string()[..10]
            )),
        });
        Ok(body)
    }

    // ---- Users ----

    pub fn users(&self, customer: &CustomerId, deleted: bool) -> R<Vec<CustomerUser>> {
        Ok(self
            .customer(customer)?
            .users
            .iter()
            .filter(|u| u.deleted_at.is_some() == deleted)
            .map(|u| u.user.clone())
            .collect())
    }

    pub fn user(&self, customer: &CustomerId, user: &UserId) -> R<CustomerUser> {
        self.customer(customer)?
            .users
            .iter()
            .find(|u| u.user.id.as_ref() == Some(user))
            .map(|u| u.user.clone())
            .ok_or_else(user_missing)
    }

    pub fn create_user(&mut self, customer: &CustomerId, body: CustomerUser) -> R<CustomerUser> {
        let now = self.wire_now();
        let c = self.customer_mut(customer)?;
        let upn = body.user_principal_name.clone().unwrap_or_default();
        let Some((local, domain)) = upn.split_once('@') else {
            return err(
                400,
                "800002",
                "userPrincipalName must look like name@domain.",
            );
        };
        if local.is_empty() || !c.owns_domain(domain) {
            return err(
                400,
                "800002",
                format!("The domain {domain} is not a verified domain of this tenant."),
            );
        }
        if body
            .display_name
            .as_deref()
            .unwrap_or_default()
            .trim()
            .is_empty()
        {
            return err(400, "800002", "displayName is required.");
        }
        let profile = body.password_profile.clone().unwrap_or_default();
        check_password(profile.password.as_deref().unwrap_or_default())?;
        c.check_upn_free(&upn, None)?;
        if let Some(location) = &body.usage_location {
            check_country(location)?;
        }
        let id = UserId::new(Uuid::new_v4().to_string());
        let mut user = CustomerUser {
            id: Some(id.clone()),
            user_principal_name: Some(upn),
            first_name: body.first_name,
            last_name: body.last_name,
            display_name: body.display_name,
            usage_location: body.usage_location.map(|l| l.to_uppercase()),
            immutable_id: body.immutable_id,
            phone_number: body.phone_number,
            user_domain_type: Some(UserDomainType::Managed),
            state: Some(UserState::Active),
            links: Some(Links {
                self_link: Some(Link::get(format!("/customers/{customer}/users/{id}"))),
                ..Links::default()
            }),
            attributes: Attributes::of("CustomerUser"),
            ..CustomerUser::default()
        };
        let _ = now;
        c.users.push(UserRec {
            user: user.clone(),
            ..UserRec::default()
        });
        // The documented response echoes the password profile.
        user.password_profile = Some(profile);
        Ok(user)
    }

    /// PATCH: field changes, a password reset, or (state=active) a restore.
    pub fn update_user(
        &mut self,
        customer: &CustomerId,
        user: &UserId,
        patch: CustomerUser,
    ) -> R<CustomerUser> {
        let now = self.now();
        let restore = patch.state == Some(UserState::Active);
        let c = self.customer_mut(customer)?;
        let index = c
            .users
            .iter()
            .position(|u| u.user.id.as_ref() == Some(user))
            .ok_or_else(user_missing)?;
        let deleted = c.users[index].deleted_at.is_some();
        if deleted && !restore {
            return err(
                400,
                "60004",
                "The user is deleted; restore it before changing it.",
            );
        }
        if let Some(upn) = &patch.user_principal_name {
            let domain = upn.split_once('@').map(|(_, d)| d).unwrap_or_default();
            if !c.owns_domain(domain) {
                return err(
                    400,
                    "800002",
                    format!("The domain {domain} is not a verified domain of this tenant."),
                );
            }
            c.check_upn_free(upn, Some(user))?;
        } else if restore && deleted {
            let upn = c.users[index]
                .user
                .user_principal_name
                .clone()
                .unwrap_or_default();
            c.check_upn_free(&upn, Some(user))?;
        }
        if let Some(location) = &patch.usage_location {
            check_country(location)?;
        }
        let password = patch.password_profile.clone();
        if let Some(p) = &password {
            check_password(p.password.as_deref().unwrap_or_default())?;
        }
        if restore && deleted {
            let previous = std::mem::take(&mut c.users[index].licenses_before_delete);
            c.users[index].deleted_at = None;
            c.users[index].user.state = Some(UserState::Active);
            c.users[index].user.soft_deletion_time = None;
            // Licenses come back only where seats are free: what Microsoft returns may differ.
            for sku in previous {
                if c.available(&sku) > 0 {
                    c.users[index].licenses.push(sku);
                }
            }
        }
        let u = &mut c.users[index].user;
        macro_rules! set {
            ($($field:ident),+) => {$(if patch.$field.is_some() { u.$field = patch.$field.clone(); })+};
        }
        set!(
            user_principal_name,
            first_name,
            last_name,
            display_name,
            phone_number,
            immutable_id
        );
        if let Some(location) = &patch.usage_location {
            u.usage_location = Some(location.to_uppercase());
        }
        let _ = now;
        let mut answer = u.clone();
        answer.password_profile = password;
        Ok(answer)
    }

    pub fn delete_user(&mut self, customer: &CustomerId, user: &UserId) -> R<()> {
        let now = self.now();
        let c = self.customer_mut(customer)?;
        let rec = c
            .users
            .iter_mut()
            .find(|u| u.user.id.as_ref() == Some(user) && u.deleted_at.is_none())
            .ok_or_else(user_missing)?;
        rec.deleted_at = Some(now.unix_timestamp());
        rec.user.state = Some(UserState::Inactive);
        rec.user.soft_deletion_time = Some(WireTime(now));
        rec.licenses_before_delete = std::mem::take(&mut rec.licenses);
        for members in c.role_members.values_mut() {
            members.retain(|m| m != user);
        }
        Ok(())
    }

    // ---- Licenses ----

    pub fn subscribed_skus(&self, customer: &CustomerId) -> R<Vec<SubscribedSku>> {
        let c = self.customer(customer)?;
        Ok(c.license_skus()
            .into_iter()
            .map(|item| {
                let sku = SkuId::new(item.license_sku);
                let (active, suspended) = c.units(&sku);
                let consumed = c.consumed(&sku);
                SubscribedSku {
                    available_units: active - consumed,
                    active_units: active,
                    consumed_units: consumed,
                    suspended_units: suspended,
                    warning_units: 0,
                    total_units: active,
                    product_sku: product_sku(item, true),
                    service_plans: service_plans(item, "Enabled"),
                    capability_status: Some(
                        if active > 0 { "Enabled" } else { "Suspended" }.into(),
                    ),
                    attributes: Attributes::of("SubscribedSku"),
                }
            })
            .collect())
    }

    pub fn user_licenses(&self, customer: &CustomerId, user: &UserId) -> R<Vec<License>> {
        let c = self.customer(customer)?;
        let rec = c.active_user(user)?;
        Ok(rec
            .licenses
            .iter()
            .filter_map(catalog::by_license_sku)
            .map(|item| License {
                service_plans: service_plans(item, "Assigned"),
                product_sku: product_sku(item, false),
                attributes: Attributes::of("License"),
            })
            .collect())
    }

    /// All assignments and removals succeed together or none do.
    pub fn update_licenses(
        &mut self,
        customer: &CustomerId,
        user: &UserId,
        update: LicenseUpdate,
    ) -> R<LicenseUpdate> {
        let c = self.customer_mut(customer)?;
        let assign: Vec<SkuId> = update
            .licenses_to_assign
            .clone()
            .unwrap_or_default()
            .into_iter()
            .map(|a| a.sku_id)
            .collect();
        let remove = update.licenses_to_remove.clone().unwrap_or_default();
        if assign.is_empty() && remove.is_empty() {
            return err(400, "800002", "Nothing to assign or remove.");
        }
        let rec = c.active_user(user)?;
        if !assign.is_empty()
            && rec
                .user
                .usage_location
                .as_deref()
                .unwrap_or_default()
                .is_empty()
        {
            return err(
                400,
                codes::USAGE_LOCATION_MISSING,
                "License assignment failed because the user's usage location is not set.",
            );
        }
        let held = rec.licenses.clone();
        for sku in &remove {
            if !held.contains(sku) {
                return err(
                    400,
                    "60013",
                    format!("The user has no license for SKU {sku}."),
                );
            }
        }
        for sku in &assign {
            if catalog::by_license_sku(sku).is_none() || c.units(sku).0 == 0 {
                return err(
                    400,
                    "60010",
                    format!("The tenant has no subscription for SKU {sku}."),
                );
            }
            if !held.contains(sku) && c.available(sku) < 1 {
                return err(
                    400,
                    codes::OUT_OF_LICENSES,
                    format!(
                        "We&#39;re sorry, it looks like you&#39;ve run out of licenses. \
                         LicenseQuotaExceededException : Subscription with Account {customer} and SKU {sku} \
                         does not have any available licenses left."
                    ),
                );
            }
        }
        let rec = c
            .users
            .iter_mut()
            .find(|u| u.user.id.as_ref() == Some(user))
            .ok_or_else(user_missing)?;
        rec.licenses.retain(|s| !remove.contains(s));
        for sku in assign {
            if !rec.licenses.contains(&sku) {
                rec.licenses.push(sku);
            }
        }
        Ok(LicenseUpdate {
            licenses_to_assign: update.licenses_to_assign,
            licenses_to_remove: update.licenses_to_remove,
            license_warnings: Vec::new(),
            attributes: Attributes::of("LicenseUpdate"),
        })
    }

    // ---- Directory roles ----

    pub fn directory_roles(&self, customer: &CustomerId) -> R<Vec<DirectoryRole>> {
        self.customer(customer)?;
        Ok(ROLES.iter().map(|(id, name)| role(id, name)).collect())
    }

    pub fn user_roles(&self, customer: &CustomerId, user: &UserId) -> R<Vec<DirectoryRole>> {
        let c = self.customer(customer)?;
        c.active_user(user)?;
        Ok(ROLES
            .iter()
            .filter(|(id, _)| c.role_members.get(*id).is_some_and(|m| m.contains(user)))
            .map(|(id, name)| role(id, name))
            .collect())
    }

    pub fn role_members(&self, customer: &CustomerId, role_id: &RoleId) -> R<Vec<UserMember>> {
        let c = self.customer(customer)?;
        let role_id = known_role(role_id)?;
        Ok(c.role_members
            .get(role_id)
            .map(|members| {
                members
                    .iter()
                    .filter_map(|m| c.active_user(m).ok())
                    .map(|u| member(&u.user, role_id))
                    .collect()
            })
            .unwrap_or_default())
    }

    pub fn add_role_member(
        &mut self,
        customer: &CustomerId,
        role_id: &RoleId,
        body: UserMember,
    ) -> R<UserMember> {
        let role_id = known_role(role_id)?;
        let c = self.customer_mut(customer)?;
        let user = c.active_user(&body.id)?.user.clone();
        let members = c.role_members.entry(role_id.to_owned()).or_default();
        if members.contains(&body.id) {
            return err(409, "60019", "The user is already a member of this role.");
        }
        members.push(body.id.clone());
        Ok(member(&user, role_id))
    }

    pub fn remove_role_member(
        &mut self,
        customer: &CustomerId,
        role_id: &RoleId,
        user: &UserId,
    ) -> R<()> {
        let role_id = known_role(role_id)?;
        let c = self.customer_mut(customer)?;
        let members = c.role_members.entry(role_id.to_owned()).or_default();
        let before = members.len();
        members.retain(|m| m != user);
        if members.len() == before {
            return err(404, "60020", "The user is not a member of this role.");
        }
        Ok(())
    }

    // ---- Subscriptions ----

    pub fn subscriptions(
        &self,
        customer: &CustomerId,
        order: Option<&OrderId>,
    ) -> R<Vec<Subscription>> {
        Ok(self
            .customer(customer)?
            .subscriptions
            .iter()
            .filter(|s| order.is_none_or(|o| s.sub.order_id.as_ref() == Some(o)))
            .map(|s| s.sub.clone())
            .collect())
    }

    pub fn subscription(&self, customer: &CustomerId, id: &SubscriptionId) -> R<Subscription> {
        self.customer(customer)?
            .subscriptions
            .iter()
            .find(|s| s.sub.id == *id)
            .map(|s| s.sub.clone())
            .ok_or_else(sub_missing)
    }

    /// The documented PATCH: the whole resource with some fields changed.
    pub fn patch_subscription(
        &mut self,
        customer: &CustomerId,
        id: &SubscriptionId,
        body: Subscription,
        if_match: Option<&str>,
    ) -> R<Subscription> {
        let now = self.now();
        let c = self.customer_mut(customer)?;
        let pos = c.subscription_index(id)?;
        let current = c.subscriptions[pos].sub.clone();
        let term_start = c.subscriptions[pos].term_start;
        if let Some(tag) = if_match {
            let tag = tag.trim().trim_matches('"');
            if current.attributes.as_ref().and_then(|a| a.etag.as_deref()) != Some(tag) {
                return err(400, "2055", "Etag is no longer valid.");
            }
        }
        let status = current.status.clone().unwrap_or(SubscriptionStatus::Active);
        if status == SubscriptionStatus::Deleted {
            return err(400, "2011", "A deleted subscription cannot be updated.");
        }
        let item = current
            .offer_id
            .as_deref()
            .and_then(catalog::by_catalog_item_id);
        let in_window = now.unix_timestamp() - term_start <= CHANGE_WINDOW.whole_seconds();
        let mut next = current.clone();
        let new_status = body.status.clone().unwrap_or(status.clone());

        if body.quantity != 0 && body.quantity != current.quantity {
            if status == SubscriptionStatus::Suspended
                || new_status == SubscriptionStatus::Suspended
            {
                return err(
                    400,
                    "800091",
                    "The quantity of a suspended subscription cannot be changed.",
                );
            }
            let (min, max) = item.map_or((1, 10_000), |i| (i.min_quantity, i.max_quantity));
            if body.quantity < min || body.quantity > max {
                return err(
                    400,
                    "2002",
                    format!("Quantity must be between {min} and {max}."),
                );
            }
            if body.quantity < current.quantity && current.is_nce() && !in_window {
                return err(
                    400,
                    "800090",
                    "Subscription quantity cannot be decreased after the first 7 days of the term; \
                     schedule the change for renewal instead.",
                );
            }
            if body.quantity < current.quantity {
                let licensed = item.map_or(0, |i| c.consumed(&SkuId::new(i.license_sku)));
                let other =
                    item.map_or(0, |i| c.units(&SkuId::new(i.license_sku)).0) - current.quantity;
                if other + body.quantity < licensed {
                    return err(
                        400,
                        "800095",
                        format!(
                            "{licensed} licenses are assigned; remove some before reducing seats."
                        ),
                    );
                }
            }
            next.quantity = body.quantity;
        }
        if new_status != status {
            match new_status {
                SubscriptionStatus::Suspended | SubscriptionStatus::Active => {}
                SubscriptionStatus::Deleted => {
                    if current.is_nce() && !in_window {
                        return err(
                            400,
                            "800096",
                            "The subscription can only be cancelled within 7 days of purchase or renewal.",
                        );
                    }
                    next.auto_renew_enabled = Some(false);
                }
                other => {
                    return err(
                        400,
                        "800096",
                        format!("The status cannot be changed to {other}."),
                    )
                }
            }
            next.status = Some(new_status);
        }
        if let Some(name) = body
            .friendly_name
            .filter(|n| Some(n) != current.friendly_name.as_ref())
        {
            next.friendly_name = Some(name);
        }
        if let Some(auto) = body.auto_renew_enabled {
            next.auto_renew_enabled = Some(auto);
        }
        if body.scheduled_next_term_instructions != current.scheduled_next_term_instructions {
            if body.scheduled_next_term_instructions.is_some()
                && next.auto_renew_enabled != Some(true)
            {
                return err(400, "800002", "Scheduled changes need auto-renew to be on.");
            }
            next.scheduled_next_term_instructions = body.scheduled_next_term_instructions;
        }
        if let Some(a) = next.attributes.as_mut() {
            a.etag = Some(new_etag());
        }
        c.subscriptions[pos].sub = next.clone();
        Ok(next)
    }

    /// A change made directly in Partner Center, outside Seatwise: no rules applied.
    pub fn outside_change(
        &mut self,
        customer: &CustomerId,
        id: &SubscriptionId,
        quantity: Option<i64>,
        status: Option<SubscriptionStatus>,
        friendly_name: Option<String>,
    ) -> R<Subscription> {
        let c = self.customer_mut(customer)?;
        let pos = c.subscription_index(id)?;
        let rec = &mut c.subscriptions[pos];
        if let Some(q) = quantity {
            rec.sub.quantity = q;
        }
        if let Some(s) = status {
            rec.sub.status = Some(s);
        }
        if let Some(n) = friendly_name {
            rec.sub.friendly_name = Some(n);
        }
        if let Some(a) = rec.sub.attributes.as_mut() {
            a.etag = Some(new_etag());
        }
        Ok(rec.sub.clone())
    }

    pub fn provisioning_status(
        &self,
        customer: &CustomerId,
        id: &SubscriptionId,
    ) -> R<SubscriptionProvisioningStatus> {
        let sub = self.subscription(customer, id)?;
        let item = sub
            .offer_id
            .as_deref()
            .and_then(catalog::by_catalog_item_id);
        Ok(SubscriptionProvisioningStatus {
            sku_id: item.map(|i| i.license_sku.to_owned()),
            status: Some("success".into()),
            quantity: Some(sub.quantity),
            end_date: sub.commitment_end_date,
            attributes: Attributes::of("SubscriptionProvisioningStatus"),
        })
    }

    // ---- Carts and orders ----

    pub fn create_cart(&mut self, customer: &CustomerId, mut cart: Cart) -> R<Cart> {
        let now = self.wire_now();
        let c = self.customer_mut(customer)?;
        validate_lines(&mut cart.line_items);
        let id = CartId::new(Uuid::new_v4().to_string());
        cart.id = Some(id.clone());
        cart.creation_timestamp = Some(now);
        cart.last_modified_timestamp = Some(now);
        cart.expiration_timestamp = Some(WireTime(now.0 + Duration::days(7)));
        cart.status = Some("Active".into());
        cart.links = Some(Links {
            self_link: Some(Link::get(format!("/customers/{customer}/carts/{id}"))),
            ..Links::default()
        });
        cart.attributes = Attributes::of("Cart");
        c.carts.push(cart.clone());
        Ok(cart)
    }

    pub fn cart(&self, customer: &CustomerId, id: &CartId) -> R<Cart> {
        self.customer(customer)?
            .carts
            .iter()
            .find(|k| k.id.as_ref() == Some(id))
            .cloned()
            .ok_or_else(cart_missing)
    }

    pub fn update_cart(&mut self, customer: &CustomerId, id: &CartId, mut body: Cart) -> R<Cart> {
        let now = self.wire_now();
        let cart = self.customer_mut(customer)?.active_cart(id)?;
        validate_lines(&mut body.line_items);
        cart.line_items = body.line_items;
        cart.last_modified_timestamp = Some(now);
        Ok(cart.clone())
    }

    /// Buys every valid line: one order, one subscription per line.
    pub fn checkout(&mut self, customer: &CustomerId, id: &CartId) -> R<CartCheckoutResult> {
        let now = self.now();
        let c = self.customer_mut(customer)?;
        let cart = c.active_cart(id)?;
        if cart.line_items.is_empty() || cart.line_items.iter().any(|l| l.error.is_some()) {
            return err(
                400,
                "800009",
                "Error in cart items; fix the lines with errors.",
            );
        }
        cart.status = Some("Ordered".into());
        let lines: Vec<OrderLineItem> = cart
            .line_items
            .iter()
            .map(|l| OrderLineItem {
                offer_id: l.catalog_item_id.clone(),
                friendly_name: l.friendly_name.clone(),
                quantity: l.quantity,
                term_duration: l.term_duration.clone(),
                ..OrderLineItem::default()
            })
            .collect();
        let cycle = cart
            .line_items
            .first()
            .and_then(|l| l.billing_cycle.clone());
        let order = place_order(c, customer, lines, cycle, now);
        Ok(CartCheckoutResult {
            orders: vec![order],
            order_errors: Vec::new(),
        })
    }

    /// The offer path: an order placed directly, one subscription per line.
    pub fn create_order(&mut self, customer: &CustomerId, order: Order) -> R<Order> {
        let now = self.now();
        let c = self.customer_mut(customer)?;
        if order.line_items.is_empty() {
            return err(400, "800002", "An order needs at least one line item.");
        }
        for line in &order.line_items {
            let Some(item) = catalog::by_catalog_item_id(&line.offer_id) else {
                return err(
                    400,
                    "800004",
                    format!("The offer id {} is not valid.", line.offer_id),
                );
            };
            if line.quantity < item.min_quantity || line.quantity > item.max_quantity {
                return err(
                    403,
                    "800067",
                    format!(
                        "Quantity must be between {} and {}.",
                        item.min_quantity, item.max_quantity
                    ),
                );
            }
        }
        Ok(place_order(
            c,
            customer,
            order.line_items,
            order.billing_cycle,
            now,
        ))
    }

    pub fn order_provisioning_status(
        &self,
        customer: &CustomerId,
        id: &OrderId,
    ) -> R<Vec<OrderLineProvisioningStatus>> {
        let order = self.order(customer, id)?;
        Ok(order
            .line_items
            .iter()
            .map(|l| OrderLineProvisioningStatus {
                order_line_item_id: None,
                line_item_number: l.line_item_number,
                status: Some("fulfilled".into()),
                quantity_provisioning_information: vec![QuantityProvisioning {
                    quantity: l.quantity,
                    status: Some("fulfilled".into()),
                }],
            })
            .collect())
    }

    /// Other catalog items a subscription can move to: every different item that takes its
    /// seat count.
    pub fn transition_eligibilities(
        &self,
        customer: &CustomerId,
        id: &SubscriptionId,
    ) -> R<Vec<TransitionEligibility>> {
        let sub = self.subscription(customer, id)?;
        let from = sub.offer_id.clone().unwrap_or_default();
        Ok(catalog::ITEMS
            .iter()
            .filter(|i| i.catalog_item_id() != from)
            .map(|i| {
                let fits = sub.quantity <= i.max_quantity;
                TransitionEligibility {
                    catalog_item_id: i.catalog_item_id(),
                    title: Some(i.title.to_owned()),
                    description: Some(format!("Move to {}", i.title)),
                    quantity: Some(sub.quantity),
                    eligibilities: vec![Eligibility {
                        is_eligible: fits && sub.status == Some(SubscriptionStatus::Active),
                        transition_type: Some("transition_with_license_transfer".into()),
                        errors: if fits {
                            Vec::new()
                        } else {
                            vec![EligibilityError {
                                code: "800067".into(),
                                description: Some(
                                    "The seat count is over the target's maximum.".into(),
                                ),
                            }]
                        },
                    }],
                    attributes: Attributes::of("TransitionEligibility"),
                }
            })
            .collect())
    }

    /// Moves seats to another catalog item: a new subscription, fewer seats (or none) on the
    /// old one, and, with license transfer, the users' licenses moved along.
    pub fn transition(
        &mut self,
        customer: &CustomerId,
        id: &SubscriptionId,
        request: Transition,
    ) -> R<Transition> {
        let now = self.now();
        let c = self.customer_mut(customer)?;
        let pos = c.subscription_index(id)?;
        let source = c.subscriptions[pos].sub.clone();
        if source.status != Some(SubscriptionStatus::Active) {
            return err(
                400,
                "800096",
                "Only an active subscription can be transitioned.",
            );
        }
        let Some(target) = catalog::by_catalog_item_id(&request.to_catalog_item_id) else {
            return err(
                400,
                "800004",
                "toCatalogItemId is not a valid catalog item.",
            );
        };
        if source.offer_id.as_deref() == Some(request.to_catalog_item_id.as_str()) {
            return err(
                400,
                "800002",
                "The subscription is already on that catalog item.",
            );
        }
        let quantity = request.quantity.unwrap_or(source.quantity);
        if quantity < 1 || quantity > source.quantity {
            return err(
                400,
                "800002",
                format!("quantity must be between 1 and {}.", source.quantity),
            );
        }
        let term = request
            .term_duration
            .clone()
            .or(source.term_duration.clone())
            .unwrap_or_else(|| "P1Y".into());
        let line = CartLineItem {
            catalog_item_id: request.to_catalog_item_id.clone(),
            quantity,
            billing_cycle: request
                .billing_cycle
                .clone()
                .or(source.billing_cycle.clone()),
            ..CartLineItem::default()
        };
        let order = source.order_id.clone().unwrap_or_default();
        let new_sub = new_subscription(
            customer,
            new_subscription_id(),
            target,
            &line,
            &term,
            &order,
            now,
        );
        let new_id = new_sub.id.clone();
        c.subscriptions.push(SubRec {
            sub: new_sub,
            term_start: now.unix_timestamp(),
        });
        let remaining = source.quantity - quantity;
        {
            let s = &mut c.subscriptions[pos].sub;
            s.quantity = remaining;
            if remaining == 0 {
                s.status = Some(SubscriptionStatus::Deleted);
                s.auto_renew_enabled = Some(false);
            }
            if let Some(a) = s.attributes.as_mut() {
                a.etag = Some(new_etag());
            }
        }
        let with_licenses = request
            .transition_type
            .as_deref()
            .is_none_or(|t| t.eq_ignore_ascii_case("transition_with_license_transfer"));
        if let (true, Some(from_item)) = (
            with_licenses,
            source
                .offer_id
                .as_deref()
                .and_then(catalog::by_catalog_item_id),
        ) {
            let (from_sku, to_sku) = (
                SkuId::new(from_item.license_sku),
                SkuId::new(target.license_sku),
            );
            let mut moved = 0;
            for u in c.users.iter_mut().filter(|u| u.deleted_at.is_none()) {
                if moved == quantity {
                    break;
                }
                if u.licenses.contains(&from_sku) {
                    u.licenses.retain(|s| *s != from_sku);
                    if !u.licenses.contains(&to_sku) {
                        u.licenses.push(to_sku.clone());
                    }
                    moved += 1;
                }
            }
        }
        Ok(Transition {
            id: Some(Uuid::new_v4().to_string()),
            from_catalog_item_id: source.offer_id.clone(),
            from_subscription_id: Some(source.id.clone()),
            to_catalog_item_id: request.to_catalog_item_id,
            to_subscription_id: Some(new_id),
            quantity: Some(quantity),
            term_duration: Some(term),
            billing_cycle: line.billing_cycle,
            transition_type: Some(
                if with_licenses {
                    "transition_with_license_transfer"
                } else {
                    "transition_only"
                }
                .into(),
            ),
            status: Some("Completed".into()),
            events: vec![TransitionEvent {
                name: Some("Transition".into()),
                status: Some("Completed".into()),
                timestamp: Some(WireTime(now)),
            }],
        })
    }

    pub fn orders(&self, customer: &CustomerId) -> R<Vec<Order>> {
        Ok(self.customer(customer)?.orders.clone())
    }

    pub fn order(&self, customer: &CustomerId, id: &OrderId) -> R<Order> {
        self.customer(customer)?
            .orders
            .iter()
            .find(|o| o.id.as_ref() == Some(id))
            .cloned()
            .map_or_else(|| err(404, "20000", "Order not found."), Ok)
    }
}

impl CustomerRec {
    /// A cart that can still be changed or checked out.
    fn active_cart(&mut self, id: &CartId) -> R<&mut Cart> {
        let cart = self
            .carts
            .iter_mut()
            .find(|k| k.id.as_ref() == Some(id))
            .ok_or_else(cart_missing)?;
        if cart.status.as_deref() != Some("Active") {
            return err(400, "800065", "The cart has already been submitted.");
        }
        Ok(cart)
    }

    fn owns_domain(&self, domain: &str) -> bool {
        self.customer.domain().eq_ignore_ascii_case(domain)
            || self
                .customer
                .custom_domains
                .iter()
                .any(|d| d.eq_ignore_ascii_case(domain))
    }

    fn check_upn_free(&self, upn: &str, except: Option<&UserId>) -> R<()> {
        let taken = self.users.iter().any(|u| {
            u.deleted_at.is_none()
                && u.user.id.as_ref() != except
                && u.user
                    .user_principal_name
                    .as_deref()
                    .is_some_and(|x| x.eq_ignore_ascii_case(upn))
        });
        if taken {
            return err(
                409,
                codes::DUPLICATE_USER_NAME,
                "Another object with the same value for property userPrincipalName already exists.",
            );
        }
        Ok(())
    }

    fn subscription_index(&self, id: &SubscriptionId) -> R<usize> {
        self.subscriptions
            .iter()
            .position(|s| s.sub.id == *id)
            .ok_or_else(sub_missing)
    }

    pub fn active_user(&self, user: &UserId) -> R<&UserRec> {
        self.users
            .iter()
            .find(|u| u.user.id.as_ref() == Some(user) && u.deleted_at.is_none())
            .ok_or_else(user_missing)
    }

    /// Catalog items this tenant holds a subscription to (any status but deleted).
    fn license_skus(&self) -> Vec<&'static CatalogItem> {
        let mut items: Vec<&'static CatalogItem> = Vec::new();
        for s in &self.subscriptions {
            if s.sub.status == Some(SubscriptionStatus::Deleted) {
                continue;
            }
            if let Some(item) = s
                .sub
                .offer_id
                .as_deref()
                .and_then(catalog::by_catalog_item_id)
            {
                if !items.iter().any(|i| i.license_sku == item.license_sku) {
                    items.push(item);
                }
            }
        }
        items
    }

    /// (active, suspended) seats for a licensing SKU across subscriptions.
    pub fn units(&self, sku: &SkuId) -> (i64, i64) {
        let mut active = 0;
        let mut suspended = 0;
        for s in &self.subscriptions {
            let Some(item) = s
                .sub
                .offer_id
                .as_deref()
                .and_then(catalog::by_catalog_item_id)
            else {
                continue;
            };
            if SkuId::new(item.license_sku) != *sku {
                continue;
            }
            match s.sub.status.clone().unwrap_or(SubscriptionStatus::Active) {
                SubscriptionStatus::Active | SubscriptionStatus::Pending => {
                    active += s.sub.quantity
                }
                SubscriptionStatus::Suspended => suspended += s.sub.quantity,
                _ => {}
            }
        }
        (active, suspended)
    }

    pub fn consumed(&self, sku: &SkuId) -> i64 {
        self.users
            .iter()
            .filter(|u| u.deleted_at.is_none() && u.licenses.contains(sku))
            .count() as i64
    }

    pub fn available(&self, sku: &SkuId) -> i64 {
        self.units(sku).0 - self.consumed(sku)
    }
}

/// One order with one new subscription per line (lines already validated).
fn place_order(
    c: &mut CustomerRec,
    customer: &CustomerId,
    lines: Vec<OrderLineItem>,
    billing_cycle: Option<BillingCycle>,
    now: OffsetDateTime,
) -> Order {
    let order_id = OrderId::new(Uuid::new_v4().to_string());
    let mut order_lines = Vec::new();
    for (n, line) in lines.into_iter().enumerate() {
        let Some(item) = catalog::by_catalog_item_id(&line.offer_id) else {
            continue;
        };
        let term = line.term_duration.clone().unwrap_or_else(|| "P1Y".into());
        let cart_line = CartLineItem {
            catalog_item_id: line.offer_id.clone(),
            quantity: line.quantity,
            billing_cycle: billing_cycle.clone(),
            friendly_name: line.friendly_name.clone(),
            ..CartLineItem::default()
        };
        let sub = new_subscription(
            customer,
            new_subscription_id(),
            item,
            &cart_line,
            &term,
            &order_id,
            now,
        );
        let sub_id = sub.id.clone();
        c.subscriptions.push(SubRec {
            sub,
            term_start: now.unix_timestamp(),
        });
        order_lines.push(OrderLineItem {
            line_item_number: n as i64,
            subscription_id: Some(sub_id),
            term_duration: Some(term),
            transaction_type: Some("New".into()),
            ..line
        });
    }
    let order = Order {
        id: Some(order_id.clone()),
        alternate_id: Some(order_id.as_str()[..12].to_owned()),
        reference_customer_id: Some(customer.to_string()),
        billing_cycle,
        transaction_type: Some("UserPurchase".into()),
        currency_code: Some("USD".into()),
        currency_symbol: Some("$".into()),
        line_items: order_lines,
        creation_date: Some(WireTime(now)),
        status: Some("completed".into()),
        links: Some(Links {
            self_link: Some(Link::get(format!(
                "/customers/{customer}/orders/{order_id}"
            ))),
            ..Links::default()
        }),
        attributes: Attributes::of("Order"),
    };
    c.orders.push(order.clone());
    order
}

fn renew_if_due(s: &mut SubRec, now: OffsetDateTime) {
    let Some(end) = s.sub.commitment_end_date else {
        return;
    };
    if now < end.0 || s.sub.status != Some(SubscriptionStatus::Active) {
        return;
    }
    if s.sub.auto_renew_enabled != Some(true) {
        s.sub.status = Some(SubscriptionStatus::Expired);
        return;
    }
    let term = term_length(s.sub.term_duration.as_deref().unwrap_or("P1Y"));
    let mut start = end.0;
    while start + term <= now {
        start += term;
    }
    s.term_start = start.unix_timestamp();
    s.sub.effective_start_date = Some(WireTime(start));
    s.sub.commitment_end_date = Some(WireTime(start + term));
    s.sub.cancellation_allowed_until_date = Some(WireTime(start + CHANGE_WINDOW));
    if let Some(next) = s.sub.scheduled_next_term_instructions.take() {
        if let Some(q) = next.quantity {
            s.sub.quantity = q;
        }
    }
}

/// A new NCE subscription as the service creates it at purchase (`now`).
pub(crate) fn new_subscription(
    customer: &CustomerId,
    id: SubscriptionId,
    item: &CatalogItem,
    line: &CartLineItem,
    term: &str,
    order: &OrderId,
    now: OffsetDateTime,
) -> Subscription {
    Subscription {
        offer_id: Some(item.catalog_item_id()),
        offer_name: Some(item.title.to_owned()),
        friendly_name: Some(
            line.friendly_name
                .clone()
                .unwrap_or_else(|| item.title.to_owned()),
        ),
        product_type: Some(catalog::nce()),
        quantity: line.quantity,
        unit_type: Some("Licenses".into()),
        creation_date: Some(WireTime(now)),
        effective_start_date: Some(WireTime(now)),
        commitment_end_date: Some(WireTime(now + term_length(term))),
        cancellation_allowed_until_date: Some(WireTime(now + CHANGE_WINDOW)),
        status: Some(SubscriptionStatus::Active),
        auto_renew_enabled: Some(true),
        billing_type: Some(BillingType::License),
        billing_cycle: Some(line.billing_cycle.clone().unwrap_or(BillingCycle::Monthly)),
        term_duration: Some(term.to_owned()),
        renewal_term_duration: Some(String::new()),
        is_trial: Some(false),
        is_microsoft_product: Some(true),
        publisher_name: Some("Microsoft Corporation".into()),
        partner_id: Some(String::new()),
        contract_type: Some("subscription".into()),
        refund_options: vec![RefundOption {
            kind: Some("Full".into()),
            expires_at: Some(WireTime(now + CHANGE_WINDOW)),
            expires_after: None,
        }],
        actions: vec!["edit".into(), "cancel".into()],
        order_id: Some(order.clone()),
        links: Some(Links {
            self_link: Some(Link::get(format!(
                "/customers/{customer}/subscriptions/{id}"
            ))),
            other: [(
                "product".to_owned(),
                Link::get(format!("/products/{}?country=US", item.product_id)),
            )]
            .into(),
            ..Links::default()
        }),
        attributes: Some(Attributes {
            object_type: Some("Subscription".into()),
            etag: Some(new_etag()),
        }),
        id,
        ..Subscription::default()
    }
}

fn new_subscription_id() -> SubscriptionId {
    SubscriptionId::new(Uuid::new_v4().to_string().to_uppercase())
}

/// Marks lines the service could not sell with a line error, as carts do.
fn validate_lines(lines: &mut [CartLineItem]) {
    for (n, line) in lines.iter_mut().enumerate() {
        if line.id.is_none() {
            line.id = Some(n as i64);
        }
        line.order_group = Some("0".into());
        line.error = match catalog::by_catalog_item_id(&line.catalog_item_id) {
            None => Some(CartError {
                error_code: "10001".into(),
                error_description: Some("The catalog item id is not valid.".into()),
            }),
            Some(item)
                if line.quantity < item.min_quantity || line.quantity > item.max_quantity =>
            {
                Some(CartError {
                    error_code: "10010".into(),
                    error_description: Some(format!(
                        "Quantity must be between {} and {}.",
                        item.min_quantity, item.max_quantity
                    )),
                })
            }
            Some(_) => None,
        };
        if line.currency_code.is_none() {
            line.currency_code = Some("USD".into());
        }
    }
}

fn sub_missing() -> EmuError {
    not_found("20003", "Subscription not found.")
}

fn cart_missing() -> EmuError {
    not_found("800008", "Cart id not found.")
}

fn known_role(id: &RoleId) -> R<&'static str> {
    ROLES
        .iter()
        .find(|(r, _)| RoleId::new(*r) == *id)
        .map(|(r, _)| *r)
        .map_or_else(|| err(404, "1000", "Directory role not found."), Ok)
}

fn role(id: &str, name: &str) -> DirectoryRole {
    DirectoryRole {
        id: RoleId::new(id),
        name: Some(name.to_owned()),
        attributes: Attributes::of("DirectoryRole"),
    }
}

fn member(user: &CustomerUser, role_id: &str) -> UserMember {
    UserMember {
        id: user.id.clone().unwrap_or_default(),
        display_name: user.display_name.clone(),
        user_principal_name: user.user_principal_name.clone(),
        role_id: Some(RoleId::new(role_id)),
        attributes: Attributes::of("UserMember"),
    }
}

fn product_sku(item: &CatalogItem, with_target: bool) -> ProductSku {
    ProductSku {
        id: Some(SkuId::new(item.license_sku)),
        name: Some(item.title.to_owned()),
        sku_part_number: Some(item.sku_part_number.to_owned()),
        target_type: with_target.then(|| "User".to_owned()),
        license_group_id: Some("group1".into()),
    }
}

fn service_plans(item: &CatalogItem, status: &str) -> Vec<ServicePlan> {
    item.service_plans
        .iter()
        .enumerate()
        .map(|(n, (name, service))| ServicePlan {
            display_name: Some((*name).to_owned()),
            service_name: Some((*service).to_owned()),
            id: Some(format!("{}-{n:04}", &item.license_sku[..23])),
            capability_status: Some(status.to_owned()),
            target_type: Some("User".into()),
        })
        .collect()
}

/// Azure AD's rule: at least 8 characters and three of upper, lower, digit, symbol.
fn check_password(password: &str) -> R<()> {
    let classes = [
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_ascii_alphanumeric()),
    ];
    if password.chars().count() < 8 || classes.iter().filter(|x| **x).count() < 3 {
        return err(
            400,
            codes::WEAK_PASSWORD,
            "The specified password does not comply with password complexity requirements. \
             Use at least 8 characters with three of: upper case, lower case, digits, symbols.",
        );
    }
    Ok(())
}

fn check_country(code: &str) -> R<()> {
    if code.len() != 2 || !code.chars().all(|c| c.is_ascii_alphabetic()) {
        return err(
            400,
            "800002",
            format!("{code:?} is not a two-letter country code."),
        );
    }
    Ok(())
}
