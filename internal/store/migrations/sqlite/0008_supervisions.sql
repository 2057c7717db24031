-- Supervision orders (督办): each has its own deadline and needs a reply;
-- an unanswered order past its deadline is announced once.
CREATE TABLE supervisions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id      INTEGER NOT NULL REFERENCES cases(id),
    leader_id    INTEGER NOT NULL REFERENCES users(id),
    due_at       TEXT NOT NULL,
    replied_at   TEXT,
    overdue_sent TEXT,
    created_at   TEXT NOT NULL
);
CREATE INDEX supervisions_open ON supervisions(due_at) WHERE replied_at IS NULL;
