-- Subscriptions as Partner Center last showed them, one row per subscription of an imported
-- customer, replaced whole for a customer each time its list is read; and when each
-- customer's list was read. Times are unix milliseconds; flags BIGINT 0/1.
CREATE TABLE subscriptions (
    customer_id       TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    id                TEXT NOT NULL,
    offer_id          TEXT NOT NULL,
    offer_name        TEXT NOT NULL,
    friendly_name     TEXT NOT NULL,
    quantity          BIGINT NOT NULL,
    status            TEXT NOT NULL,
    billing_cycle     TEXT NOT NULL,
    term_duration     TEXT NOT NULL,
    start_at          BIGINT,
    commitment_end_at BIGINT,
    cancel_until_at   BIGINT,
    auto_renew        BIGINT NOT NULL,
    -- The change scheduled for renewal, as words ('' when none).
    next_term         TEXT NOT NULL,
    -- nce | legacy | marketplace | other
    kind              TEXT NOT NULL,
    publisher         TEXT NOT NULL,
    partner_id        TEXT NOT NULL,
    order_id          TEXT NOT NULL,
    -- An add-on's base subscription ('' when none).
    parent_id         TEXT NOT NULL,
    PRIMARY KEY (customer_id, id)
);

CREATE INDEX subscriptions_offer ON subscriptions (offer_name);

CREATE TABLE subscription_reads (
    customer_id TEXT PRIMARY KEY REFERENCES customers (id) ON DELETE CASCADE,
    read_at     BIGINT NOT NULL
);
