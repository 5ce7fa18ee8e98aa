//! Managing one customer's Office 365 users through Partner Center: create, edit (names,
//! location, role), licenses, delete, restore and passwords. Every change goes to Partner
//! Center first; only when it succeeded are the directory cache, the license transactions and
//! the outbox written, together, in one transaction.

use std::collections::HashMap;

use partner_center::{
    error::codes as pc_codes,
    wire::{
        CustomerUser, DirectoryRole, LicenseAssignment, LicenseUpdate, PasswordProfile,
        SubscribedSku, SubscriptionStatus, UserMember, UserState,
    },
    PartnerCenter, PcError, RoleId, ServicePlanId, SkuId, UserId,
};
use serde::{Deserialize, Serialize};
use sqlx::{Any, Transaction};
use uuid::Uuid;

use crate::{
    access::{ChangeScope, CustomerScope},
    history,
    subscriptions::{granting, Grant},
    time::now_millis,
    users::directory::{self, product_name, Held},
    Store, StoreError,
};

#[derive(Debug, thiserror::Error)]
pub enum UserError {
    /// Bad input for one field; the message says what is wrong. Nothing was changed.
    #[error("{message}")]
    Field {
        field: &'static str,
        message: String,
    },
    #[error("There are no {product} licenses left. Free one up or buy more, then try again.")]
    NoSeats { product: String },
    #[error("Set the user's location first: Microsoft needs it before licenses can be assigned.")]
    UsageLocationMissing,
    #[error("The user name {user_name} is taken by another user now.")]
    NameTaken { user_name: String },
    #[error("This user no longer exists in Partner Center.")]
    NotFound,
    #[error("Partner Center refused: {0}")]
    Refused(String),
    /// Licenses were missing and the subscription set to grow could not (the message says why
    /// and names any increase already made).
    #[error("{0}")]
    CannotGrow(String),
    /// Partner Center's answer never came and reading it back did not tell: the change may
    /// have happened.
    #[error("Partner Center has not confirmed this change yet. It may still have happened: check before trying again.")]
    Unconfirmed,
    #[error(transparent)]
    PartnerCenter(PcError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for UserError {
    fn from(e: sqlx::Error) -> Self {
        UserError::Store(e.into())
    }
}

/// A new user, as the create form gives it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct NewUser {
    pub first_name: String,
    pub last_name: String,
    pub display_name: String,
    /// The part before the `@`.
    pub user_name: String,
    /// One of the customer's domains.
    pub domain: String,
    pub usage_location: String,
    /// `None`: generate one.
    pub password: Option<String>,
    pub force_change: bool,
}

/// Changes from the edit dialog. `role`: `None` for no administrator role.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct UserEdit {
    pub first_name: String,
    pub last_name: String,
    pub display_name: String,
    pub usage_location: String,
    pub role: Option<RoleId>,
}

/// What the edit dialog shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EditForm {
    pub first_name: String,
    pub last_name: String,
    pub display_name: String,
    pub usage_location: Option<String>,
    /// (role id, name) of the tenant's directory roles.
    pub roles: Vec<(String, String)>,
    pub current_role: Option<String>,
}

/// One row of the licenses table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Product {
    pub sku_id: String,
    pub name: String,
    pub active: i64,
    pub consumed: i64,
    pub available: i64,
    pub suspended: i64,
    pub subscriptions: Vec<String>,
    /// The names of the product's service plans.
    pub plans: Vec<String>,
    /// Active users who have some of its plans off, as last read.
    pub users_with_plans_off: i64,
}

/// One service plan of a product in the Manage Licenses dialog.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanChoice {
    pub id: String,
    pub name: String,
    /// On for this user (every plan is on for a product it does not hold).
    pub on: bool,
}

/// One product the user can be given, for the Manage Licenses dialog.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LicenseOption {
    pub sku_id: String,
    /// The product name as Partner Center gives it.
    pub name: String,
    pub assigned: bool,
    /// Seats free right now (not counting this user's own).
    pub available: i64,
    pub plans: Vec<PlanChoice>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LicenseForm {
    pub usage_location: Option<String>,
    pub options: Vec<LicenseOption>,
}

/// What a license update did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LicenseOutcome {
    /// Warnings Partner Center returned with the update.
    pub warnings: Vec<String>,
    /// Subscriptions grown first because no license was free (auto-increase), in words.
    pub grown: Vec<String>,
}

/// The service plans to leave off one license (none: every plan on).
#[derive(Debug, Clone, PartialEq)]
pub struct PlansOff {
    pub sku: SkuId,
    pub off: Vec<ServicePlanId>,
}

/// Whether the user's licenses now (`held`) show a license update made: every license given is
/// held, none removed is, and each license's plans are as asked (where its plans are known).
fn applied(
    held: &[Held],
    assign: &[SkuId],
    remove: &[SkuId],
    plans: &[PlansOff],
    known: &HashMap<String, Vec<directory::Plan>>,
) -> bool {
    let holds = |sku: &SkuId| held.iter().find(|h| &h.sku == sku);
    let plans_as_asked = |p: &PlansOff| {
        let Some(on) = holds(&p.sku).and_then(|h| h.plans_on.as_ref()) else {
            return false;
        };
        let wanted_on = known
            .get(&p.sku.as_str().to_lowercase())
            .map(|k| {
                k.iter()
                    .filter(|k| !p.off.contains(&k.id))
                    .all(|k| on.contains(&k.id))
            })
            .unwrap_or(true);
        wanted_on && !p.off.iter().any(|o| on.contains(o))
    };
    assign.iter().all(|a| holds(a).is_some())
        && !remove.iter().any(|r| holds(r).is_some())
        && plans.iter().all(plans_as_asked)
}

/// A password that was set, and where the notice about it went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PasswordSet {
    /// The user's name (`ann@contoso.com`).
    pub user_name: String,
    pub password: String,
    pub notified: Option<String>,
}

/// Who acts, for the records.
#[derive(Debug, Clone)]
pub struct Actor {
    pub email: String,
    pub request_id: Option<String>,
}

/// One customer's users. Reads need a [`CustomerScope`]; changes (the `impl` for
/// [`ChangeScope`]) need the scope only [`crate::access::Access::authorize_change`] makes, so a
/// read-only role cannot reach them. It owns cheap clones of what it uses, so that a change can
/// run to its end on a task of its own.
pub struct UserAdmin<S> {
    pub(super) store: Store,
    pub(super) pc: PartnerCenter,
    pub(super) scope: S,
    pub(super) actor: Actor,
    /// The domains the customer verified, read from Partner Center once per handle.
    verified: tokio::sync::OnceCell<Vec<String>>,
}

impl<S: AsRef<CustomerScope>> UserAdmin<S> {
    pub fn new(store: Store, pc: PartnerCenter, scope: S, actor: Actor) -> Self {
        UserAdmin {
            store,
            pc,
            scope,
            actor,
            verified: tokio::sync::OnceCell::new(),
        }
    }

    pub(super) fn scope(&self) -> &CustomerScope {
        self.scope.as_ref()
    }

    pub(super) fn customer(&self) -> &partner_center::CustomerId {
        &self.scope().customer().id
    }

    /// Defence in depth: the user must belong to the scoped customer, by our cache or else by
    /// a read of `/customers/{scoped customer}/users/{id}`. Returns the user's name.
    pub(super) async fn owned(&self, user: &UserId) -> Result<String, UserError> {
        let cached = self.store.directory().user_name(self.scope(), user).await?;
        if !cached.is_empty() {
            return Ok(cached);
        }
        match self.pc.user(self.customer(), user).await {
            Ok(found) if found.id.as_ref() == Some(user) => {
                Ok(found.user_principal_name.unwrap_or_default())
            }
            Ok(_) => Err(UserError::NotFound),
            Err(e) => Err(user_error(e)),
        }
    }

    /// What the license transactions of a change name, read before it is written.
    pub(super) async fn ledger(&self) -> Result<Ledger, StoreError> {
        Ok(Ledger {
            names: self.store.directory().sku_names(self.scope()).await?,
            subscriptions: self.store.subscriptions().grants(self.customer()).await?,
            grants: self.licensing_skus().await?,
        })
    }

    /// What the catalog of the customer's connection says each SKU grants.
    pub(super) async fn licensing_skus(&self) -> Result<HashMap<String, String>, StoreError> {
        self.store
            .catalog()
            .licensing_skus(&self.scope().customer().connection_id)
            .await
    }

    /// The customer's name, as imported.
    pub fn customer_name(&self) -> String {
        self.scope().customer().company_name.clone()
    }

    /// The customer's id as our store keys it (lower case).
    pub fn customer_key(&self) -> String {
        self.customer().as_str().to_lowercase()
    }

    /// The newest license changes made through Seatwise.
    pub async fn license_changes(&self, limit: i64) -> Result<Vec<LicenseTransaction>, UserError> {
        Ok(license_transactions(&self.store, self.scope(), limit).await?)
    }

    /// The customer's domains for new user names: its default domain, the domains it verified
    /// (Partner Center, read once per handle; left out when it does not answer) and those its
    /// users have.
    pub async fn domains(&self) -> Result<Vec<String>, UserError> {
        let mut domains = vec![self.scope().customer().default_domain.to_lowercase()];
        let verified = self
            .verified
            .get_or_init(|| async {
                match self.pc.customer(self.customer()).await {
                    Ok(c) => c.custom_domains.iter().map(|d| d.to_lowercase()).collect(),
                    Err(e) => {
                        tracing::warn!(error = %e, "verified domains not read");
                        Vec::new()
                    }
                }
            })
            .await;
        let used = self.store.directory().user_domains(self.scope()).await?;
        for d in verified.iter().cloned().chain(used) {
            if !domains.contains(&d) {
                domains.push(d);
            }
        }
        Ok(domains)
    }

    /// Whether `domain` (lower case) is one of the customer's: the default domain and those of
    /// its users are known here; only another is looked for among the domains it verified.
    pub(super) async fn domain_allowed(&self, domain: &str) -> Result<bool, UserError> {
        if self
            .scope()
            .customer()
            .default_domain
            .eq_ignore_ascii_case(domain)
            || self
                .store
                .directory()
                .user_domains(self.scope())
                .await?
                .iter()
                .any(|d| d == domain)
        {
            return Ok(true);
        }
        Ok(self.domains().await?.iter().any(|d| d == domain))
    }

    /// The licenses table: every subscribed product with its seats and the subscriptions
    /// behind it, read now (two calls at once); the cache's seat counts are updated with it.
    pub async fn products(&self) -> Result<Vec<Product>, UserError> {
        let (skus, subscriptions) = tokio::try_join!(
            self.pc.subscribed_skus(self.customer()),
            self.pc.subscriptions(self.customer()),
        )
        .map_err(user_error)?;
        let grants = self.licensing_skus().await?;
        let subscriptions: Vec<Grant> = subscriptions
            .iter()
            .filter(|s| {
                !matches!(
                    s.status,
                    Some(SubscriptionStatus::Deleted | SubscriptionStatus::Expired)
                )
            })
            .map(Grant::from)
            .collect();
        let mut tx = self.store.pool().begin().await?;
        directory::set_skus(&mut tx, self.scope(), &skus).await?;
        tx.commit().await?;
        let cache = self.store.directory();
        let plans = cache.sku_plans(self.scope()).await?;
        let plans_off = cache.plans_off_counts(self.scope(), &plans).await?;
        let mut products: Vec<Product> = skus
            .iter()
            .map(|s| {
                let name = product_name(s);
                let sku_id = s
                    .product_sku
                    .id
                    .as_ref()
                    .map(|i| i.to_string().to_lowercase())
                    .unwrap_or_default();
                let subscriptions = granting(&sku_id, &name, &subscriptions, &grants)
                    .into_iter()
                    .map(|g| g.id.clone())
                    .collect();
                Product {
                    users_with_plans_off: plans_off.get(&sku_id).copied().unwrap_or(0),
                    sku_id,
                    name,
                    active: s.active_units,
                    consumed: s.consumed_units,
                    available: s.available_units,
                    suspended: s.suspended_units,
                    subscriptions,
                    plans: directory::sku_plans(s)
                        .into_iter()
                        .map(|p| p.name)
                        .collect(),
                }
            })
            .collect();
        products.sort_by_key(|p| p.name.to_lowercase());
        Ok(products)
    }

    /// The edit dialog's values, read fresh: the user, the tenant's roles and the user's role.
    pub async fn edit_form(&self, user: &UserId) -> Result<EditForm, UserError> {
        self.owned(user).await?;
        let (u, roles, mine) = tokio::try_join!(
            self.pc.user(self.customer(), user),
            self.pc.directory_roles(self.customer()),
            self.pc.user_roles(self.customer(), user),
        )
        .map_err(user_error)?;
        Ok(EditForm {
            first_name: u.first_name.unwrap_or_default(),
            last_name: u.last_name.unwrap_or_default(),
            display_name: u.display_name.unwrap_or_default(),
            usage_location: u.usage_location,
            roles: roles
                .into_iter()
                .map(|r| (r.id.to_string(), r.name.unwrap_or_else(|| "Role".into())))
                .collect(),
            current_role: mine.first().map(|r| r.id.to_string()),
        })
    }

    /// One of the customer's users, its licenses and the customer's subscribed SKUs, read
    /// from Partner Center now (three calls at once).
    pub(super) async fn read_licenses(
        &self,
        user: &UserId,
    ) -> Result<(CustomerUser, Vec<Held>, Vec<SubscribedSku>), UserError> {
        self.owned(user).await?;
        let (u, held, skus) = tokio::try_join!(
            self.pc.user(self.customer(), user),
            self.pc.user_licenses(self.customer(), user),
            self.pc.subscribed_skus(self.customer()),
        )
        .map_err(user_error)?;
        Ok((u, Held::all(held), skus))
    }

    /// The Manage Licenses dialog, read fresh (the user's licenses and the seats left).
    pub async fn license_form(&self, user: &UserId) -> Result<LicenseForm, UserError> {
        let (u, held, skus) = self.read_licenses(user).await?;
        let mut tx = self.store.pool().begin().await?;
        directory::set_user_licenses(&mut tx, self.scope(), user, &held).await?;
        directory::set_skus(&mut tx, self.scope(), &skus).await?;
        tx.commit().await?;
        let options = skus
            .iter()
            .filter(|s| assignable(s))
            .filter_map(|s| {
                let sku = s.product_sku.id.as_ref()?;
                let mine = held.iter().find(|h| &h.sku == sku);
                let plans = directory::sku_plans(s);
                let off = directory::plans_off(&plans, mine.and_then(|h| h.plans_on.as_deref()));
                Some(LicenseOption {
                    assigned: mine.is_some(),
                    name: product_name(s),
                    available: s.available_units.max(0),
                    sku_id: sku.as_str().to_lowercase(),
                    plans: plans
                        .iter()
                        .map(|p| PlanChoice {
                            id: p.id.as_str().to_lowercase(),
                            name: p.name.clone(),
                            on: !off.contains(&p),
                        })
                        .collect(),
                })
            })
            .collect();
        Ok(LicenseForm {
            usage_location: u.usage_location.filter(|l| !l.trim().is_empty()),
            options,
        })
    }
}

impl UserAdmin<ChangeScope> {
    #[tracing::instrument(skip_all, fields(customer.id = %self.customer()))]
    pub async fn create(
        &self,
        new: NewUser,
        notify: Option<String>,
    ) -> Result<(CustomerUser, PasswordSet), UserError> {
        let first_name = required("first_name", "First name", &new.first_name)?;
        let last_name = required("last_name", "Last name", &new.last_name)?;
        let display_name = required("display_name", "Display name", &new.display_name)?;
        let local = new.user_name.trim().to_lowercase();
        if !valid_local_part(&local) {
            return Err(field(
                "user_name",
                "Use letters, digits, dots, hyphens or underscores before the @.",
            ));
        }
        let domain = new.domain.trim().to_lowercase();
        if !self.domain_allowed(&domain).await? {
            return Err(field("domain", "Choose one of the customer's domains."));
        }
        let location = country("usage_location", &new.usage_location)?;
        let password = match new
            .password
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            Some(p) => typed_password(p)?,
            None => generate_password(),
        };
        let notify = notify_address(notify, None)?;
        let user_name = format!("{local}@{domain}");
        let body = CustomerUser {
            user_principal_name: Some(user_name.clone()),
            first_name: Some(first_name),
            last_name: Some(last_name),
            display_name: Some(display_name),
            usage_location: Some(location),
            password_profile: Some(PasswordProfile {
                password: Some(password.clone()),
                force_change_password: Some(new.force_change),
            }),
            ..CustomerUser::default()
        };
        let created = self.pc.create_user(self.customer(), &body).await;
        // Lost answer: the user exists now exactly when the user name is there.
        let created = settle(created, || async {
            let users = self
                .pc
                .users(self.customer(), partner_center::ops::USER_PAGE)
                .all()
                .await?;
            Ok(users.into_iter().find(|u| {
                u.user_principal_name
                    .as_deref()
                    .is_some_and(|n| n.eq_ignore_ascii_case(&user_name))
            }))
        })
        .await?;
        let Some(id) = created.id.clone() else {
            return Err(UserError::PartnerCenter(PcError::Decode(
                "the created user has no id".into(),
            )));
        };
        let mut tx = self.store.pool().begin().await?;
        directory::upsert_user(&mut tx, self.scope(), &created).await?;
        directory::set_user_licenses(&mut tx, self.scope(), &id, &[]).await?;
        // A new user cannot read its own mailbox yet: the notice goes only where asked.
        if let Some(to) = &notify {
            enqueue_password_mail(
                &mut tx,
                self.scope(),
                to,
                &user_name,
                &password,
                new.force_change,
            )
            .await?;
        }
        tx.commit().await?;
        let notified = notify;
        Ok((
            created,
            PasswordSet {
                user_name,
                password,
                notified,
            },
        ))
    }

    /// Applies the edit: the user's fields, then its role membership (one role at most).
    #[tracing::instrument(skip_all, fields(customer.id = %self.customer(), user.id = %user))]
    pub async fn update(&self, user: &UserId, edit: UserEdit) -> Result<(), UserError> {
        let body = CustomerUser {
            first_name: Some(required("first_name", "First name", &edit.first_name)?),
            last_name: Some(required("last_name", "Last name", &edit.last_name)?),
            display_name: Some(required(
                "display_name",
                "Display name",
                &edit.display_name,
            )?),
            usage_location: Some(country("usage_location", &edit.usage_location)?),
            ..CustomerUser::default()
        };
        self.owned(user).await?;
        let (roles, mine) = tokio::try_join!(
            self.pc.directory_roles(self.customer()),
            self.pc.user_roles(self.customer(), user),
        )
        .map_err(user_error)?;
        if let Some(role) = &edit.role {
            if !roles.iter().any(|r| &r.id == role) {
                return Err(field("role", "Choose one of the roles listed."));
            }
        }
        let updated = self.pc.update_user(self.customer(), user, &body).await;
        let updated = settle(updated, || async {
            let now = self.pc.user(self.customer(), user).await?;
            let same = now.first_name == body.first_name
                && now.last_name == body.last_name
                && now.display_name == body.display_name
                && now.usage_location == body.usage_location;
            Ok(same.then_some(now))
        })
        .await?;
        let in_role = |role: RoleId| async move {
            let roles = self.pc.user_roles(self.customer(), user).await?;
            Ok(roles.iter().any(|r| r.id == role))
        };
        for current in mine.iter().filter(|r| Some(&r.id) != edit.role.as_ref()) {
            let removed = self
                .pc
                .remove_role_member(self.customer(), &current.id, user)
                .await;
            settle(removed, || async {
                Ok((!in_role(current.id.clone()).await?).then_some(()))
            })
            .await?;
        }
        let mut now_roles: Vec<&DirectoryRole> = Vec::new();
        if let Some(role) = &edit.role {
            let found = roles.iter().find(|r| &r.id == role);
            if !mine.iter().any(|r| &r.id == role) {
                self.join_role(user, &updated, role).await?;
            }
            now_roles.extend(found);
        }
        let mut tx = self.store.pool().begin().await?;
        directory::upsert_user(&mut tx, self.scope(), &updated).await?;
        directory::set_user_roles(&mut tx, self.scope(), user, &now_roles).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Makes `u` (the user `user`) a member of `role` in Partner Center; a lost answer is
    /// settled by reading the user's roles.
    pub(super) async fn join_role(
        &self,
        user: &UserId,
        u: &CustomerUser,
        role: &RoleId,
    ) -> Result<(), UserError> {
        let member = UserMember {
            id: user.clone(),
            display_name: u.display_name.clone(),
            user_principal_name: u.user_principal_name.clone(),
            role_id: Some(role.clone()),
            attributes: None,
        };
        let added = self
            .pc
            .add_role_member(self.customer(), role, &member)
            .await;
        settle(added, || async {
            let now = self.pc.user_roles(self.customer(), user).await?;
            Ok(now.iter().any(|r| &r.id == role).then(|| member.clone()))
        })
        .await?;
        Ok(())
    }

    /// One Partner Center license update with every assignment and removal; then the user's
    /// licenses and the seat counts are read back and recorded with a transaction per change.
    #[tracing::instrument(skip_all, fields(customer.id = %self.customer(), user.id = %user))]
    pub async fn update_licenses(
        &self,
        user: &UserId,
        assign: &[SkuId],
        remove: &[SkuId],
        plans: &[PlansOff],
    ) -> Result<LicenseOutcome, UserError> {
        let assign = dedup(assign);
        let remove = dedup(remove);
        if assign.is_empty() && remove.is_empty() && plans.is_empty() {
            return Err(field(
                "licenses",
                "Nothing to change: switch a license or a service plan on or off first.",
            ));
        }
        if assign.iter().any(|a| remove.contains(a)) {
            return Err(field(
                "licenses",
                "A license cannot be assigned and removed at once.",
            ));
        }
        self.owned(user).await?;
        self.check_plans(user, &assign, &remove, plans).await?;
        let warnings = self.send_licenses(user, &assign, &remove, plans).await?;
        self.record_license_change(user, &assign, &remove, plans)
            .await?;
        Ok(LicenseOutcome {
            warnings,
            grown: Vec::new(),
        })
    }

    /// Service plans are set only on a license the user holds (as Partner Center says now, read
    /// when a held license's plans change: assigning it again must never give it anew) or is
    /// given in the same update, and only plans of that license (as last read); otherwise
    /// nothing is sent.
    async fn check_plans(
        &self,
        user: &UserId,
        assign: &[SkuId],
        remove: &[SkuId],
        plans: &[PlansOff],
    ) -> Result<(), UserError> {
        if plans.is_empty() {
            return Ok(());
        }
        let cache = self.store.directory();
        let held: Vec<SkuId> = if plans.iter().all(|p| assign.contains(&p.sku)) {
            Vec::new()
        } else {
            let now = self.pc.user_licenses(self.customer(), user).await;
            Held::all(now.map_err(user_error)?)
                .into_iter()
                .map(|h| h.sku)
                .collect()
        };
        let known = cache.sku_plans(self.scope()).await?;
        for p in plans {
            if remove.contains(&p.sku) {
                return Err(field(
                    "plans",
                    "A license being removed has no service plans to set.",
                ));
            }
            if !assign.contains(&p.sku) && !held.contains(&p.sku) {
                return Err(field(
                    "plans",
                    "Service plans are set on a license the user has: give the license too.",
                ));
            }
            let sku_plans = known
                .get(&p.sku.as_str().to_lowercase())
                .filter(|k| !k.is_empty());
            if let Some(sku_plans) = sku_plans {
                if p.off
                    .iter()
                    .any(|id| !sku_plans.iter().any(|k| &k.id == id))
                {
                    return Err(field(
                        "plans",
                        "That service plan is not part of the license: open Manage Licenses again.",
                    ));
                }
            }
        }
        Ok(())
    }

    /// Sends one license update (every assignment and removal together, and the service plans
    /// to leave off); a lost answer is settled by reading the user's licenses. Answers Partner
    /// Center's warnings.
    pub(super) async fn send_licenses(
        &self,
        user: &UserId,
        assign: &[SkuId],
        remove: &[SkuId],
        plans: &[PlansOff],
    ) -> Result<Vec<String>, UserError> {
        let off = |sku: &SkuId| {
            plans
                .iter()
                .find(|p| &p.sku == sku)
                .map(|p| p.off.clone())
                .filter(|off| !off.is_empty())
        };
        // A license held already whose plans change is assigned again with its new plans.
        let mut give = assign.to_vec();
        give.extend(
            plans
                .iter()
                .map(|p| p.sku.clone())
                .filter(|s| !assign.contains(s)),
        );
        let known = if plans.is_empty() {
            HashMap::new()
        } else {
            self.store.directory().sku_plans(self.scope()).await?
        };
        let update = LicenseUpdate {
            licenses_to_assign: Some(
                give.iter()
                    .map(|sku| LicenseAssignment {
                        sku_id: sku.clone(),
                        excluded_plans: off(sku),
                    })
                    .collect(),
            ),
            licenses_to_remove: Some(remove.to_vec()),
            ..LicenseUpdate::default()
        };
        let answer = match self
            .pc
            .update_licenses(self.customer(), user, &update)
            .await
        {
            Err(PcError::NotEnoughLicenses { .. }) => {
                let names = self.store.directory().sku_names(self.scope()).await?;
                let product = assign
                    .iter()
                    .map(|s| name_of(&names, s))
                    .collect::<Vec<_>>()
                    .join(" or ");
                return Err(UserError::NoSeats { product });
            }
            other => {
                settle(other, || async {
                    let held = Held::all(self.pc.user_licenses(self.customer(), user).await?);
                    let applied = applied(&held, assign, remove, plans, &known);
                    Ok(applied.then(LicenseUpdate::default))
                })
                .await?
            }
        };
        Ok(answer
            .license_warnings
            .iter()
            .map(|w| w.message.clone().unwrap_or_default())
            .filter(|m| !m.is_empty())
            .collect())
    }

    /// Soft-deletes the user (restorable for 30 days); its licenses are released.
    #[tracing::instrument(skip_all, fields(customer.id = %self.customer(), user.id = %user))]
    pub async fn delete(&self, user: &UserId) -> Result<(), UserError> {
        let upn = self.owned(user).await?;
        let held = self
            .store
            .directory()
            .user_licenses(self.scope(), user)
            .await?;
        let deleted = self.pc.delete_user(self.customer(), user).await;
        settle(deleted, || async {
            match self.pc.user(self.customer(), user).await {
                Err(PcError::NotFound { .. }) => Ok(Some(())),
                Ok(u) => Ok((u.state == Some(UserState::Inactive)).then_some(())),
                Err(e) => Err(e),
            }
        })
        .await?;
        let skus = self.pc.subscribed_skus(self.customer()).await.ok();
        let ledger = self.ledger().await?;
        let mut tx = self.store.pool().begin().await?;
        directory::mark_deleted(&mut tx, self.scope(), user, now_millis()).await?;
        let released: Vec<_> = held.iter().map(|sku| (sku, -1, "delete")).collect();
        self.record(&mut tx, user, &upn, &ledger, &released).await?;
        if let Some(skus) = &skus {
            directory::set_skus(&mut tx, self.scope(), skus).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Restores a deleted user, under a new user name (`local@domain`) when given; the
    /// licenses afterwards are what Microsoft returns.
    #[tracing::instrument(skip_all, fields(customer.id = %self.customer(), user.id = %user))]
    pub async fn restore(
        &self,
        user: &UserId,
        new_user_name: Option<String>,
    ) -> Result<(), UserError> {
        let old_name = self.owned(user).await?;
        let new_user_name = match new_user_name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
        {
            None => None,
            Some(name) => {
                let (local, domain) = name.split_once('@').unwrap_or((name, ""));
                if !valid_local_part(local) || !self.domain_allowed(&domain.to_lowercase()).await? {
                    return Err(field(
                        "user_name",
                        "Give a user name at one of the customer's domains, like ann.lee@contoso.com.",
                    ));
                }
                Some(name.to_lowercase())
            }
        };
        let body = CustomerUser {
            state: Some(UserState::Active),
            user_principal_name: new_user_name.clone(),
            ..CustomerUser::default()
        };
        let restored = match self.pc.update_user(self.customer(), user, &body).await {
            Err(PcError::Conflict { .. }) => {
                let user_name = new_user_name.unwrap_or(old_name);
                return Err(UserError::NameTaken { user_name });
            }
            other => {
                settle(other, || async {
                    let now = self.pc.user(self.customer(), user).await?;
                    Ok((now.state != Some(UserState::Inactive)).then_some(now))
                })
                .await?
            }
        };
        // What the user has now, as Partner Center says (licenses come back only where seats
        // are free; roles may not come back at all).
        let (held, skus, roles) = tokio::join!(
            self.pc.user_licenses(self.customer(), user),
            self.pc.subscribed_skus(self.customer()),
            self.pc.user_roles(self.customer(), user)
        );
        let held: Vec<Held> = held.map(Held::all).unwrap_or_default();
        let roles = roles.unwrap_or_default();
        let ledger = self.ledger().await?;
        let upn = restored.user_principal_name.clone().unwrap_or_default();
        let mut tx = self.store.pool().begin().await?;
        directory::upsert_user(&mut tx, self.scope(), &restored).await?;
        directory::set_user_licenses(&mut tx, self.scope(), user, &held).await?;
        directory::set_user_roles(
            &mut tx,
            self.scope(),
            user,
            &roles.iter().collect::<Vec<_>>(),
        )
        .await?;
        let returned: Vec<_> = held.iter().map(|h| (&h.sku, 1, "restore")).collect();
        self.record(&mut tx, user, &upn, &ledger, &returned).await?;
        if let Ok(skus) = &skus {
            directory::set_skus(&mut tx, self.scope(), skus).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Sets a new password (typed or generated) and sends the notice to `notify`, or to the
    /// user's own address when empty.
    #[tracing::instrument(skip_all, fields(customer.id = %self.customer(), user.id = %user))]
    pub async fn reset_password(
        &self,
        user: &UserId,
        password: Option<String>,
        force_change: bool,
        notify: Option<String>,
    ) -> Result<PasswordSet, UserError> {
        let upn = self.owned(user).await?;
        let password = match password.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
            Some(p) => typed_password(p)?,
            None => generate_password(),
        };
        let to = notify_address(notify, Some(&upn))?;
        let updated = self
            .pc
            .reset_password(self.customer(), user, &password, force_change)
            .await;
        // A password cannot be read back: a lost answer stays unconfirmed.
        let updated = settle(updated, || async { Err(PcError::Timeout) }).await?;
        let upn = updated.user_principal_name.clone().unwrap_or(upn);
        let mut tx = self.store.pool().begin().await?;
        if let Some(to) = &to {
            enqueue_password_mail(&mut tx, self.scope(), to, &upn, &password, force_change).await?;
        }
        tx.commit().await?;
        Ok(PasswordSet {
            user_name: upn,
            password,
            notified: to,
        })
    }

    /// After a license update: the user's licenses and the seats as Partner Center now reports
    /// them (or, if it does not answer, as the update implies), and a transaction per change.
    pub(super) async fn record_license_change(
        &self,
        user: &UserId,
        assign: &[SkuId],
        remove: &[SkuId],
        plans: &[PlansOff],
    ) -> Result<(), UserError> {
        let (held, skus) = tokio::join!(
            self.pc.user_licenses(self.customer(), user),
            self.pc.subscribed_skus(self.customer())
        );
        let directory = self.store.directory();
        let held: Vec<Held> = match held {
            Ok(h) => Held::all(h),
            Err(e) => {
                tracing::warn!(error = %e, "licenses not read back; using what the update implies");
                let mut held = directory.user_licenses(self.scope(), user).await?;
                held.retain(|s| !remove.contains(s));
                held.extend(assign.iter().cloned());
                let known = directory.sku_plans(self.scope()).await?;
                held.into_iter()
                    .map(|sku| {
                        let plans_on = plans.iter().find(|p| p.sku == sku).and_then(|p| {
                            let all = known.get(&sku.as_str().to_lowercase())?;
                            Some(
                                all.iter()
                                    .filter(|k| !p.off.contains(&k.id))
                                    .map(|k| k.id.clone())
                                    .collect(),
                            )
                        });
                        Held { sku, plans_on }
                    })
                    .collect()
            }
        };
        self.record_licenses_held(user, &held, skus.ok().as_deref(), assign, remove)
            .await
    }

    /// Records a license update Partner Center made: the user's licenses now (`held`), the
    /// seats when they were read (`skus`), and a transaction per change, in one transaction.
    pub(super) async fn record_licenses_held(
        &self,
        user: &UserId,
        held: &[Held],
        skus: Option<&[SubscribedSku]>,
        assign: &[SkuId],
        remove: &[SkuId],
    ) -> Result<(), UserError> {
        let directory = self.store.directory();
        let ledger = self.ledger().await?;
        let upn = directory.user_name(self.scope(), user).await?;
        let mut tx = self.store.pool().begin().await?;
        directory::set_user_licenses(&mut tx, self.scope(), user, held).await?;
        if let Some(skus) = skus {
            directory::set_skus(&mut tx, self.scope(), skus).await?;
        }
        let changes: Vec<_> = assign
            .iter()
            .map(|sku| (sku, 1, "assign"))
            .chain(remove.iter().map(|sku| (sku, -1, "remove")))
            .collect();
        self.record(&mut tx, user, &upn, &ledger, &changes).await?;
        tx.commit().await?;
        Ok(())
    }

    /// License transactions, one per (SKU, +1/-1, reason), in the caller's transaction.
    async fn record(
        &self,
        tx: &mut Transaction<'_, Any>,
        user: &UserId,
        upn: &str,
        ledger: &Ledger,
        changes: &[(&SkuId, i64, &str)],
    ) -> Result<(), sqlx::Error> {
        for (sku, delta, reason) in changes {
            let name = name_of(&ledger.names, sku);
            let sku = sku.as_str().to_lowercase();
            let subscriptions: Vec<&str> =
                granting(&sku, &name, &ledger.subscriptions, &ledger.grants)
                    .into_iter()
                    .map(|g| g.id.as_str())
                    .collect();
            // And in the subscription history, as a kind of its own.
            let entry = history::Entry {
                at: now_millis(),
                customer_id: self.customer().as_str().to_lowercase(),
                subscription_id: subscriptions
                    .first()
                    .copied()
                    .unwrap_or_default()
                    .to_owned(),
                product: name.clone(),
                kind: history::Kind::License,
                field: "license".into(),
                old_value: String::new(),
                new_value: format!(
                    "{} {upn} ({reason})",
                    if *delta > 0 {
                        format!("+{delta}")
                    } else {
                        delta.to_string()
                    }
                ),
                in_seatwise: true,
                actor: self.actor.email.clone(),
                role: String::new(),
                request_id: self.actor.request_id.clone().unwrap_or_default(),
            };
            history::append(tx, std::slice::from_ref(&entry)).await?;
            let transaction = NewTransaction {
                user_id: user.as_str().to_lowercase(),
                user_principal_name: upn.to_owned(),
                sku_id: sku,
                product_name: name,
                subscriptions: subscriptions.join(" "),
                delta: *delta,
                reason,
            };
            self.insert_transaction(&mut **tx, transaction).await?;
        }
        Ok(())
    }
}

impl<S: AsRef<CustomerScope>> UserAdmin<S> {
    /// Writes one license transaction by this actor.
    pub(super) async fn insert_transaction<'e, E>(
        &self,
        executor: E,
        t: NewTransaction<'_>,
    ) -> Result<(), sqlx::Error>
    where
        E: sqlx::Executor<'e, Database = Any>,
    {
        sqlx::query(
            "INSERT INTO license_transactions (id, at, actor, customer_id, user_id, \
             user_principal_name, sku_id, product_name, subscription_id, delta, reason, \
             request_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(Uuid::now_v7().to_string())
        .bind(now_millis())
        .bind(self.actor.email.clone())
        .bind(self.customer().as_str().to_lowercase())
        .bind(t.user_id)
        .bind(t.user_principal_name)
        .bind(t.sku_id)
        .bind(t.product_name)
        .bind(t.subscriptions)
        .bind(t.delta)
        .bind(t.reason.to_owned())
        .bind(self.actor.request_id.clone())
        .execute(executor)
        .await?;
        Ok(())
    }
}

/// One license transaction to write: a license given or taken (`user_id` the user's), or a
/// subscription grown for assignments (`user_id` empty, `user_principal_name` whom for).
pub(super) struct NewTransaction<'a> {
    pub(super) user_id: String,
    pub(super) user_principal_name: String,
    pub(super) sku_id: String,
    pub(super) product_name: String,
    /// Subscription ids, space-separated.
    pub(super) subscriptions: String,
    pub(super) delta: i64,
    pub(super) reason: &'a str,
}

/// What a license transaction names: the products' names, and the subscriptions it draws on
/// (the customer's stored subscriptions and what the catalog says their SKUs grant).
pub(super) struct Ledger {
    pub(super) names: Vec<(String, String)>,
    pub(super) subscriptions: Vec<Grant>,
    pub(super) grants: HashMap<String, String>,
}

/// A license transaction as the history shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LicenseTransaction {
    pub at: i64,
    pub actor: String,
    pub user_principal_name: String,
    pub product_name: String,
    pub sku_id: String,
    /// The subscriptions behind the SKU when it changed (empty when none was known).
    pub subscriptions: Vec<String>,
    pub delta: i64,
    pub reason: String,
}

/// The newest license transactions of a customer.
pub async fn license_transactions(
    store: &Store,
    scope: &CustomerScope,
    limit: i64,
) -> Result<Vec<LicenseTransaction>, StoreError> {
    type Row = (
        i64,
        String,
        String,
        String,
        String,
        Option<String>,
        i64,
        String,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT at, actor, user_principal_name, product_name, sku_id, subscription_id, delta, \
         reason FROM license_transactions WHERE customer_id = $1 \
         ORDER BY at DESC, id DESC LIMIT $2",
    )
    .bind(scope.customer().id.as_str().to_lowercase())
    .bind(limit)
    .fetch_all(store.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| LicenseTransaction {
            at: r.0,
            actor: r.1,
            user_principal_name: r.2,
            product_name: r.3,
            sku_id: r.4,
            subscriptions: r
                .5
                .unwrap_or_default()
                .split_whitespace()
                .map(str::to_owned)
                .collect(),
            delta: r.6,
            reason: r.7,
        })
        .collect())
}

async fn enqueue_password_mail(
    tx: &mut Transaction<'_, Any>,
    scope: &CustomerScope,
    to: &str,
    upn: &str,
    password: &str,
    force_change: bool,
) -> Result<(), sqlx::Error> {
    // In the language of whoever set it: they chose the address it goes to.
    let letter = crate::mails::Mail::PasswordSet {
        upn,
        company: &scope.customer().company_name,
        password,
        force_change,
    }
    .letter(
        scope
            .principal()
            .language
            .unwrap_or(crate::language::Language::English),
    );
    crate::outbox::enqueue(
        tx,
        Some(&scope.customer().id),
        to,
        &letter.subject,
        &letter.body,
    )
    .await
}

/// Products a user can be given: user-assignable SKUs the customer has seats of (or this user
/// holds). Tenant-level products (assets such as add-on storage) are left out.
pub(super) fn assignable(s: &SubscribedSku) -> bool {
    let tenant_level = s
        .product_sku
        .target_type
        .as_deref()
        .is_some_and(|t| t.eq_ignore_ascii_case("tenant"));
    !tenant_level && (s.active_units > 0 || s.consumed_units > 0)
}

pub(super) fn name_of(names: &[(String, String)], sku: &SkuId) -> String {
    names
        .iter()
        .find(|(id, _)| id.eq_ignore_ascii_case(sku.as_str()))
        .map_or_else(|| sku.to_string(), |(_, n)| n.clone())
}

fn dedup(ids: &[SkuId]) -> Vec<SkuId> {
    let mut out: Vec<SkuId> = Vec::new();
    for id in ids {
        if !out.contains(id) {
            out.push(id.clone());
        }
    }
    out
}

/// The part of a user name before the `@`: letters, digits, `.`, `-`, `_` and `'`, at most 64,
/// not starting or ending with a dot.
pub(crate) fn valid_local_part(local: &str) -> bool {
    !local.is_empty()
        && local.len() <= 64
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '\''))
        && !local.starts_with('.')
        && !local.ends_with('.')
}

/// A password someone typed: Partner Center judges its strength; we refuse what no password
/// can hold.
fn typed_password(password: &str) -> Result<String, UserError> {
    if password.chars().count() > 256 || password.chars().any(char::is_control) {
        return Err(field(
            "password",
            "Use at most 256 characters, without control characters.",
        ));
    }
    Ok(password.to_owned())
}

/// The outcome of a write from its answer; when the answer was lost (a timeout or a broken
/// connection on some attempt, and no attempt answered since), `check` reads Partner Center
/// back: `Some` — it happened; `None` — it did not (the error stands); a failed read —
/// unconfirmed. A definite answer (4xx, 5xx, throttling on every attempt) is a failure.
pub(super) async fn settle<T, F, Fut>(result: Result<T, PcError>, check: F) -> Result<T, UserError>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<Option<T>, PcError>>,
{
    match result {
        Ok(value) => Ok(value),
        Err(e) if e.outcome_unknown() => match check().await {
            Ok(Some(value)) => {
                tracing::info!(error = %e, "the answer was lost; reading back shows the change happened");
                Ok(value)
            }
            Ok(None) => Err(user_error(e)),
            Err(read) => {
                tracing::warn!(error = %e, read = %read, "the change is not confirmed");
                Err(UserError::Unconfirmed)
            }
        },
        Err(e) => Err(user_error(e)),
    }
}

pub(super) fn field(field: &'static str, message: &str) -> UserError {
    UserError::Field {
        field,
        message: message.to_owned(),
    }
}

fn required(name: &'static str, label: &str, value: &str) -> Result<String, UserError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(field(name, &format!("{label} is required.")));
    }
    if value.chars().any(char::is_control) {
        return Err(field(
            name,
            &format!("{label} cannot contain control characters."),
        ));
    }
    if value.chars().count() > 64 {
        return Err(field(
            name,
            &format!("{label} can be at most 64 characters."),
        ));
    }
    Ok(value.to_owned())
}

fn country(name: &'static str, value: &str) -> Result<String, UserError> {
    let value = value.trim().to_uppercase();
    if value.len() != 2 || !value.chars().all(|c| c.is_ascii_uppercase()) {
        return Err(field(
            name,
            "Choose a country (a two-letter code such as US or DE).",
        ));
    }
    Ok(value)
}

/// The address a password notice goes to: the one given, else `fallback`.
fn notify_address(
    given: Option<String>,
    fallback: Option<&str>,
) -> Result<Option<String>, UserError> {
    match given.as_deref().map(str::trim).filter(|g| !g.is_empty()) {
        Some(address) => {
            let valid = address
                .split_once('@')
                .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.ends_with('.'))
                && address.len() <= 254
                && !address.contains(|c: char| c.is_whitespace() || c.is_control());
            if !valid {
                return Err(field(
                    "notify",
                    "Give an email address like ann@contoso.com, or leave it empty.",
                ));
            }
            Ok(Some(address.to_owned()))
        }
        None => Ok(fallback.map(str::to_owned)),
    }
}

/// 16 characters from all four classes (Microsoft's complexity rule needs three of them).
pub fn generate_password() -> String {
    use rand::{seq::SliceRandom, Rng};
    const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
    const LOWER: &[u8] = b"abcdefghijkmnopqrstuvwxyz";
    const DIGITS: &[u8] = b"23456789";
    const SYMBOLS: &[u8] = b"!#$%*+-=?@";
    let mut rng = rand::thread_rng();
    let mut chars: Vec<u8> = [UPPER, LOWER, DIGITS, SYMBOLS]
        .iter()
        .map(|set| set[rng.gen_range(0..set.len())])
        .collect();
    let all: Vec<u8> = [UPPER, LOWER, DIGITS, SYMBOLS].concat();
    while chars.len() < 16 {
        chars.push(all[rng.gen_range(0..all.len())]);
    }
    chars.shuffle(&mut rng);
    String::from_utf8(chars).unwrap_or_default()
}

/// Partner Center's answer as the user should read it.
pub(super) fn user_error(e: PcError) -> UserError {
    match e {
        PcError::NotFound { .. } => UserError::NotFound,
        PcError::UsageLocationMissing { .. } => UserError::UsageLocationMissing,
        PcError::Conflict { code, message } if code == pc_codes::DUPLICATE_USER_NAME => {
            let _ = message;
            field("user_name", "This user name is taken. Choose another one.")
        }
        PcError::Validation { code, .. } if code == pc_codes::WEAK_PASSWORD => field(
            "password",
            "The password is too weak: use at least 8 characters with three of upper case, \
             lower case, digits and symbols.",
        ),
        PcError::Validation { message, .. } | PcError::Conflict { message, .. } => {
            UserError::Refused(message)
        }
        PcError::OutcomeUnknown(_) => UserError::Unconfirmed,
        other => UserError::PartnerCenter(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_passwords_meet_the_complexity_rule() {
        for _ in 0..200 {
            let p = generate_password();
            assert_eq!(p.len(), 16);
            assert!(p.chars().any(|c| c.is_ascii_uppercase()));
            assert!(p.chars().any(|c| c.is_ascii_lowercase()));
            assert!(p.chars().any(|c| c.is_ascii_digit()));
            assert!(p.chars().any(|c| !c.is_ascii_alphanumeric()));
        }
    }

    #[test]
    fn notice_addresses_are_checked_or_fall_back() {
        assert_eq!(
            notify_address(Some(" ".into()), Some("u@x.com")).unwrap(),
            Some("u@x.com".into())
        );
        assert!(notify_address(Some("nope".into()), None).is_err());
        assert_eq!(
            notify_address(Some("a@b.co".into()), None).unwrap(),
            Some("a@b.co".into())
        );
    }
}
