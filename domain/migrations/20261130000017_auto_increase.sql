-- Auto-increase on assignment: when a license is assigned and none is free, the subscription
-- that grants it grows by the number missing. A row with `subscription_id = ''` is the
-- customer's setting; a row with a subscription's id overrides it for that subscription.
CREATE TABLE auto_increase (
    customer_id     TEXT NOT NULL REFERENCES customers (id),
    subscription_id TEXT NOT NULL,
    enabled         INTEGER NOT NULL,
    updated_at      BIGINT NOT NULL,
    updated_by      TEXT NOT NULL,
    PRIMARY KEY (customer_id, subscription_id)
);
