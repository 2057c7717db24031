-- The second factor (SECURITY.md IA-6, IA-7, IA-9): an account's state
-- ('' none, 'totp' enrolled, 'reset' reset by an administrator and to be
-- enrolled again at the next sign-in), its TOTP seed sealed with the
-- keyring (the key ID beside it), the last time step accepted (a code is
-- used once), a new enrolment waiting for its first code, and a nonce that
-- a trusted browser's cookie is bound to (a new nonce revokes them all).
ALTER TABLE users ADD COLUMN second_factor TEXT NOT NULL DEFAULT '';

CREATE TABLE totp_factors (
    user_id        BIGINT PRIMARY KEY REFERENCES users(id),
    secret_kid     TEXT NOT NULL DEFAULT '',
    secret         TEXT NOT NULL DEFAULT '',
    last_step      BIGINT NOT NULL DEFAULT 0,
    confirmed_at   TIMESTAMPTZ,
    nonce          TEXT NOT NULL DEFAULT '',
    pending_kid    TEXT NOT NULL DEFAULT '',
    pending_secret TEXT NOT NULL DEFAULT '',
    pending_at     TIMESTAMPTZ
);

-- Single-use recovery codes, kept as keyed hashes (HMAC with the keyring's
-- index key, outside the database).
CREATE TABLE totp_recovery_codes (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users(id),
    code_hash  TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    used_at    TIMESTAMPTZ
);
CREATE INDEX totp_recovery_codes_user ON totp_recovery_codes(user_id, code_hash);

-- A sign-in between its password and its second step: a short-lived
-- pending state with no rights (only the hash of the browser's cookie).
CREATE TABLE login_challenges (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id    BIGINT NOT NULL REFERENCES users(id),
    ip         TEXT NOT NULL,
    user_agent TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    ended_at   TIMESTAMPTZ
);
CREATE INDEX login_challenges_expires ON login_challenges(expires_at);
