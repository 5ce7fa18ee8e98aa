-- Per catalog SKU: whether an order for a customer that already has a subscription of it adds
-- licenses to that subscription (1: the buyer is sent to its page) or creates another one
-- (0, the default: a new subscription per order, as Dynamics instances need).
ALTER TABLE catalog_items ADD COLUMN add_to_existing BIGINT NOT NULL DEFAULT 0;
