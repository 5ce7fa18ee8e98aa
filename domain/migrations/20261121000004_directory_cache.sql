-- A cache of customers' directories (users, their licenses and roles, subscribed SKUs) as
-- Partner Center last returned them. Partner Center stays the source of truth; every row
-- belongs to one customer and is replaced with that customer's next fetch.

-- One row per customer that was fetched. users_at: when the user list was read;
-- details_at: when licenses, roles and subscribed SKUs were read (NULL until then).
CREATE TABLE directory_fetches (
    customer_id  TEXT PRIMARY KEY REFERENCES customers (id),
    users_at     BIGINT NOT NULL,
    details_at   BIGINT
);

-- deleted: 0/1; soft_deleted_at: when Partner Center soft-deleted the user (ms), if it did.
CREATE TABLE directory_users (
    customer_id          TEXT NOT NULL REFERENCES customers (id),
    user_id              TEXT NOT NULL,
    user_principal_name  TEXT NOT NULL,
    display_name         TEXT NOT NULL,
    first_name           TEXT,
    last_name            TEXT,
    usage_location       TEXT,
    deleted              BIGINT NOT NULL,
    soft_deleted_at      BIGINT,
    PRIMARY KEY (customer_id, user_id)
);

CREATE INDEX directory_users_name ON directory_users (customer_id, display_name);

CREATE TABLE directory_skus (
    customer_id      TEXT NOT NULL REFERENCES customers (id),
    sku_id           TEXT NOT NULL,
    name             TEXT NOT NULL,
    part_number      TEXT NOT NULL,
    active_units     BIGINT NOT NULL,
    consumed_units   BIGINT NOT NULL,
    available_units  BIGINT NOT NULL,
    suspended_units  BIGINT NOT NULL,
    warning_units    BIGINT NOT NULL,
    PRIMARY KEY (customer_id, sku_id)
);

CREATE TABLE directory_user_licenses (
    customer_id  TEXT NOT NULL REFERENCES customers (id),
    user_id      TEXT NOT NULL,
    sku_id       TEXT NOT NULL,
    PRIMARY KEY (customer_id, user_id, sku_id)
);

-- "Which users have SKU X": by SKU first.
CREATE INDEX directory_user_licenses_sku ON directory_user_licenses (sku_id, customer_id, user_id);

CREATE TABLE directory_user_roles (
    customer_id  TEXT NOT NULL REFERENCES customers (id),
    user_id      TEXT NOT NULL,
    role_id      TEXT NOT NULL,
    role_name    TEXT NOT NULL,
    PRIMARY KEY (customer_id, user_id, role_id)
);
