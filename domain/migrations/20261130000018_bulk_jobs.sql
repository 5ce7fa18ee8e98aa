-- Bulk work runs as jobs on one customer's users, for the person who asked: the customer, the
-- account whose rights the run has (checked again when it runs), and what to do (the CSV file,
-- or the swap as JSON). Each finished item keeps what happened (`detail`) and, for a user
-- created, its first password sealed (`secret`), for the result file; the sweep empties
-- `secret` after a week.
ALTER TABLE jobs ADD COLUMN customer_id TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN account_id TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN input TEXT NOT NULL DEFAULT '';
ALTER TABLE job_items ADD COLUMN detail TEXT NOT NULL DEFAULT '';
ALTER TABLE job_items ADD COLUMN secret TEXT NOT NULL DEFAULT '';
CREATE INDEX jobs_customer ON jobs (customer_id, created_at);
