package identity

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"jiefen/internal/app"
	"jiefen/internal/domain"
	"jiefen/internal/store"
)

// LoginResult is what a successful login yields. Token goes into the cookie;
// only its hash is stored.
type LoginResult struct {
	Token      string
	Session    *domain.Session
	User       *domain.User
	MustChange bool // initial, reset or expired password: change before anything else
	Ended      int64
	// Challenge, when set, is the cookie value of the second step still to
	// come (totp_login.go); Token and Session are then empty.
	Challenge string
	// DeviceTrust is the cookie value that lets this browser skip the second
	// step until DeviceTrustUntil ("" when not asked for).
	DeviceTrust      string
	DeviceTrustUntil time.Time
}

func hashToken(t string) string {
	sum := sha256.Sum256([]byte(t))
	return hex.EncodeToString(sum[:])
}

var errBadLogin = &domain.Error{Code: domain.Unauthorized, Key: "login.failed"}

// Login checks a password and starts a session. Unknown user and wrong
// password get the same error and take the same time (IA-4). Five failures in
// the window lock the account; many failures from one address slow and then
// refuse that address. Every attempt is audited. A new login ends the user's
// older sessions (one session per account, SS-5). An account with a second
// factor gets a challenge instead of a session (see VerifyLogin).
func (s *Service) Login(ctx context.Context, username, password, userAgent string) (*LoginResult, error) {
	return s.LoginOnDevice(ctx, username, password, userAgent, "")
}

// LoginOnDevice is Login from a browser that may hold a device-trust cookie
// (device; "" without one), which spares it the second step.
func (s *Service) LoginOnDevice(ctx context.Context, username, password, userAgent, device string) (*LoginResult, error) {
	a := domain.ActorFrom(ctx)
	username = domain.NormalizeUsername(username)
	if username == "" || password == "" || len(username) > 64 || len(password) > 4*domain.PasswordMaxLen {
		return nil, &domain.Error{Code: domain.Invalid, Key: "login.required"}
	}
	if err := s.throttleAddress(ctx, a, username); err != nil {
		return nil, err
	}

	var res *LoginResult
	var failure error
	err := s.Update(ctx, func(tx *store.Tx) error {
		var err error
		res, failure, err = s.login(ctx, tx, a, username, password, userAgent, device)
		return err
	})
	if err != nil {
		return nil, err
	}
	if failure != nil {
		return nil, failure
	}
	return res, nil
}

// throttleAddress refuses an address with too many recent failures, and
// slows one with many.
func (s *Service) throttleAddress(ctx context.Context, a *domain.Actor, username string) error {
	p := s.policy
	var ipFails int
	if err := s.View(ctx, func(tx *store.Tx) error {
		var err error
		ipFails, err = tx.FailedLoginsFromIP(ctx, a.IP, tx.Now.Add(-p.LockoutWindow))
		return err
	}); err != nil {
		return err
	}
	if p.IPBlockAfter > 0 && ipFails >= p.IPBlockAfter {
		s.AuditAlone(ctx, "login.blocked_ip", "user", username, "", "too many failures from this address")
		return &domain.Error{Code: domain.TooMany, Key: "login.ip_blocked"}
	}
	if p.IPSlowAfter > 0 && ipFails >= p.IPSlowAfter {
		s.sleep(ctx, min(time.Duration(ipFails-p.IPSlowAfter+1)*250*time.Millisecond, 3*time.Second))
	}
	return nil
}

// login is Login's transaction: it checks the password and either records
// the failure (returned as failure) or starts the session.
func (s *Service) login(ctx context.Context, tx *store.Tx, a *domain.Actor, username, password, userAgent, device string) (res *LoginResult, failure error, err error) {
	p := s.policy
	u, err := tx.UserByUsername(ctx, username)
	if err != nil && domain.ErrorCode(err) != domain.NotFound {
		return nil, nil, err
	}
	known := err == nil
	hash := dummyHash
	if known {
		if hash, err = tx.PasswordHash(ctx, u.ID); err != nil {
			return nil, nil, err
		}
	}
	fails, err := tx.FailedLogins(ctx, username, tx.Now.Add(-p.LockoutWindow))
	if err != nil {
		return nil, nil, err
	}
	locked := fails >= p.LockoutFailures || (known && u.LockedUntil.After(tx.Now))
	ok := CheckPasswordHash(password, hash) && known
	failure, reason := s.loginRefusal(tx.Now, u, locked, ok)
	if failure != nil {
		failure, err = s.recordLoginFailure(ctx, tx, a, u, known, locked, fails, username, failure, reason)
		return nil, failure, err
	}
	if res, err = s.challenge(ctx, tx, a, u, userAgent, device); res != nil || err != nil {
		return res, nil, err
	}
	res, err = s.startSession(ctx, tx, a, u, username, userAgent)
	return res, nil, err
}

// loginRefusal says why a login is refused (nil when it is not), with the
// reason for the audit.
func (s *Service) loginRefusal(now time.Time, u *domain.User, locked, ok bool) (failure error, reason string) {
	p := s.policy
	switch {
	case locked:
		failure, reason = &domain.Error{Code: domain.Unauthorized, Key: "login.locked", Args: []any{int(p.LockoutDuration.Minutes())}}, "locked"
	case !ok:
		failure, reason = errBadLogin, "bad credentials"
	case u.Disabled:
		failure, reason = errBadLogin, "disabled"
	case u.Has(domain.RoleCitizen) && len(u.Roles) == 1:
		failure, reason = errBadLogin, "citizen accounts use the public site"
	case u.MustChangePwd && now.Sub(u.PasswordChangedAt) > p.InitialPwdMaxAge:
		failure, reason = &domain.Error{Code: domain.Unauthorized, Key: "login.initial_expired"}, "initial password expired"
	}
	return failure, reason
}

// recordLoginFailure records and audits a failed login, locking the
// account on the failure that reaches the limit; it returns the failure
// the caller gets.
func (s *Service) recordLoginFailure(ctx context.Context, tx *store.Tx, a *domain.Actor, u *domain.User, known, locked bool, fails int, username string, failure error, reason string) (error, error) {
	p := s.policy
	if err := tx.RecordLogin(ctx, username, a.IP, false); err != nil {
		return failure, err
	}
	// Lock on the failure that reaches the limit, for the full duration.
	if known && !locked && fails+1 >= p.LockoutFailures {
		if err := tx.SetLockedUntil(ctx, u.ID, tx.Now.Add(p.LockoutDuration)); err != nil {
			return failure, err
		}
		reason += "; account locked"
		failure = &domain.Error{Code: domain.Unauthorized, Key: "login.locked", Args: []any{int(p.LockoutDuration.Minutes())}}
	} else if !known && !locked && fails+1 >= p.LockoutFailures {
		failure = &domain.Error{Code: domain.Unauthorized, Key: "login.locked", Args: []any{int(p.LockoutDuration.Minutes())}}
	}
	place := "" // an unknown username's failure has no place: the county's
	if known {
		place = u.OrgPath
	}
	return failure, s.Kernel.Audit(ctx, tx, "login", "user", username, place, domain.ResultFail, reason)
}

// startSession records a successful login, ends the user's older sessions
// and opens a new one.
func (s *Service) startSession(ctx context.Context, tx *store.Tx, a *domain.Actor, u *domain.User, username, userAgent string) (*LoginResult, error) {
	p := s.policy
	if err := tx.RecordLogin(ctx, username, a.IP, true); err != nil {
		return nil, err
	}
	ended, err := tx.EndUserSessions(ctx, u.ID, 0, domain.SessionEndReplaced)
	if err != nil {
		return nil, err
	}
	token := RandomToken(32)
	sess := &domain.Session{
		TokenHash: hashToken(token), UserID: u.ID, CSRF: RandomToken(24),
		IP: a.IP, UserAgent: truncate(userAgent, 200), ExpiresAt: tx.Now.Add(p.AbsoluteTimeout),
	}
	if err := tx.CreateSession(ctx, sess); err != nil {
		return nil, err
	}
	must := u.MustChangePwd || (p.PasswordMaxAge > 0 && tx.Now.Sub(u.PasswordChangedAt) > p.PasswordMaxAge)
	res := &LoginResult{Token: token, Session: sess, User: u, MustChange: must, Ended: ended}
	a.User = u
	detail := fmt.Sprintf("session %d", sess.ID)
	if ended > 0 {
		detail += fmt.Sprintf("; ended %d older session(s): %s", ended, domain.SessionEndReplaced)
	}
	return res, s.Kernel.Audit(ctx, tx, "login", "user", username, u.OrgPath, domain.ResultOK, detail)
}

// Authenticate resolves a session cookie value to its user, enforcing the
// idle and absolute timeouts (IA-5). It records activity at most once a minute.
func (s *Service) Authenticate(ctx context.Context, token string) (*domain.User, *domain.Session, error) {
	if token == "" || len(token) > 100 {
		return nil, nil, app.ErrNoSession
	}
	var u *domain.User
	var sess *domain.Session
	var expired string
	var replaced bool
	err := s.View(ctx, func(tx *store.Tx) error {
		var err error
		if sess, err = tx.SessionByHash(ctx, hashToken(token)); err != nil {
			if domain.ErrorCode(err) == domain.NotFound {
				replaced, err = s.wasReplaced(ctx, tx, token)
				if err == nil {
					err = domain.ErrNotFound
				}
			}
			return err
		}
		switch {
		case tx.Now.After(sess.ExpiresAt):
			expired = "absolute timeout"
		case tx.Now.Sub(sess.LastSeenAt) > s.policy.IdleTimeout:
			expired = "idle timeout"
		}
		if expired != "" {
			return nil
		}
		u, err = tx.User(ctx, sess.UserID)
		return err
	})
	switch {
	case replaced:
		return nil, nil, errReplaced
	case domain.ErrorCode(err) == domain.NotFound:
		return nil, nil, app.ErrNoSession
	case err != nil:
		return nil, nil, err
	}
	if expired != "" || u.Disabled {
		if expired == "" {
			expired = "account disabled"
		}
		_ = s.Update(ctx, func(tx *store.Tx) error { return tx.EndSession(ctx, sess.ID, expired) })
		return nil, nil, &domain.Error{Code: domain.Unauthorized, Key: "session.expired"}
	}
	if s.Store().Now().Sub(sess.LastSeenAt) > time.Minute {
		if err := s.Update(ctx, func(tx *store.Tx) error { return tx.TouchSession(ctx, sess.ID) }); err != nil {
			return nil, nil, err
		}
	}
	return u, sess, nil
}

// errReplaced answers a cookie whose session a sign-in elsewhere ended.
var errReplaced = &domain.Error{Code: domain.Unauthorized, Key: "session.replaced"}

// wasReplaced tells whether token's session, not live, was ended by a new
// sign-in to the same account.
func (s *Service) wasReplaced(ctx context.Context, tx *store.Tx, token string) (bool, error) {
	end, err := tx.EndedSessionByHash(ctx, hashToken(token), tx.Now.Add(-s.policy.AbsoluteTimeout))
	if domain.ErrorCode(err) == domain.NotFound {
		return false, nil
	}
	return err == nil && isReplaced(end.Reason), err
}

// isReplaced tells an end reason of a new sign-in ("new login" in rows
// from before the reason had its constant).
func isReplaced(reason string) bool {
	return reason == domain.SessionEndReplaced || reason == "new login"
}

// SessionEnded says how the session of a cookie value ended, if it ended
// within the absolute timeout (nil for a live, unknown or forged one: only
// the holder of a real token learns anything, and only of its own
// account). The sign-in page tells the person why they were signed out.
func (s *Service) SessionEnded(ctx context.Context, token string) (*domain.SessionEnd, error) {
	if token == "" || len(token) > 100 {
		return nil, nil
	}
	var end *domain.SessionEnd
	err := s.View(ctx, func(tx *store.Tx) error {
		var err error
		end, err = tx.EndedSessionByHash(ctx, hashToken(token), tx.Now.Add(-s.policy.AbsoluteTimeout))
		return err
	})
	if domain.ErrorCode(err) == domain.NotFound {
		return nil, nil
	}
	if err == nil && isReplaced(end.Reason) {
		end.Reason = domain.SessionEndReplaced
	}
	return end, err
}

// Logout ends the actor's session.
func (s *Service) Logout(ctx context.Context) error {
	a := domain.ActorFrom(ctx)
	if a.SessionID == 0 || a.User == nil {
		return nil
	}
	return s.Update(ctx, func(tx *store.Tx) error {
		if err := tx.EndSession(ctx, a.SessionID, "logout"); err != nil {
			return err
		}
		return s.Kernel.Audit(ctx, tx, "logout", "user", a.User.Username, a.User.OrgPath, domain.ResultOK, "")
	})
}

// ChangePassword changes the actor's own password: it needs the current one,
// applies the policy and the history rule, ends every other session and
// issues a fresh session token for this one (IA-11, SS-1). It returns the new
// cookie token ("" when the actor has no web session).
func (s *Service) ChangePassword(ctx context.Context, current, next, confirm string) (string, error) {
	a := domain.ActorFrom(ctx)
	if a.User == nil {
		return "", app.ErrNoSession
	}
	f := domain.FieldErrors{}
	if current == "" {
		f.Add("current", "field.required")
	}
	if next != confirm {
		f.Add("confirm", "password.mismatch")
	}
	if err := f.Err(); err != nil {
		return "", err
	}
	if err := domain.CheckPassword(next, a.User); err != nil {
		return "", err
	}
	var token string
	var failure error
	err := s.Update(ctx, func(tx *store.Tx) error {
		u, err := tx.User(ctx, a.User.ID)
		if err != nil {
			return err
		}
		hash, err := tx.PasswordHash(ctx, u.ID)
		if err != nil {
			return err
		}
		// The current password counts like a sign-in (IA-4).
		if failure, err = s.checkCurrentPassword(ctx, tx, u, current, hash); failure != nil || err != nil {
			return err
		}
		old, err := tx.RecentPasswordHashes(ctx, u.ID, s.policy.PasswordHistory)
		if err != nil {
			return err
		}
		for _, h := range old {
			if CheckPasswordHash(next, h) {
				failure = &domain.Error{Code: domain.Invalid, Key: "password.reused", Fields: map[string]string{"password": "password.reused"}}
				return nil
			}
		}
		newHash, err := HashPassword(next, s.policy.Argon)
		if err != nil {
			return err
		}
		if err := tx.SetPassword(ctx, u.ID, newHash, false); err != nil {
			return err
		}
		// A token made under the old password does not outlive it.
		tokens, err := s.revokeAccountTokens(ctx, tx, u, domain.TokenRevokedPasswordChange)
		if err != nil {
			return err
		}
		if a.SessionID != 0 {
			// Rotate: end this session too and start a new one for the same browser.
			if _, err := tx.EndUserSessions(ctx, u.ID, 0, "password changed"); err != nil {
				return err
			}
			token = RandomToken(32)
			sess := &domain.Session{TokenHash: hashToken(token), UserID: u.ID, CSRF: RandomToken(24), IP: a.IP,
				UserAgent: "", ExpiresAt: tx.Now.Add(s.policy.AbsoluteTimeout)}
			if err := tx.CreateSession(ctx, sess); err != nil {
				return err
			}
			a.SessionID = sess.ID
		}
		return s.Kernel.Audit(ctx, tx, "password.change", "user", u.Username, u.OrgPath, domain.ResultOK,
			fmt.Sprintf("other sessions ended; %d API token(s) revoked", tokens))
	})
	if err != nil {
		return "", err
	}
	return token, failure
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}
