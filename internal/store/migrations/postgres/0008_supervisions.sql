-- Supervision orders (督办): each has its own deadline and needs a reply;
-- an unanswered order past its deadline is announced once.
CREATE TABLE supervisions (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id      BIGINT NOT NULL REFERENCES cases(id),
    leader_id    BIGINT NOT NULL REFERENCES users(id),
    due_at       TIMESTAMPTZ NOT NULL,
    replied_at   TIMESTAMPTZ,
    overdue_sent TIMESTAMPTZ,
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX supervisions_open ON supervisions(due_at) WHERE replied_at IS NULL;
