-- Attachments of a matter (agreement scans, evidence): the files live on disk
-- under generated names; the database keeps who, what and a SHA-256.
CREATE TABLE attachments (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id     BIGINT NOT NULL REFERENCES cases(id),
    kind        TEXT NOT NULL,
    name        TEXT NOT NULL,
    stored_name TEXT NOT NULL UNIQUE,
    mime        TEXT NOT NULL,
    size        BIGINT NOT NULL,
    sha256      TEXT NOT NULL,
    uploaded_by BIGINT NOT NULL REFERENCES users(id),
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX attachments_case ON attachments(case_id, id);
