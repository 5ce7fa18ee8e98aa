-- A connection can be given to a reseller that sells through its own Partner Center account:
-- the customers imported under it belong to that reseller, and it buys for them as the partner
-- itself (no indirect reseller on its orders). NULL: the service provider's own connection.
ALTER TABLE connections ADD COLUMN reseller_id TEXT REFERENCES resellers (id);
