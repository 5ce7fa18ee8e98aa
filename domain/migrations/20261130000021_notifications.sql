-- E-mail notifications: what each account chose to be told (none until it chooses), and the
-- renewals already announced (one mail per subscription and term end).
CREATE TABLE account_notices (
    account_id  TEXT NOT NULL REFERENCES portal_accounts (id) ON DELETE CASCADE,
    notice      TEXT NOT NULL,
    PRIMARY KEY (account_id, notice)
);

CREATE TABLE renewal_notices (
    customer_id        TEXT NOT NULL,
    subscription_id    TEXT NOT NULL,
    commitment_end_at  BIGINT NOT NULL,
    sent_at            BIGINT NOT NULL,
    PRIMARY KEY (customer_id, subscription_id, commitment_end_at)
);
