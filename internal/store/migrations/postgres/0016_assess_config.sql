-- The assessment rules (keyword dictionaries per category, risk triggers) as
-- JSON. Nothing is overwritten: every edit is a new version, the highest
-- one is in force, and the earlier ones stay to show what changed and who
-- changed it. No row: the built-in defaults (assess.Default) apply.
CREATE TABLE assess_config (
    version    BIGINT PRIMARY KEY,
    body       TEXT NOT NULL,
    note       TEXT NOT NULL DEFAULT '',
    created_by BIGINT REFERENCES users(id),
    created_at TIMESTAMPTZ NOT NULL
);
