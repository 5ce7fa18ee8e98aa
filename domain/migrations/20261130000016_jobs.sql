-- Jobs: long work run inside the server (a full sync; later optimisation, bulk provisioning),
-- each run recorded with its progress. Several instances share the database: the instance
-- that claimed a job renews `heartbeat_at` while it runs, and another takes a job over when
-- the heartbeat is older than the lease (its instance died), skipping the items in
-- `job_items`. Times are unix milliseconds.
CREATE TABLE jobs (
    id               TEXT PRIMARY KEY,
    -- sync
    kind             TEXT NOT NULL,
    -- queued | running | succeeded | failed | cancelled
    status           TEXT NOT NULL,
    -- An account's e-mail, or 'Seatwise (schedule)'.
    requested_by     TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    started_at       BIGINT,
    finished_at      BIGINT,
    total            BIGINT NOT NULL,
    done             BIGINT NOT NULL,
    errors           BIGINT NOT NULL,
    -- The instance running it ('' when none).
    owner            TEXT NOT NULL,
    heartbeat_at     BIGINT NOT NULL,
    cancel_requested INTEGER NOT NULL,
    summary          TEXT NOT NULL
);

CREATE INDEX jobs_waiting ON jobs (status, created_at);

-- The items a job finished (a customer synced, …), each once; `error` is why it failed ('' when
-- it succeeded).
CREATE TABLE job_items (
    job_id TEXT NOT NULL REFERENCES jobs (id),
    item   TEXT NOT NULL,
    error  TEXT NOT NULL,
    at     BIGINT NOT NULL,
    PRIMARY KEY (job_id, item)
);

-- Scheduled jobs: the last slot (a day, a month) each schedule queued a job for; the update
-- that moves it forward is made by one instance only.
CREATE TABLE job_schedules (
    name TEXT PRIMARY KEY,
    slot TEXT NOT NULL
);
