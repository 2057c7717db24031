-- Lists by status inside a township walk this index newest first; with the
-- place in the index, rows of other townships are passed over without
-- reading the table.
DROP INDEX cases_status;
CREATE INDEX cases_status ON cases(status, id) INCLUDE (org_path);
