-- Sign-in throttling shared by every instance: one row per key (an account at a source, a
-- source, an account), counting attempts in a window and the back-off that follows.
CREATE TABLE sign_in_throttle (
    key            TEXT PRIMARY KEY,
    attempts       BIGINT NOT NULL,
    window_start   BIGINT NOT NULL,
    blocked_until  BIGINT NOT NULL
);

-- The account a session belongs to, so that disabling an account ends its sessions at once.
ALTER TABLE sessions ADD COLUMN account_id TEXT;
CREATE INDEX sessions_account ON sessions (account_id);

-- Single-use set-password links (invitations and resets); only a hash of the token is kept.
CREATE TABLE account_invitations (
    token_hash  TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES portal_accounts (id),
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);

-- Delivered mail keeps no body (a password notice holds a password).
UPDATE outbox SET body = '' WHERE sent_at IS NOT NULL;
