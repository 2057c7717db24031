-- Group matters (群体性): a matter's list of households (thousands, imported
-- from .xlsx or CSV) and the household-by-household confirmation
-- (巡回确认); the units acting together on it (部门联动: one lead unit,
-- co-units). Personal data is sealed as for parties; rows are never deleted.
CREATE TABLE group_members (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id      INTEGER NOT NULL REFERENCES cases(id),
    row_no       INTEGER NOT NULL,
    name         TEXT NOT NULL,
    village_code TEXT NOT NULL REFERENCES orgs(code),
    id_kid       TEXT NOT NULL DEFAULT '',
    id_enc       TEXT NOT NULL DEFAULT '',
    id_bidx      TEXT NOT NULL DEFAULT '',
    id_masked    TEXT NOT NULL DEFAULT '',
    phone_kid    TEXT NOT NULL DEFAULT '',
    phone_enc    TEXT NOT NULL DEFAULT '',
    phone_masked TEXT NOT NULL DEFAULT '',
    amount_cents BIGINT NOT NULL DEFAULT 0,
    note         TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'confirmed', 'disputed', 'unreachable')),
    status_note  TEXT NOT NULL DEFAULT '',
    confirmed_by INTEGER REFERENCES users(id),
    confirmed_at TEXT,
    version      INTEGER NOT NULL DEFAULT 1,
    UNIQUE (case_id, row_no)
);
CREATE INDEX group_members_village ON group_members(case_id, village_code, row_no);
CREATE INDEX group_members_status ON group_members(case_id, status);

CREATE TABLE case_units (
    case_id  INTEGER NOT NULL REFERENCES cases(id),
    unit_id  INTEGER NOT NULL REFERENCES units(id),
    role     TEXT NOT NULL CHECK (role IN ('lead', 'co')),
    part     TEXT NOT NULL DEFAULT '',
    added_by INTEGER NOT NULL REFERENCES users(id),
    added_at TEXT NOT NULL,
    PRIMARY KEY (case_id, unit_id)
);
