-- The in-app inbox, and the marks that make the deadline sweep tell each
-- owner once per deadline (due soon, overdue).
CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    case_id    INTEGER REFERENCES cases(id),
    kind       TEXT NOT NULL,
    text       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    read_at    TEXT
);
CREATE INDEX notifications_user ON notifications(user_id, id);
ALTER TABLE cases ADD COLUMN due_soon_sent TEXT;
ALTER TABLE cases ADD COLUMN overdue_sent TEXT;
