-- What Seatwise does to customers' users that must be kept: license assignments and removals
-- as billing transactions (append-only), and mail waiting to be sent (or, without SMTP, to be
-- read by the service provider).

-- delta: +1 assigned, -1 removed. reason: assign | remove | delete | restore.
-- subscription_id: the subscription the seat came from, when known.
CREATE TABLE license_transactions (
    id                   TEXT PRIMARY KEY,
    at                   BIGINT NOT NULL,
    actor                TEXT NOT NULL,
    customer_id          TEXT NOT NULL REFERENCES customers (id),
    user_id              TEXT NOT NULL,
    user_principal_name  TEXT NOT NULL,
    sku_id               TEXT NOT NULL,
    product_name         TEXT NOT NULL,
    subscription_id      TEXT,
    delta                BIGINT NOT NULL,
    reason               TEXT NOT NULL,
    request_id           TEXT
);

CREATE INDEX license_transactions_customer ON license_transactions (customer_id, at);

-- sent_at: when SMTP accepted it (NULL while waiting, or always without SMTP).
CREATE TABLE outbox (
    id           TEXT PRIMARY KEY,
    created_at   BIGINT NOT NULL,
    customer_id  TEXT REFERENCES customers (id),
    recipient    TEXT NOT NULL,
    subject      TEXT NOT NULL,
    body         TEXT NOT NULL,
    sent_at      BIGINT,
    error        TEXT
);

CREATE INDEX outbox_created ON outbox (created_at);
