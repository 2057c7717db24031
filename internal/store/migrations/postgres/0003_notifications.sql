-- The in-app inbox, and the marks that make the deadline sweep tell each
-- owner once per deadline (due soon, overdue).
CREATE TABLE notifications (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users(id),
    case_id    BIGINT REFERENCES cases(id),
    kind       TEXT NOT NULL,
    text       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    read_at    TIMESTAMPTZ
);
CREATE INDEX notifications_user ON notifications(user_id, id);
ALTER TABLE cases ADD COLUMN due_soon_sent TIMESTAMPTZ;
ALTER TABLE cases ADD COLUMN overdue_sent TIMESTAMPTZ;
