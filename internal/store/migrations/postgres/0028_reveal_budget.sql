-- The reveal budget (issue 14, point 5): an account's full views of
-- personal data are capped per day; a second person may grant more for a
-- day (reveal_grants); going past the cap or the rate raises an alert to
-- the security administrators, once per kind, account and day
-- (security_alerts).
CREATE TABLE reveal_grants (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users(id),
    day          TEXT NOT NULL,
    extra        INTEGER NOT NULL,
    reason       TEXT NOT NULL,
    org_path     TEXT NOT NULL,
    requested_at TIMESTAMPTZ NOT NULL,
    approved_by  BIGINT REFERENCES users(id),
    approved_at  TIMESTAMPTZ
);
CREATE INDEX reveal_grants_user ON reveal_grants(user_id, day);
CREATE TABLE security_alerts (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at         TIMESTAMPTZ NOT NULL,
    day        TEXT NOT NULL,
    kind       TEXT NOT NULL,
    user_id    BIGINT NOT NULL REFERENCES users(id),
    org_path   TEXT NOT NULL,
    detail     TEXT NOT NULL,
    handled_by BIGINT REFERENCES users(id),
    handled_at TIMESTAMPTZ,
    note       TEXT NOT NULL DEFAULT '',
    UNIQUE (kind, user_id, day)
);
CREATE INDEX audit_log_user_action ON audit_log(username, action, at);
