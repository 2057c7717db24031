-- API tokens get a lifecycle (issue 14, point 4): every token has an
-- expiry and scopes, records the address of its last use, and a revoked
-- one says by whom and why; refused uses are audited at most once an hour
-- per token (refusal_audited_at).
--
-- Existing tokens: they expire 90 days after they were created (a token
-- older than that stops working at this upgrade; its holder creates a new
-- one), and they keep "read write", what they could do before but the
-- personal data in full (exports, reveal), which needs a new token naming
-- those scopes. A token of a disabled account, or one created before its
-- account's latest password change or reset, had outlived what now revokes
-- it, and is revoked here.
ALTER TABLE api_tokens ADD COLUMN scopes TEXT NOT NULL DEFAULT '';
ALTER TABLE api_tokens ADD COLUMN expires_at TIMESTAMPTZ;
ALTER TABLE api_tokens ADD COLUMN last_used_ip TEXT NOT NULL DEFAULT '';
ALTER TABLE api_tokens ADD COLUMN revoked_by TEXT NOT NULL DEFAULT '';
ALTER TABLE api_tokens ADD COLUMN revoke_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE api_tokens ADD COLUMN refusal_audited_at TIMESTAMPTZ;

UPDATE api_tokens SET scopes = 'read write', expires_at = created_at + INTERVAL '90 days';
ALTER TABLE api_tokens ALTER COLUMN expires_at SET NOT NULL;

UPDATE api_tokens SET revoked_at = now(), revoked_by = '(migration)', revoke_reason = 'disabled'
    WHERE revoked_at IS NULL AND user_id IN (SELECT id FROM users WHERE disabled);
UPDATE api_tokens SET revoked_at = now(), revoked_by = '(migration)', revoke_reason = 'password_change'
    WHERE revoked_at IS NULL AND created_at < (SELECT password_changed_at FROM users WHERE users.id = api_tokens.user_id);
