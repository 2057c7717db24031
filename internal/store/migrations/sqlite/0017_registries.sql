-- The centre's registries (issue 5): units with their two lists (duties by
-- category, optionally for one township; operating mechanisms), who of the
-- rotating units is present on which day, the functional zones and their
-- reception windows, the mediation organisations and the people who
-- mediate. Matters remember the unit, organisation and mediator chosen at
-- assessment (a mediator's load is the count of their open matters).
CREATE TABLE units (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('resident', 'rotating', 'on_demand')),
    mechanisms  TEXT NOT NULL DEFAULT '',
    contacts    TEXT NOT NULL DEFAULT '',
    active      INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE unit_duties (
    unit_id       INTEGER NOT NULL REFERENCES units(id),
    category_code TEXT NOT NULL REFERENCES categories(code),
    org_code      TEXT NOT NULL DEFAULT '',
    service       TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (unit_id, category_code, org_code)
);
CREATE INDEX unit_duties_category ON unit_duties(category_code);

ALTER TABLE users ADD COLUMN unit_id INTEGER REFERENCES units(id);

CREATE TABLE roster_days (
    day     TEXT NOT NULL,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    PRIMARY KEY (day, unit_id)
);

CREATE TABLE zones (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    code    TEXT NOT NULL UNIQUE,
    name    TEXT NOT NULL,
    purpose TEXT NOT NULL DEFAULT '',
    sort    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE windows (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    code    TEXT NOT NULL UNIQUE,
    name    TEXT NOT NULL,
    zone_id INTEGER NOT NULL REFERENCES zones(id),
    unit_id INTEGER REFERENCES units(id),
    sort    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE mediation_orgs (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    code       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('people_committee', 'administrative', 'industry', 'studio')),
    org_code   TEXT NOT NULL REFERENCES orgs(code),
    categories TEXT NOT NULL DEFAULT '',
    active     INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE mediators (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('judge', 'prosecutor', 'police', 'lawyer', 'deputy', 'cppcc', 'people_mediator', 'elder', 'professional')),
    org_id      INTEGER REFERENCES mediation_orgs(id),
    user_id     INTEGER REFERENCES users(id),
    title       TEXT NOT NULL DEFAULT '',
    specialties TEXT NOT NULL DEFAULT '',
    townships   TEXT NOT NULL DEFAULT '',
    active      INTEGER NOT NULL DEFAULT 1,
    version     INTEGER NOT NULL DEFAULT 1,
    UNIQUE (name, org_id)
);

ALTER TABLE cases ADD COLUMN unit_id INTEGER REFERENCES units(id);
ALTER TABLE cases ADD COLUMN mediation_org_id INTEGER REFERENCES mediation_orgs(id);
ALTER TABLE cases ADD COLUMN mediator_id INTEGER REFERENCES mediators(id);
CREATE INDEX cases_mediator_open ON cases(mediator_id) WHERE mediator_id IS NOT NULL AND status NOT IN ('closed', 'informed', 'visited', 'archived');
