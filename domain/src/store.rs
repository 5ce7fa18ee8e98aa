//! The SQL store: one connection pool over SQLite (embedded default) or PostgreSQL, chosen by
//! the URL at run time, with the checked-in migrations applied at start-up.
//!
//! All SQL in this crate is written to run unchanged on both backends: `$n` placeholders (SQLite
//! accepts them too), TEXT ids, BIGINT millisecond timestamps, and `ON CONFLICT` upserts.

use std::{path::Path, str::FromStr, time::Duration};

use serde::Serialize;
use sqlx::{
    any::{install_default_drivers, AnyConnectOptions, AnyPoolOptions},
    migrate::Migrator,
    AnyPool, Executor,
};

use crate::{audit::AuditLog, settings::Settings};

static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Result<Self, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::UnsupportedUrl)
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the database URL must start with sqlite: or postgres://")]
    UnsupportedUrl,
    #[error("could not create the database directory {path}: {source}")]
    Directory {
        path: String,
        source: std::io::Error,
    },
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("{0}")]
    Invalid(String),
}

/// A handle on the database; cheap to clone (the pool is reference-counted).
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// Reads of Partner Center in flight in this process, shared by whoever asks.
    flights: std::sync::Arc<crate::flights::Flights>,
}

/// What `/readyz` and the status page report about the store.
#[derive(Debug, Clone, Serialize)]
pub struct StoreStatus {
    pub backend: Backend,
    pub migrations_applied: i64,
    pub migrations_known: usize,
}

impl Store {
    /// Connects (creating the SQLite file and its directory when missing). Does not migrate.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        install_default_drivers();
        let backend = Backend::from_url(url)?;
        let url = match backend {
            Backend::Sqlite => prepare_sqlite_url(url)?,
            Backend::Postgres => url.to_owned(),
        };
        let options = AnyConnectOptions::from_str(&url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(match backend {
                Backend::Sqlite => 8,
                Backend::Postgres => 16,
            })
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // busy_timeout makes a second writer wait instead of failing at once:
                        // set first, since switching to WAL itself waits for a writer to finish
                        // (a connection opened while another writes failed with "database is
                        // locked"). WAL lets readers run beside the one writer.
                        conn.execute("PRAGMA busy_timeout = 5000").await?;
                        conn.execute("PRAGMA journal_mode = WAL").await?;
                        conn.execute("PRAGMA synchronous = NORMAL").await?;
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        Ok(Store {
            pool,
            backend,
            flights: Default::default(),
        })
    }

    /// Connects and applies every pending migration.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let store = Self::connect(url).await?;
        store.migrate().await?;
        Ok(store)
    }

    pub async fn migrate(&self) -> Result<(), StoreError> {
        MIGRATOR.run(&self.pool).await?;
        Ok(())
    }

    /// Keeps the query planner's statistics up to date: SQLite analyses the tables that grew
    /// or shrank a lot since it last did (rarely: a table must change size many times over);
    /// PostgreSQL's autovacuum does this on its own. Run at start-up and every ten minutes by
    /// the server's sweep.
    pub async fn optimize(&self) -> Result<(), StoreError> {
        if self.backend == Backend::Sqlite {
            let mut conn = self.pool.acquire().await?;
            sqlx::query("PRAGMA optimize = 0x10002")
                .execute(&mut *conn)
                .await?;
        }
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn flights(&self) -> &crate::flights::Flights {
        &self.flights
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// A round trip to the database; what `/readyz` waits on.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn status(&self) -> Result<StoreStatus, StoreError> {
        let (applied,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM _sqlx_migrations WHERE success = $1")
                .bind(true)
                .fetch_one(&self.pool)
                .await?;
        Ok(StoreStatus {
            backend: self.backend,
            migrations_applied: applied,
            migrations_known: MIGRATOR.iter().count(),
        })
    }

    pub fn settings(&self) -> Settings<'_> {
        Settings::new(&self.pool)
    }

    pub fn access(&self) -> crate::access::Access<'_> {
        crate::access::Access::new(&self.pool)
    }

    pub fn outbox(&self) -> crate::outbox::Outbox<'_> {
        crate::outbox::Outbox::new(&self.pool)
    }

    pub fn templates(&self) -> crate::templates::Templates<'_> {
        crate::templates::Templates::new(&self.pool)
    }

    pub fn notifications(&self) -> crate::notifications::Notifications<'_> {
        crate::notifications::Notifications::new(&self.pool)
    }

    pub fn directory(&self) -> crate::users::directory::Directory<'_> {
        crate::users::directory::Directory::new(&self.pool)
    }

    pub fn catalog(&self) -> crate::catalog::Catalog<'_> {
        crate::catalog::Catalog::new(&self.pool)
    }

    pub fn jobs(&self) -> crate::jobs::Jobs<'_> {
        crate::jobs::Jobs::new(&self.pool)
    }

    pub fn history(&self) -> crate::history::History<'_> {
        crate::history::History::new(&self.pool)
    }

    pub fn orders(&self) -> crate::orders::Orders<'_> {
        crate::orders::Orders::new(&self.pool)
    }

    pub fn auto_increase(&self) -> crate::subscriptions::auto_increase::AutoIncrease<'_> {
        crate::subscriptions::auto_increase::AutoIncrease::new(&self.pool)
    }

    pub fn subscriptions(&self) -> crate::subscriptions::Subscriptions<'_> {
        crate::subscriptions::Subscriptions::new(&self.pool)
    }

    pub fn accounts(&self) -> crate::accounts::Accounts<'_> {
        crate::accounts::Accounts::new(&self.pool)
    }

    pub fn throttle(&self) -> crate::throttle::Throttle<'_> {
        crate::throttle::Throttle::new(&self.pool)
    }

    pub fn sessions(&self) -> crate::sessions::Sessions<'_> {
        crate::sessions::Sessions::new(&self.pool)
    }

    pub fn audit(&self) -> AuditLog<'_> {
        AuditLog::new(&self.pool)
    }

    pub fn connections<'a>(
        &'a self,
        sealer: &'a crate::crypto::Sealer,
    ) -> crate::connections::Connections<'a> {
        crate::connections::Connections::new(&self.pool, sealer, self.backend == Backend::Postgres)
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Creates the directory of a file-backed SQLite URL and asks SQLite to create the file.
fn prepare_sqlite_url(url: &str) -> Result<String, StoreError> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or_default();
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path.is_empty() || path == ":memory:" {
        return Ok(url.to_owned());
    }
    if let Some(dir) = Path::new(path)
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
    {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::Directory {
            path: dir.display().to_string(),
            source,
        })?;
    }
    Ok(if query.contains("mode=") {
        url.to_owned()
    } else if query.is_empty() {
        format!("{url}?mode=rwc")
    } else {
        format!("{url}&mode=rwc")
    })
}

/// The URL with any password replaced, safe to log.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _password)) => {
                    format!("{}{}:***{}", &url[..scheme_end + 3], user, &url[at..])
                }
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords_only() {
        assert_eq!(
            redact_url("postgres://app:s3cret@db:5432/x"),
            "postgres://app:***@db:5432/x"
        );
        assert_eq!(redact_url("postgres://app@db/x"), "postgres://app@db/x");
        assert_eq!(redact_url("sqlite://data/a.db"), "sqlite://data/a.db");
    }

    #[test]
    fn sqlite_urls_get_create_mode_and_directory() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("nested/deeper/s.db");
        let url = format!("sqlite://{}", file.display());
        assert_eq!(prepare_sqlite_url(&url).unwrap(), format!("{url}?mode=rwc"));
        assert!(file.parent().unwrap().is_dir());
        let ro = format!("{url}?mode=ro");
        assert_eq!(prepare_sqlite_url(&ro).unwrap(), ro);
    }

    #[test]
    fn unknown_schemes_are_refused() {
        assert!(matches!(
            Backend::from_url("mysql://x"),
            Err(StoreError::UnsupportedUrl)
        ));
    }
}
