//! The Connections page: Partner Center connections, their Test, and (admins) adding,
//! renaming, a new secret, the default, giving one to a reseller, and removal.

use leptos::{prelude::*, server_fn::codec::GetUrl};
use serde::{Deserialize, Serialize};

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::{door::caller, error::parse_id};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConnectionRow {
    pub id: String,
    pub name: String,
    pub country: String,
    pub api_url: String,
    pub tenant_id: String,
    pub app_id: String,
    /// "Client secret (app only)" or "Refresh token (app + user)".
    pub sign_in: String,
    pub is_default: bool,
    pub is_sandbox: bool,
    /// `YYYY-MM-DD HH:MM UTC`, or empty when it never answered.
    pub last_ok: String,
    /// The customers imported under it.
    pub customers: Vec<String>,
    /// The reseller it was given to (id, name); `None`: the service provider's own.
    pub reseller: Option<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckRow {
    pub ok: bool,
    pub skipped: bool,
    pub operation: String,
    pub status: String,
    pub detail: String,
}

/// What a Test found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckResult {
    /// The connection tested (its name, or the name typed in the Add form).
    pub name: String,
    pub rows: Vec<CheckRow>,
    pub passed: usize,
    pub failed: usize,
    /// Reads not tried because there was nothing to read them on (no orders, say).
    pub skipped: usize,
}

/// The Add form's fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConnectionFields {
    pub name: String,
    pub country: String,
    pub api_url: String,
    pub login_url: String,
    pub tenant_id: String,
    pub app_id: String,
    /// `client_secret` or `refresh_token`, as in [`SecretFields`].
    pub credential: String,
    pub secret: String,
    #[serde(default)]
    pub app_secret: Option<String>,
    /// A checkbox: present when ticked.
    #[serde(default)]
    pub make_default: Option<String>,
}

/// A credential as a form sends it: `client_secret` (app only) or `refresh_token` (app +
/// user, with an optional client secret).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SecretFields {
    pub credential: String,
    pub secret: String,
    #[serde(default)]
    pub app_secret: Option<String>,
}

/// What the Add form did: tested (nothing kept) or added.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum AddOutcome {
    Tested(CheckResult),
    Added(String),
}

/// Every connection, and the resellers one can be given to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConnectionsPage {
    pub rows: Vec<ConnectionRow>,
    /// (id, name) of every reseller.
    pub resellers: Vec<(String, String)>,
}

#[server(prefix = "/api", endpoint = "connections", input = GetUrl)]
pub async fn connections() -> Result<ConnectionsPage, AppError> {
    let provider = caller("connections.list").await?.provider().await?;
    let (listings, resellers) = provider.connections().await?;
    Ok(ConnectionsPage {
        rows: listings.into_iter().map(ConnectionRow::from).collect(),
        resellers: resellers
            .into_iter()
            .map(|r| (r.id.to_string(), r.name))
            .collect(),
    })
}

/// Every read once through a stored connection (staff; it changes nothing).
#[server(prefix = "/api", endpoint = "connection-test")]
pub async fn test_connection(connection: String) -> Result<CheckResult, AppError> {
    let provider = caller("connection.test").await?.provider().await?;
    let id = parse_id("connection", &connection)?;
    Ok(provider.test_connection(&id).await?.into())
}

/// The Add form: `step` is `test` (every read once, nothing kept) or `add`.
#[server(prefix = "/api", endpoint = "connection-add")]
pub async fn add_connection(
    #[server(flatten)] fields: ConnectionFields,
    step: String,
) -> Result<AddOutcome, AppError> {
    let admin = caller("connection.add").await?.provider_admin().await?;
    let new = fields.into_new()?;
    match step.as_str() {
        "test" => Ok(AddOutcome::Tested(
            admin.test_new_connection(new).await?.into(),
        )),
        "add" => Ok(AddOutcome::Added(admin.add_connection(new).await?.name)),
        _ => Err(AppError::field("step", "Choose Test or Add.")),
    }
}

#[server(prefix = "/api", endpoint = "connection-default")]
pub async fn set_default_connection(connection: String) -> Result<(), AppError> {
    let admin = caller("connection.default").await?.provider_admin().await?;
    let id = parse_id("connection", &connection)?;
    Ok(admin.set_default_connection(&id).await?)
}

#[server(prefix = "/api", endpoint = "connection-rename")]
pub async fn rename_connection(connection: String, name: String) -> Result<(), AppError> {
    let admin = caller("connection.rename").await?.provider_admin().await?;
    let id = parse_id("connection", &connection)?;
    Ok(admin.rename_connection(&id, &name).await?)
}

/// A new client secret or refresh token; the old one is forgotten at once.
#[server(prefix = "/api", endpoint = "connection-secret")]
pub async fn rotate_connection_secret(
    connection: String,
    #[server(flatten)] secret: SecretFields,
) -> Result<(), AppError> {
    let admin = caller("connection.secret").await?.provider_admin().await?;
    let id = parse_id("connection", &connection)?;
    Ok(admin
        .rotate_connection_secret(&id, &secret.into_secret()?)
        .await?)
}

/// Gives a connection to a reseller that sells through its own Partner Center account
/// (`reseller` empty: back to the service provider).
#[server(prefix = "/api", endpoint = "connection-give")]
pub async fn give_connection(connection: String, reseller: String) -> Result<(), AppError> {
    let admin = caller("connection.give").await?.provider_admin().await?;
    let id = parse_id("connection", &connection)?;
    let reseller = match reseller.trim() {
        "" => None,
        r => Some(parse_id("reseller", r)?),
    };
    Ok(admin.give_connection(&id, reseller.as_ref()).await?)
}

/// Removes a connection no customer uses.
#[server(prefix = "/api", endpoint = "connection-remove")]
pub async fn remove_connection(connection: String) -> Result<(), AppError> {
    let admin = caller("connection.remove").await?.provider_admin().await?;
    let id = parse_id("connection", &connection)?;
    Ok(admin.remove_connection(&id).await?)
}

#[cfg(feature = "ssr")]
impl ConnectionFields {
    fn into_new(self) -> Result<domain::connections::NewConnection, AppError> {
        let secret = SecretFields {
            credential: self.credential,
            secret: self.secret,
            app_secret: self.app_secret,
        };
        Ok(domain::connections::NewConnection {
            name: self.name,
            country: self.country,
            api_url: self.api_url,
            login_url: self.login_url,
            tenant_id: self.tenant_id,
            app_id: self.app_id,
            secret: secret.into_secret()?,
            is_default: self.make_default.is_some(),
            is_sandbox: false,
        })
    }
}

#[cfg(feature = "ssr")]
impl SecretFields {
    fn into_secret(self) -> Result<domain::connections::Secret, AppError> {
        use domain::connections::Secret;
        let app_secret = self.app_secret.filter(|s| !s.trim().is_empty());
        match self.credential.as_str() {
            "client_secret" => Ok(Secret::ClientSecret {
                client_secret: self.secret,
            }),
            "refresh_token" => Ok(Secret::RefreshToken {
                refresh_token: self.secret,
                client_secret: app_secret,
            }),
            _ => Err(AppError::field(
                "credential",
                "Choose a client secret or a refresh token.",
            )),
        }
    }
}

#[cfg(feature = "ssr")]
impl From<domain::service::CheckReport> for CheckResult {
    fn from(report: domain::service::CheckReport) -> Self {
        CheckResult {
            name: report.name,
            rows: report
                .lines
                .into_iter()
                .map(|l| CheckRow {
                    ok: l.ok,
                    skipped: l.skipped,
                    operation: l.operation.to_owned(),
                    status: l.status,
                    detail: l.detail,
                })
                .collect(),
            passed: report.passed,
            failed: report.failed,
            skipped: report.skipped,
        }
    }
}

#[cfg(feature = "ssr")]
impl From<domain::service::ConnectionListing> for ConnectionRow {
    fn from(l: domain::service::ConnectionListing) -> Self {
        let c = l.connection;
        ConnectionRow {
            id: c.id.to_string(),
            sign_in: match c.credential_kind.as_str() {
                "refresh_token" => tr!(p_connections.refresh_token_app_user),
                _ => tr!(p_connections.client_secret_app_only),
            }
            .to_owned(),
            last_ok: c
                .last_ok_at
                .map(|t| crate::language::date(&domain::time::format_utc_datetime(t)))
                .unwrap_or_default(),
            name: c.name,
            country: c.country,
            api_url: c.api_url,
            tenant_id: c.tenant_id,
            app_id: c.app_id,
            is_default: c.is_default,
            is_sandbox: c.is_sandbox,
            customers: l.customers,
            reseller: c.reseller_id.map(|id| id.to_string()).zip(l.reseller),
        }
    }
}
