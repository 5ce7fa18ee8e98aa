-- The Connections page: when a connection last answered (unix milliseconds; NULL: never seen
-- answering). Refreshed from the running clients when the page is read and by each Test.
ALTER TABLE connections ADD COLUMN last_ok_at BIGINT;
