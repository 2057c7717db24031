package store

import (
	"context"
	"time"

	"jiefen/internal/domain"
)

const sessionCols = `id, token_hash, user_id, csrf_token, ip, user_agent, created_at, last_seen_at, expires_at, ended_at`

func scanSession(sc interface{ Scan(...any) error }, s *domain.Session) error {
	return sc.Scan(&s.ID, &s.TokenHash, &s.UserID, &s.CSRF, &s.IP, &s.UserAgent,
		nullTime{&s.CreatedAt}, nullTime{&s.LastSeenAt}, nullTime{&s.ExpiresAt}, nullTime{&s.EndedAt})
}

// CreateSession stores a new session and returns its ID.
func (tx *Tx) CreateSession(ctx context.Context, s *domain.Session) error {
	err := tx.queryRow(ctx, `INSERT INTO sessions (token_hash, user_id, csrf_token, ip, user_agent, created_at, last_seen_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $6, $7) RETURNING id`,
		s.TokenHash, s.UserID, s.CSRF, s.IP, s.UserAgent, ts(tx.Now), ts(s.ExpiresAt)).Scan(&s.ID)
	s.CreatedAt, s.LastSeenAt = tx.Now, tx.Now
	return tx.scanErr(err, "create session")
}

// SessionByHash reads a live (not ended) session by its token hash.
func (tx *Tx) SessionByHash(ctx context.Context, hash string) (*domain.Session, error) {
	s := &domain.Session{}
	err := scanSession(tx.queryRow(ctx, `SELECT `+sessionCols+` FROM sessions WHERE token_hash = $1 AND ended_at IS NULL`, hash), s)
	return s, tx.scanErr(err, "get session")
}

// EndedSessionByHash reads how the ended session with this token hash
// ended, if it ended after since; a sign-in that replaced it gives its
// address (the user's session started in the same moment). NotFound for a
// live session or an unknown hash.
func (tx *Tx) EndedSessionByHash(ctx context.Context, hash string, since time.Time) (*domain.SessionEnd, error) {
	var id, userID int64
	end := &domain.SessionEnd{}
	err := tx.queryRow(ctx, `SELECT id, user_id, ended_at, end_reason FROM sessions WHERE token_hash = $1 AND ended_at IS NOT NULL AND ended_at > $2`,
		hash, ts(since)).Scan(&id, &userID, nullTime{&end.At}, &end.Reason)
	if err := tx.scanErr(err, "get ended session"); err != nil {
		return nil, err
	}
	if end.Reason != domain.SessionEndReplaced {
		return end, nil
	}
	err = tx.queryRow(ctx, `SELECT ip FROM sessions WHERE user_id = $1 AND id > $2 AND created_at = $3 ORDER BY id LIMIT 1`,
		userID, id, ts(end.At)).Scan(&end.ByIP)
	if err := tx.scanErr(err, "get replacing session"); err != nil && domain.ErrorCode(err) != domain.NotFound {
		return nil, err
	}
	return end, nil
}

// domain.Session reads a live (not ended) session by ID.
func (tx *Tx) Session(ctx context.Context, id int64) (*domain.Session, error) {
	s := &domain.Session{}
	err := scanSession(tx.queryRow(ctx, `SELECT `+sessionCols+` FROM sessions WHERE id = $1 AND ended_at IS NULL`, id), s)
	return s, tx.scanErr(err, "get session")
}

// TouchSession records activity on a session.
func (tx *Tx) TouchSession(ctx context.Context, id int64) error {
	_, err := tx.exec(ctx, `UPDATE sessions SET last_seen_at = $1 WHERE id = $2`, ts(tx.Now), id)
	return wrap(err, "touch session")
}

// EndSession ends one session.
func (tx *Tx) EndSession(ctx context.Context, id int64, reason string) error {
	_, err := tx.exec(ctx, `UPDATE sessions SET ended_at = $1, end_reason = $2 WHERE id = $3 AND ended_at IS NULL`, ts(tx.Now), reason, id)
	return wrap(err, "end session")
}

// EndUserSessions ends every live session of a user except keep (0 = none)
// and returns how many it ended.
func (tx *Tx) EndUserSessions(ctx context.Context, userID, keep int64, reason string) (int64, error) {
	r, err := tx.exec(ctx, `UPDATE sessions SET ended_at = $1, end_reason = $2 WHERE user_id = $3 AND id <> $4 AND ended_at IS NULL`,
		ts(tx.Now), reason, userID, keep)
	if err != nil {
		return 0, wrap(err, "end user sessions")
	}
	n, _ := r.RowsAffected()
	return n, nil
}

// EndAllSessions ends every live session except keep.
func (tx *Tx) EndAllSessions(ctx context.Context, keep int64, reason string) (int64, error) {
	r, err := tx.exec(ctx, `UPDATE sessions SET ended_at = $1, end_reason = $2 WHERE id <> $3 AND ended_at IS NULL`, ts(tx.Now), reason, keep)
	if err != nil {
		return 0, wrap(err, "end all sessions")
	}
	n, _ := r.RowsAffected()
	return n, nil
}

// LiveSessions lists a user's live sessions, newest first.
func (tx *Tx) LiveSessions(ctx context.Context, userID int64) ([]*domain.Session, error) {
	return queryAll(ctx, tx, "list sessions", func(row rowScanner) (*domain.Session, error) {
		s := &domain.Session{}
		err := scanSession(row, s)
		return s, err
	}, `SELECT `+sessionCols+` FROM sessions WHERE user_id = $1 AND ended_at IS NULL AND expires_at > $2 ORDER BY id DESC`, userID, ts(tx.Now))
}

// RecordLogin stores one login attempt.
func (tx *Tx) RecordLogin(ctx context.Context, username, ip string, success bool) error {
	_, err := tx.exec(ctx, `INSERT INTO login_attempts (username, ip, at, success) VALUES ($1, $2, $3, $4)`,
		domain.NormalizeUsername(username), ip, ts(tx.Now), success)
	return wrap(err, "record login")
}

// FailedLogins counts failures for a login ID since t, stopping at the last
// success (a good login clears the count).
func (tx *Tx) FailedLogins(ctx context.Context, username string, since time.Time) (int, error) {
	var n int
	err := tx.queryRow(ctx, `SELECT count(*) FROM login_attempts WHERE username = $1 AND success = $2 AND at > $3
		AND id > COALESCE((SELECT MAX(id) FROM login_attempts WHERE username = $1 AND success = $4), 0)`,
		domain.NormalizeUsername(username), false, ts(since), true).Scan(&n)
	return n, tx.scanErr(err, "count failed logins")
}

// FailedLoginsFromIP counts failures from an address since t.
func (tx *Tx) FailedLoginsFromIP(ctx context.Context, ip string, since time.Time) (int, error) {
	var n int
	err := tx.queryRow(ctx, `SELECT count(*) FROM login_attempts WHERE ip = $1 AND success = $2 AND at > $3`, ip, false, ts(since)).Scan(&n)
	return n, tx.scanErr(err, "count failed logins by ip")
}
