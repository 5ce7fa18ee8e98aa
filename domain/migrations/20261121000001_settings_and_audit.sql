-- Portable SQL: runs unchanged on SQLite and PostgreSQL.
-- Times are UTC milliseconds since the Unix epoch (BIGINT); ids are text (UUIDv7 where we mint them).

CREATE TABLE settings (
    key         TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    updated_at  BIGINT NOT NULL
);

-- Append-only: a row is never updated or deleted by the application.
CREATE TABLE audit_log (
    id           TEXT PRIMARY KEY,
    at           BIGINT NOT NULL,
    actor        TEXT NOT NULL,
    customer_id  TEXT,
    action       TEXT NOT NULL,
    outcome      TEXT NOT NULL,
    detail       TEXT NOT NULL,
    request_id   TEXT
);

CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_customer_at ON audit_log (customer_id, at);
