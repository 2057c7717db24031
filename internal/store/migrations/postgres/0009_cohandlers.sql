-- Joint handling (联合办理): a lead handler (cases.assignee_id) and co-handlers
-- who work a part of the matter. Ending a co-handler's part marks the row;
-- nothing is deleted.
CREATE TABLE case_cohandlers (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id    BIGINT NOT NULL REFERENCES cases(id),
    user_id    BIGINT NOT NULL REFERENCES users(id),
    part       TEXT NOT NULL,
    added_by   BIGINT NOT NULL REFERENCES users(id),
    added_at   TIMESTAMPTZ NOT NULL,
    ended_at   TIMESTAMPTZ
);
CREATE UNIQUE INDEX case_cohandlers_active ON case_cohandlers(case_id, user_id) WHERE ended_at IS NULL;
CREATE INDEX case_cohandlers_user ON case_cohandlers(user_id) WHERE ended_at IS NULL;
