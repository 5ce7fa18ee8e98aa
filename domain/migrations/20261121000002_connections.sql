-- Partner Center connections. The credential is sealed with the instance's master key
-- (XChaCha20-Poly1305, the row id as associated data) and never leaves the server.
-- Flags are BIGINT 0/1: sqlx's Any driver cannot decode SQLite booleans.
CREATE TABLE connections (
    id               TEXT PRIMARY KEY,
    name             TEXT NOT NULL UNIQUE,
    country          TEXT NOT NULL,
    api_url          TEXT NOT NULL,
    login_url        TEXT NOT NULL,
    tenant_id        TEXT NOT NULL,
    app_id           TEXT NOT NULL,
    credential_kind  TEXT NOT NULL,
    credential_sealed TEXT NOT NULL,
    is_default       BIGINT NOT NULL,
    is_sandbox       BIGINT NOT NULL,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
