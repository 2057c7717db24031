package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"jiefen/internal/domain"
)

const tokenCols = `t.id, t.user_id, t.name, t.token_hash, t.prefix, t.scopes, t.created_at, t.expires_at, t.last_used_at, t.last_used_ip,
	t.revoked_at, t.revoked_by, t.revoke_reason, t.refusal_audited_at`

func scanToken(sc interface{ Scan(...any) error }, t *domain.Token, more ...any) error {
	var scopes string
	dest := append([]any{&t.ID, &t.UserID, &t.Name, &t.Hash, &t.Prefix, &scopes, nullTime{&t.CreatedAt}, nullTime{&t.ExpiresAt},
		nullTime{&t.LastUsedAt}, &t.LastUsedIP, nullTime{&t.RevokedAt}, &t.RevokedBy, &t.RevokeReason, nullTime{&t.RefusalAuditedAt}}, more...)
	if err := sc.Scan(dest...); err != nil {
		return err
	}
	t.Scopes = nil
	for s := range strings.FieldsSeq(scopes) {
		t.Scopes = append(t.Scopes, domain.Scope(s))
	}
	return nil
}

// CreateToken stores a token.
func (tx *Tx) CreateToken(ctx context.Context, t *domain.Token) error {
	err := tx.queryRow(ctx, `INSERT INTO api_tokens (user_id, name, token_hash, prefix, scopes, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		t.UserID, t.Name, t.Hash, t.Prefix, domain.JoinScopes(t.Scopes), ts(tx.Now), ts(t.ExpiresAt)).Scan(&t.ID)
	t.CreatedAt = tx.Now
	return tx.scanErr(err, "create token")
}

// TokenByHash reads a token by the hash of its secret, whatever its state
// (the caller tells an expired or revoked token from an unknown one).
func (tx *Tx) TokenByHash(ctx context.Context, hash string) (*domain.Token, error) {
	t := &domain.Token{}
	err := scanToken(tx.queryRow(ctx, `SELECT `+tokenCols+` FROM api_tokens t WHERE t.token_hash = $1`, hash), t)
	return t, tx.scanErr(err, "get token")
}

// Token reads a token by ID.
func (tx *Tx) Token(ctx context.Context, id int64) (*domain.Token, error) {
	t := &domain.Token{}
	err := scanToken(tx.queryRow(ctx, `SELECT `+tokenCols+` FROM api_tokens t WHERE t.id = $1`, id), t)
	return t, tx.scanErr(err, fmt.Sprintf("get token %d", id))
}

// Tokens lists a user's tokens, newest first.
func (tx *Tx) Tokens(ctx context.Context, userID int64) ([]*domain.Token, error) {
	return queryAll(ctx, tx, "list tokens", func(row rowScanner) (*domain.Token, error) {
		t := &domain.Token{}
		err := scanToken(row, t)
		return t, err
	}, `SELECT `+tokenCols+` FROM api_tokens t WHERE t.user_id = $1 ORDER BY t.id DESC`, userID)
}

// TokensIn lists the tokens of the accounts in a subtree with their owners,
// newest first, keyset-paginated.
func (tx *Tx) TokensIn(ctx context.Context, f domain.TokenFilter) ([]*domain.Token, error) {
	w := where{}
	w.add("o.path LIKE ?", stripLike(f.Path)+"%")
	if f.Query != "" {
		q := "%" + stripLike(strings.ToLower(f.Query)) + "%"
		w.add("(u.username LIKE ? OR u.name LIKE ? OR lower(t.name) LIKE ?)", q, q, q)
	}
	if f.State == domain.TokenActive {
		w.add("t.revoked_at IS NULL AND t.expires_at > ?", ts(tx.Now))
	}
	if f.AfterID > 0 {
		w.add("t.id < ?", f.AfterID)
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	q := `SELECT ` + tokenCols + `, u.username, u.name, o.name FROM api_tokens t JOIN users u ON u.id = t.user_id JOIN orgs o ON o.code = u.org_code` +
		w.sql() + fmt.Sprintf(` ORDER BY t.id DESC LIMIT %d`, f.Limit)
	return queryAll(ctx, tx, "list tokens", func(row rowScanner) (*domain.Token, error) {
		t := &domain.Token{}
		err := scanToken(row, t, &t.Username, &t.UserName, &t.OrgName)
		return t, err
	}, q, w.args...)
}

// TouchToken records a token's use from ip, unless it was recorded after
// since (a busy client writes once a minute, not on every request).
func (tx *Tx) TouchToken(ctx context.Context, id int64, ip string, since time.Time) error {
	_, err := tx.exec(ctx, `UPDATE api_tokens SET last_used_at = $1, last_used_ip = $2 WHERE id = $3 AND (last_used_at IS NULL OR last_used_at <= $4)`,
		ts(tx.Now), ip, id, ts(since))
	return wrap(err, "touch token")
}

// RevokeToken revokes a live token, recording by whom and why; it reports
// whether the token was live.
func (tx *Tx) RevokeToken(ctx context.Context, id int64, by, reason string) (bool, error) {
	r, err := tx.exec(ctx, `UPDATE api_tokens SET revoked_at = $1, revoked_by = $2, revoke_reason = $3 WHERE id = $4 AND revoked_at IS NULL`,
		ts(tx.Now), by, reason, id)
	if err != nil {
		return false, wrap(err, "revoke token")
	}
	n, _ := r.RowsAffected()
	return n > 0, nil
}

// RevokeUserTokens revokes every unrevoked token of a user (expired ones
// too: re-enabling an account or a later policy never revives them) and
// returns their IDs.
func (tx *Tx) RevokeUserTokens(ctx context.Context, userID int64, by, reason string) ([]int64, error) {
	return tx.ids(ctx, `UPDATE api_tokens SET revoked_at = $1, revoked_by = $2, revoke_reason = $3 WHERE user_id = $4 AND revoked_at IS NULL RETURNING id`,
		[]any{ts(tx.Now), by, reason, userID})
}

// ClaimTokenRefusal marks a refused use of a token as audited now, unless
// one was audited after since; it reports whether this refusal is to be
// audited (one row per token per period, however many requests).
func (tx *Tx) ClaimTokenRefusal(ctx context.Context, id int64, since time.Time) (bool, error) {
	r, err := tx.exec(ctx, `UPDATE api_tokens SET refusal_audited_at = $1 WHERE id = $2 AND (refusal_audited_at IS NULL OR refusal_audited_at <= $3)`,
		ts(tx.Now), id, ts(since))
	if err != nil {
		return false, wrap(err, "claim token refusal")
	}
	n, _ := r.RowsAffected()
	return n > 0, nil
}
