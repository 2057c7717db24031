-- The command centre's board on a million matters: open matters counted by
-- colour, and the open red ones, from the index alone.
CREATE INDEX cases_open_risk ON cases(status, risk, org_path);
