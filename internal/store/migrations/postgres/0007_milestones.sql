-- The schedule of a matter (进度表): milestones with due dates and done marks,
-- some created by the workflow itself (first contact within 3 working days;
-- the 30-day window to ask a court to confirm a mediation agreement).
CREATE TABLE milestones (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id    BIGINT NOT NULL REFERENCES cases(id),
    title      TEXT NOT NULL,
    due_at     TIMESTAMPTZ NOT NULL,
    done_at    TIMESTAMPTZ,
    done_by    BIGINT REFERENCES users(id),
    auto       TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX milestones_case ON milestones(case_id, due_at);
