-- Exports with personal data in full need a second person (SECURITY.md
-- PI-3): the request names the list's filters and the purpose; another
-- authorised user approves it; the requester downloads it once, within a
-- day. Rows are never deleted.
CREATE TABLE export_requests (
    id           BIGSERIAL PRIMARY KEY,
    requested_by BIGINT NOT NULL REFERENCES users(id),
    requested_at TIMESTAMPTZ NOT NULL,
    org_path     TEXT NOT NULL,
    query        TEXT NOT NULL,
    reason       TEXT NOT NULL,
    approved_by  BIGINT REFERENCES users(id),
    approved_at  TIMESTAMPTZ,
    used_at      TIMESTAMPTZ
);
CREATE INDEX export_requests_open ON export_requests(org_path) WHERE approved_at IS NULL;
