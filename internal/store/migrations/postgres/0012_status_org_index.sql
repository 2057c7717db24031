-- The work queues count matters by status inside a part of the tree; with
-- the place in the index those counts never read the table.
CREATE INDEX cases_status_org ON cases(status, org_path text_pattern_ops);

-- "My overdue" and "my due soon": one person's open steps by deadline.
CREATE INDEX cases_assignee_due ON cases(assignee_id, step_due_at, paused_at) WHERE step_due_at IS NOT NULL;
