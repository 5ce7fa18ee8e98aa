-- Plan templates: named bundles of licenses (JSON `[{sku_id, name, plans_off}]`), an optional
-- usage location and an optional directory role name. reseller_id NULL: the service
-- provider's; otherwise the reseller's own. A name is used once per owner (checked on save).
CREATE TABLE plan_templates (
    id              TEXT PRIMARY KEY,
    reseller_id     TEXT REFERENCES resellers (id),
    name            TEXT NOT NULL,
    licenses        TEXT NOT NULL,
    usage_location  TEXT,
    role            TEXT,
    updated_at      BIGINT NOT NULL,
    updated_by      TEXT NOT NULL
);

CREATE INDEX plan_templates_owner ON plan_templates (reseller_id, name);
