-- Service plans: each subscribed SKU's plans (JSON `[[id, name], …]`, as Partner Center last
-- listed them) and the plans a user's license has on (comma-separated ids; NULL when not read,
-- so nothing is shown as off). A plan of the SKU missing from the user's is turned off.
ALTER TABLE directory_skus ADD COLUMN plans TEXT NOT NULL DEFAULT '[]';
ALTER TABLE directory_user_licenses ADD COLUMN plans_on TEXT;
