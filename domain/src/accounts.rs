//! Portal accounts as their administrators manage them: list, invite (a single-use
//! set-password link sent through the outbox), change role and scope, disable (its sessions end
//! at once) and re-enable; and every person's own password.
//!
//! Who may manage whom is an [`AccountsScope`], which only [`Access::accounts_admin`] makes: a
//! service provider admin manages every account, a reseller admin its own reseller's admins and
//! its customers' admins.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::AnyPool;

use crate::{
    access::{
        hash_password, Access, AccessError, AccountId, NewAccount, PasswordCheck, Principal,
        ResellerId, Role, MIN_PASSWORD,
    },
    language::Language,
    time::now_millis,
    StoreError,
};
use partner_center::CustomerId;

/// How long an invitation link works.
pub const INVITATION_TTL_MS: i64 = 72 * 3600 * 1000;

/// Whom an administrator may manage; made only by [`Access::accounts_admin`].
#[derive(Debug, Clone)]
pub struct AccountsScope {
    actor: Principal,
    /// `None`: every account (service provider admin); else one reseller's.
    reseller: Option<ResellerId>,
}

impl AccountsScope {
    /// The language of the person acting (what they send is in it).
    fn language(&self) -> Language {
        self.actor.language.unwrap_or(Language::English)
    }

    /// The roles this administrator may give, the narrowest first (what a form offers by
    /// default).
    pub fn roles(&self) -> Vec<Role> {
        match self.reseller {
            None => vec![
                Role::CustomerAdmin,
                Role::ResellerAdmin,
                Role::SpSupport,
                Role::SpAdmin,
            ],
            Some(_) => vec![Role::CustomerAdmin, Role::ResellerAdmin],
        }
    }
}

impl Access<'_> {
    /// A service provider admin or a reseller admin, checked now; others are refused.
    pub async fn accounts_admin(&self, who: &Principal) -> Result<AccountsScope, AccessError> {
        let current = match self.principal(&who.account).await? {
            Some(current) if current.role == who.role => current,
            _ => return Err(AccessError::Forbidden),
        };
        match (current.role, current.reseller.clone()) {
            (Role::SpAdmin, _) => Ok(AccountsScope {
                actor: current,
                reseller: None,
            }),
            (Role::ResellerAdmin, Some(reseller)) => Ok(AccountsScope {
                actor: current,
                reseller: Some(reseller),
            }),
            _ => Err(AccessError::NotProvider { admins_only: true }),
        }
    }
}

/// An account as the accounts page lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountRow {
    pub id: AccountId,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub reseller: Option<ResellerId>,
    pub reseller_name: Option<String>,
    pub customer: Option<CustomerId>,
    pub customer_name: Option<String>,
    pub disabled: bool,
    /// Whether a password is set (else the account signs in through links or an invitation).
    pub has_password: bool,
    pub created_at: i64,
}

/// A role and what it reaches.
#[derive(Debug, Clone, PartialEq)]
pub struct Grant {
    pub role: Role,
    pub reseller: Option<ResellerId>,
    pub customer: Option<CustomerId>,
}

/// An invitation made: the account, and the link (already in the outbox).
#[derive(Debug, Clone)]
pub struct Invited {
    pub account: Principal,
    pub link: String,
}

pub struct Accounts<'a> {
    pool: &'a AnyPool,
}

type Row = (
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
    i64,
    i64,
);

fn row(r: Row) -> Option<AccountRow> {
    Some(AccountRow {
        id: AccountId::new(r.0),
        email: r.1,
        display_name: r.2,
        role: Role::parse(&r.3)?,
        reseller: r.4.map(ResellerId::new),
        reseller_name: r.5,
        customer: r.6.map(CustomerId::new),
        customer_name: r.7,
        disabled: r.8 != 0,
        has_password: r.9 != 0,
        created_at: r.10,
    })
}

fn forbidden<T>() -> Result<T, AccessError> {
    Err(AccessError::Forbidden)
}

fn invalid<T>(message: &str) -> Result<T, AccessError> {
    Err(AccessError::Store(StoreError::Invalid(message.to_owned())))
}

/// The hash a token is kept as.
fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl<'a> Accounts<'a> {
    pub(crate) fn new(pool: &'a AnyPool) -> Self {
        Accounts { pool }
    }

    fn access(&self) -> Access<'a> {
        Access::new(self.pool)
    }

    /// The accounts this administrator manages, by role and address.
    pub async fn list(&self, scope: &AccountsScope) -> Result<Vec<AccountRow>, StoreError> {
        let base = "SELECT a.id, a.email, a.display_name, a.role, a.reseller_id, r.name, \
                    a.customer_id, c.company_name, a.disabled, \
                    CASE WHEN a.password_hash IS NULL THEN 0 ELSE 1 END, a.created_at \
                    FROM portal_accounts a \
                    LEFT JOIN resellers r ON r.id = a.reseller_id \
                    LEFT JOIN customers c ON c.id = a.customer_id";
        let rows: Vec<Row> = match &scope.reseller {
            None => {
                sqlx::query_as(&format!("{base} ORDER BY a.role, a.email"))
                    .fetch_all(self.pool)
                    .await?
            }
            Some(r) => {
                sqlx::query_as(&format!(
                    "{base} WHERE (a.role = 'reseller_admin' AND a.reseller_id = $1) \
                     OR (a.role = 'customer_admin' AND c.reseller_id = $2) \
                     ORDER BY a.role, a.email"
                ))
                .bind(r.as_str())
                .bind(r.as_str())
                .fetch_all(self.pool)
                .await?
            }
        };
        Ok(rows.into_iter().filter_map(row).collect())
    }

    async fn one(&self, scope: &AccountsScope, id: &AccountId) -> Result<AccountRow, AccessError> {
        match self.list(scope).await?.into_iter().find(|a| a.id == *id) {
            Some(account) => Ok(account),
            None => forbidden(),
        }
    }

    /// Whether this administrator may give `grant`.
    async fn may_grant(&self, scope: &AccountsScope, grant: &Grant) -> Result<(), AccessError> {
        let Some(mine) = &scope.reseller else {
            return Ok(());
        };
        match grant.role {
            Role::ResellerAdmin if grant.reseller.as_ref() == Some(mine) => Ok(()),
            Role::CustomerAdmin => {
                let Some(customer) = &grant.customer else {
                    return invalid("scope: a customer admin account needs a customer");
                };
                match self.access().customer(customer).await? {
                    Some(c) if c.reseller_id.as_ref() == Some(mine) => Ok(()),
                    _ => forbidden(),
                }
            }
            _ => invalid("role: choose reseller admin or customer admin"),
        }
    }

    /// Creates an account without a password and puts a single-use set-password link in the
    /// outbox (`link_base`: where Seatwise is reached).
    pub async fn invite(
        &self,
        scope: &AccountsScope,
        email: &str,
        display_name: &str,
        grant: Grant,
        link_base: &str,
    ) -> Result<Invited, AccessError> {
        self.may_grant(scope, &grant).await?;
        let account = self
            .access()
            .create_account(NewAccount {
                email: email.to_owned(),
                display_name: display_name.to_owned(),
                role: grant.role,
                reseller: grant.reseller,
                customer: grant.customer,
                password: None,
            })
            .await?;
        let link = self.new_link(&account, link_base, scope.language()).await?;
        Ok(Invited { account, link })
    }

    /// A fresh set-password link for an account in scope (the old ones stop working).
    pub async fn resend(
        &self,
        scope: &AccountsScope,
        id: &AccountId,
        link_base: &str,
    ) -> Result<String, AccessError> {
        let account = self.one(scope, id).await?;
        let principal = Principal {
            account: account.id,
            email: account.email,
            display_name: account.display_name,
            role: account.role,
            reseller: account.reseller,
            customer: account.customer,
            language: None,
        };
        Ok(self
            .new_link(&principal, link_base, scope.language())
            .await?)
    }

    /// A set-password link for `account`, mailed to it in `language` (the sender's).
    async fn new_link(
        &self,
        account: &Principal,
        link_base: &str,
        language: Language,
    ) -> Result<String, StoreError> {
        let mut bytes = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut bytes);
        let token = URL_SAFE_NO_PAD.encode(bytes);
        let link = format!(
            "{}/set-password?token={token}",
            link_base.trim_end_matches('/')
        );
        let now = now_millis();
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM account_invitations WHERE account_id = $1")
            .bind(account.account.as_str())
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO account_invitations (token_hash, account_id, created_at, expires_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash(&token))
        .bind(account.account.as_str())
        .bind(now)
        .bind(now + INVITATION_TTL_MS)
        .execute(&mut *tx)
        .await?;
        let letter = crate::mails::Mail::Invitation {
            name: &account.display_name,
            role: account.role,
            email: &account.email,
            link: &link,
        }
        .letter(language);
        crate::outbox::enqueue(&mut tx, None, &account.email, &letter.subject, &letter.body)
            .await?;
        tx.commit().await?;
        Ok(link)
    }

    /// Changes an account's role and scope. Nobody changes their own.
    pub async fn update(
        &self,
        scope: &AccountsScope,
        id: &AccountId,
        grant: Grant,
    ) -> Result<(), AccessError> {
        if *id == scope.actor.account {
            return invalid("role: you cannot change your own role; ask another admin");
        }
        self.one(scope, id).await?;
        self.may_grant(scope, &grant).await?;
        self.access()
            .check_scope(grant.role, grant.reseller.as_ref(), grant.customer.as_ref())
            .await?;
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "UPDATE portal_accounts SET role = $1, reseller_id = $2, customer_id = $3, \
             updated_at = $4 WHERE id = $5",
        )
        .bind(grant.role.as_str())
        .bind(grant.reseller.as_ref().map(|r| r.as_str().to_owned()))
        .bind(grant.customer.as_ref().map(|c| c.as_str().to_lowercase()))
        .bind(now_millis())
        .bind(id.as_str())
        .execute(&mut *tx)
        .await?;
        // A new role starts with a new session.
        crate::sessions::end_all(&mut tx, id).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Disables (its sessions end at once) or re-enables an account in scope; not one's own.
    pub async fn set_disabled(
        &self,
        scope: &AccountsScope,
        id: &AccountId,
        disabled: bool,
    ) -> Result<(), AccessError> {
        if *id == scope.actor.account {
            return invalid("account: you cannot disable your own account");
        }
        self.one(scope, id).await?;
        Ok(self.access().set_disabled(id, disabled).await?)
    }

    /// Sets the password of an invitation's account; the link works once and not after its
    /// 72 hours.
    pub async fn redeem(&self, token: &str, password: &str) -> Result<Principal, StoreError> {
        check_new_password(password)?;
        let hash = token_hash(token.trim());
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT account_id FROM account_invitations \
             WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
        )
        .bind(&hash)
        .bind(now_millis())
        .fetch_optional(self.pool)
        .await?;
        let Some((account,)) = row else {
            return Err(StoreError::Invalid(
                "token: this link is not valid any more (links work once, for 72 hours); ask for a new one"
                    .into(),
            ));
        };
        let used = sqlx::query(
            "UPDATE account_invitations SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL",
        )
        .bind(now_millis())
        .bind(&hash)
        .execute(self.pool)
        .await?
        .rows_affected();
        if used != 1 {
            return Err(StoreError::Invalid("token: this link was just used".into()));
        }
        let id = AccountId::new(account);
        self.set_password(&id, password).await?;
        self.access()
            .principal(&id)
            .await?
            .ok_or_else(|| StoreError::Invalid("token: this account is disabled".into()))
    }

    /// A person changes their own password, proving the current one (when they have one).
    pub async fn change_own_password(
        &self,
        who: &Principal,
        current: &str,
        new: &str,
    ) -> Result<(), AccessError> {
        check_new_password(new)?;
        let has_password: Option<(Option<String>,)> =
            sqlx::query_as("SELECT password_hash FROM portal_accounts WHERE id = $1")
                .bind(who.account.as_str())
                .fetch_optional(self.pool)
                .await?;
        let Some((hash,)) = has_password else {
            return forbidden();
        };
        if hash.is_some() {
            match self.access().check_password(&who.email, current).await? {
                PasswordCheck::Valid(p) if p.account == who.account => {}
                PasswordCheck::Busy => {
                    return invalid("current: many people are signing in; try again in a moment")
                }
                _ => return invalid("current: that is not your current password"),
            }
        }
        self.set_password(&who.account, new).await?;
        Ok(())
    }

    /// The language an account reads Seatwise in (`None`: the browser's).
    pub async fn set_language(
        &self,
        id: &AccountId,
        language: Option<crate::language::Language>,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE portal_accounts SET language = $1, updated_at = $2 WHERE id = $3")
            .bind(language.map(|l| l.code()))
            .bind(now_millis())
            .bind(id.as_str())
            .execute(self.pool)
            .await?;
        Ok(())
    }

    async fn set_password(&self, id: &AccountId, password: &str) -> Result<(), StoreError> {
        let hash = hash_password(password.to_owned()).await?;
        sqlx::query("UPDATE portal_accounts SET password_hash = $1, updated_at = $2 WHERE id = $3")
            .bind(hash)
            .bind(now_millis())
            .bind(id.as_str())
            .execute(self.pool)
            .await?;
        Ok(())
    }
}

fn check_new_password(password: &str) -> Result<(), StoreError> {
    let n = password.chars().count();
    if !(MIN_PASSWORD..=256).contains(&n) || password.chars().any(char::is_control) {
        return Err(StoreError::Invalid(format!(
            "password: use {MIN_PASSWORD} to 256 characters, without control characters"
        )));
    }
    Ok(())
}
