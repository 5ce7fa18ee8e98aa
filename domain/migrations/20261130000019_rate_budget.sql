-- The Partner Center request budget shared by every instance on one database: per connection
-- and throttle key (`<connection>/<tenant or partner>`), the requests sent in each slot (unix
-- ms of the slot's start; a sixtieth of the window). The key's row is written first by each
-- take, so that takes of one key follow one another.
CREATE TABLE rate_budget_keys (
    key        TEXT PRIMARY KEY,
    touched_at BIGINT NOT NULL
);

CREATE TABLE rate_budget (
    key  TEXT NOT NULL,
    slot BIGINT NOT NULL,
    used BIGINT NOT NULL,
    PRIMARY KEY (key, slot)
);
