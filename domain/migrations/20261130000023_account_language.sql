-- The language an account reads Seatwise in ('en', 'fr'); NULL: the browser's.
ALTER TABLE portal_accounts ADD COLUMN language TEXT;
