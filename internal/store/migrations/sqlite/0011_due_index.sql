-- The "overdue" and "due soon" counts of the work queues and the sweep read
-- only matters whose step has a deadline (archived ones have none); carrying
-- the place, the assignee and the pause in the index answers those counts
-- without touching the table, however many matters the database holds.
DROP INDEX cases_due;
CREATE INDEX cases_due ON cases(step_due_at, org_path, assignee_id, paused_at) WHERE step_due_at IS NOT NULL;
