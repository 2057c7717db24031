package store

import (
	"context"
	"fmt"
	"time"

	"jiefen/internal/domain"
)

const totpCols = `user_id, secret_kid, secret, last_step, confirmed_at, nonce, pending_kid, pending_secret, pending_at`

// TOTPFactor reads an account's authenticator (NotFound without one).
func (tx *Tx) TOTPFactor(ctx context.Context, userID int64) (*domain.TOTPFactor, error) {
	f := &domain.TOTPFactor{}
	err := tx.queryRow(ctx, `SELECT `+totpCols+` FROM totp_factors WHERE user_id = $1`, userID).Scan(&f.UserID, &f.SecretKid, &f.Secret,
		&f.LastStep, nullTime{&f.ConfirmedAt}, &f.Nonce, &f.PendingKid, &f.PendingSecret, nullTime{&f.PendingAt})
	return f, tx.scanErr(err, fmt.Sprintf("get totp factor of user %d", userID))
}

// SetPendingTOTP keeps a new sealed seed waiting for its first code; an
// enrolled seed stays in force until then.
func (tx *Tx) SetPendingTOTP(ctx context.Context, userID int64, kid, sealed string) error {
	_, err := tx.exec(ctx, `INSERT INTO totp_factors (user_id, pending_kid, pending_secret, pending_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (user_id) DO UPDATE SET pending_kid = $2, pending_secret = $3, pending_at = $4`, userID, kid, sealed, ts(tx.Now))
	return wrap(err, "set pending totp")
}

// ConfirmTOTP makes the pending seed the account's factor, accepted at
// step, with a new nonce (which revokes the trusted browsers).
func (tx *Tx) ConfirmTOTP(ctx context.Context, userID int64, step int64, nonce string) error {
	_, err := tx.exec(ctx, `UPDATE totp_factors SET secret_kid = pending_kid, secret = pending_secret, last_step = $1,
		confirmed_at = $2, nonce = $3, pending_kid = '', pending_secret = '', pending_at = NULL WHERE user_id = $4`,
		step, ts(tx.Now), nonce, userID)
	if err != nil {
		return wrap(err, "confirm totp")
	}
	return tx.setSecondFactor(ctx, userID, domain.FactorTOTP)
}

// AdvanceTOTPStep records step as the last accepted one, only if it is
// later than the one recorded (false: the code was used already, perhaps
// by a request running beside this one).
func (tx *Tx) AdvanceTOTPStep(ctx context.Context, userID, step int64) (bool, error) {
	r, err := tx.exec(ctx, `UPDATE totp_factors SET last_step = $1 WHERE user_id = $2 AND last_step < $1 AND confirmed_at IS NOT NULL`, step, userID)
	if err != nil {
		return false, wrap(err, "advance totp step")
	}
	n, _ := r.RowsAffected()
	return n == 1, nil
}

// RemoveTOTP deletes an account's authenticator and recovery codes and
// leaves it in state (domain.FactorNone or domain.FactorReset).
func (tx *Tx) RemoveTOTP(ctx context.Context, userID int64, state string) error {
	if _, err := tx.exec(ctx, `DELETE FROM totp_recovery_codes WHERE user_id = $1`, userID); err != nil {
		return wrap(err, "remove recovery codes")
	}
	if _, err := tx.exec(ctx, `DELETE FROM totp_factors WHERE user_id = $1`, userID); err != nil {
		return wrap(err, "remove totp")
	}
	return tx.setSecondFactor(ctx, userID, state)
}

func (tx *Tx) setSecondFactor(ctx context.Context, userID int64, state string) error {
	_, err := tx.exec(ctx, `UPDATE users SET second_factor = $1, updated_at = $2 WHERE id = $3`, state, ts(tx.Now), userID)
	return wrap(err, "set second factor")
}

// ReplaceRecoveryCodes drops an account's recovery codes and stores the
// hashes of new ones.
func (tx *Tx) ReplaceRecoveryCodes(ctx context.Context, userID int64, hashes []string) error {
	if _, err := tx.exec(ctx, `DELETE FROM totp_recovery_codes WHERE user_id = $1`, userID); err != nil {
		return wrap(err, "drop recovery codes")
	}
	for _, h := range hashes {
		if _, err := tx.exec(ctx, `INSERT INTO totp_recovery_codes (user_id, code_hash, created_at) VALUES ($1, $2, $3)`, userID, h, ts(tx.Now)); err != nil {
			return wrap(err, "add recovery code")
		}
	}
	return nil
}

// UseRecoveryCode marks the unused code with this hash used (false: no
// such unused code).
func (tx *Tx) UseRecoveryCode(ctx context.Context, userID int64, hash string) (bool, error) {
	r, err := tx.exec(ctx, `UPDATE totp_recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL`,
		ts(tx.Now), userID, hash)
	if err != nil {
		return false, wrap(err, "use recovery code")
	}
	n, _ := r.RowsAffected()
	return n > 0, nil
}

// RecoveryCodesLeft counts an account's unused recovery codes.
func (tx *Tx) RecoveryCodesLeft(ctx context.Context, userID int64) (int, error) {
	var n int
	err := tx.queryRow(ctx, `SELECT count(*) FROM totp_recovery_codes WHERE user_id = $1 AND used_at IS NULL`, userID).Scan(&n)
	return n, tx.scanErr(err, "count recovery codes")
}

// CreateLoginChallenge stores a pending second step, and forgets the
// challenges that expired more than a day ago.
func (tx *Tx) CreateLoginChallenge(ctx context.Context, c *domain.LoginChallenge) error {
	if _, err := tx.exec(ctx, `DELETE FROM login_challenges WHERE expires_at < $1`, ts(tx.Now.Add(-24*time.Hour))); err != nil {
		return wrap(err, "purge login challenges")
	}
	err := tx.queryRow(ctx, `INSERT INTO login_challenges (token_hash, user_id, ip, user_agent, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, c.TokenHash, c.UserID, c.IP, c.UserAgent, ts(tx.Now), ts(c.ExpiresAt)).Scan(&c.ID)
	c.CreatedAt = tx.Now
	return tx.scanErr(err, "create login challenge")
}

// LoginChallengeByHash reads a live (not ended, not expired) challenge.
func (tx *Tx) LoginChallengeByHash(ctx context.Context, hash string) (*domain.LoginChallenge, error) {
	c := &domain.LoginChallenge{}
	err := tx.queryRow(ctx, `SELECT id, token_hash, user_id, ip, user_agent, created_at, expires_at FROM login_challenges
		WHERE token_hash = $1 AND ended_at IS NULL AND expires_at > $2`, hash, ts(tx.Now)).Scan(&c.ID, &c.TokenHash, &c.UserID,
		&c.IP, &c.UserAgent, nullTime{&c.CreatedAt}, nullTime{&c.ExpiresAt})
	return c, tx.scanErr(err, "get login challenge")
}

// EndLoginChallenge ends a challenge (passed, or given up); false when it
// had ended already.
func (tx *Tx) EndLoginChallenge(ctx context.Context, id int64) (bool, error) {
	r, err := tx.exec(ctx, `UPDATE login_challenges SET ended_at = $1 WHERE id = $2 AND ended_at IS NULL`, ts(tx.Now), id)
	if err != nil {
		return false, wrap(err, "end login challenge")
	}
	n, _ := r.RowsAffected()
	return n == 1, nil
}

// EndUserLoginChallenges ends every live challenge of an account.
func (tx *Tx) EndUserLoginChallenges(ctx context.Context, userID int64) error {
	_, err := tx.exec(ctx, `UPDATE login_challenges SET ended_at = $1 WHERE user_id = $2 AND ended_at IS NULL`, ts(tx.Now), userID)
	return wrap(err, "end login challenges")
}
