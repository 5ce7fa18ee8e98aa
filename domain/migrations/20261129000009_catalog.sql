-- The curated catalog, per connection: every SKU Partner Center listed for the connection's
-- country, what it offers (terms and billing cycles), and the service provider's choice (offered
-- through Seatwise or not, a display name, the billing cycles offered). A SKU first seen waits
-- for review (state 'new'); one no longer listed is 'discontinued' and cannot be offered.
CREATE TABLE catalog_items (
    connection_id  TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    product_id     TEXT NOT NULL,
    sku_id         TEXT NOT NULL,
    product_title  TEXT NOT NULL,
    sku_title      TEXT NOT NULL,
    -- What Partner Center offers, as "P1M:monthly P1Y:monthly P1Y:annual".
    terms          TEXT NOT NULL,
    offered        BIGINT NOT NULL,
    display_name   TEXT NOT NULL,
    -- The billing cycles offered, as "monthly annual".
    billing_cycles TEXT NOT NULL,
    -- new | reviewed | discontinued
    state          TEXT NOT NULL,
    first_seen_at  BIGINT NOT NULL,
    last_seen_at   BIGINT NOT NULL,
    PRIMARY KEY (connection_id, product_id, sku_id)
);

-- The last catalog refresh of each connection and what it found.
CREATE TABLE catalog_refreshes (
    connection_id TEXT PRIMARY KEY REFERENCES connections (id) ON DELETE CASCADE,
    refreshed_at  BIGINT NOT NULL,
    added         BIGINT NOT NULL,
    discontinued  BIGINT NOT NULL,
    listed        BIGINT NOT NULL
);
