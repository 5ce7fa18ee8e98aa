-- Who may see what: resellers, customers (Microsoft tenants), portal accounts, sessions,
-- and the ids of workspace links already used (single use).

CREATE TABLE resellers (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    mpn_id      TEXT,
    created_at  BIGINT NOT NULL
);

-- A customer is a Microsoft tenant; its id is the tenant id, in lower case.
CREATE TABLE customers (
    id              TEXT PRIMARY KEY,
    connection_id   TEXT NOT NULL REFERENCES connections (id),
    company_name    TEXT NOT NULL,
    default_domain  TEXT NOT NULL,
    reseller_id     TEXT REFERENCES resellers (id),
    imported_at     BIGINT NOT NULL
);

CREATE INDEX customers_reseller ON customers (reseller_id);

-- role: sp_admin | sp_support | reseller_admin | customer_admin.
-- reseller_id is set for reseller_admin, customer_id for customer_admin, neither for sp_*.
CREATE TABLE portal_accounts (
    id             TEXT PRIMARY KEY,
    email          TEXT NOT NULL UNIQUE,
    display_name   TEXT NOT NULL,
    role           TEXT NOT NULL,
    reseller_id    TEXT REFERENCES resellers (id),
    customer_id    TEXT REFERENCES customers (id),
    password_hash  TEXT,
    disabled       BIGINT NOT NULL,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);

CREATE TABLE sessions (
    id          TEXT PRIMARY KEY,
    data        TEXT NOT NULL,
    expires_at  BIGINT NOT NULL
);

CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE workspace_link_uses (
    jti         TEXT PRIMARY KEY,
    used_at     BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
