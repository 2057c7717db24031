-- The State Council's holiday arrangements for 2023 (国办发明电〔2022〕16号)
-- and 2024 (国办发明电〔2023〕7号): the matters reach back into them, and
-- a year the calendar lacks is counted as a plain Monday–Friday week. A
-- date an operator has already imported stays as it is.
INSERT INTO calendar_days (day, kind, name) VALUES ('2023-01-01', 'holiday', '元旦') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2023-01-02', 'holiday', '元旦') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2023-01-21', 'holiday', '春节') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2023-01-22', 'holiday', '春节') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2023-01-23', 'holiday', '春节') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2023-01-24', 'holiday', '春节') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2023-01-25', 'holiday', '春节') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2023-01-26', 'holiday', '春节') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2023-01-27', 'holiday', '春节') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2023-01-28', 'workday', '春节调休上班') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2023-01-29', 'workday', '春节调休上班') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2023-04-05', 'holiday', '清明节') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2023-04-23', 'workday', '劳动节调休上班') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2023-04-29', 'holiday', '劳动节') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2023-04-30', 'holiday', '劳动节') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2023-05-01', 'holiday', '劳动节') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2023-05-02', 'holiday', '劳动节') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2023-05-03', 'holiday', '劳动节') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2023-05-06', 'workday', '劳动节调休上班') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2023-06-22', 'holiday', '端午节') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2023-06-23', 'holiday', '端午节') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2023-06-24', 'holiday', '端午节') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2023-06-25', 'workday', '端午节调休上班') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2023-09-29', 'holiday', '中秋节、国庆节') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2023-09-30', 'holiday', '中秋节、国庆节') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2023-10-01', 'holiday', '中秋节、国庆节') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2023-10-02', 'holiday', '中秋节、国庆节') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2023-10-03', 'holiday', '中秋节、国庆节') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2023-10-04', 'holiday', '中秋节、国庆节') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2023-10-05', 'holiday', '中秋节、国庆节') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2023-10-06', 'holiday', '中秋节、国庆节') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2023-10-07', 'workday', '国庆节调休上班') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2023-10-08', 'workday', '国庆节调休上班') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2024-01-01', 'holiday', '元旦') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2024-02-04', 'workday', '春节调休上班') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2024-02-10', 'holiday', '春节') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2024-02-11', 'holiday', '春节') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2024-02-12', 'holiday', '春节') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2024-02-13', 'holiday', '春节') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2024-02-14', 'holiday', '春节') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2024-02-15', 'holiday', '春节') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2024-02-16', 'holiday', '春节') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2024-02-17', 'holiday', '春节') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2024-02-18', 'workday', '春节调休上班') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2024-04-04', 'holiday', '清明节') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2024-04-05', 'holiday', '清明节') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2024-04-06', 'holiday', '清明节') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2024-04-07', 'workday', '清明节调休上班') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2024-04-28', 'workday', '劳动节调休上班') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2024-05-01', 'holiday', '劳动节') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2024-05-02', 'holiday', '劳动节') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2024-05-03', 'holiday', '劳动节') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2024-05-04', 'holiday', '劳动节') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2024-05-05', 'holiday', '劳动节') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2024-05-11', 'workday', '劳动节调休上班') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2024-06-08', 'holiday', '端午节') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2024-06-09', 'holiday', '端午节') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2024-06-10', 'holiday', '端午节') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2024-09-14', 'workday', '中秋节调休上班') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2024-09-15', 'holiday', '中秋节') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2024-09-16', 'holiday', '中秋节') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2024-09-17', 'holiday', '中秋节') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2024-09-29', 'workday', '国庆节调休上班') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2024-10-01', 'holiday', '国庆节') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2024-10-02', 'holiday', '国庆节') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2024-10-03', 'holiday', '国庆节') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2024-10-04', 'holiday', '国庆节') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2024-10-05', 'holiday', '国庆节') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2024-10-06', 'holiday', '国庆节') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2024-10-07', 'holiday', '国庆节') ON CONFLICT (day) DO NOTHING;
INSERT INTO calendar_days (day, kind, name) VALUES ('2024-10-12', 'workday', '国庆节调休上班') ON CONFLICT (day) DO NOTHING;

-- Overdue notices: one digest a day per person (digest, the default) or
-- one notice per overdue matter (each); the CST day of the last digest
-- sent, claimed by the sweep that sends it (YYYY-MM-DD).
ALTER TABLE users ADD COLUMN overdue_notices TEXT NOT NULL DEFAULT 'digest';
ALTER TABLE users ADD COLUMN overdue_digest_on TEXT;

-- An inform's fact carries the method (告知方式) as its value, as a visit's
-- carries the satisfaction: the statistics count the informs by method.
UPDATE case_facts SET value = COALESCE((SELECT json_extract(e.data, '$.method') FROM case_events e WHERE e.id = case_facts.id), '')
    WHERE action = 'inform';
