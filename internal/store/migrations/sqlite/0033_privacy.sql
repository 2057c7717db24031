-- The rights of the people in the data (PIPL 44–47, SECURITY.md PI-6): a
-- request for a copy of everything held about a person names the person
-- sealed (never in plain text) and is approved by a second person before
-- the copy is made, once, within a day; the retention rules per kind of
-- record, kept as data (the audit log is never anonymised and kept at
-- least 180 days, AU-5); the mark a matter gets when the job anonymises
-- its parties past retention. Rows are never deleted.
CREATE TABLE privacy_requests (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    ref            TEXT NOT NULL,
    subject_kid    TEXT NOT NULL,
    subject_enc    TEXT NOT NULL,
    subject_masked TEXT NOT NULL,
    org_path       TEXT NOT NULL,
    reason         TEXT NOT NULL,
    requested_by   INTEGER NOT NULL REFERENCES users(id),
    requested_at   TEXT NOT NULL,
    approved_by    INTEGER REFERENCES users(id),
    approved_at    TEXT,
    used_at        TEXT
);
CREATE INDEX privacy_requests_open ON privacy_requests(org_path) WHERE approved_at IS NULL;

CREATE TABLE retention_rules (
    kind       TEXT NOT NULL PRIMARY KEY,
    keep_days  INTEGER NOT NULL,
    min_days   INTEGER NOT NULL,
    action     TEXT NOT NULL CHECK (action IN ('anonymise', 'keep')),
    changed_by INTEGER REFERENCES users(id),
    changed_at TEXT,
    CHECK (keep_days >= min_days)
);
-- Ten years after archiving: past the three-year limitation period of a
-- civil claim (民法典 188), within which a mediated matter most often comes
-- back as a suit or a petition, and the shortest fixed term (定期10年)
-- petition and mediation files are commonly kept for; never under three.
INSERT INTO retention_rules (kind, keep_days, min_days, action) VALUES ('case_parties', 3650, 1095, 'anonymise');
INSERT INTO retention_rules (kind, keep_days, min_days, action) VALUES ('group_members', 3650, 1095, 'anonymise');
INSERT INTO retention_rules (kind, keep_days, min_days, action) VALUES ('audit_log', 365, 180, 'keep');

ALTER TABLE cases ADD COLUMN anonymised_at TEXT;
