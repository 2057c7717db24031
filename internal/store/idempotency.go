package store

import (
	"context"
	"time"

	"jiefen/internal/domain"
)

// IdempotentResponse returns the stored response for (user, key), or not_found.
func (tx *Tx) IdempotentResponse(ctx context.Context, userID int64, key string) (domain.Idempotent, error) {
	var r domain.Idempotent
	err := tx.queryRow(ctx, `SELECT method, path, status, body, created_at FROM idempotency_keys WHERE user_id = $1 AND key = $2`, userID, key).
		Scan(&r.Method, &r.Path, &r.Status, &r.Body, nullTime{&r.CreatedAt})
	return r, tx.scanErr(err, "idempotency key")
}

// SaveIdempotentResponse stores a response; a concurrent duplicate is a conflict.
func (tx *Tx) SaveIdempotentResponse(ctx context.Context, userID int64, key string, r domain.Idempotent) error {
	_, err := tx.exec(ctx, `INSERT INTO idempotency_keys (user_id, key, method, path, status, body, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		userID, key, r.Method, r.Path, r.Status, r.Body, ts(tx.Now))
	return wrap(err, "save idempotency key")
}

// ReserveIdempotencyKey claims (user, key) for a request in progress
// (status 0). It returns the stored response and false when the key exists.
func (tx *Tx) ReserveIdempotencyKey(ctx context.Context, userID int64, key, method, path string) (domain.Idempotent, bool, error) {
	r, err := tx.IdempotentResponse(ctx, userID, key)
	if err == nil && r.Status == 0 && tx.Now.Sub(r.CreatedAt) > 5*time.Minute && r.Method == method && r.Path == path {
		// A reservation whose request never finished (a crash): take it over.
		_, err := tx.exec(ctx, `UPDATE idempotency_keys SET created_at = $1 WHERE user_id = $2 AND key = $3 AND status = 0`, ts(tx.Now), userID, key)
		return domain.Idempotent{}, err == nil, wrap(err, "take over idempotency key")
	}
	if err == nil {
		return r, false, nil
	}
	if domain.ErrorCode(err) != domain.NotFound {
		return r, false, err
	}
	return domain.Idempotent{}, true, tx.SaveIdempotentResponse(ctx, userID, key, domain.Idempotent{Method: method, Path: path})
}

// CompleteIdempotencyKey stores the response of a reserved key.
func (tx *Tx) CompleteIdempotencyKey(ctx context.Context, userID int64, key string, status int, body string) error {
	_, err := tx.exec(ctx, `UPDATE idempotency_keys SET status = $1, body = $2 WHERE user_id = $3 AND key = $4`, status, body, userID, key)
	return wrap(err, "complete idempotency key")
}

// ReleaseIdempotencyKey forgets a reservation whose request failed on the
// server's side, so that a retry can try again.
func (tx *Tx) ReleaseIdempotencyKey(ctx context.Context, userID int64, key string) error {
	_, err := tx.exec(ctx, `DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND status = 0`, userID, key)
	return wrap(err, "release idempotency key")
}
