-- Matters: the catalogue, the matters, their parties (personal data
-- encrypted, found through blind indexes), the timeline, numbering,
-- full-text search over CJK bigrams, the working-day calendar and
-- idempotency keys.
CREATE TABLE categories (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    parent_code TEXT REFERENCES categories(code),
    sort        INTEGER NOT NULL DEFAULT 0,
    active      INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE case_numbers (
    prefix TEXT NOT NULL,
    year   INTEGER NOT NULL,
    last   INTEGER NOT NULL,
    PRIMARY KEY (prefix, year)
);

CREATE TABLE cases (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    number        TEXT NOT NULL UNIQUE,
    query_code    TEXT NOT NULL UNIQUE,
    channel       TEXT NOT NULL,
    category_code TEXT NOT NULL REFERENCES categories(code),
    description   TEXT NOT NULL,
    org_code      TEXT NOT NULL REFERENCES orgs(code),
    org_path      TEXT NOT NULL,
    address       TEXT NOT NULL,
    lat           REAL,
    lng           REAL,
    amount_cents  INTEGER NOT NULL DEFAULT 0,
    people_count  INTEGER NOT NULL DEFAULT 0,
    status        TEXT NOT NULL,
    outcome       TEXT NOT NULL DEFAULT '',
    guidance      TEXT NOT NULL DEFAULT '',
    referred_to   TEXT NOT NULL DEFAULT '',
    risk          TEXT NOT NULL DEFAULT 'none',
    assignee_id   INTEGER REFERENCES users(id),
    step_due_at   TEXT,
    six           TEXT NOT NULL DEFAULT '{}',
    satisfaction  TEXT NOT NULL DEFAULT '',
    created_by    INTEGER NOT NULL REFERENCES users(id),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    closed_at     TEXT,
    version       INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX cases_org ON cases(org_path, id);
CREATE INDEX cases_status ON cases(status, id);
CREATE INDEX cases_assignee ON cases(assignee_id, status);
CREATE INDEX cases_created ON cases(created_at, id);
CREATE INDEX cases_due ON cases(step_due_at) WHERE step_due_at IS NOT NULL;

CREATE TABLE parties (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id      INTEGER NOT NULL REFERENCES cases(id),
    kind         TEXT NOT NULL,
    role         TEXT NOT NULL,
    name         TEXT NOT NULL,
    id_type      TEXT NOT NULL,
    id_kid       TEXT NOT NULL DEFAULT '',
    id_enc       TEXT NOT NULL DEFAULT '',
    id_bidx      TEXT NOT NULL DEFAULT '',
    id_masked    TEXT NOT NULL DEFAULT '',
    no_id_reason TEXT NOT NULL DEFAULT '',
    phone_kid    TEXT NOT NULL DEFAULT '',
    phone_enc    TEXT NOT NULL DEFAULT '',
    phone_bidx   TEXT NOT NULL DEFAULT '',
    phone_masked TEXT NOT NULL DEFAULT '',
    address      TEXT NOT NULL DEFAULT '',
    uscc         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX parties_case ON parties(case_id);
CREATE INDEX parties_id_bidx ON parties(id_bidx) WHERE id_bidx <> '';
CREATE INDEX parties_phone_bidx ON parties(phone_bidx) WHERE phone_bidx <> '';

CREATE TABLE case_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id     INTEGER NOT NULL REFERENCES cases(id),
    at          TEXT NOT NULL,
    actor_id    INTEGER NOT NULL,
    actor_name  TEXT NOT NULL,
    action      TEXT NOT NULL,
    from_status TEXT NOT NULL,
    to_status   TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    data        TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX case_events_case ON case_events(case_id, id);

-- Search text is pre-tokenised into CJK bigrams and lower-case words by the
-- application, so the same query finds the same matters on both engines.
CREATE VIRTUAL TABLE case_fts USING fts5(tokens, tokenize = 'unicode61 remove_diacritics 0');

CREATE TABLE calendar_days (
    day  TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL
);

CREATE TABLE idempotency_keys (
    user_id    INTEGER NOT NULL,
    key        TEXT NOT NULL,
    method     TEXT NOT NULL,
    path       TEXT NOT NULL,
    status     INTEGER NOT NULL,
    body       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_id, key)
);

-- The dispute catalogue (administrators maintain it; these are the defaults).
INSERT INTO categories (code, name, parent_code, sort) VALUES ('marriage', '婚姻家庭纠纷', NULL, 10);
INSERT INTO categories (code, name, parent_code, sort) VALUES ('neighbour', '邻里纠纷', NULL, 20);
INSERT INTO categories (code, name, parent_code, sort) VALUES ('land', '土地承包/山林/宅基地纠纷', NULL, 30);
INSERT INTO categories (code, name, parent_code, sort) VALUES ('labour', '劳动争议/欠薪', NULL, 40);
INSERT INTO categories (code, name, parent_code, sort) VALUES ('medical', '医疗纠纷', NULL, 50);
INSERT INTO categories (code, name, parent_code, sort) VALUES ('property_mgmt', '物业纠纷', NULL, 60);
INSERT INTO categories (code, name, parent_code, sort) VALUES ('traffic', '交通事故纠纷', NULL, 70);
INSERT INTO categories (code, name, parent_code, sort) VALUES ('consumer', '消费纠纷', NULL, 80);
INSERT INTO categories (code, name, parent_code, sort) VALUES ('contract', '合同/借贷/金融纠纷', NULL, 90);
INSERT INTO categories (code, name, parent_code, sort) VALUES ('expropriation', '征地拆迁纠纷', NULL, 100);
INSERT INTO categories (code, name, parent_code, sort) VALUES ('campus', '校园纠纷', NULL, 110);
INSERT INTO categories (code, name, parent_code, sort) VALUES ('environment', '环境污染纠纷', NULL, 120);
INSERT INTO categories (code, name, parent_code, sort) VALUES ('construction', '建设工程纠纷', NULL, 130);
INSERT INTO categories (code, name, parent_code, sort) VALUES ('inheritance', '继承纠纷', NULL, 140);
INSERT INTO categories (code, name, parent_code, sort) VALUES ('damage', '损害赔偿纠纷', NULL, 150);
INSERT INTO categories (code, name, parent_code, sort) VALUES ('village_affairs', '村务/集体经济纠纷', NULL, 160);
INSERT INTO categories (code, name, parent_code, sort) VALUES ('petition', '信访诉求', NULL, 170);
INSERT INTO categories (code, name, parent_code, sort) VALUES ('other', '其他纠纷', NULL, 180);
INSERT INTO categories (code, name, parent_code, sort) VALUES ('land_contract', '土地承包经营', 'land', 181);
INSERT INTO categories (code, name, parent_code, sort) VALUES ('forest', '山林权属', 'land', 182);
INSERT INTO categories (code, name, parent_code, sort) VALUES ('homestead', '宅基地', 'land', 183);
INSERT INTO categories (code, name, parent_code, sort) VALUES ('wage_arrears', '拖欠工资', 'labour', 184);
INSERT INTO categories (code, name, parent_code, sort) VALUES ('labour_contract', '劳动合同', 'labour', 185);
INSERT INTO categories (code, name, parent_code, sort) VALUES ('work_injury', '工伤', 'labour', 186);
INSERT INTO categories (code, name, parent_code, sort) VALUES ('loan', '民间借贷', 'contract', 187);
INSERT INTO categories (code, name, parent_code, sort) VALUES ('finance', '金融纠纷', 'contract', 188);
-- The State Council's holiday arrangements for 2025 and 2026 (国务院办公厅通知); later years are added by the administrator.
INSERT INTO calendar_days (day, kind, name) VALUES ('2025-01-01', 'holiday', '元旦');
INSERT INTO calendar_days (day, kind, name) VALUES ('2025-01-26', 'workday', '春节调休上班');
INSERT INTO calendar_days (day, kind, name) VALUES ('2025-01-28', 'holiday', '春节');
INSERT INTO calendar_days (day, kind, name) VALUES ('2025-01-29', 'holiday', '春节');
INSERT INTO calendar_days (day, kind, name) VALUES ('2025-01-30', 'holiday', '春节');
INSERT INTO calendar_days (day, kind, name) VALUES ('2025-01-31', 'holiday', '春节');
INSERT INTO calendar_days (day, kind, name) VALUES ('2025-02-01', 'holiday', '春节');
INSERT INTO calendar_days (day, kind, name) VALUES ('2025-02-02', 'holiday', '春节');
INSERT INTO calendar_days (day, kind, name) VALUES ('2025-02-03', 'holiday', '春节');
INSERT INTO calendar_days (day, kind, name) VALUES ('2025-02-04', 'holiday', '春节');
INSERT INTO calendar_days (day, kind, name) VALUES ('2025-02-08', 'workday', '春节调休上班');
INSERT INTO calendar_days (day, kind, name) VALUES ('2025-04-04', 'holiday', '清明节');
INSERT INTO calendar_days (day, kind, name) VALUES ('2025-04-05', 'holiday', '清明节');
INSERT INTO calendar_days (day, kind, name) VALUES ('2025-04-06', 'holiday', '清明节');
INSERT INTO calendar_days (day, kind, name) VALUES ('2025-04-27', 'workday', '劳动节调休上班');
INSERT INTO calendar_days (day, kind, name) VALUES ('2025-05-01', 'holiday', '劳动节');
INSERT INTO calendar_days (day, kind, name) VALUES ('2025-05-02', 'holiday', '劳动节');
INSERT INTO calendar_days (day, kind, name) VALUES ('2025-05-03', 'holiday', '劳动节');
INSERT INTO calendar_days (day, kind, name) VALUES ('2025-05-04', 'holiday', '劳动节');
INSERT INTO calendar_days (day, kind, name) VALUES ('2025-05-05', 'holiday', '劳动节');
INSERT INTO calendar_days (day, kind, name) VALUES ('2025-05-31', 'holiday', '端午节');
INSERT INTO calendar_days (day, kind, name) VALUES ('2025-06-01', 'holiday', '端午节');
INSERT INTO calendar_days (day, kind, name) VALUES ('2025-06-02', 'holiday', '端午节');
INSERT INTO calendar_days (day, kind, name) VALUES ('2025-09-28', 'workday', '国庆节调休上班');
INSERT INTO calendar_days (day, kind, name) VALUES ('2025-10-01', 'holiday', '国庆节、中秋节');
INSERT INTO calendar_days (day, kind, name) VALUES ('2025-10-02', 'holiday', '国庆节、中秋节');
INSERT INTO calendar_days (day, kind, name) VALUES ('2025-10-03', 'holiday', '国庆节、中秋节');
INSERT INTO calendar_days (day, kind, name) VALUES ('2025-10-04', 'holiday', '国庆节、中秋节');
INSERT INTO calendar_days (day, kind, name) VALUES ('2025-10-05', 'holiday', '国庆节、中秋节');
INSERT INTO calendar_days (day, kind, name) VALUES ('2025-10-06', 'holiday', '国庆节、中秋节');
INSERT INTO calendar_days (day, kind, name) VALUES ('2025-10-07', 'holiday', '国庆节、中秋节');
INSERT INTO calendar_days (day, kind, name) VALUES ('2025-10-08', 'holiday', '国庆节、中秋节');
INSERT INTO calendar_days (day, kind, name) VALUES ('2025-10-11', 'workday', '国庆节调休上班');
INSERT INTO calendar_days (day, kind, name) VALUES ('2026-01-01', 'holiday', '元旦');
INSERT INTO calendar_days (day, kind, name) VALUES ('2026-01-02', 'holiday', '元旦');
INSERT INTO calendar_days (day, kind, name) VALUES ('2026-01-03', 'holiday', '元旦');
INSERT INTO calendar_days (day, kind, name) VALUES ('2026-01-04', 'workday', '元旦调休上班');
INSERT INTO calendar_days (day, kind, name) VALUES ('2026-02-14', 'workday', '春节调休上班');
INSERT INTO calendar_days (day, kind, name) VALUES ('2026-02-15', 'holiday', '春节');
INSERT INTO calendar_days (day, kind, name) VALUES ('2026-02-16', 'holiday', '春节');
INSERT INTO calendar_days (day, kind, name) VALUES ('2026-02-17', 'holiday', '春节');
INSERT INTO calendar_days (day, kind, name) VALUES ('2026-02-18', 'holiday', '春节');
INSERT INTO calendar_days (day, kind, name) VALUES ('2026-02-19', 'holiday', '春节');
INSERT INTO calendar_days (day, kind, name) VALUES ('2026-02-20', 'holiday', '春节');
INSERT INTO calendar_days (day, kind, name) VALUES ('2026-02-21', 'holiday', '春节');
INSERT INTO calendar_days (day, kind, name) VALUES ('2026-02-22', 'holiday', '春节');
INSERT INTO calendar_days (day, kind, name) VALUES ('2026-02-23', 'holiday', '春节');
INSERT INTO calendar_days (day, kind, name) VALUES ('2026-02-28', 'workday', '春节调休上班');
INSERT INTO calendar_days (day, kind, name) VALUES ('2026-04-04', 'holiday', '清明节');
INSERT INTO calendar_days (day, kind, name) VALUES ('2026-04-05', 'holiday', '清明节');
INSERT INTO calendar_days (day, kind, name) VALUES ('2026-04-06', 'holiday', '清明节');
INSERT INTO calendar_days (day, kind, name) VALUES ('2026-05-01', 'holiday', '劳动节');
INSERT INTO calendar_days (day, kind, name) VALUES ('2026-05-02', 'holiday', '劳动节');
INSERT INTO calendar_days (day, kind, name) VALUES ('2026-05-03', 'holiday', '劳动节');
INSERT INTO calendar_days (day, kind, name) VALUES ('2026-05-04', 'holiday', '劳动节');
INSERT INTO calendar_days (day, kind, name) VALUES ('2026-05-05', 'holiday', '劳动节');
INSERT INTO calendar_days (day, kind, name) VALUES ('2026-05-09', 'workday', '劳动节调休上班');
INSERT INTO calendar_days (day, kind, name) VALUES ('2026-06-19', 'holiday', '端午节');
INSERT INTO calendar_days (day, kind, name) VALUES ('2026-06-20', 'holiday', '端午节');
INSERT INTO calendar_days (day, kind, name) VALUES ('2026-06-21', 'holiday', '端午节');
INSERT INTO calendar_days (day, kind, name) VALUES ('2026-09-20', 'workday', '国庆节调休上班');
INSERT INTO calendar_days (day, kind, name) VALUES ('2026-09-25', 'holiday', '中秋节');
INSERT INTO calendar_days (day, kind, name) VALUES ('2026-09-26', 'holiday', '中秋节');
INSERT INTO calendar_days (day, kind, name) VALUES ('2026-09-27', 'holiday', '中秋节');
INSERT INTO calendar_days (day, kind, name) VALUES ('2026-10-01', 'holiday', '国庆节');
INSERT INTO calendar_days (day, kind, name) VALUES ('2026-10-02', 'holiday', '国庆节');
INSERT INTO calendar_days (day, kind, name) VALUES ('2026-10-03', 'holiday', '国庆节');
INSERT INTO calendar_days (day, kind, name) VALUES ('2026-10-04', 'holiday', '国庆节');
INSERT INTO calendar_days (day, kind, name) VALUES ('2026-10-05', 'holiday', '国庆节');
INSERT INTO calendar_days (day, kind, name) VALUES ('2026-10-06', 'holiday', '国庆节');
INSERT INTO calendar_days (day, kind, name) VALUES ('2026-10-07', 'holiday', '国庆节');
INSERT INTO calendar_days (day, kind, name) VALUES ('2026-10-10', 'workday', '国庆节调休上班');
