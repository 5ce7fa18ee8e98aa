//! One customer's Office 365 users: create, edit, licenses, delete, restore and passwords.
//! Each function parses its ids into their typed forms and asks the door: reads open the
//! customer's users after the access check, changes go through `Caller::change` (a scope
//! read-only roles cannot get, a task of its own so that neither a timeout nor a closed tab
//! cuts a change short, and its audit entry).

use leptos::{prelude::*, server_fn::codec::GetUrl};
use serde::{Deserialize, Serialize};

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::{door::caller, error::parse_id};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EditFormData {
    pub first_name: String,
    pub last_name: String,
    pub display_name: String,
    pub usage_location: String,
    /// (role id, name).
    pub roles: Vec<(String, String)>,
    pub current_role: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LicenseChoice {
    pub sku_id: String,
    pub name: String,
    pub assigned: bool,
    pub available: i64,
    pub plans: Vec<PlanToggle>,
}

/// A service plan of a license (Exchange, Teams, …) and whether the user has it on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanToggle {
    pub id: String,
    pub name: String,
    pub on: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LicenseFormData {
    pub usage_location: Option<String>,
    pub choices: Vec<LicenseChoice>,
}

/// What a license update did besides the update itself.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LicensesUpdated {
    /// Subscriptions grown first because no license was free (auto-increase), in words.
    pub grown: Vec<String>,
    /// Partner Center's warnings.
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PasswordNotice {
    pub user_name: String,
    pub password: String,
    pub notified: Option<String>,
    /// What the plan template applied at creation did.
    pub template_note: Option<String>,
}

/// The create dialog's fields (the customer apart).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NewUserFields {
    pub first_name: String,
    pub last_name: String,
    pub display_name: String,
    /// The part before the `@`.
    pub user_name: String,
    pub domain: String,
    pub usage_location: String,
    /// Blank: generate one.
    pub password: Option<String>,
    /// A checkbox: present and not "false" means on.
    pub force_change: Option<String>,
    /// Where the password notice goes (blank: nowhere).
    pub notify: Option<String>,
    /// A plan template to apply once the user exists (blank: none).
    pub template: Option<String>,
}

/// The edit dialog's fields; `role` blank for no administrator role.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UserFields {
    pub first_name: String,
    pub last_name: String,
    pub display_name: String,
    pub usage_location: String,
    pub role: Option<String>,
}

#[server(prefix = "/api", endpoint = "user-create")]
pub async fn create_user(
    customer: String,
    #[server(flatten)] form: NewUserFields,
) -> Result<PasswordNotice, AppError> {
    let call = caller("user.create").await?;
    let (notify, template) = (form.notify.clone(), form.template.clone());
    let template = crate::serverfns::templates::optional_id(template.as_deref())?;
    let new = domain::users::NewUser::from(form);
    let customer = parse_id("customer", &customer)?;
    let (set, note) = call
        .create_user(&customer, new, notify, template.as_ref())
        .await?;
    Ok(PasswordNotice {
        template_note: note,
        ..set.into()
    })
}

#[server(prefix = "/api", endpoint = "user-edit-form", input = GetUrl)]
pub async fn user_edit_form(customer: String, user: String) -> Result<EditFormData, AppError> {
    let call = caller("user.read").await?;
    let user = parse_id("user", &user)?;
    let admin = call.customer(&parse_id("customer", &customer)?).await?;
    Ok(admin.edit_form(&user).await?.into())
}

#[server(prefix = "/api", endpoint = "user-update")]
pub async fn update_user(
    customer: String,
    user: String,
    #[server(flatten)] form: UserFields,
) -> Result<(), AppError> {
    let call = caller("user.update").await?;
    let user: partner_center::UserId = parse_id("user", &user)?;
    let edit = domain::users::UserEdit::try_from(form)?;
    let detail = user.to_string();
    let work = move |admin: server::Changer| async move { admin.update(&user, edit).await };
    Ok(call
        .change(&parse_id("customer", &customer)?, |_| detail, work)
        .await?)
}

#[server(prefix = "/api", endpoint = "user-license-form", input = GetUrl)]
pub async fn user_license_form(
    customer: String,
    user: String,
) -> Result<LicenseFormData, AppError> {
    let call = caller("user.read").await?;
    let user = parse_id("user", &user)?;
    let admin = call.customer(&parse_id("customer", &customer)?).await?;
    Ok(admin.license_form(&user).await?.into())
}

/// One license update: `assign` and `remove` are comma-separated SKU ids; `plans` sets the
/// service plans off per license given or held, `sku=plan,plan;sku=` (none after `=`: every
/// plan on).
#[server(prefix = "/api", endpoint = "user-licenses")]
pub async fn update_user_licenses(
    customer: String,
    user: String,
    assign: String,
    remove: String,
    plans: Option<String>,
) -> Result<LicensesUpdated, AppError> {
    let call = caller("user.licenses").await?;
    let user: partner_center::UserId = parse_id("user", &user)?;
    let (assign, remove) = (
        server::skus("assign", &assign)?,
        server::skus("remove", &remove)?,
    );
    let plans = server::plans_off(plans.as_deref().unwrap_or_default())?;
    let customer = parse_id("customer", &customer)?;
    let outcome = call
        .update_licenses(&customer, user, assign, remove, plans)
        .await?;
    Ok(LicensesUpdated {
        grown: outcome.grown,
        warnings: outcome.warnings,
    })
}

#[server(prefix = "/api", endpoint = "user-delete")]
pub async fn delete_user(customer: String, user: String) -> Result<(), AppError> {
    let call = caller("user.delete").await?;
    let user: partner_center::UserId = parse_id("user", &user)?;
    let detail = user.to_string();
    let work = move |admin: server::Changer| async move { admin.delete(&user).await };
    Ok(call
        .change(&parse_id("customer", &customer)?, |_| detail, work)
        .await?)
}

/// Restores a deleted user, under `new_user_name` when its own was taken meanwhile.
#[server(prefix = "/api", endpoint = "user-restore")]
pub async fn restore_user(
    customer: String,
    user: String,
    new_user_name: Option<String>,
) -> Result<(), AppError> {
    let call = caller("user.restore").await?;
    let user: partner_center::UserId = parse_id("user", &user)?;
    let detail = user.to_string();
    let work =
        move |admin: server::Changer| async move { admin.restore(&user, new_user_name).await };
    Ok(call
        .change(&parse_id("customer", &customer)?, |_| detail, work)
        .await?)
}

#[server(prefix = "/api", endpoint = "user-reset-password")]
pub async fn reset_password(
    customer: String,
    user: String,
    password: Option<String>,
    force_change: Option<String>,
    notify: Option<String>,
) -> Result<PasswordNotice, AppError> {
    let call = caller("user.reset_password").await?;
    let user: partner_center::UserId = parse_id("user", &user)?;
    let force = server::checked(force_change);
    let detail = user.to_string();
    let work = move |admin: server::Changer| async move {
        admin.reset_password(&user, password, force, notify).await
    };
    Ok(call
        .change(&parse_id("customer", &customer)?, |_| detail, work)
        .await?
        .into())
}

#[cfg(feature = "ssr")]
mod server {
    use domain::users::{EditForm, LicenseForm, PasswordSet, UserAdmin};

    use super::*;

    impl From<NewUserFields> for domain::users::NewUser {
        fn from(f: NewUserFields) -> Self {
            domain::users::NewUser {
                first_name: f.first_name,
                last_name: f.last_name,
                display_name: f.display_name,
                user_name: f.user_name,
                domain: f.domain,
                usage_location: f.usage_location,
                password: f.password,
                force_change: checked(f.force_change),
            }
        }
    }

    impl TryFrom<UserFields> for domain::users::UserEdit {
        type Error = AppError;

        fn try_from(f: UserFields) -> Result<Self, AppError> {
            let role = f.role.as_deref().map(str::trim).filter(|r| !r.is_empty());
            Ok(domain::users::UserEdit {
                first_name: f.first_name,
                last_name: f.last_name,
                display_name: f.display_name,
                usage_location: f.usage_location,
                role: role.map(|r| parse_id("role", r)).transpose()?,
            })
        }
    }

    /// The handle a change works with.
    pub type Changer = UserAdmin<domain::access::ChangeScope>;

    /// A checkbox's value: present and not "false".
    pub fn checked(value: Option<String>) -> bool {
        value.is_some_and(|v| v != "false")
    }

    /// Comma-separated SKU ids, each parsed.
    pub fn skus(field: &str, list: &str) -> Result<Vec<partner_center::SkuId>, AppError> {
        ids(field, list)
    }

    fn ids<T: std::str::FromStr<Err = partner_center::IdError>>(
        field: &str,
        list: &str,
    ) -> Result<Vec<T>, AppError> {
        list.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| parse_id(field, s))
            .collect()
    }

    /// `sku=plan,plan;sku=`: the service plans to leave off, per license (each once).
    pub fn plans_off(text: &str) -> Result<Vec<domain::users::PlansOff>, AppError> {
        super::plans_off_list(text, "plans")
    }

    impl From<PasswordSet> for PasswordNotice {
        fn from(set: PasswordSet) -> Self {
            PasswordNotice {
                user_name: set.user_name,
                password: set.password,
                notified: set.notified,
                template_note: None,
            }
        }
    }

    impl From<EditForm> for EditFormData {
        fn from(form: EditForm) -> Self {
            EditFormData {
                first_name: form.first_name,
                last_name: form.last_name,
                display_name: form.display_name,
                usage_location: form.usage_location.unwrap_or_default(),
                roles: form
                    .roles
                    .into_iter()
                    .map(|(id, name)| (id, crate::language::directory_role(&name)))
                    .collect(),
                current_role: form.current_role.unwrap_or_default(),
            }
        }
    }

    impl From<LicenseForm> for LicenseFormData {
        fn from(form: LicenseForm) -> Self {
            LicenseFormData {
                usage_location: form.usage_location,
                choices: form
                    .options
                    .into_iter()
                    .map(|o| LicenseChoice {
                        sku_id: o.sku_id,
                        name: o.name,
                        assigned: o.assigned,
                        available: o.available,
                        plans: o
                            .plans
                            .into_iter()
                            .map(|p| PlanToggle {
                                id: p.id,
                                name: p.name,
                                on: p.on,
                            })
                            .collect(),
                    })
                    .collect(),
            }
        }
    }
}

/// `sku=plan,plan;sku=`: the service plans to leave off, per license (each once); an error names
/// `field`. The form of the Manage Licenses dialog and of plan templates.
#[cfg(feature = "ssr")]
pub(crate) fn plans_off_list(
    text: &str,
    field: &str,
) -> Result<Vec<domain::users::PlansOff>, AppError> {
    let mut out: Vec<domain::users::PlansOff> = Vec::new();
    for part in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((sku, plans)) = part.split_once('=') else {
            return Err(AppError::field(
                field,
                "The service plans are not in the form license=plan,plan.",
            ));
        };
        let sku: partner_center::SkuId = parse_id(field, sku)?;
        if out.iter().any(|p| p.sku == sku) {
            return Err(AppError::field(
                field,
                "A license's service plans were given twice.",
            ));
        }
        let off = plans
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| parse_id(field, p))
            .collect::<Result<_, _>>()?;
        out.push(domain::users::PlansOff { sku, off });
    }
    Ok(out)
}
