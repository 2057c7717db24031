-- The audit chain is sealed with HMAC-SHA256 under an audit key kept in the
-- key file, outside the database (SECURITY.md AU-4, DC-3): each entry names
-- the key that sealed it, and so does the head. The entries written before
-- this have no key ('') and their unkeyed SHA-256; the first entry written
-- under a key after them (audit.reseal, appended by the application, which
-- alone holds the key) seals them once, without changing a row of this
-- append-only table.
ALTER TABLE audit_log ADD COLUMN key_id TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_head ADD COLUMN key_id TEXT NOT NULL DEFAULT '';
