//! Portal accounts: the administrators' list, invitations, role and scope changes, disabling;
//! and every person's own password. Each function: who asks (the accounts scope the access
//! check makes), one call to the accounts service, the audit log, the error mapped.

use leptos::{prelude::*, server_fn::codec::GetUrl};
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountItem {
    pub id: String,
    pub email: String,
    pub display_name: String,
    /// `sp_admin`, `sp_support`, `reseller_admin`, `customer_admin`.
    pub role: String,
    pub role_label: String,
    /// The reseller's or customer's id and name, for scoped roles.
    pub scope_id: Option<String>,
    pub scope_name: Option<String>,
    pub disabled: bool,
    pub has_password: bool,
    pub me: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountsPage {
    pub accounts: Vec<AccountItem>,
    /// (value, label) of the roles this person may give.
    pub roles: Vec<(String, String)>,
    /// (id, name) of the resellers and customers they may give access to.
    pub resellers: Vec<(String, String)>,
    pub customers: Vec<(String, String)>,
}

#[server(prefix = "/api", endpoint = "accounts", input = GetUrl)]
pub async fn accounts() -> Result<AccountsPage, AppError> {
    let (who, scope) = server::scope("accounts.list").await?;
    let state = expect_context::<crate::state::AppState>();
    let store = &state.store;
    let rows = store.accounts().list(&scope).await.map_err(server::db)?;
    let visible = store
        .access()
        .visible_customers(&who)
        .await
        .map_err(server::db)?;
    let resellers = match &who.reseller {
        Some(mine) => store
            .access()
            .reseller(mine)
            .await
            .map_err(server::db)?
            .into_iter()
            .collect(),
        None => store.access().resellers().await.map_err(server::db)?,
    };
    Ok(AccountsPage {
        accounts: rows
            .into_iter()
            .map(|a| AccountItem {
                me: a.id == who.account,
                id: a.id.to_string(),
                email: a.email,
                display_name: a.display_name,
                role: a.role.as_str().to_owned(),
                role_label: a.role.label().to_owned(),
                scope_id: a
                    .reseller
                    .map(|r| r.to_string())
                    .or(a.customer.map(|c| c.to_string())),
                scope_name: a.reseller_name.or(a.customer_name),
                disabled: a.disabled,
                has_password: a.has_password,
            })
            .collect(),
        roles: scope
            .roles()
            .into_iter()
            .map(|r| (r.as_str().to_owned(), r.label().to_owned()))
            .collect(),
        resellers: resellers
            .into_iter()
            .map(|r| (r.id.to_string(), r.name))
            .collect(),
        customers: visible
            .into_iter()
            .map(|c| (c.id.to_string(), c.company_name))
            .collect(),
    })
}

/// Invites a person: an account without a password, and a single-use set-password link in
/// the outbox. `scope_id`: the reseller (reseller admin) or the customer (customer admin).
#[server(prefix = "/api", endpoint = "account-invite")]
pub async fn invite_account(
    email: String,
    display_name: String,
    role: String,
    scope_id: Option<String>,
) -> Result<(), AppError> {
    let (who, scope) = server::scope("account.invite").await?;
    let grant = server::grant(&role, scope_id.as_deref())?;
    let state = expect_context::<crate::state::AppState>();
    let invited = state
        .store
        .accounts()
        .invite(&scope, &email, &display_name, grant, &state.public_url)
        .await;
    server::done(&who, "account.invite", invited.map(|i| i.account.email)).await
}

#[server(prefix = "/api", endpoint = "account-update")]
pub async fn update_account(
    account: String,
    role: String,
    scope_id: Option<String>,
) -> Result<(), AppError> {
    let (who, scope) = server::scope("account.update").await?;
    let id = server::account_id(&account)?;
    let grant = server::grant(&role, scope_id.as_deref())?;
    let state = expect_context::<crate::state::AppState>();
    let result = state.store.accounts().update(&scope, &id, grant).await;
    server::done(
        &who,
        "account.update",
        result.map(|_| format!("{id} → {role}")),
    )
    .await
}

/// Disables (`disabled` = "true") or re-enables an account; disabling ends its sessions.
#[server(prefix = "/api", endpoint = "account-disable")]
pub async fn set_account_disabled(account: String, disabled: String) -> Result<(), AppError> {
    let (who, scope) = server::scope("account.disable").await?;
    let id = server::account_id(&account)?;
    let disabled = disabled == "true";
    let state = expect_context::<crate::state::AppState>();
    let result = state
        .store
        .accounts()
        .set_disabled(&scope, &id, disabled)
        .await;
    let what = if disabled { "disabled" } else { "enabled" };
    server::done(
        &who,
        "account.disable",
        result.map(|_| format!("{id} {what}")),
    )
    .await
}

/// A new set-password link for an account (the earlier ones stop working).
#[server(prefix = "/api", endpoint = "account-resend")]
pub async fn resend_invitation(account: String) -> Result<(), AppError> {
    let (who, scope) = server::scope("account.resend").await?;
    let id = server::account_id(&account)?;
    let state = expect_context::<crate::state::AppState>();
    let result = state
        .store
        .accounts()
        .resend(&scope, &id, &state.public_url)
        .await;
    server::done(&who, "account.resend", result.map(|_| id.to_string())).await
}

/// The signed-in person changes their own password.
#[server(prefix = "/api", endpoint = "my-password")]
pub async fn change_password(current: String, new: String) -> Result<(), AppError> {
    let who = crate::auth::require_principal("account.password").await?;
    let state = expect_context::<crate::state::AppState>();
    let result = state
        .store
        .accounts()
        .change_own_password(&who, &current, &new)
        .await;
    server::done(&who, "account.password", result.map(|_| String::new())).await
}

#[cfg(feature = "ssr")]
mod server {
    use domain::{
        access::{AccessError, AccountId, Principal, Role},
        accounts::{AccountsScope, Grant},
        audit::Outcome,
        StoreError,
    };

    use crate::error::{AppError, ErrorKind};

    pub async fn scope(action: &str) -> Result<(Principal, AccountsScope), AppError> {
        let who = crate::auth::require_principal(action).await?;
        let state = leptos::prelude::expect_context::<crate::state::AppState>();
        let scope = crate::auth::access_answer(
            &who,
            action,
            None,
            state.store.access().accounts_admin(&who).await,
        )
        .await?;
        Ok((who, scope))
    }

    /// Account ids are GUIDs we made, kept in lower case.
    pub fn account_id(text: &str) -> Result<AccountId, AppError> {
        let id: AccountId = crate::error::parse_id("account", text)?;
        Ok(AccountId::new(id.as_str().to_lowercase()))
    }

    /// A role and its scope from the form.
    pub fn grant(role: &str, scope_id: Option<&str>) -> Result<Grant, AppError> {
        let Some(role) = Role::parse(role.trim()) else {
            return Err(AppError::field("role", "Choose one of the roles listed."));
        };
        let scope_id = scope_id.map(str::trim).filter(|s| !s.is_empty());
        let (reseller, customer) = match (role, scope_id) {
            (Role::SpAdmin | Role::SpSupport, _) => (None, None),
            (Role::ResellerAdmin, Some(id)) => {
                let id: domain::access::ResellerId = crate::error::parse_id("scope_id", id)?;
                (
                    Some(domain::access::ResellerId::new(id.as_str().to_lowercase())),
                    None,
                )
            }
            (Role::CustomerAdmin, Some(id)) => {
                (None, Some(crate::error::parse_id("scope_id", id)?))
            }
            (Role::ResellerAdmin, None) => {
                return Err(AppError::field("scope_id", "Choose the reseller."))
            }
            (Role::CustomerAdmin, None) => {
                return Err(AppError::field("scope_id", "Choose the customer."))
            }
        };
        Ok(Grant {
            role,
            reseller,
            customer,
        })
    }

    pub fn db(e: StoreError) -> AppError {
        AppError::unavailable("The database", e)
    }

    /// Audits the outcome and maps the error: field messages (`field: message`) land on
    /// their field, out-of-scope accounts are refused.
    pub async fn done(
        who: &Principal,
        action: &str,
        result: Result<String, AccessError>,
    ) -> Result<(), AppError> {
        match result {
            Ok(detail) => {
                crate::audit::record(&who.email, None, action, Outcome::Succeeded, &detail).await;
                Ok(())
            }
            Err(AccessError::Store(StoreError::Invalid(message))) => {
                crate::audit::record(&who.email, None, action, Outcome::Failed, &message).await;
                Err(match message.split_once(": ") {
                    Some((field, text)) if !field.contains(' ') => {
                        AppError::field(field, capitalise(text))
                    }
                    _ => AppError::new(ErrorKind::BadInput, message),
                })
            }
            Err(e @ AccessError::Store(_)) => Err(AppError::unavailable("The database", e)),
            Err(refused) => {
                tracing::warn!(actor = %who.email, action, error = %refused, "refused");
                crate::audit::record(
                    &who.email,
                    None,
                    action,
                    Outcome::Refused,
                    "account or access out of scope",
                )
                .await;
                Err(AppError::new(
                    ErrorKind::Forbidden,
                    "You cannot manage this account or give this access.",
                ))
            }
        }
    }

    fn capitalise(text: &str) -> String {
        let mut chars = text.chars();
        match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect::<String>() + ".",
            None => String::new(),
        }
    }
}
