-- The subscription history, kept forever and only ever appended to: every change made through
-- Seatwise (written with the change, after Partner Center accepted it) and every difference a
-- read of Partner Center found against what was stored (a change made outside Seatwise, a
-- subscription seen for the first time, one gone). No foreign keys: the history outlives the
-- customers and subscriptions it names. Times are unix milliseconds.
CREATE TABLE subscription_history (
    -- UUID v7: ordered by time.
    id              TEXT PRIMARY KEY,
    at              BIGINT NOT NULL,
    customer_id     TEXT NOT NULL,
    subscription_id TEXT NOT NULL,
    -- The product's name when it was written.
    product         TEXT NOT NULL,
    -- change | order | discovered | gone | license (a license given or taken through Seatwise)
    kind            TEXT NOT NULL,
    -- quantity | status | friendly_name | auto_renew | billing_cycle | term_duration | next_term
    -- | partner_id; '' for an entry about the whole subscription.
    field           TEXT NOT NULL,
    old_value       TEXT NOT NULL,
    new_value       TEXT NOT NULL,
    -- seatwise | outside
    source          TEXT NOT NULL,
    -- Who: a portal account's e-mail, or 'Partner Center (outside Seatwise)'.
    actor           TEXT NOT NULL,
    role            TEXT NOT NULL,
    request_id      TEXT NOT NULL
);

CREATE INDEX subscription_history_at ON subscription_history (at, id);
CREATE INDEX subscription_history_customer ON subscription_history (customer_id, at);
CREATE INDEX subscription_history_subscription ON subscription_history (subscription_id, at);
