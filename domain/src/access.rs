//! Who may act on what: portal accounts and their roles, resellers, customers (Microsoft
//! tenants), and the one check that turns a signed-in person and a customer id into a
//! [`CustomerScope`]. Services for a customer's data take a `CustomerScope`, which nothing
//! but [`Access::authorize`] can make, so a forgotten check does not compile.

use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Argon2,
};
use partner_center::CustomerId;
use serde::{Deserialize, Serialize};
use sqlx::AnyPool;
use uuid::Uuid;

use crate::{connections::ConnectionId, language::Language, time::now_millis, StoreError};

/// The demo accounts' addresses. They exist only while every connection is the sandbox: a
/// connection to anything else is refused until they are removed.
pub const DEMO_ACCOUNTS: [&str; 4] = [
    "admin@seatwise.demo",
    "support@seatwise.demo",
    "reseller@seatwise.demo",
    "it@contoso.demo",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    SpAdmin,
    SpSupport,
    ResellerAdmin,
    CustomerAdmin,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::SpAdmin,
        Role::SpSupport,
        Role::ResellerAdmin,
        Role::CustomerAdmin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::SpAdmin => "sp_admin",
            Role::SpSupport => "sp_support",
            Role::ResellerAdmin => "reseller_admin",
            Role::CustomerAdmin => "customer_admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        self.label_in(Language::English)
    }

    /// The role's name in `language` (pages and mails name it the same way).
    pub fn label_in(self, language: Language) -> &'static str {
        match (language, self) {
            (Language::English, Role::SpAdmin) => "Service provider admin",
            (Language::English, Role::SpSupport) => "Service provider support",
            (Language::English, Role::ResellerAdmin) => "Reseller admin",
            (Language::English, Role::CustomerAdmin) => "Customer admin",
            (Language::French, Role::SpAdmin) => "Administrateur du fournisseur de services",
            (Language::French, Role::SpSupport) => "Support du fournisseur de services",
            (Language::French, Role::ResellerAdmin) => "Administrateur revendeur",
            (Language::French, Role::CustomerAdmin) => "Administrateur client",
        }
    }

    pub fn is_service_provider(self) -> bool {
        matches!(self, Role::SpAdmin | Role::SpSupport)
    }

    /// The role may look but not change anything (service provider support).
    pub fn is_read_only(self) -> bool {
        self == Role::SpSupport
    }
}

partner_center::id_type!(
    /// A portal account (a GUID we made).
    AccountId: "account id", Guid;
    /// A reseller of the service provider (a GUID we made).
    ResellerId: "reseller id", Guid;
);

/// A signed-in person, as every request sees them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Principal {
    pub account: AccountId,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub reseller: Option<ResellerId>,
    pub customer: Option<CustomerId>,
    /// The language the account chose; `None`: the browser's.
    pub language: Option<crate::language::Language>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Customer {
    pub id: CustomerId,
    pub connection_id: ConnectionId,
    pub company_name: String,
    pub default_domain: String,
    pub reseller_id: Option<ResellerId>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reseller {
    pub id: ResellerId,
    pub name: String,
    pub mpn_id: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewAccount {
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub reseller: Option<ResellerId>,
    pub customer: Option<CustomerId>,
    /// `None` for accounts that only arrive through workspace links.
    pub password: Option<String>,
}

/// A customer the principal may act on; only [`Access::authorize`] makes one.
#[derive(Debug, Clone)]
pub struct CustomerScope {
    customer: Customer,
    principal: Principal,
}

impl CustomerScope {
    pub fn customer(&self) -> &Customer {
        &self.customer
    }

    pub fn principal(&self) -> &Principal {
        &self.principal
    }
}

/// A customer scope that may also change things: only [`Access::authorize_change`] makes one,
/// and it refuses read-only roles (service provider support). Services take it for writes.
#[derive(Debug, Clone)]
pub struct ChangeScope(CustomerScope);

impl AsRef<CustomerScope> for CustomerScope {
    fn as_ref(&self) -> &CustomerScope {
        self
    }
}

impl AsRef<CustomerScope> for ChangeScope {
    fn as_ref(&self) -> &CustomerScope {
        &self.0
    }
}

impl std::ops::Deref for ChangeScope {
    type Target = CustomerScope;

    fn deref(&self) -> &CustomerScope {
        &self.0
    }
}

/// The service provider's own staff, checked now: only [`Access::provider`] makes one.
/// `admin` is a [`ProviderAdmin`] capability when the person may change things.
#[derive(Debug, Clone)]
pub struct ProviderScope {
    principal: Principal,
}

impl ProviderScope {
    pub fn principal(&self) -> &Principal {
        &self.principal
    }
}

/// A service provider admin, checked now: what service-provider-only changes take.
#[derive(Debug, Clone)]
pub struct ProviderAdmin {
    _checked: (),
}

impl ProviderAdmin {
    /// The operator at the machine (the `seatwise` command line, the demo seeding): whoever
    /// can run the binary against the database already holds every key.
    pub fn command_line() -> Self {
        ProviderAdmin { _checked: () }
    }
}

/// What a service-provider-only operation needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Admins and support.
    Read,
    /// Admins only.
    Admin,
}

impl From<sqlx::Error> for AccessError {
    fn from(e: sqlx::Error) -> Self {
        AccessError::Store(e.into())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    /// Refused: the same answer whether the customer exists or not.
    #[error("you do not have access to this customer")]
    Forbidden,
    /// The role may look but not change (service provider support).
    #[error("your role has read-only access")]
    ReadOnly,
    /// Not one of the service provider's staff (or not an admin, for `Need::Admin`).
    #[error("only the service provider's staff may do this")]
    NotProvider { admins_only: bool },
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub const MIN_PASSWORD: usize = 12;

pub struct Access<'a> {
    pool: &'a AnyPool,
}

type AccountRow = (
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
    Option<String>,
);
const ACCOUNT_COLUMNS: &str =
    "id, email, display_name, role, reseller_id, customer_id, password_hash, disabled, language";
type CustomerRow = (String, String, String, String, Option<String>);
const CUSTOMER_COLUMNS: &str = "id, connection_id, company_name, default_domain, reseller_id";

fn principal(row: AccountRow) -> Option<Principal> {
    Some(Principal {
        account: AccountId(row.0),
        email: row.1,
        display_name: row.2,
        role: Role::parse(&row.3)?,
        reseller: row.4.map(ResellerId),
        customer: row.5.map(CustomerId::new),
        language: row
            .8
            .as_deref()
            .and_then(crate::language::Language::from_code),
    })
}

fn customer(row: CustomerRow) -> Customer {
    Customer {
        id: CustomerId::new(row.0),
        connection_id: ConnectionId::new(row.1),
        company_name: row.2,
        default_domain: row.3,
        reseller_id: row.4.map(ResellerId),
    }
}

/// Lower-cased and checked: something@something.something, no spaces.
pub fn normalize_email(email: &str) -> Result<String, StoreError> {
    let email = email.trim().to_lowercase();
    let valid = email.len() <= 254
        && !email.contains(char::is_whitespace)
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if valid {
        Ok(email)
    } else {
        Err(StoreError::Invalid(
            "email: enter an address like name@example.com".into(),
        ))
    }
}

/// At most this many Argon2 hashes run at once (each takes ~19 MiB and a core for tens of
/// milliseconds): a flood of sign-ins is answered "try again in a moment" instead of
/// exhausting memory.
pub const MAX_HASHES: usize = 4;

static HASH_PERMITS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(MAX_HASHES);
static HASHES_NOW: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
static HASHES_PEAK: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// The most hashes that ran at once in this process (tests and the status page).
pub fn hashes_peak() -> usize {
    HASHES_PEAK.load(std::sync::atomic::Ordering::Relaxed)
}

/// Runs a hash on a blocking thread while holding a permit, counting it.
async fn hashing<T: Send + 'static>(
    _permit: tokio::sync::SemaphorePermit<'static>,
    work: impl FnOnce() -> T + Send + 'static,
) -> Option<T> {
    use std::sync::atomic::Ordering::Relaxed;
    let now = HASHES_NOW.fetch_add(1, Relaxed) + 1;
    HASHES_PEAK.fetch_max(now, Relaxed);
    let result = tokio::task::spawn_blocking(work).await.ok();
    HASHES_NOW.fetch_sub(1, Relaxed);
    result
}

/// Hashing is slow on purpose; run it off the async runtime (waiting for a permit).
pub(crate) async fn hash_password(password: String) -> Result<String, StoreError> {
    let permit = HASH_PERMITS
        .acquire()
        .await
        .map_err(|e| StoreError::Invalid(format!("password hashing failed: {e}")))?;
    hashing(permit, move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| StoreError::Invalid(format!("password hashing failed: {e}")))
    })
    .await
    .unwrap_or_else(|| Err(StoreError::Invalid("password hashing failed".into())))
}

/// `None` when every permit is taken (the caller answers "try again in a moment").
async fn verify_password(password: String, hash: Option<String>) -> Option<bool> {
    let permit = HASH_PERMITS.try_acquire().ok()?;
    Some(
        hashing(permit, move || {
            // Without an account, verify against a fixed hash anyway so that timing does not
            // tell which email addresses have accounts.
            let hash = hash.unwrap_or_else(|| dummy_hash().to_owned());
            PasswordHash::new(&hash)
                .map(|parsed| {
                    Argon2::default()
                        .verify_password(password.as_bytes(), &parsed)
                        .is_ok()
                })
                .unwrap_or(false)
        })
        .await
        .unwrap_or(false),
    )
}

/// What a password check found.
#[derive(Debug)]
pub enum PasswordCheck {
    Valid(Principal),
    /// Unknown address, wrong password or disabled account: one answer for all three.
    Invalid,
    /// Too many checks at once: nothing was checked.
    Busy,
}

/// The Argon2id hash of a random password nobody knows, made once per process.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(Uuid::new_v4().as_bytes(), &salt)
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

impl<'a> Access<'a> {
    pub(crate) fn new(pool: &'a AnyPool) -> Self {
        Access { pool }
    }

    // ---- Accounts ----

    pub async fn create_account(&self, new: NewAccount) -> Result<Principal, StoreError> {
        let email = normalize_email(&new.email)?;
        let display_name = new.display_name.trim().to_owned();
        if display_name.is_empty()
            || display_name.chars().count() > 100
            || display_name.chars().any(char::is_control)
        {
            return Err(StoreError::Invalid(
                "display_name: give a name of at most 100 characters, without control characters"
                    .into(),
            ));
        }
        self.check_scope(new.role, new.reseller.as_ref(), new.customer.as_ref())
            .await?;
        let hash = match new.password {
            Some(p) if p.chars().count() < MIN_PASSWORD => {
                return Err(StoreError::Invalid(format!(
                    "password: use at least {MIN_PASSWORD} characters"
                )))
            }
            Some(p) => Some(hash_password(p).await?),
            None => None,
        };
        if self.account_by_email(&email).await?.is_some() {
            return Err(StoreError::Invalid(
                "email: an account with this address already exists".into(),
            ));
        }
        let id = Uuid::now_v7().to_string();
        let now = now_millis();
        sqlx::query(
            "INSERT INTO portal_accounts (id, email, display_name, role, reseller_id, customer_id, \
             password_hash, disabled, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $9)",
        )
        .bind(&id)
        .bind(&email)
        .bind(&display_name)
        .bind(new.role.as_str())
        .bind(new.reseller.as_ref().map(|r| r.as_str().to_owned()))
        .bind(new.customer.as_ref().map(|c| c.as_str().to_lowercase()))
        .bind(hash)
        .bind(now)
        .bind(now)
        .execute(self.pool)
        .await?;
        self.principal(&AccountId(id))
            .await?
            .ok_or_else(|| StoreError::Invalid("the new account vanished".into()))
    }

    /// A role's scope is whole and exists: staff have none, a reseller admin a reseller, a
    /// customer admin a customer.
    pub(crate) async fn check_scope(
        &self,
        role: Role,
        reseller: Option<&ResellerId>,
        customer: Option<&CustomerId>,
    ) -> Result<(), StoreError> {
        let scope_ok = match role {
            Role::SpAdmin | Role::SpSupport => reseller.is_none() && customer.is_none(),
            Role::ResellerAdmin => reseller.is_some() && customer.is_none(),
            Role::CustomerAdmin => customer.is_some() && reseller.is_none(),
        };
        if !scope_ok {
            return Err(StoreError::Invalid(format!(
                "scope: a {} account needs {}",
                role.label().to_lowercase(),
                match role {
                    Role::SpAdmin | Role::SpSupport => "no reseller and no customer",
                    Role::ResellerAdmin => "a reseller",
                    Role::CustomerAdmin => "a customer",
                }
            )));
        }
        if let Some(r) = reseller {
            self.reseller(r)
                .await?
                .ok_or_else(|| StoreError::Invalid("scope: no such reseller".into()))?;
        }
        if let Some(c) = customer {
            self.customer(c)
                .await?
                .ok_or_else(|| StoreError::Invalid("scope: no such customer".into()))?;
        }
        Ok(())
    }

    async fn account_by_email(&self, email: &str) -> Result<Option<AccountRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {ACCOUNT_COLUMNS} FROM portal_accounts WHERE email = $1"
        ))
        .bind(email)
        .fetch_optional(self.pool)
        .await?)
    }

    /// The principal of an enabled account.
    pub async fn principal(&self, id: &AccountId) -> Result<Option<Principal>, StoreError> {
        let row: Option<AccountRow> = sqlx::query_as(&format!(
            "SELECT {ACCOUNT_COLUMNS} FROM portal_accounts WHERE id = $1"
        ))
        .bind(id.as_str())
        .fetch_optional(self.pool)
        .await?;
        Ok(row.filter(|r| r.7 == 0).and_then(principal))
    }

    /// Checks a password: the same answer, in about the same time, for an unknown address, a
    /// wrong password and a disabled account.
    pub async fn check_password(
        &self,
        email: &str,
        password: &str,
    ) -> Result<PasswordCheck, StoreError> {
        let (row, hash) = match normalize_email(email) {
            Ok(email) => {
                let row = self.account_by_email(&email).await?;
                let hash = row.as_ref().and_then(|r| r.6.clone());
                (row, hash)
            }
            Err(_) => (None, None),
        };
        let Some(ok) = verify_password(password.to_owned(), hash).await else {
            return Ok(PasswordCheck::Busy);
        };
        Ok(match row.filter(|r| ok && r.7 == 0).and_then(principal) {
            Some(p) => PasswordCheck::Valid(p),
            None => PasswordCheck::Invalid,
        })
    }

    /// Disables (or re-enables) an account; disabling also ends its sessions at once.
    pub async fn set_disabled(&self, id: &AccountId, disabled: bool) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE portal_accounts SET disabled = $1, updated_at = $2 WHERE id = $3")
            .bind(i64::from(disabled))
            .bind(now_millis())
            .bind(id.as_str())
            .execute(&mut *tx)
            .await?;
        if disabled {
            crate::sessions::end_all(&mut tx, id).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Whether any of these addresses has an account.
    pub async fn accounts_present(&self, emails: &[&str]) -> Result<bool, StoreError> {
        for email in emails {
            if self.account_by_email(email).await?.is_some() {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Deletes the accounts of these addresses and their sessions; returns how many there were.
    pub async fn delete_accounts(&self, emails: &[&str]) -> Result<u64, StoreError> {
        let mut tx = self.pool.begin().await?;
        let mut deleted = 0;
        for email in emails {
            let row: Option<(String,)> =
                sqlx::query_as("SELECT id FROM portal_accounts WHERE email = $1")
                    .bind(*email)
                    .fetch_optional(&mut *tx)
                    .await?;
            let Some((id,)) = row else { continue };
            crate::sessions::end_all(&mut tx, &AccountId::new(id.clone())).await?;
            for sql in [
                "DELETE FROM account_invitations WHERE account_id = $1",
                "DELETE FROM portal_accounts WHERE id = $1",
            ] {
                sqlx::query(sql).bind(&id).execute(&mut *tx).await?;
            }
            deleted += 1;
        }
        tx.commit().await?;
        Ok(deleted)
    }

    /// The account a workspace link signs in as (customer admin or reseller admin), created
    /// on first use. An address that belongs to an account of another kind or scope is refused.
    pub async fn account_for_link(
        &self,
        role: Role,
        reseller: Option<ResellerId>,
        customer: Option<CustomerId>,
        email: &str,
        name: &str,
    ) -> Result<Principal, StoreError> {
        let email = normalize_email(email)?;
        if let Some(row) = self.account_by_email(&email).await? {
            let enabled = row.7 == 0;
            return match principal(row).filter(|_| enabled) {
                Some(p) if p.role == role && p.reseller == reseller && p.customer == customer => {
                    Ok(p)
                }
                _ => Err(StoreError::Invalid(
                    "email: this address belongs to another account or is disabled".into(),
                )),
            };
        }
        self.create_account(NewAccount {
            display_name: if name.trim().is_empty() {
                email.clone()
            } else {
                name.to_owned()
            },
            email,
            role,
            reseller,
            customer,
            password: None,
        })
        .await
    }

    // ---- Resellers and customers ----

    pub async fn create_reseller(
        &self,
        _by: &ProviderAdmin,
        name: &str,
        mpn_id: Option<&str>,
    ) -> Result<Reseller, StoreError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(StoreError::Invalid(
                "name: give the reseller a name of at most 100 characters".into(),
            ));
        }
        let id = Uuid::now_v7().to_string();
        let inserted = sqlx::query(
            "INSERT INTO resellers (id, name, mpn_id, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(&id)
        .bind(name)
        .bind(mpn_id)
        .bind(now_millis())
        .execute(self.pool)
        .await;
        if inserted.is_err() && self.resellers().await?.iter().any(|r| r.name == name) {
            return Err(StoreError::Invalid(format!(
                "name: a reseller called {name:?} already exists"
            )));
        }
        inserted?;
        Ok(Reseller {
            id: ResellerId(id),
            name: name.to_owned(),
            mpn_id: mpn_id.map(str::to_owned),
        })
    }

    pub async fn resellers(&self) -> Result<Vec<Reseller>, StoreError> {
        let rows: Vec<(String, String, Option<String>)> =
            sqlx::query_as("SELECT id, name, mpn_id FROM resellers ORDER BY name")
                .fetch_all(self.pool)
                .await?;
        Ok(rows
            .into_iter()
            .map(|(id, name, mpn_id)| Reseller {
                id: ResellerId(id),
                name,
                mpn_id,
            })
            .collect())
    }

    pub async fn reseller(&self, id: &ResellerId) -> Result<Option<Reseller>, StoreError> {
        Ok(self.resellers().await?.into_iter().find(|r| r.id == *id))
    }

    /// Adds (or refreshes the name and domain of) a tenant imported from a connection.
    pub async fn import_customer(
        &self,
        _by: &ProviderAdmin,
        connection: &ConnectionId,
        id: &CustomerId,
        company_name: &str,
        default_domain: &str,
    ) -> Result<Customer, StoreError> {
        let key = id.as_str().to_lowercase();
        sqlx::query(
            "INSERT INTO customers (id, connection_id, company_name, default_domain, reseller_id, imported_at) \
             VALUES ($1, $2, $3, $4, (SELECT reseller_id FROM connections WHERE id = $2), $5) \
             ON CONFLICT (id) DO UPDATE SET \
             company_name = excluded.company_name, default_domain = excluded.default_domain",
        )
        .bind(&key)
        .bind(connection.as_str())
        .bind(company_name)
        .bind(default_domain)
        .bind(now_millis())
        .execute(self.pool)
        .await?;
        self.customer(id)
            .await?
            .ok_or_else(|| StoreError::Invalid("the imported customer vanished".into()))
    }

    /// Imports a tenant a reseller's admin (`who`) created: it becomes that reseller's
    /// customer. It never takes over a customer already imported.
    pub async fn import_for_reseller(
        &self,
        who: &Principal,
        connection: &ConnectionId,
        id: &CustomerId,
        company_name: &str,
        default_domain: &str,
    ) -> Result<Customer, StoreError> {
        let (Role::ResellerAdmin, Some(reseller)) = (who.role, &who.reseller) else {
            return Err(StoreError::Invalid(
                "only a reseller's admin imports a customer for its reseller".into(),
            ));
        };
        let added = sqlx::query(
            "INSERT INTO customers (id, connection_id, company_name, default_domain, reseller_id, \
             imported_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING",
        )
        .bind(id.as_str().to_lowercase())
        .bind(connection.as_str())
        .bind(company_name)
        .bind(default_domain)
        .bind(reseller.as_str())
        .bind(now_millis())
        .execute(self.pool)
        .await?
        .rows_affected();
        if added == 0 {
            return Err(StoreError::Invalid(
                "customer: this tenant is already imported".into(),
            ));
        }
        self.customer(id)
            .await?
            .ok_or_else(|| StoreError::Invalid("the imported customer vanished".into()))
    }

    pub async fn assign_reseller(
        &self,
        _by: &ProviderAdmin,
        customer: &CustomerId,
        reseller: Option<&ResellerId>,
    ) -> Result<(), StoreError> {
        if let Some(r) = reseller {
            self.reseller(r)
                .await?
                .ok_or_else(|| StoreError::Invalid("reseller: no such reseller".into()))?;
        }
        // A customer under a connection given to a reseller is that reseller's.
        let owner: Option<(String, Option<String>)> = sqlx::query_as(
            "SELECT c.name, c.reseller_id FROM customers k JOIN connections c \
             ON c.id = k.connection_id WHERE k.id = $1",
        )
        .bind(customer.as_str().to_lowercase())
        .fetch_optional(self.pool)
        .await?;
        if let Some((connection, Some(owner))) = owner {
            if reseller.map(|r| r.as_str()) != Some(owner.as_str()) {
                return Err(StoreError::Invalid(format!(
                    "reseller: this customer is under the connection {connection:?}, which belongs \
                     to its reseller; it stays with that reseller"
                )));
            }
        }
        let changed = sqlx::query("UPDATE customers SET reseller_id = $1 WHERE id = $2")
            .bind(reseller.map(|r| r.as_str().to_owned()))
            .bind(customer.as_str().to_lowercase())
            .execute(self.pool)
            .await?
            .rows_affected();
        if changed == 0 {
            return Err(StoreError::Invalid("customer: no such customer".into()));
        }
        Ok(())
    }

    pub async fn customer(&self, id: &CustomerId) -> Result<Option<Customer>, StoreError> {
        let row: Option<CustomerRow> = sqlx::query_as(&format!(
            "SELECT {CUSTOMER_COLUMNS} FROM customers WHERE id = $1"
        ))
        .bind(id.as_str().to_lowercase())
        .fetch_optional(self.pool)
        .await?;
        Ok(row.map(customer))
    }

    /// The first customer by name (demos and scripts).
    pub async fn first_customer_id(&self) -> Result<Option<String>, StoreError> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT id FROM customers ORDER BY company_name LIMIT 1")
                .fetch_optional(self.pool)
                .await?;
        Ok(row.map(|(id,)| id))
    }

    /// Every imported customer, for the service provider's own work (the command line, the
    /// schedule).
    pub async fn all_customers(&self, _by: &ProviderAdmin) -> Result<Vec<Customer>, StoreError> {
        let rows: Vec<CustomerRow> = sqlx::query_as(&format!(
            "SELECT {CUSTOMER_COLUMNS} FROM customers ORDER BY company_name"
        ))
        .fetch_all(self.pool)
        .await?;
        Ok(rows.into_iter().map(customer).collect())
    }

    /// The customers a principal may see: all, a reseller's, or their own.
    pub async fn visible_customers(&self, who: &Principal) -> Result<Vec<Customer>, StoreError> {
        let rows: Vec<CustomerRow> = match (who.role, &who.reseller, &who.customer) {
            (Role::SpAdmin | Role::SpSupport, _, _) => {
                sqlx::query_as(&format!("SELECT {CUSTOMER_COLUMNS} FROM customers ORDER BY company_name"))
                    .fetch_all(self.pool)
                    .await?
            }
            (Role::ResellerAdmin, Some(r), _) => sqlx::query_as(&format!(
                "SELECT {CUSTOMER_COLUMNS} FROM customers WHERE reseller_id = $1 ORDER BY company_name"
            ))
            .bind(r.as_str())
            .fetch_all(self.pool)
            .await?,
            (Role::CustomerAdmin, _, Some(c)) => {
                sqlx::query_as(&format!("SELECT {CUSTOMER_COLUMNS} FROM customers WHERE id = $1"))
                    .bind(c.as_str().to_lowercase())
                    .fetch_all(self.pool)
                    .await?
            }
            _ => Vec::new(),
        };
        Ok(rows.into_iter().map(customer).collect())
    }

    /// Handles on every customer `who` may act on (the multi-customer views): the same rule as
    /// [`Access::authorize`], for all of them at once.
    pub async fn scopes(&self, who: &Principal) -> Result<Vec<CustomerScope>, AccessError> {
        let Some(current) = self.principal(&who.account).await? else {
            return Err(AccessError::Forbidden);
        };
        if current.role != who.role {
            return Err(AccessError::Forbidden);
        }
        Ok(self
            .visible_customers(&current)
            .await?
            .into_iter()
            .map(|customer| CustomerScope {
                customer,
                principal: current.clone(),
            })
            .collect())
    }

    /// [`Access::authorize`] for a change: read-only roles are refused.
    pub async fn authorize_change(
        &self,
        who: &Principal,
        customer_id: &CustomerId,
    ) -> Result<ChangeScope, AccessError> {
        let scope = self.authorize(who, customer_id).await?;
        if scope.principal.role.is_read_only() {
            return Err(AccessError::ReadOnly);
        }
        Ok(ChangeScope(scope))
    }

    /// The service provider's staff (re-read now: a disabled account or a changed role loses
    /// access at once).
    pub async fn provider(
        &self,
        who: &Principal,
        need: Need,
    ) -> Result<ProviderScope, AccessError> {
        let current = match self.principal(&who.account).await? {
            Some(current) if current.role == who.role => current,
            _ => return Err(AccessError::Forbidden),
        };
        match (current.role, need) {
            (Role::SpAdmin, _) | (Role::SpSupport, Need::Read) => {
                Ok(ProviderScope { principal: current })
            }
            (Role::SpSupport, Need::Admin) => Err(AccessError::NotProvider { admins_only: true }),
            _ => Err(AccessError::NotProvider { admins_only: false }),
        }
    }

    /// A service provider admin, checked now.
    pub async fn provider_admin(&self, who: &Principal) -> Result<ProviderAdmin, AccessError> {
        self.provider(who, Need::Admin).await?;
        Ok(ProviderAdmin { _checked: () })
    }

    /// The one place that decides whether `who` may act on `customer`.
    pub async fn authorize(
        &self,
        who: &Principal,
        customer_id: &CustomerId,
    ) -> Result<CustomerScope, AccessError> {
        let Some(found) = self.customer(customer_id).await? else {
            return Err(AccessError::Forbidden);
        };
        let allowed = match who.role {
            Role::SpAdmin | Role::SpSupport => true,
            Role::ResellerAdmin => who.reseller.is_some() && found.reseller_id == who.reseller,
            Role::CustomerAdmin => who.customer.as_ref() == Some(&found.id),
        };
        if !allowed {
            return Err(AccessError::Forbidden);
        }
        // Re-read the account: a disabled account loses access at once.
        match self.principal(&who.account).await? {
            Some(current) if current.role == who.role => Ok(CustomerScope {
                customer: found,
                principal: current,
            }),
            _ => Err(AccessError::Forbidden),
        }
    }
}
