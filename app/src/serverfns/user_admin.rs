//! One customer's Office 365 users: create, edit, licenses, delete, restore, passwords, and the
//! licenses table. Each function: ids parsed into their typed forms, who asks and for which
//! customer (the one check; changes need a scope that read-only roles cannot get), the user
//! administration service, the audit log, the error mapped for the page. A change runs on a
//! task of its own, so that neither a timeout nor a closed tab cuts it short.

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
    let (_, admin) = server::reader("licenses.read", &customer).await?;
    let (products, domains, changes) =
        futures_util::future::join3(admin.products(), admin.domains(), admin.license_changes(20))
            .await;
    let products = products.map_err(server::user_error)?;
    Ok(LicensesData {
        customer: admin.customer_name(),
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
            .map_err(server::user_error)?
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
    let (who, admin) = server::changer("user.create", &customer).await?;
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
    let (user, set) = server::change(
        &who,
        admin,
        "user.create",
        |(_, set): &(_, domain::users::PasswordSet)| set.user_name.clone(),
        move |admin| async move { admin.create(new, notify).await },
    )
    .await?;
    Ok(PasswordNotice {
        user_name: user.user_principal_name.unwrap_or_default(),
        password: set.password,
        notified: set.notified,
    })
}

#[server(prefix = "/api", endpoint = "user-edit-form", input = GetUrl)]
pub async fn user_edit_form(customer: String, user: String) -> Result<EditFormData, AppError> {
    let user = crate::error::parse_id("user", &user)?;
    let (_, admin) = server::reader("user.read", &customer).await?;
    let form = admin.edit_form(&user).await.map_err(server::user_error)?;
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
    use crate::error::parse_id;
    let user: partner_center::UserId = parse_id("user", &user)?;
    let role = match role.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
        Some(r) => Some(parse_id("role", r)?),
        None => None,
    };
    let (who, admin) = server::changer("user.update", &customer).await?;
    let edit = domain::users::UserEdit {
        first_name,
        last_name,
        display_name,
        usage_location,
        role,
    };
    let detail = user.to_string();
    server::change(
        &who,
        admin,
        "user.update",
        move |_| detail,
        move |admin| async move { admin.update(&user, edit).await },
    )
    .await
}

#[server(prefix = "/api", endpoint = "user-license-form", input = GetUrl)]
pub async fn user_license_form(
    customer: String,
    user: String,
) -> Result<LicenseFormData, AppError> {
    let user = crate::error::parse_id("user", &user)?;
    let (_, admin) = server::reader("user.read", &customer).await?;
    let form = admin
        .license_form(&user)
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
    use crate::error::parse_id;
    let user: partner_center::UserId = parse_id("user", &user)?;
    let ids = |field: &str, list: &str| -> Result<Vec<partner_center::SkuId>, AppError> {
        list.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| parse_id(field, s))
            .collect()
    };
    let (assign_ids, remove_ids) = (ids("assign", &assign)?, ids("remove", &remove)?);
    let (who, admin) = server::changer("user.licenses", &customer).await?;
    let detail = format!("{user}: +[{assign}] -[{remove}]");
    let outcome = server::change(
        &who,
        admin,
        "user.licenses",
        move |_| detail,
        move |admin| async move { admin.update_licenses(&user, &assign_ids, &remove_ids).await },
    )
    .await?;
    Ok(outcome.warnings)
}

#[server(prefix = "/api", endpoint = "user-delete")]
pub async fn delete_user(customer: String, user: String) -> Result<(), AppError> {
    let user: partner_center::UserId = crate::error::parse_id("user", &user)?;
    let (who, admin) = server::changer("user.delete", &customer).await?;
    let detail = user.to_string();
    server::change(
        &who,
        admin,
        "user.delete",
        move |_| detail,
        move |admin| async move { admin.delete(&user).await },
    )
    .await
}

/// Restores a deleted user, under `new_user_name` when its own was taken meanwhile.
#[server(prefix = "/api", endpoint = "user-restore")]
pub async fn restore_user(
    customer: String,
    user: String,
    new_user_name: Option<String>,
) -> Result<(), AppError> {
    let user: partner_center::UserId = crate::error::parse_id("user", &user)?;
    let (who, admin) = server::changer("user.restore", &customer).await?;
    let detail = user.to_string();
    server::change(
        &who,
        admin,
        "user.restore",
        move |_| detail,
        move |admin| async move { admin.restore(&user, new_user_name).await },
    )
    .await
}

#[server(prefix = "/api", endpoint = "user-reset-password")]
pub async fn reset_password(
    customer: String,
    user: String,
    password: Option<String>,
    force_change: Option<String>,
    notify: Option<String>,
) -> Result<PasswordNotice, AppError> {
    let user: partner_center::UserId = crate::error::parse_id("user", &user)?;
    let (who, admin) = server::changer("user.reset_password", &customer).await?;
    let force_change = force_change.is_some_and(|f| f != "false");
    let detail = user.to_string();
    let set = server::change(
        &who,
        admin,
        "user.reset_password",
        move |_| detail,
        move |admin| async move {
            admin
                .reset_password(&user, password, force_change, notify)
                .await
        },
    )
    .await?;
    Ok(PasswordNotice {
        user_name: set.user_name,
        password: set.password,
        notified: set.notified,
    })
}

#[cfg(feature = "ssr")]
mod server {
    use std::future::Future;

    use domain::{
        access::{Access, AccessError, ChangeScope, CustomerScope, Principal},
        audit::Outcome,
        users::{Actor, UserAdmin, UserError},
    };

    use crate::{
        audit::Recorder,
        error::{AppError, ErrorKind},
        state::AppState,
    };

    /// Who asks and the service for a customer they may read (refused and audited otherwise).
    pub async fn reader(
        action: &str,
        customer: &str,
    ) -> Result<(Principal, UserAdmin<CustomerScope>), AppError> {
        open(action, customer, async |access: Access<'_>, who, id| {
            access.authorize(who, id).await
        })
        .await
    }

    /// Who asks and the service for a customer they may change: read-only roles are refused.
    pub async fn changer(
        action: &str,
        customer: &str,
    ) -> Result<(Principal, UserAdmin<ChangeScope>), AppError> {
        open(action, customer, async |access: Access<'_>, who, id| {
            access.authorize_change(who, id).await
        })
        .await
    }

    /// The signed-in person, the customer id parsed, the access check (`check`), the service.
    async fn open<S: AsRef<CustomerScope>>(
        action: &str,
        customer: &str,
        check: impl AsyncFnOnce(
            Access<'_>,
            &Principal,
            &partner_center::CustomerId,
        ) -> Result<S, AccessError>,
    ) -> Result<(Principal, UserAdmin<S>), AppError> {
        let who = crate::auth::require_principal(action).await?;
        let id = crate::error::parse_id("customer", customer)?;
        let state = leptos::prelude::expect_context::<AppState>();
        let checked = check(state.store.access(), &who, &id).await;
        let scope = crate::auth::access_answer(&who, action, Some(customer), checked).await?;
        let admin = service(&state, &who, scope).await?;
        Ok((who, admin))
    }

    async fn service<S: AsRef<CustomerScope>>(
        state: &AppState,
        who: &Principal,
        scope: S,
    ) -> Result<UserAdmin<S>, AppError> {
        let pc = state
            .clients
            .get(
                &state.store,
                &state.sealer,
                &scope.as_ref().customer().connection_id,
            )
            .await
            .map_err(|e| AppError::unavailable("Partner Center", e))?;
        let actor = Actor {
            email: who.email.clone(),
            request_id: crate::request_id::current(),
        };
        Ok(UserAdmin::new(state.store.clone(), pc, scope, actor))
    }

    /// Runs a change on a task of its own and waits for it: if this request is cut short (a
    /// timeout, a closed tab), the change still runs to its end, with everything that must
    /// follow it (cache, transactions, outbox) and its audit entry.
    pub async fn change<T, D, W, F>(
        who: &Principal,
        admin: UserAdmin<ChangeScope>,
        action: &'static str,
        detail: D,
        work: W,
    ) -> Result<T, AppError>
    where
        T: Send + 'static,
        D: FnOnce(&T) -> String + Send + 'static,
        W: FnOnce(UserAdmin<ChangeScope>) -> F,
        F: Future<Output = Result<T, UserError>> + Send + 'static,
    {
        let recorder = Recorder::here();
        let actor = who.email.clone();
        let customer = admin.customer_key();
        let running = work(admin);
        let task = tokio::spawn(async move {
            let result = running.await;
            let (outcome, text) = match &result {
                Ok(value) => (Outcome::Succeeded, detail(value)),
                Err(e) => (Outcome::Failed, e.to_string()),
            };
            recorder
                .record(&actor, Some(&customer), action, outcome, &text)
                .await;
            result
        });
        match task.await {
            Ok(result) => result.map_err(user_error),
            Err(e) => Err(AppError::internal(e)),
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
            UserError::Unconfirmed => AppError::new(ErrorKind::Unconfirmed, e.to_string()),
            UserError::PartnerCenter(e) => AppError::unavailable("Partner Center", e),
            UserError::Store(e) => AppError::unavailable("The database", e),
        }
    }
}
