package identity

import (
	"context"
	"crypto/subtle"
	"fmt"
	"strconv"
	"strings"
	"time"

	"jiefen/internal/domain"
	"jiefen/internal/store"
)

// challengeTTL is how long the second step waits after the password.
const challengeTTL = 5 * time.Minute

var errNoChallenge = &domain.Error{Code: domain.Unauthorized, Key: "login.second_expired"}

// challenge is the second step of a sign-in whose password was right: for
// an account with an authenticator, unless the browser's device-trust
// cookie (device) still holds, it stores a pending challenge and returns it
// in place of a session; nil when no second step is due.
func (s *Service) challenge(ctx context.Context, tx *store.Tx, a *domain.Actor, u *domain.User, userAgent, device string) (*LoginResult, error) {
	if u.SecondFactor != domain.FactorTOTP {
		return nil, nil
	}
	f, err := tx.TOTPFactor(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	if s.trustedDevice(u, f, device, tx.Now) {
		return nil, s.Kernel.Audit(ctx, tx, "2fa.verify", "user", u.Username, u.OrgPath, domain.ResultOK, "trusted browser")
	}
	token := RandomToken(32)
	ch := &domain.LoginChallenge{TokenHash: hashToken(token), UserID: u.ID, IP: a.IP, UserAgent: truncate(userAgent, 200),
		ExpiresAt: tx.Now.Add(challengeTTL)}
	if err := tx.CreateLoginChallenge(ctx, ch); err != nil {
		return nil, err
	}
	return &LoginResult{User: u, Challenge: token},
		s.Kernel.Audit(ctx, tx, "2fa.challenge", "user", u.Username, u.OrgPath, domain.ResultOK, "password accepted; second step asked")
}

// ChallengeUser returns the account a live challenge signs in to (for the
// second step's page); login.second_expired when there is none.
func (s *Service) ChallengeUser(ctx context.Context, challenge string) (*domain.User, error) {
	if challenge == "" || len(challenge) > 100 {
		return nil, errNoChallenge
	}
	var u *domain.User
	err := s.View(ctx, func(tx *store.Tx) error {
		ch, err := tx.LoginChallengeByHash(ctx, hashToken(challenge))
		if err != nil {
			return err
		}
		u, err = tx.User(ctx, ch.UserID)
		return err
	})
	if domain.ErrorCode(err) == domain.NotFound {
		return nil, errNoChallenge
	}
	return u, err
}

// VerifyLogin is the second step: a current code from the authenticator
// (each code once, one step of drift either way) or an unused recovery
// code. Right, it starts the session as Login does, and with trust (and a
// device-trust period in the policy) a cookie that spares this browser the
// step for the period. Wrong, it counts toward the same lockout as a wrong
// password, and the address throttle applies. Every attempt is audited
// (never the code).
func (s *Service) VerifyLogin(ctx context.Context, challenge, code, userAgent string, trust bool) (*LoginResult, error) {
	a := domain.ActorFrom(ctx)
	u, err := s.ChallengeUser(ctx, challenge)
	if err != nil {
		return nil, err
	}
	if err := s.throttleAddress(ctx, a, u.Username); err != nil {
		return nil, err
	}
	var res *LoginResult
	var failure error
	err = s.Update(ctx, func(tx *store.Tx) error {
		var err error
		res, failure, err = s.verifyLogin(ctx, tx, a, challenge, normalizeCode(code), userAgent)
		if err != nil || failure != nil || !trust || s.policy.DeviceTrust <= 0 {
			return err
		}
		f, err := tx.TOTPFactor(ctx, res.User.ID)
		if err != nil {
			return err
		}
		res.DeviceTrustUntil = tx.Now.Add(s.policy.DeviceTrust)
		res.DeviceTrust = s.deviceToken(res.User.ID, f.Nonce, res.DeviceTrustUntil)
		return s.Kernel.Audit(ctx, tx, "2fa.trust", "user", res.User.Username, res.User.OrgPath, domain.ResultOK,
			"until "+res.DeviceTrustUntil.In(domain.CST).Format(time.DateTime))
	})
	if err != nil {
		return nil, err
	}
	return res, failure
}

// verifyLogin is VerifyLogin's transaction.
func (s *Service) verifyLogin(ctx context.Context, tx *store.Tx, a *domain.Actor, challenge, code, userAgent string) (*LoginResult, error, error) {
	ch, err := tx.LoginChallengeByHash(ctx, hashToken(challenge))
	if domain.ErrorCode(err) == domain.NotFound {
		return nil, errNoChallenge, nil
	} else if err != nil {
		return nil, nil, err
	}
	u, err := tx.User(ctx, ch.UserID)
	if err != nil {
		return nil, nil, err
	}
	fails, err := tx.FailedLogins(ctx, u.Username, tx.Now.Add(-s.policy.LockoutWindow))
	if err != nil {
		return nil, nil, err
	}
	var refusal error
	switch {
	case u.Disabled || u.SecondFactor != domain.FactorTOTP:
		refusal = errNoChallenge // disabled or reset since the password
	case fails >= s.policy.LockoutFailures || u.LockedUntil.After(tx.Now):
		refusal = s.lockedError()
	}
	if refusal != nil {
		if _, err := tx.EndLoginChallenge(ctx, ch.ID); err != nil {
			return nil, nil, err
		}
		return nil, refusal, s.Kernel.Audit(ctx, tx, "2fa.verify", "user", u.Username, u.OrgPath, domain.ResultFail, "refused: account locked, disabled or reset")
	}
	f, err := tx.TOTPFactor(ctx, u.ID)
	if err != nil {
		return nil, nil, err
	}
	how, reason, err := s.checkSecondFactor(ctx, tx, u, f, code)
	if err != nil {
		return nil, nil, err
	}
	if how == "" {
		failure, err := s.recordCodeFailure(ctx, tx, a, u, ch, fails, reason)
		return nil, failure, err
	}
	if ended, err := tx.EndLoginChallenge(ctx, ch.ID); err != nil || !ended {
		return nil, errNoChallenge, err // passed already, by a request beside this one
	}
	res, err := s.startSession(ctx, tx, a, u, u.Username, userAgent)
	if err != nil {
		return nil, nil, err
	}
	if how == "recovery" {
		left, err := tx.RecoveryCodesLeft(ctx, u.ID)
		if err != nil {
			return nil, nil, err
		}
		return res, nil, s.Kernel.Audit(ctx, tx, "2fa.recovery", "user", u.Username, u.OrgPath, domain.ResultOK, fmt.Sprintf("recovery code used; %d left", left))
	}
	return res, nil, s.Kernel.Audit(ctx, tx, "2fa.verify", "user", u.Username, u.OrgPath, domain.ResultOK, "authenticator code")
}

// checkSecondFactor checks code against u's authenticator or recovery
// codes and uses it up: how is "totp" or "recovery", or "" with the reason
// it was refused.
func (s *Service) checkSecondFactor(ctx context.Context, tx *store.Tx, u *domain.User, f *domain.TOTPFactor, code string) (how, reason string, err error) {
	switch {
	case isTOTPCode(code):
		secret, err := s.Keys().Decrypt(f.SecretKid, f.Secret, aadTOTP)
		if err != nil {
			return "", "", fmt.Errorf("identity: open totp seed: %w", err)
		}
		step := matchStep(secret, code, tx.Now)
		if step == 0 {
			return "", "wrong code", nil
		}
		if ok, err := tx.AdvanceTOTPStep(ctx, u.ID, step); err != nil || !ok {
			return "", "code already used", err
		}
		return "totp", "", nil
	case isRecoveryCode(code):
		ok, err := tx.UseRecoveryCode(ctx, u.ID, s.recoveryHash(u.ID, code))
		if err != nil || !ok {
			return "", "wrong or used recovery code", err
		}
		return "recovery", "", nil
	}
	return "", "not a code", nil
}

func isRecoveryCode(c string) bool {
	return len(c) == 10 && strings.Trim(c, recoveryAlphabet) == ""
}

// recordCodeFailure records a wrong second-step code as a failed sign-in
// (the same count as wrong passwords) and locks the account, ending the
// challenge, on the failure that reaches the limit.
func (s *Service) recordCodeFailure(ctx context.Context, tx *store.Tx, a *domain.Actor, u *domain.User, ch *domain.LoginChallenge, fails int, reason string) (error, error) {
	if err := tx.RecordLogin(ctx, u.Username, a.IP, false); err != nil {
		return nil, err
	}
	var failure error = &domain.Error{Code: domain.Invalid, Key: "error.invalid", Fields: map[string]string{"code": "2fa.code_wrong"}}
	if fails+1 >= s.policy.LockoutFailures {
		if err := tx.SetLockedUntil(ctx, u.ID, tx.Now.Add(s.policy.LockoutDuration)); err != nil {
			return nil, err
		}
		if _, err := tx.EndLoginChallenge(ctx, ch.ID); err != nil {
			return nil, err
		}
		reason += "; account locked"
		failure = s.lockedError()
	}
	return failure, s.Kernel.Audit(ctx, tx, "2fa.verify", "user", u.Username, u.OrgPath, domain.ResultFail, reason)
}

func (s *Service) lockedError() error {
	return &domain.Error{Code: domain.Unauthorized, Key: "login.locked", Args: []any{int(s.policy.LockoutDuration.Minutes())}}
}

// deviceToken is the device-trust cookie's value: the account and the end
// of the period, signed with a keyed hash that also covers the
// authenticator's nonce (so a reset or a new enrolment revokes it).
func (s *Service) deviceToken(userID int64, nonce string, until time.Time) string {
	payload := strconv.FormatInt(userID, 10) + "." + strconv.FormatInt(until.Unix(), 10)
	return payload + "." + s.Keys().BlindIndex(kindDevice, payload+"."+nonce)
}

// trustedDevice tells whether token is a device-trust cookie of u's
// current authenticator, within its period and within the policy's (a
// shortened policy shortens the cookies already given).
func (s *Service) trustedDevice(u *domain.User, f *domain.TOTPFactor, token string, now time.Time) bool {
	if s.policy.DeviceTrust <= 0 || token == "" || len(token) > 200 || f.Nonce == "" {
		return false
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return false
	}
	id, err1 := strconv.ParseInt(parts[0], 10, 64)
	sec, err2 := strconv.ParseInt(parts[1], 10, 64)
	if err1 != nil || err2 != nil || id != u.ID {
		return false
	}
	until := time.Unix(sec, 0)
	if !now.Before(until) || until.Sub(now) > s.policy.DeviceTrust {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(s.deviceToken(u.ID, f.Nonce, until)), []byte(token)) == 1
}

// ResetSecondFactor removes an account's authenticator and recovery codes
// (a system administrator in jurisdiction, as for any account change; an
// administrator's account, one's own included, on the command line only):
// the account must enrol again at its next sign-in, its sessions and
// pending sign-ins end, and its trusted browsers no longer skip the second
// step. Audited.
func (s *Service) ResetSecondFactor(ctx context.Context, id int64) error {
	return s.Update(ctx, func(tx *store.Tx) error {
		u, err := tx.User(ctx, id)
		if err != nil {
			return err
		}
		if err := s.checkManage(ctx, u); err != nil {
			return err
		}
		if err := tx.RemoveTOTP(ctx, u.ID, domain.FactorReset); err != nil {
			return err
		}
		if err := tx.EndUserLoginChallenges(ctx, u.ID); err != nil {
			return err
		}
		n, err := tx.EndUserSessions(ctx, u.ID, 0, "second factor reset")
		if err != nil {
			return err
		}
		return s.Kernel.Audit(ctx, tx, "2fa.reset", "user", u.Username, u.OrgPath, domain.ResultOK,
			fmt.Sprintf("enrol again at next sign-in; trusted browsers revoked; %d session(s) ended", n))
	})
}
