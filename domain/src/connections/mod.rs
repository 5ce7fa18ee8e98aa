//! Partner Center connections: where each one points, how it signs in (sealed at rest), which
//! is the default, and the client built from it. [`check`] runs every read once against one.

pub mod check;

use partner_center::{ClientConfig, Credential, PartnerCenter};
use serde::{Deserialize, Serialize};
use sqlx::AnyPool;
use uuid::Uuid;

use crate::{access::ResellerId, crypto::Sealer, time::now_millis, StoreError};

partner_center::id_type!(
    /// A Partner Center connection of ours (a GUID we made).
    ConnectionId: "connection id", Guid;
);

/// How a connection signs in. Secrets only ever travel inside this type on the server.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Secret {
    ClientSecret {
        client_secret: String,
    },
    RefreshToken {
        refresh_token: String,
        client_secret: Option<String>,
    },
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Secret::ClientSecret { .. } => "ClientSecret([redacted])",
            Secret::RefreshToken { .. } => "RefreshToken([redacted])",
        })
    }
}

impl Secret {
    fn kind(&self) -> &'static str {
        match self {
            Secret::ClientSecret { .. } => "client_secret",
            Secret::RefreshToken { .. } => "refresh_token",
        }
    }

    fn credential(&self) -> Credential {
        match self {
            Secret::ClientSecret { client_secret } => {
                Credential::ClientSecret(client_secret.clone())
            }
            Secret::RefreshToken {
                refresh_token,
                client_secret,
            } => Credential::RefreshToken {
                refresh_token: refresh_token.clone(),
                client_secret: client_secret.clone(),
            },
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewConnection {
    pub name: String,
    /// ISO 3166 two-letter country the connection sells in (catalog lookups use it).
    pub country: String,
    pub api_url: String,
    pub login_url: String,
    pub tenant_id: String,
    pub app_id: String,
    pub secret: Secret,
    pub is_default: bool,
    pub is_sandbox: bool,
}

/// A connection as anyone may see it: no secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Connection {
    pub id: ConnectionId,
    pub name: String,
    pub country: String,
    pub api_url: String,
    pub login_url: String,
    pub tenant_id: String,
    pub app_id: String,
    pub credential_kind: String,
    pub is_default: bool,
    pub is_sandbox: bool,
    pub created_at: i64,
    pub updated_at: i64,
    /// When a call through it last succeeded, as last recorded (unix milliseconds).
    pub last_ok_at: Option<i64>,
    /// The reseller it was given to (one that sells through its own Partner Center account);
    /// `None`: the service provider's own.
    pub reseller_id: Option<ResellerId>,
}

pub struct Connections<'a> {
    pool: &'a AnyPool,
    sealer: &'a Sealer,
    /// Several instances may share the database (PostgreSQL): clients share their budget
    /// through it.
    shared: bool,
}

type Row = (
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    i64,
    i64,
    i64,
    Option<i64>,
    Option<String>,
);
const COLUMNS: &str = "id, name, country, api_url, login_url, tenant_id, app_id, credential_kind, \
                       is_default, is_sandbox, created_at, updated_at, last_ok_at, reseller_id";

fn to_connection(r: Row) -> Connection {
    Connection {
        id: ConnectionId(r.0),
        name: r.1,
        country: r.2,
        api_url: r.3,
        login_url: r.4,
        tenant_id: r.5,
        app_id: r.6,
        credential_kind: r.7,
        is_default: r.8 != 0,
        is_sandbox: r.9 != 0,
        created_at: r.10,
        updated_at: r.11,
        last_ok_at: r.12,
        reseller_id: r.13.map(ResellerId::new),
    }
}

impl NewConnection {
    /// Every field checked before anything is stored; the message names the field.
    pub fn validate(&mut self) -> Result<(), StoreError> {
        let bad = |m: &str| Err(StoreError::Invalid(m.to_owned()));
        self.name = valid_name(&self.name)?;
        self.country = self.country.trim().to_uppercase();
        if self.country.len() != 2 || !self.country.chars().all(|c| c.is_ascii_alphabetic()) {
            return bad("country: use a two-letter country code such as US");
        }
        for (field, url) in [
            ("api_url", &mut self.api_url),
            ("login_url", &mut self.login_url),
        ] {
            *url = url.trim().trim_end_matches('/').to_owned();
            if !(url.starts_with("https://") || url.starts_with("http://")) || url.contains(' ') {
                return Err(StoreError::Invalid(format!(
                    "{field}: must be an http(s) URL"
                )));
            }
        }
        if self.tenant_id.trim().is_empty() {
            return bad("tenant_id: the partner's tenant id or domain is required");
        }
        if self.app_id.trim().is_empty() {
            return bad("app_id: the application (client) id is required");
        }
        self.secret.validate()
    }

    /// A client for these settings before they are stored (the Test of the Add form).
    pub fn client(&self, http: reqwest_client::Client) -> PartnerCenter {
        let config = ClientConfig::new(
            self.api_url.clone(),
            self.login_url.clone(),
            self.tenant_id.trim(),
            self.app_id.trim(),
            self.secret.credential(),
        );
        PartnerCenter::new(http, config)
    }
}

impl Secret {
    fn validate(&self) -> Result<(), StoreError> {
        let secret = match self {
            Secret::ClientSecret { client_secret } => client_secret,
            Secret::RefreshToken { refresh_token, .. } => refresh_token,
        };
        if secret.trim().is_empty() || secret.len() > 8192 || secret.chars().any(char::is_control) {
            return Err(StoreError::Invalid(
                "secret: give the client secret or refresh token (at most 8192 characters)".into(),
            ));
        }
        Ok(())
    }
}

/// A connection's name, trimmed: 1 to 100 characters, no control characters.
fn valid_name(name: &str) -> Result<String, StoreError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(StoreError::Invalid(
            "name: give the connection a name of at most 100 characters".into(),
        ));
    }
    Ok(name.to_owned())
}

impl<'a> Connections<'a> {
    pub(crate) fn new(pool: &'a AnyPool, sealer: &'a Sealer, shared: bool) -> Self {
        Connections {
            pool,
            sealer,
            shared,
        }
    }

    pub async fn list(&self) -> Result<Vec<Connection>, StoreError> {
        let rows: Vec<Row> =
            sqlx::query_as(&format!("SELECT {COLUMNS} FROM connections ORDER BY name"))
                .fetch_all(self.pool)
                .await?;
        Ok(rows.into_iter().map(to_connection).collect())
    }

    pub async fn by_name(&self, name: &str) -> Result<Option<Connection>, StoreError> {
        let row: Option<Row> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM connections WHERE name = $1"
        ))
        .bind(name)
        .fetch_optional(self.pool)
        .await?;
        Ok(row.map(to_connection))
    }

    pub async fn default_connection(&self) -> Result<Option<Connection>, StoreError> {
        let row: Option<Row> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM connections WHERE is_default = 1 ORDER BY name LIMIT 1"
        ))
        .fetch_optional(self.pool)
        .await?;
        Ok(row.map(to_connection))
    }

    pub async fn create(&self, mut new: NewConnection) -> Result<Connection, StoreError> {
        new.validate()?;
        if self.by_name(&new.name).await?.is_some() {
            return Err(StoreError::Invalid(format!(
                "name: a connection called {:?} already exists",
                new.name
            )));
        }
        let id = Uuid::now_v7().to_string();
        let sealed = self.seal(
            &binding(
                &id,
                &new.api_url,
                &new.login_url,
                new.tenant_id.trim(),
                new.app_id.trim(),
            ),
            &new.secret,
        )?;
        let now = now_millis();
        let mut tx = self.pool.begin().await?;
        if new.is_default {
            sqlx::query("UPDATE connections SET is_default = 0")
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "INSERT INTO connections (id, name, country, api_url, login_url, tenant_id, app_id, \
             credential_kind, credential_sealed, is_default, is_sandbox, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(&id)
        .bind(&new.name)
        .bind(&new.country)
        .bind(&new.api_url)
        .bind(&new.login_url)
        .bind(new.tenant_id.trim())
        .bind(new.app_id.trim())
        .bind(new.secret.kind())
        .bind(&sealed)
        .bind(i64::from(new.is_default))
        .bind(i64::from(new.is_sandbox))
        .bind(now)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.by_name(&new.name)
            .await?
            .ok_or_else(|| StoreError::Invalid("the new connection vanished".into()))
    }

    pub async fn by_id(&self, id: &ConnectionId) -> Result<Option<Connection>, StoreError> {
        let row: Option<Row> =
            sqlx::query_as(&format!("SELECT {COLUMNS} FROM connections WHERE id = $1"))
                .bind(id.as_str())
                .fetch_optional(self.pool)
                .await?;
        Ok(row.map(to_connection))
    }

    /// The connection called `name`, or an error saying there is none.
    pub async fn named(&self, name: &str) -> Result<Connection, StoreError> {
        self.by_name(name)
            .await?
            .ok_or_else(|| StoreError::Invalid(format!("name: no connection is called {name:?}")))
    }

    async fn existing(&self, id: &ConnectionId) -> Result<Connection, StoreError> {
        self.by_id(id).await?.ok_or_else(|| {
            StoreError::Invalid("connection: that connection no longer exists".into())
        })
    }

    /// Makes this connection the default one (and no other).
    pub async fn set_default(&self, id: &ConnectionId) -> Result<Connection, StoreError> {
        let connection = self.existing(id).await?;
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE connections SET is_default = 0")
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE connections SET is_default = 1, updated_at = $1 WHERE id = $2")
            .bind(now_millis())
            .bind(id.as_str())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Connection {
            is_default: true,
            ..connection
        })
    }

    /// Gives a connection another name (unique among connections).
    pub async fn rename(&self, id: &ConnectionId, name: &str) -> Result<Connection, StoreError> {
        let connection = self.existing(id).await?;
        let name = valid_name(name)?;
        if let Some(other) = self.by_name(&name).await? {
            if other.id != connection.id {
                return Err(StoreError::Invalid(format!(
                    "name: a connection called {name:?} already exists"
                )));
            }
        }
        sqlx::query("UPDATE connections SET name = $1, updated_at = $2 WHERE id = $3")
            .bind(&name)
            .bind(now_millis())
            .bind(id.as_str())
            .execute(self.pool)
            .await?;
        self.existing(id).await
    }

    /// Seals a new secret for a connection; its client is made anew on the next call.
    pub async fn rotate_secret(
        &self,
        id: &ConnectionId,
        secret: &Secret,
    ) -> Result<Connection, StoreError> {
        let c = self.existing(id).await?;
        if c.is_sandbox {
            return Err(StoreError::Invalid(
                "connection: the sandbox makes its own secret each time it starts".into(),
            ));
        }
        secret.validate()?;
        let sealed = self.seal(
            &binding(
                id.as_str(),
                &c.api_url,
                &c.login_url,
                &c.tenant_id,
                &c.app_id,
            ),
            secret,
        )?;
        sqlx::query(
            "UPDATE connections SET credential_kind = $1, credential_sealed = $2, updated_at = $3 \
             WHERE id = $4",
        )
        .bind(secret.kind())
        .bind(&sealed)
        .bind(now_millis())
        .bind(id.as_str())
        .execute(self.pool)
        .await?;
        self.existing(id).await
    }

    /// Gives a connection to a reseller (`None`: back to the service provider). Customers
    /// imported under it from then on belong to that reseller.
    pub async fn give(
        &self,
        id: &ConnectionId,
        reseller: Option<&ResellerId>,
    ) -> Result<Connection, StoreError> {
        self.existing(id).await?;
        if let Some(r) = reseller {
            let known: Option<(String,)> = sqlx::query_as("SELECT id FROM resellers WHERE id = $1")
                .bind(r.as_str())
                .fetch_optional(self.pool)
                .await?;
            if known.is_none() {
                return Err(StoreError::Invalid("reseller: no such reseller".into()));
            }
        }
        sqlx::query("UPDATE connections SET reseller_id = $1, updated_at = $2 WHERE id = $3")
            .bind(reseller.map(|r| r.as_str().to_owned()))
            .bind(now_millis())
            .bind(id.as_str())
            .execute(self.pool)
            .await?;
        self.existing(id).await
    }

    /// The customers imported under a connection, by name.
    pub async fn customers_of(&self, id: &ConnectionId) -> Result<Vec<String>, StoreError> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT company_name FROM customers WHERE connection_id = $1 ORDER BY company_name",
        )
        .bind(id.as_str())
        .fetch_all(self.pool)
        .await?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    /// Removes a connection: refused for the sandbox while the emulator runs, and while
    /// customers use it (the message names them).
    pub async fn remove(&self, id: &ConnectionId) -> Result<Connection, StoreError> {
        let connection = self.existing(id).await?;
        if connection.is_sandbox {
            return Err(StoreError::Invalid(
                "connection: the sandbox connection belongs to the built-in emulator and cannot \
                 be removed"
                    .into(),
            ));
        }
        let users = self.customers_of(id).await?;
        if !users.is_empty() {
            return Err(StoreError::Invalid(format!(
                "connection: {} still use{} {:?}: {}. Remove {} from Seatwise first",
                plural(users.len(), "customer"),
                if users.len() == 1 { "s" } else { "" },
                connection.name,
                users.join(", "),
                if users.len() == 1 { "it" } else { "them" },
            )));
        }
        sqlx::query("DELETE FROM connections WHERE id = $1")
            .bind(id.as_str())
            .execute(self.pool)
            .await?;
        Ok(connection)
    }

    /// Records that a call through the connection succeeded at `at` (kept if newer).
    pub async fn mark_ok(&self, id: &ConnectionId, at: i64) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE connections SET last_ok_at = $1 WHERE id = $2 \
             AND (last_ok_at IS NULL OR last_ok_at < $1)",
        )
        .bind(at)
        .bind(id.as_str())
        .execute(self.pool)
        .await?;
        Ok(())
    }

    /// Points the sandbox connection at the embedded emulator (its port changes per run),
    /// creating it as the default the first time.
    pub async fn upsert_sandbox(&self, url: &str) -> Result<Connection, StoreError> {
        let existing: Option<(String, String, String, String)> = sqlx::query_as(
            "SELECT id, name, tenant_id, app_id FROM connections WHERE is_sandbox = 1 LIMIT 1",
        )
        .fetch_optional(self.pool)
        .await?;
        match existing {
            Some((id, name, tenant, app)) => {
                // The secret is bound to the URLs: moving the sandbox seals a new one (the
                // embedded emulator takes any).
                let sealed =
                    self.seal(&binding(&id, url, url, &tenant, &app), &sandbox_secret())?;
                sqlx::query(
                    "UPDATE connections SET api_url = $1, login_url = $2, credential_sealed = $3, \
                     updated_at = $4 WHERE id = $5",
                )
                .bind(url)
                .bind(url)
                .bind(&sealed)
                .bind(now_millis())
                .bind(&id)
                .execute(self.pool)
                .await?;
                self.by_name(&name)
                    .await?
                    .ok_or_else(|| StoreError::Invalid("the sandbox connection vanished".into()))
            }
            None => {
                let is_default = self.default_connection().await?.is_none();
                self.create(NewConnection {
                    name: "Sandbox".into(),
                    country: "US".into(),
                    api_url: url.into(),
                    login_url: url.into(),
                    tenant_id: "sandbox.onmicrosoft.com".into(),
                    app_id: "seatwise-sandbox".into(),
                    secret: sandbox_secret(),
                    is_default,
                    is_sandbox: true,
                })
                .await
            }
        }
    }

    /// The client for a connection; the secret is unsealed here and goes nowhere else.
    pub async fn client(
        &self,
        http: reqwest_client::Client,
        id: &ConnectionId,
    ) -> Result<PartnerCenter, StoreError> {
        let (api_url, login_url, tenant, app_id, sealed): (String, String, String, String, String) =
            sqlx::query_as(
                "SELECT api_url, login_url, tenant_id, app_id, credential_sealed FROM connections WHERE id = $1",
            )
            .bind(id.as_str())
            .fetch_optional(self.pool)
            .await?
            .ok_or_else(|| StoreError::Invalid(format!("connection {id} does not exist")))?;
        let bound_to = binding(id.as_str(), &api_url, &login_url, &tenant, &app_id);
        let secret: Secret = serde_json::from_slice(&self.sealer.open(&sealed, &bound_to)?)
            .map_err(|e| StoreError::Invalid(format!("stored credential: {e}")))?;
        let mut config = ClientConfig::new(api_url, login_url, tenant, app_id, secret.credential());
        if self.shared {
            let budget = crate::budget::DbBudget::new(
                self.pool.clone(),
                id.as_str(),
                crate::budget::PER_MINUTE,
                std::time::Duration::from_secs(60),
            );
            config.requests_per_minute = crate::budget::PER_MINUTE;
            config.shared_budget =
                Some(partner_center::budget::Budget(std::sync::Arc::new(budget)));
        }
        Ok(PartnerCenter::new(http, config))
    }

    fn seal(&self, bound_to: &str, secret: &Secret) -> Result<String, StoreError> {
        let plain = serde_json::to_vec(secret).map_err(|e| StoreError::Invalid(e.to_string()))?;
        self.sealer.seal(&plain, bound_to)
    }
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

fn sandbox_secret() -> Secret {
    Secret::ClientSecret {
        client_secret: Uuid::new_v4().simple().to_string(),
    }
}

/// What a sealed credential is bound to: its connection and everywhere the secret is sent. A
/// URL or tenant changed in the database makes the secret unreadable instead of sending it
/// elsewhere.
fn binding(id: &str, api_url: &str, login_url: &str, tenant: &str, app_id: &str) -> String {
    format!("seatwise-connection\n{id}\n{api_url}\n{login_url}\n{tenant}\n{app_id}")
}

/// The HTTP client type the Partner Center client takes, re-exported so callers need no
/// direct dependency on it.
pub mod reqwest_client {
    pub type Client = partner_center::client::HttpClient;
}

/// One Partner Center client per connection for the whole process, so that tokens, rate
/// limits and connection pools are shared by every request. A connection changed since its
/// client was made (its `updated_at`) gets a fresh client.
pub struct Clients {
    http: reqwest_client::Client,
    cached: std::sync::Mutex<std::collections::HashMap<ConnectionId, (i64, PartnerCenter)>>,
}

impl std::fmt::Debug for Clients {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Clients")
    }
}

impl Clients {
    pub fn new(http: reqwest_client::Client) -> Self {
        Clients {
            http,
            cached: Default::default(),
        }
    }

    pub async fn get(
        &self,
        store: &crate::Store,
        sealer: &Sealer,
        id: &ConnectionId,
    ) -> Result<PartnerCenter, StoreError> {
        let (updated_at,): (i64,) =
            sqlx::query_as("SELECT updated_at FROM connections WHERE id = $1")
                .bind(id.as_str())
                .fetch_optional(store.pool())
                .await?
                .ok_or_else(|| StoreError::Invalid(format!("connection {id} does not exist")))?;
        if let Some((at, client)) = self.lock().get(id) {
            if *at == updated_at {
                return Ok(client.clone());
            }
        }
        let client = store
            .connections(sealer)
            .client(self.http.clone(), id)
            .await?;
        self.lock().insert(id.clone(), (updated_at, client.clone()));
        Ok(client)
    }

    /// The HTTP client every connection's client shares.
    pub fn http(&self) -> reqwest_client::Client {
        self.http.clone()
    }

    /// When a call through this process's client of `id` last succeeded (unix milliseconds).
    pub fn last_success(&self, id: &ConnectionId) -> Option<i64> {
        self.lock().get(id)?.1.last_success()
    }

    fn lock(
        &self,
    ) -> std::sync::MutexGuard<'_, std::collections::HashMap<ConnectionId, (i64, PartnerCenter)>>
    {
        self.cached.lock().unwrap_or_else(|p| p.into_inner())
    }
}
