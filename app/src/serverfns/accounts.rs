//! Portal accounts: the administrators' list, invitations, role and scope changes, disabling;
//! and every person's own password. Each function: who asks (the accounts scope the access
//! check makes), one call to the accounts service, the audit log, the error mapped.

use leptos::{prelude::*, server_fn::codec::GetUrl};
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::door::caller;
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

/// A notice the signed-in person may receive by e-mail, and whether they chose it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoticeChoice {
    /// The form field's name (`subscription`, `optimisation`, `renewal`, `job_failed`).
    pub field: String,
    pub label: String,
    pub chosen: bool,
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
    let call = caller("accounts.list").await?;
    let view = call.accounts().await?.view().await?;
    Ok(server::page(view, &call.who().account))
}

#[server(prefix = "/api", endpoint = "account-invite")]
pub async fn invite_account(
    email: String,
    display_name: String,
    role: String,
    scope_id: Option<String>,
) -> Result<(), AppError> {
    let desk = caller("account.invite").await?.accounts().await?;
    let grant = server::grant(&role, scope_id.as_deref())?;
    Ok(desk.invite(&email, &display_name, grant).await?)
}

#[server(prefix = "/api", endpoint = "account-update")]
pub async fn update_account(
    account: String,
    role: String,
    scope_id: Option<String>,
) -> Result<(), AppError> {
    let desk = caller("account.update").await?.accounts().await?;
    let id = server::account_id(&account)?;
    let grant = server::grant(&role, scope_id.as_deref())?;
    Ok(desk.update(&id, grant).await?)
}

#[server(prefix = "/api", endpoint = "account-disable")]
pub async fn set_account_disabled(account: String, disabled: String) -> Result<(), AppError> {
    let desk = caller("account.disable").await?.accounts().await?;
    let id = server::account_id(&account)?;
    Ok(desk.set_disabled(&id, disabled == "true").await?)
}

#[server(prefix = "/api", endpoint = "account-resend")]
pub async fn resend_invitation(account: String) -> Result<(), AppError> {
    let desk = caller("account.resend").await?.accounts().await?;
    Ok(desk.resend(&server::account_id(&account)?).await?)
}

#[server(prefix = "/api", endpoint = "my-password")]
pub async fn change_password(current: String, new: String) -> Result<(), AppError> {
    let call = caller("account.password").await?;
    Ok(call.change_own_password(&current, &new).await?)
}

/// The e-mail notices the signed-in person may choose, as they chose them.
#[server(prefix = "/api", endpoint = "my-notices", input = GetUrl)]
pub async fn my_notices() -> Result<Vec<NoticeChoice>, AppError> {
    let call = caller("account.notices.read").await?;
    Ok(call
        .my_notices()
        .await?
        .into_iter()
        .map(server::notice)
        .collect())
}

/// Chooses the e-mail notices: each field `on` (a ticked box) or absent.
#[server(prefix = "/api", endpoint = "my-notices-save")]
pub async fn save_my_notices(
    subscription: Option<String>,
    optimisation: Option<String>,
    renewal: Option<String>,
    job_failed: Option<String>,
) -> Result<(), AppError> {
    let call = caller("account.notices").await?;
    let chosen = server::chosen_notices([
        ("subscription", subscription),
        ("optimisation", optimisation),
        ("renewal", renewal),
        ("job_failed", job_failed),
    ])?;
    Ok(call.choose_my_notices(&chosen).await?)
}

/// Chooses the language the signed-in person reads Seatwise in: `en`, `fr`, or empty for
/// the browser's. The page is loaded again afterwards, in that language.
#[server(prefix = "/api", endpoint = "my-language-save")]
pub async fn save_my_language(language: String) -> Result<(), AppError> {
    let call = caller("account.language").await?;
    let language = match language.as_str() {
        "" => None,
        code => Some(
            domain::language::Language::from_code(code)
                .ok_or_else(|| AppError::field("language", tr!(errors.bad_language)))?,
        ),
    };
    Ok(call.choose_my_language(language).await?)
}

#[cfg(feature = "ssr")]
mod server {
    use domain::{
        access::{AccountId, ResellerId, Role},
        accounts::Grant,
        service::AccountsView,
    };

    use domain::notifications::Notice;

    use super::{AccountItem, AccountsPage, NoticeChoice};
    use crate::error::{parse_id, AppError};

    /// A notice's form field: its name with `_` for `-`.
    pub fn notice((n, chosen): (Notice, bool)) -> NoticeChoice {
        NoticeChoice {
            field: n.as_str().replace('-', "_"),
            label: crate::language::notice_label(n).to_owned(),
            chosen,
        }
    }

    /// The notices whose box is ticked (`on`); any other value is refused.
    pub fn chosen_notices(fields: [(&str, Option<String>); 4]) -> Result<Vec<Notice>, AppError> {
        let mut chosen = Vec::new();
        for (field, value) in fields {
            match value.as_deref().map(str::trim) {
                None | Some("") => {}
                Some("on") => chosen.extend(Notice::parse(&field.replace('_', "-"))),
                Some(_) => {
                    return Err(AppError::field(
                        field,
                        "A notice is ticked (on) or not sent.",
                    ))
                }
            }
        }
        Ok(chosen)
    }

    /// The page: `me` marks the signed-in person's own account.
    pub fn page(view: AccountsView, me: &AccountId) -> AccountsPage {
        let pair = |id: String, name: String| (id, name);
        AccountsPage {
            accounts: view
                .accounts
                .into_iter()
                .map(|a| AccountItem {
                    me: a.id == *me,
                    id: a.id.to_string(),
                    email: a.email,
                    display_name: a.display_name,
                    role: a.role.as_str().to_owned(),
                    role_label: crate::language::role_label(a.role).to_owned(),
                    scope_id: a
                        .reseller
                        .map(|r| r.to_string())
                        .or(a.customer.map(|c| c.to_string())),
                    scope_name: a.reseller_name.or(a.customer_name),
                    disabled: a.disabled,
                    has_password: a.has_password,
                })
                .collect(),
            roles: view
                .roles
                .into_iter()
                .map(|r| {
                    pair(
                        r.as_str().to_owned(),
                        crate::language::role_label(r).to_owned(),
                    )
                })
                .collect(),
            resellers: view
                .resellers
                .into_iter()
                .map(|r| pair(r.id.to_string(), r.name))
                .collect(),
            customers: view
                .customers
                .into_iter()
                .map(|c| pair(c.id.to_string(), c.company_name))
                .collect(),
        }
    }

    pub fn account_id(text: &str) -> Result<AccountId, AppError> {
        let id: AccountId = parse_id("account", text)?;
        Ok(AccountId::new(id.as_str().to_lowercase()))
    }

    /// A role and its reseller or customer, as the form gives them.
    pub fn grant(role: &str, scope_id: Option<&str>) -> Result<Grant, AppError> {
        let Some(role) = Role::parse(role.trim()) else {
            return Err(AppError::field("role", "Choose one of the roles listed."));
        };
        let scope_id = scope_id.map(str::trim).filter(|s| !s.is_empty());
        let (reseller, customer) = match (role, scope_id) {
            (Role::SpAdmin | Role::SpSupport, _) => (None, None),
            (Role::ResellerAdmin, Some(id)) => {
                let id: ResellerId = parse_id("scope_id", id)?;
                (Some(ResellerId::new(id.as_str().to_lowercase())), None)
            }
            (Role::CustomerAdmin, Some(id)) => (None, Some(parse_id("scope_id", id)?)),
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
}
