-- The licensing SKU (the directory's SKU id, as customers' subscribed SKUs and users' licenses
-- name it) that each catalog SKU grants, from the SKU's `provisioningId`: it links a customer's
-- licenses to the subscriptions behind them. Empty when Partner Center gives none.
ALTER TABLE catalog_items ADD COLUMN provisioning_id TEXT NOT NULL DEFAULT '';
