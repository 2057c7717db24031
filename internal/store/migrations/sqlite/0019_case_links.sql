-- Related matters: a dispatcher links two matters as related, or merges a
-- duplicate into its original (the duplicate is closed as merged; both
-- timelines stay). Links are kept, never deleted.
CREATE TABLE case_links (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id    INTEGER NOT NULL REFERENCES cases(id),
    other_id   INTEGER NOT NULL REFERENCES cases(id),
    kind       TEXT NOT NULL CHECK (kind IN ('related', 'duplicate')),
    note       TEXT NOT NULL DEFAULT '',
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    UNIQUE (case_id, other_id, kind)
);
CREATE INDEX case_links_other ON case_links(other_id);
CREATE INDEX parties_name ON parties(name);
CREATE INDEX cases_org_created ON cases(org_path, created_at);
