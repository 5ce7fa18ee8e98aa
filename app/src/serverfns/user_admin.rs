//! One customer's Office 365 users: create, edit, licenses, delete, restore, passwords, and the
//! licenses table. Each function: who asks and for which customer (the one check), the user
//! administration service, the audit log, the error mapped for the page.

// Server functions take a form's fields as arguments.
#![allow(clippy::too_many_arguments)]

use leptos::{prelude::*, server_fn::codec::GetUrl};
use serde::{Deserialize, Serialize};

use crate::error::AppError;

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
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LicenseFormData {
    pub usage_location: Option<String>,
    pub choices: Vec<LicenseChoice>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PasswordNotice {
    pub user_name: String,
    pub password: String,
    pub notified: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductRow {
    pub sku_id: String,
    /// As Partner Center names the product.
    pub name: String,
    pub active: i64,
    pub assigned: i64,
    pub available: i64,
    pub suspended: i64,
    /// Microsoft subscription ids behind the product.
    pub subscriptions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LicenseChange {
    pub at: String,
    pub actor: String,
    pub user_name: String,
    pub product: String,
    pub delta: i64,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LicensesData {
    pub customer: String,
    pub products: Vec<ProductRow>,
    /// When Partner Center gave these figures (UTC time).
    pub read_at: String,
    pub changes: Vec<LicenseChange>,
    /// Domains for new user names.
    pub domains: Vec<String>,
}

/// The licenses table of one customer, read from Partner Center now (seats and subscriptions,
/// two calls at once), with the newest license changes made through Seatwise.
#[server(prefix = "/api", endpoint = "licenses", input = GetUrl)]
pub async fn licenses(customer: String) -> Result<LicensesData, AppError> {
    let (who, scope, pc) = server::customer("licenses.read", &customer).await?;
    let state = expect_context::<crate::state::AppState>();
    let admin = server::admin(&state, &pc, &scope, &who);
    let (products, domains, changes) = futures_util::future::join3(
        admin.products(),
        admin.domains(),
        domain::users::license_transactions(&state.store, &scope, 20),
    )
    .await;
    let products = products.map_err(server::user_error)?;
    Ok(LicensesData {
        customer: scope.customer().company_name.clone(),
        products: products
            .into_iter()
            .map(|p| ProductRow {
                sku_id: p.sku_id,
                name: p.name,
                active: p.active,
                assigned: p.consumed,
                available: p.available,
                suspended: p.suspended,
                subscriptions: p.subscriptions,
            })
            .collect(),
        read_at: domain::time::format_utc_time(domain::time::now_millis()),
        changes: changes
            .map_err(|e| AppError::unavailable("The database", e))?
            .into_iter()
            .map(|t| LicenseChange {
                at: domain::time::format_utc_datetime(t.at),
                actor: t.actor,
                user_name: t.user_principal_name,
                product: t.product_name,
                delta: t.delta,
                reason: t.reason,
            })
            .collect(),
        domains: domains.map_err(server::user_error)?,
    })
}

#[server(prefix = "/api", endpoint = "user-create")]
pub async fn create_user(
    customer: String,
    first_name: String,
    last_name: String,
    display_name: String,
    user_name: String,
    domain: String,
    usage_location: String,
    password: Option<String>,
    force_change: Option<String>,
    notify: Option<String>,
) -> Result<PasswordNotice, AppError> {
    let (who, scope, pc) = server::customer("user.create", &customer).await?;
    let state = expect_context::<crate::state::AppState>();
    let new = domain::users::NewUser {
        first_name,
        last_name,
        display_name,
        user_name,
        domain,
        usage_location,
        password,
        force_change: force_change.is_some_and(|f| f != "false"),
    };
    let result = server::admin(&state, &pc, &scope, &who)
        .create(new, notify)
        .await;
    let (user, set) = server::done(&who, &scope, "user.create", result, |(u, _)| {
        u.user_principal_name.clone().unwrap_or_default()
    })
    .await?;
    Ok(PasswordNotice {
        user_name: user.user_principal_name.unwrap_or_default(),
        password: set.password,
        notified: set.notified,
    })
}

#[server(prefix = "/api", endpoint = "user-edit-form", input = GetUrl)]
pub async fn user_edit_form(customer: String, user: String) -> Result<EditFormData, AppError> {
    let (who, scope, pc) = server::customer("user.read", &customer).await?;
    let state = expect_context::<crate::state::AppState>();
    let form = server::admin(&state, &pc, &scope, &who)
        .edit_form(&partner_center::UserId::new(user))
        .await
        .map_err(server::user_error)?;
    Ok(EditFormData {
        first_name: form.first_name,
        last_name: form.last_name,
        display_name: form.display_name,
        usage_location: form.usage_location.unwrap_or_default(),
        roles: form.roles,
        current_role: form.current_role.unwrap_or_default(),
    })
}

#[server(prefix = "/api", endpoint = "user-update")]
pub async fn update_user(
    customer: String,
    user: String,
    first_name: String,
    last_name: String,
    display_name: String,
    usage_location: String,
    role: Option<String>,
) -> Result<(), AppError> {
    let (who, scope, pc) = server::customer("user.update", &customer).await?;
    let state = expect_context::<crate::state::AppState>();
    let edit = domain::users::UserEdit {
        first_name,
        last_name,
        display_name,
        usage_location,
        role: role
            .filter(|r| !r.trim().is_empty())
            .map(partner_center::RoleId::new),
    };
    let result = server::admin(&state, &pc, &scope, &who)
        .update(&partner_center::UserId::new(user.clone()), edit)
        .await;
    server::done(&who, &scope, "user.update", result, |_| user.clone()).await
}

#[server(prefix = "/api", endpoint = "user-license-form", input = GetUrl)]
pub async fn user_license_form(
    customer: String,
    user: String,
) -> Result<LicenseFormData, AppError> {
    let (who, scope, pc) = server::customer("user.read", &customer).await?;
    let state = expect_context::<crate::state::AppState>();
    let form = server::admin(&state, &pc, &scope, &who)
        .license_form(&partner_center::UserId::new(user))
        .await
        .map_err(server::user_error)?;
    Ok(LicenseFormData {
        usage_location: form.usage_location,
        choices: form
            .options
            .into_iter()
            .map(|o| LicenseChoice {
                sku_id: o.sku_id,
                name: o.name,
                assigned: o.assigned,
                available: o.available,
            })
            .collect(),
    })
}

/// One license update: `assign` and `remove` are comma-separated SKU ids. Returns Partner
/// Center's warnings.
#[server(prefix = "/api", endpoint = "user-licenses")]
pub async fn update_user_licenses(
    customer: String,
    user: String,
    assign: String,
    remove: String,
) -> Result<Vec<String>, AppError> {
    let (who, scope, pc) = server::customer("user.licenses", &customer).await?;
    let state = expect_context::<crate::state::AppState>();
    let ids = |list: &str| {
        list.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(partner_center::SkuId::new)
            .collect::<Vec<_>>()
    };
    let (assign_ids, remove_ids) = (ids(&assign), ids(&remove));
    let result = server::admin(&state, &pc, &scope, &who)
        .update_licenses(
            &partner_center::UserId::new(user.clone()),
            &assign_ids,
            &remove_ids,
        )
        .await;
    let outcome = server::done(&who, &scope, "user.licenses", result, |_| {
        format!("{user}: +[{assign}] -[{remove}]")
    })
    .await?;
    Ok(outcome.warnings)
}

#[server(prefix = "/api", endpoint = "user-delete")]
pub async fn delete_user(customer: String, user: String) -> Result<(), AppError> {
    let (who, scope, pc) = server::customer("user.delete", &customer).await?;
    let state = expect_context::<crate::state::AppState>();
    let result = server::admin(&state, &pc, &scope, &who)
        .delete(&partner_center::UserId::new(user.clone()))
        .await;
    server::done(&who, &scope, "user.delete", result, |_| user.clone()).await
}

/// Restores a deleted user, under `new_user_name` when its own was taken meanwhile.
#[server(prefix = "/api", endpoint = "user-restore")]
pub async fn restore_user(
    customer: String,
    user: String,
    new_user_name: Option<String>,
) -> Result<(), AppError> {
    let (who, scope, pc) = server::customer("user.restore", &customer).await?;
    let state = expect_context::<crate::state::AppState>();
    let result = server::admin(&state, &pc, &scope, &who)
        .restore(&partner_center::UserId::new(user.clone()), new_user_name)
        .await;
    server::done(&who, &scope, "user.restore", result, |_| user.clone()).await
}

#[server(prefix = "/api", endpoint = "user-reset-password")]
pub async fn reset_password(
    customer: String,
    user: String,
    password: Option<String>,
    force_change: Option<String>,
    notify: Option<String>,
) -> Result<PasswordNotice, AppError> {
    let (who, scope, pc) = server::customer("user.reset_password", &customer).await?;
    let state = expect_context::<crate::state::AppState>();
    let id = partner_center::UserId::new(user.clone());
    let result = server::admin(&state, &pc, &scope, &who)
        .reset_password(
            &id,
            password,
            force_change.is_some_and(|f| f != "false"),
            notify,
        )
        .await;
    let set = server::done(&who, &scope, "user.reset_password", result, |_| {
        user.clone()
    })
    .await?;
    let user_name = state
        .store
        .directory()
        .user_name(&scope, &id)
        .await
        .unwrap_or_default();
    Ok(PasswordNotice {
        user_name,
        password: set.password,
        notified: set.notified,
    })
}

#[cfg(feature = "ssr")]
mod server {
    use domain::{
        access::{CustomerScope, Principal},
        audit::Outcome,
        users::{Actor, UserAdmin, UserError},
    };
    use partner_center::PartnerCenter;

    use crate::{
        error::{AppError, ErrorKind},
        state::AppState,
    };

    /// Who asks, the customer they may act on (refused and audited otherwise), and its client.
    pub async fn customer(
        action: &str,
        customer: &str,
    ) -> Result<(Principal, CustomerScope, PartnerCenter), AppError> {
        let who = crate::auth::require_principal(action).await?;
        let state = leptos::prelude::expect_context::<AppState>();
        let id = partner_center::CustomerId::new(customer.trim().to_lowercase());
        let scope = crate::auth::access_answer(
            &who,
            action,
            Some(customer),
            state.store.access().authorize(&who, &id).await,
        )
        .await?;
        let pc = state
            .clients
            .get(&state.store, &state.sealer, &scope.customer().connection_id)
            .await
            .map_err(|e| AppError::unavailable("Partner Center", e))?;
        Ok((who, scope, pc))
    }

    pub fn admin<'a>(
        state: &'a AppState,
        pc: &'a PartnerCenter,
        scope: &'a CustomerScope,
        who: &Principal,
    ) -> UserAdmin<'a> {
        UserAdmin::new(
            &state.store,
            pc,
            scope,
            Actor {
                email: who.email.clone(),
                request_id: crate::request_id::current(),
            },
        )
    }

    /// Audits a change's outcome and maps its error.
    pub async fn done<T>(
        who: &Principal,
        scope: &CustomerScope,
        action: &str,
        result: Result<T, UserError>,
        detail: impl FnOnce(&T) -> String,
    ) -> Result<T, AppError> {
        let customer = scope.customer().id.to_string();
        match result {
            Ok(value) => {
                let detail = detail(&value);
                crate::audit::record(
                    &who.email,
                    Some(&customer),
                    action,
                    Outcome::Succeeded,
                    &detail,
                )
                .await;
                Ok(value)
            }
            Err(e) => {
                crate::audit::record(
                    &who.email,
                    Some(&customer),
                    action,
                    Outcome::Failed,
                    &e.to_string(),
                )
                .await;
                Err(user_error(e))
            }
        }
    }

    pub fn user_error(e: UserError) -> AppError {
        match e {
            UserError::Field { field, message } => AppError::field(field, message),
            UserError::NoSeats { .. } | UserError::UsageLocationMissing => {
                AppError::new(ErrorKind::Conflict, e.to_string())
            }
            UserError::NameTaken { .. } => AppError::field("new_user_name", format!(
                "{e} Restore the user under another name."
            )),
            UserError::NotFound => AppError::new(
                ErrorKind::NotFound,
                "This user no longer exists in Partner Center (deleted users are purged after 30 days). Refresh the list.",
            ),
            UserError::Refused(message) => AppError::new(
                ErrorKind::BadInput,
                format!("Partner Center refused the change: {message}"),
            ),
            UserError::PartnerCenter(e) => AppError::unavailable("Partner Center", e),
            UserError::Store(e) => AppError::unavailable("The database", e),
        }
    }
}
