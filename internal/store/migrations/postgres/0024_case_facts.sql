-- The statistics' summary table (issue 6): one row per counted event (a
-- close, a return visit, a reopening, the end of a step with a deadline)
-- with the matter's attributes the figures are broken down by, kept in
-- step by the store in the transaction of every change (store/facts.go).
-- The rows for the events already recorded are derived here with the
-- same rule as store.factsSQL.
CREATE TABLE case_facts (
    id          BIGINT PRIMARY KEY,
    at          TIMESTAMPTZ NOT NULL,
    case_id     BIGINT NOT NULL REFERENCES cases(id),
    action      TEXT NOT NULL,
    step        TEXT NOT NULL,
    on_time     INTEGER NOT NULL,
    value       TEXT NOT NULL,
    org_path    TEXT NOT NULL,
    category    TEXT NOT NULL,
    channel     TEXT NOT NULL,
    risk        TEXT NOT NULL,
    unit_id     BIGINT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    merged      INTEGER NOT NULL
);
INSERT INTO case_facts (id, at, case_id, action, step, on_time, value, org_path, category, channel, risk, unit_id, created_at, merged)
SELECT e.id, e.at, e.case_id, e.action, CASE WHEN (e.action <> 'merge' AND e.from_status <> '' AND e.from_status <> e.to_status AND ((e.data::jsonb)->>'step_due') IS NOT NULL) THEN CASE e.from_status WHEN 'registered' THEN 'assess' WHEN 'assessed' THEN 'dispatch' WHEN 'returned' THEN 'dispatch'
    WHEN 'dispatched' THEN 'sign' WHEN 'in_resolution' THEN 'resolve' WHEN 'closed' THEN 'inform' WHEN 'informed' THEN 'visit' ELSE '' END ELSE '' END, CASE WHEN e.at <= ((e.data::jsonb)->>'step_due')::timestamptz THEN 1 ELSE 0 END, COALESCE((e.data::jsonb)->>'outcome', (e.data::jsonb)->>'satisfaction', ''),
    c.org_path, COALESCE(k.parent_code, c.category_code), c.channel, c.risk, COALESCE(c.unit_id, 0), c.created_at,
    CASE WHEN c.outcome = 'merged' THEN 1 ELSE 0 END
FROM case_events e JOIN cases c ON c.id = e.case_id JOIN categories k ON k.code = c.category_code
WHERE e.action IN ('close', 'visit', 'reopen') OR (e.action <> 'merge' AND e.from_status <> '' AND e.from_status <> e.to_status AND ((e.data::jsonb)->>'step_due') IS NOT NULL);
CREATE INDEX case_facts_at ON case_facts(at);
CREATE INDEX case_facts_closes ON case_facts(action, at);
CREATE INDEX case_facts_case ON case_facts(case_id);
