-- How many matters there are per status, place and assignee, kept up to
-- date in the same transaction as every registration and status change:
-- the work queues (and the command centre) add up a few hundred of these
-- rows instead of counting a million matters. A test compares them with
-- COUNT(*) after every kind of change.
CREATE TABLE case_counts (
    status      TEXT NOT NULL,
    org_path    TEXT NOT NULL,
    assignee_id BIGINT NOT NULL DEFAULT 0,
    n           BIGINT NOT NULL,
    PRIMARY KEY (status, org_path, assignee_id)
);
CREATE INDEX case_counts_assignee ON case_counts(assignee_id, status);
CREATE INDEX case_counts_place ON case_counts(status, org_path text_pattern_ops);
INSERT INTO case_counts (status, org_path, assignee_id, n)
    SELECT status, org_path, COALESCE(assignee_id, 0), COUNT(*) FROM cases GROUP BY status, org_path, COALESCE(assignee_id, 0);
