-- Confirmations of a customer's acceptance of the Microsoft Customer Agreement: who accepted
-- (name, e-mail, phone), when, who recorded it in Seatwise (or 'Partner Center' when it was found
-- there), and when. Append-only: a new confirmation is a new row. Ordering waits for one.
CREATE TABLE agreements (
    id           TEXT PRIMARY KEY,
    customer_id  TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    first_name   TEXT NOT NULL,
    last_name    TEXT NOT NULL,
    email        TEXT NOT NULL,
    phone        TEXT NOT NULL,
    agreed_at    BIGINT NOT NULL,
    recorded_by  TEXT NOT NULL,
    recorded_at  BIGINT NOT NULL
);

CREATE INDEX agreements_customer ON agreements (customer_id, recorded_at);

-- Orders placed through Seatwise. The id comes from the order form, so a form sent twice (a
-- double click, a retry after a lost answer) is one order. status: placing | placed | failed |
-- unconfirmed (sent, answer lost: sent again with the same cart and request id, it cannot buy
-- twice). Times are unix milliseconds.
CREATE TABLE orders (
    id              TEXT PRIMARY KEY,
    customer_id     TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    product_id      TEXT NOT NULL,
    sku_id          TEXT NOT NULL,
    title           TEXT NOT NULL,
    quantity        BIGINT NOT NULL,
    term_duration   TEXT NOT NULL,
    billing_cycle   TEXT NOT NULL,
    friendly_name   TEXT NOT NULL,
    -- The indirect reseller's Partner ID sent as partner on record ('' when none).
    partner_id      TEXT NOT NULL,
    placed_by       TEXT NOT NULL,
    placed_at       BIGINT NOT NULL,
    status          TEXT NOT NULL,
    cart_id         TEXT NOT NULL,
    request_id      TEXT NOT NULL,
    pc_order_id     TEXT NOT NULL,
    subscription_id TEXT NOT NULL,
    message         TEXT NOT NULL,
    finished_at     BIGINT
);

CREATE INDEX orders_customer ON orders (customer_id, placed_at);
