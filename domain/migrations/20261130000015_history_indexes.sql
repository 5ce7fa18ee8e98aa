-- The history page's filters on a history of millions of entries: by the person who made a
-- change (an exact e-mail), by where it was made (in Seatwise or outside), and by kind, each
-- newest first.
CREATE INDEX subscription_history_actor ON subscription_history (actor, at);
CREATE INDEX subscription_history_source ON subscription_history (source, at);
CREATE INDEX subscription_history_kind ON subscription_history (kind, at);
