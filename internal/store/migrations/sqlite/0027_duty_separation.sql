-- Who created an account and who last changed its roles, place or state
-- (NULL: the command line, or before this was kept): the four-eyes rule
-- refuses an approver whose account the requester made or changed.
ALTER TABLE users ADD COLUMN created_by INTEGER REFERENCES users(id);
ALTER TABLE users ADD COLUMN changed_by INTEGER REFERENCES users(id);
