//! Customers, their users, licenses and directory roles.

use partner_center::{error::codes, ids::*, wire::*};
use uuid::Uuid;

use crate::catalog::{self};

use super::*;

impl World {
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

    /// A tenant's global administrator accepted the partner's reseller relationship invitation
    /// (in Microsoft's admin center, §16): the tenant becomes one of the partner's customers,
    /// with its own domain. A domain in use is refused.
    pub fn accept_relationship(&mut self, company: &str, domain: &str) -> R<Customer> {
        let address = Address {
            country: Some("US".into()),
            ..Address::default()
        };
        let body = Customer {
            company_profile: Some(CompanyProfile {
                domain: Some(domain.to_owned()),
                ..CompanyProfile::default()
            }),
            billing_profile: Some(BillingProfile {
                company_name: Some(company.to_owned()),
                email: Some(format!("admin@{domain}")),
                default_address: Some(address),
                ..BillingProfile::default()
            }),
            ..Customer::default()
        };
        let mut created = self.create_customer(body)?;
        created.user_credentials = None;
        Ok(created)
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
            let rec = &mut c.users[index];
            let held: Vec<String> = rec
                .licenses
                .iter()
                .map(|s| s.as_str().to_lowercase())
                .collect();
            rec.plans_off.retain(|sku, _| held.contains(sku));
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
                // A plan turned off is left out of the user's plans.
                service_plans: service_plans(item, "Assigned")
                    .into_iter()
                    .filter(|p| {
                        !rec.plans_off
                            .get(&item.license_sku.to_lowercase())
                            .is_some_and(|off| off.iter().any(|o| Some(o) == p.id.as_ref()))
                    })
                    .collect(),
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
        let plans_off = plans_off(&update)?;
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
        for sku in &remove {
            rec.plans_off.remove(&sku.as_str().to_lowercase());
        }
        for sku in assign {
            if !rec.licenses.contains(&sku) {
                rec.licenses.push(sku);
            }
        }
        // Assigning a license again sets its plans anew (none excluded when not given).
        for (sku, off) in plans_off {
            if off.is_empty() {
                rec.plans_off.remove(&sku);
            } else {
                rec.plans_off.insert(sku, off);
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

/// The service plans each assignment turns off (their ids as the SKU gives them), by license SKU
/// id in lower case; an id that is not one of the SKU's plans is refused.
fn plans_off(update: &LicenseUpdate) -> R<Vec<(String, Vec<ServicePlanId>)>> {
    let mut out = Vec::new();
    for a in update.licenses_to_assign.iter().flatten() {
        let sku = a.sku_id.as_str().to_lowercase();
        let Some(item) = catalog::by_license_sku(&a.sku_id) else {
            continue;
        };
        let plans = service_plans(item, "Enabled");
        let mut off = Vec::new();
        for id in a.excluded_plans.iter().flatten() {
            let Some(plan) = plans
                .iter()
                .filter_map(|p| p.id.as_ref())
                .find(|p| *p == id)
            else {
                return err(
                    400,
                    codes::UNKNOWN_SERVICE_PLAN,
                    format!("The service plan {id} is not part of the SKU {}.", a.sku_id),
                );
            };
            if !off.contains(plan) {
                off.push(plan.clone());
            }
        }
        out.push((sku, off));
    }
    Ok(out)
}
