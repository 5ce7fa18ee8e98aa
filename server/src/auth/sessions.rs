//! The session store: tower-sessions' records kept in our database, and the session layer.

use async_trait::async_trait;
use time::OffsetDateTime;
use tower_sessions::{
    cookie::{Key, SameSite},
    session::{Id, Record},
    session_store, Expiry, SessionManagerLayer, SessionStore,
};

use super::{ACCOUNT, IDLE};

#[derive(Clone, Debug)]
pub struct DbSessionStore {
    store: domain::Store,
}

fn backend(e: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

/// Whose session a record is (the account id it holds, once signed in).
fn account_of(record: &Record) -> Option<String> {
    record
        .data
        .get(ACCOUNT)
        .and_then(|v| v.as_str())
        .map(str::to_owned)
}

fn millis(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        let data = serde_json::to_string(&record.data)
            .map_err(|e| session_store::Error::Encode(e.to_string()))?;
        while !self
            .store
            .sessions()
            .insert(
                &record.id.to_string(),
                account_of(record).as_deref(),
                &data,
                millis(record.expiry_date),
            )
            .await
            .map_err(backend)?
        {
            record.id = Id::default();
        }
        Ok(())
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let data = serde_json::to_string(&record.data)
            .map_err(|e| session_store::Error::Encode(e.to_string()))?;
        self.store
            .sessions()
            .save(
                &record.id.to_string(),
                account_of(record).as_deref(),
                &data,
                millis(record.expiry_date),
            )
            .await
            .map_err(backend)
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let Some((data, expires)) = self
            .store
            .sessions()
            .load(&id.to_string())
            .await
            .map_err(backend)?
        else {
            return Ok(None);
        };
        Ok(Some(Record {
            id: *id,
            data: serde_json::from_str(&data)
                .map_err(|e| session_store::Error::Decode(e.to_string()))?,
            expiry_date: OffsetDateTime::from_unix_timestamp_nanos(i128::from(expires) * 1_000_000)
                .map_err(|e| session_store::Error::Decode(e.to_string()))?,
        }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.store
            .sessions()
            .delete(&id.to_string())
            .await
            .map_err(backend)
    }
}

/// The session cookie's name: with https, the `__Host-` prefix makes browsers refuse it unless
/// it is `Secure`, has `Path=/` and no `Domain` (no subdomain can set or shadow it).
pub fn cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-seatwise_session"
    } else {
        "seatwise_session"
    }
}

pub fn session_layer(
    store: domain::Store,
    session_key: &[u8],
    secure: bool,
) -> SessionManagerLayer<DbSessionStore, tower_sessions::service::SignedCookie> {
    SessionManagerLayer::new(DbSessionStore { store })
        .with_name(cookie_name(secure))
        .with_path("/")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(secure)
        .with_expiry(Expiry::OnInactivity(IDLE))
        .with_signed(Key::from(session_key))
}
