package identity

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base32"
	"fmt"
	"image/png"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"jiefen/internal/app"
	"jiefen/internal/authz"
	"jiefen/internal/domain"
	"jiefen/internal/store"
)

// Who must use a second factor (Policy.SecondFactor).
const (
	// SecondFactorRoles requires it of administrators and of every role that
	// can reveal or export personal data; the others may enrol.
	SecondFactorRoles = "roles"
	// SecondFactorAll requires it of every account.
	SecondFactorAll = "all"
	// SecondFactorOff requires it of nobody (an enrolled account still
	// uses it).
	SecondFactorOff = "off"
)

// SecondFactorRules lists the values of Policy.SecondFactor.
var SecondFactorRules = []string{SecondFactorRoles, SecondFactorAll, SecondFactorOff}

// secondFactorActions are the permissions whose holders need a second
// factor under SecondFactorRoles (beside the three administrators):
// administering accounts, security and the audit log, and seeing or
// exporting personal data in full.
var secondFactorActions = []authz.Action{authz.UserManage, authz.SecurityView, authz.AuditView,
	authz.PersonalReveal, authz.PersonalExport, authz.ExportApprove}

// The TOTP parameters (RFC 6238, SECURITY.md IA-7): 6 digits, a 30-second
// step, one step of drift either way; what every authenticator app reads.
const (
	totpPeriod = 30
	totpIssuer = "解纷"
	// pendingTTL is how long a started enrolment waits for its first code.
	pendingTTL = 15 * time.Minute
	// recoveryCodes is how many single-use recovery codes an enrolment gives.
	recoveryCodes = 10
)

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// The sealed seed's and the keyed hashes' labels (bound into the value, so
// one copied elsewhere does not open or match).
const (
	aadTOTP      = "totp.secret"
	kindRecovery = "totp.recovery"
	kindDevice   = "totp.device"
)

// SecondFactorRequired tells whether the policy requires u to use a second
// factor.
func (s *Service) SecondFactorRequired(u *domain.User) bool {
	switch s.policy.SecondFactor {
	case SecondFactorOff:
		return false
	case SecondFactorAll:
		return true
	}
	if slices.ContainsFunc(u.Roles, domain.Role.IsAdmin) {
		return true
	}
	for _, a := range secondFactorActions {
		if authz.Allowed(u, a) {
			return true
		}
	}
	return false
}

// MustEnrol tells whether u has to enrol an authenticator before doing
// anything else: the policy requires one and none is enrolled, or an
// administrator reset it.
func (s *Service) MustEnrol(u *domain.User) bool {
	if u.SecondFactor == domain.FactorTOTP {
		return false
	}
	return u.SecondFactor == domain.FactorReset || s.SecondFactorRequired(u)
}

// TOTPStatus is the actor's second factor as the account page shows it.
type TOTPStatus struct {
	Enrolled      bool
	Required      bool
	ConfirmedAt   time.Time
	RecoveryLeft  int
	NeedsPassword bool           // starting an enrolment asks for the password (IA-11)
	Pending       *TOTPEnrolment // a started enrolment waiting for its first code
	TrustDays     int            // the device-trust period in days (0: asked every time)
}

// TOTPEnrolment is a new authenticator to be added to the app: the seed as
// text for manual entry, its otpauth:// address and the QR code of it (a
// PNG drawn here, no outside service).
type TOTPEnrolment struct {
	Secret  string
	URL     string
	QR      []byte
	Expires time.Time
}

// SecretGroups is the seed in groups of four, as it is typed.
func (e *TOTPEnrolment) SecretGroups() string {
	var b strings.Builder
	for i, r := range e.Secret {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// TOTPStatus reads the actor's own second factor.
func (s *Service) TOTPStatus(ctx context.Context) (*TOTPStatus, error) {
	a := domain.ActorFrom(ctx)
	if a.User == nil {
		return nil, app.ErrNoSession
	}
	st := &TOTPStatus{TrustDays: int(s.policy.DeviceTrust / (24 * time.Hour))}
	var f *domain.TOTPFactor
	err := s.View(ctx, func(tx *store.Tx) error {
		u, err := tx.User(ctx, a.User.ID)
		if err != nil {
			return err
		}
		st.Enrolled, st.Required, st.NeedsPassword = u.SecondFactor == domain.FactorTOTP, s.SecondFactorRequired(u), !s.MustEnrol(u)
		if f, err = tx.TOTPFactor(ctx, u.ID); domain.ErrorCode(err) == domain.NotFound {
			return nil
		} else if err != nil {
			return err
		}
		st.ConfirmedAt = f.ConfirmedAt
		st.RecoveryLeft, err = tx.RecoveryCodesLeft(ctx, u.ID)
		return err
	})
	if err != nil || f == nil || f.PendingSecret == "" || s.Store().Now().Sub(f.PendingAt) > pendingTTL {
		return st, err
	}
	secret, err := s.Keys().Decrypt(f.PendingKid, f.PendingSecret, aadTOTP)
	if err != nil {
		return nil, fmt.Errorf("identity: open pending totp seed: %w", err)
	}
	st.Pending, err = newEnrolment(a.User.Username, secret, f.PendingAt.Add(pendingTTL))
	return st, err
}

// newEnrolment describes the seed secret (base32) of username's new
// authenticator.
func newEnrolment(username, secret string, expires time.Time) (*TOTPEnrolment, error) {
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret)
	if err != nil {
		return nil, fmt.Errorf("identity: totp seed is not base32: %w", err)
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: totpIssuer, AccountName: username, Period: totpPeriod,
		Secret: raw, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return nil, fmt.Errorf("identity: totp key: %w", err)
	}
	img, err := key.Image(240, 240)
	if err != nil {
		return nil, fmt.Errorf("identity: totp qr code: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("identity: totp qr png: %w", err)
	}
	return &TOTPEnrolment{Secret: key.Secret(), URL: key.URL(), QR: buf.Bytes(), Expires: expires}, nil
}

// StartTOTP begins an enrolment of a new authenticator for the actor: a
// new seed, sealed, waits for its first code (ConfirmTOTP); an enrolled one
// stays in force until then. Unless the account is made to enrol right
// after its password, the password is asked again (IA-11).
func (s *Service) StartTOTP(ctx context.Context, password string) error {
	a := domain.ActorFrom(ctx)
	if a.User == nil {
		return app.ErrNoSession
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: totpIssuer, AccountName: a.User.Username, Period: totpPeriod})
	if err != nil {
		return fmt.Errorf("identity: new totp seed: %w", err)
	}
	var failure error
	err = s.Update(ctx, func(tx *store.Tx) error {
		u, err := tx.User(ctx, a.User.ID)
		if err != nil {
			return err
		}
		if !s.MustEnrol(u) {
			if failure, err = s.reauthenticate(ctx, tx, u, password, "2fa.enrol"); failure != nil || err != nil {
				return err
			}
		}
		kid, sealed, err := s.Keys().Encrypt(key.Secret(), aadTOTP)
		if err != nil {
			return err
		}
		if err := tx.SetPendingTOTP(ctx, u.ID, kid, sealed); err != nil {
			return err
		}
		return s.Kernel.Audit(ctx, tx, "2fa.enrol", "user", u.Username, u.OrgPath, domain.ResultOK, "new authenticator started")
	})
	if err != nil {
		return err
	}
	return failure
}

// reauthenticate checks the actor's password again before a change to the
// second factor. A wrong one counts toward the sign-in lockout and is
// audited under action; once the lockout's count is reached it is not
// checked any more until the window passes. The failure is returned apart
// so the transaction keeps its record.
func (s *Service) reauthenticate(ctx context.Context, tx *store.Tx, u *domain.User, password, action string) (failure, err error) {
	a := domain.ActorFrom(ctx)
	if password == "" {
		return &domain.Error{Code: domain.Invalid, Key: "error.invalid", Fields: map[string]string{"password": "field.required"}}, nil
	}
	fails, err := tx.FailedLogins(ctx, u.Username, tx.Now.Add(-s.policy.LockoutWindow))
	if err != nil {
		return nil, err
	}
	if fails >= s.policy.LockoutFailures {
		return &domain.Error{Code: domain.TooMany, Key: "2fa.password_locked", Args: []any{int(s.policy.LockoutWindow.Minutes())}},
			s.Kernel.Audit(ctx, tx, action, "user", u.Username, u.OrgPath, domain.ResultFail, "password not checked: too many failures")
	}
	hash, err := tx.PasswordHash(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	if CheckPasswordHash(password, hash) {
		return nil, nil
	}
	if err := tx.RecordLogin(ctx, u.Username, a.IP, false); err != nil {
		return nil, err
	}
	return &domain.Error{Code: domain.Invalid, Key: "password.current_wrong", Fields: map[string]string{"password": "password.current_wrong"}},
		s.Kernel.Audit(ctx, tx, action, "user", u.Username, u.OrgPath, domain.ResultFail, "password wrong")
}

// TOTPConfirmed is what a confirmed enrolment gives: the recovery codes,
// shown once, and the session's new cookie value and CSRF token (empty
// without a web session).
type TOTPConfirmed struct {
	RecoveryCodes []string
	Token, CSRF   string
	Ended         int64 // other sessions ended
}

// ConfirmTOTP confirms the started enrolment with a current code from the
// app: the new authenticator replaces any old one, ten new single-use
// recovery codes replace the old ones (kept only as keyed hashes), trusted
// browsers are forgotten and the actor's other sessions end; this session
// gets a new token (a change of privilege, SS-1).
func (s *Service) ConfirmTOTP(ctx context.Context, code string) (*TOTPConfirmed, error) {
	a := domain.ActorFrom(ctx)
	if a.User == nil {
		return nil, app.ErrNoSession
	}
	code = normalizeCode(code)
	if !isTOTPCode(code) {
		return nil, &domain.Error{Code: domain.Invalid, Key: "error.invalid", Fields: map[string]string{"code": "2fa.code_shape"}}
	}
	out := &TOTPConfirmed{RecoveryCodes: newRecoveryCodes()}
	codes := out.RecoveryCodes
	var failure error
	err := s.Update(ctx, func(tx *store.Tx) error {
		u, err := tx.User(ctx, a.User.ID)
		if err != nil {
			return err
		}
		f, err := tx.TOTPFactor(ctx, u.ID)
		if err != nil && domain.ErrorCode(err) != domain.NotFound {
			return err
		}
		if err != nil || f.PendingSecret == "" || tx.Now.Sub(f.PendingAt) > pendingTTL {
			failure = &domain.Error{Code: domain.Invalid, Key: "2fa.pending_expired"}
			return nil
		}
		secret, err := s.Keys().Decrypt(f.PendingKid, f.PendingSecret, aadTOTP)
		if err != nil {
			return fmt.Errorf("identity: open pending totp seed: %w", err)
		}
		step := matchStep(secret, code, tx.Now)
		if step == 0 {
			failure = &domain.Error{Code: domain.Invalid, Key: "error.invalid", Fields: map[string]string{"code": "2fa.code_wrong"}}
			return s.Kernel.Audit(ctx, tx, "2fa.confirm", "user", u.Username, u.OrgPath, domain.ResultFail, "wrong code")
		}
		if err := tx.ConfirmTOTP(ctx, u.ID, step, RandomToken(16)); err != nil {
			return err
		}
		if err := tx.ReplaceRecoveryCodes(ctx, u.ID, s.recoveryHashes(u.ID, codes)); err != nil {
			return err
		}
		if out.Ended, err = tx.EndUserSessions(ctx, u.ID, a.SessionID, "second factor changed"); err != nil {
			return err
		}
		if out.Token, out.CSRF, err = s.rotateSession(ctx, tx, a, u, "second factor changed"); err != nil {
			return err
		}
		u.SecondFactor, a.User = domain.FactorTOTP, u // the rest of the request sees the enrolment
		return s.Kernel.Audit(ctx, tx, "2fa.confirm", "user", u.Username, u.OrgPath, domain.ResultOK,
			fmt.Sprintf("authenticator enrolled; %d recovery codes; %d other session(s) ended", len(codes), out.Ended))
	})
	if err != nil {
		return nil, err
	}
	if failure != nil {
		return nil, failure
	}
	return out, nil
}

// rotateSession ends the actor's session and starts a new one for the same
// browser, to the same absolute end (a new ID at a change of privilege,
// SS-1); it returns the cookie value and the CSRF token, "" without a web
// session.
func (s *Service) rotateSession(ctx context.Context, tx *store.Tx, a *domain.Actor, u *domain.User, reason string) (token, csrf string, err error) {
	if a.SessionID == 0 {
		return "", "", nil
	}
	old, err := tx.Session(ctx, a.SessionID)
	if err != nil {
		return "", "", err
	}
	if err := tx.EndSession(ctx, old.ID, reason); err != nil {
		return "", "", err
	}
	token = RandomToken(32)
	sess := &domain.Session{TokenHash: hashToken(token), UserID: u.ID, CSRF: RandomToken(24), IP: a.IP, UserAgent: old.UserAgent, ExpiresAt: old.ExpiresAt}
	if err := tx.CreateSession(ctx, sess); err != nil {
		return "", "", err
	}
	a.SessionID = sess.ID
	return token, sess.CSRF, nil
}

// DisableTOTP turns the actor's second factor off, with the password
// (IA-11); refused while the policy requires one of the account.
func (s *Service) DisableTOTP(ctx context.Context, password string) error {
	a := domain.ActorFrom(ctx)
	if a.User == nil {
		return app.ErrNoSession
	}
	var failure error
	err := s.Update(ctx, func(tx *store.Tx) error {
		u, err := tx.User(ctx, a.User.ID)
		if err != nil {
			return err
		}
		if s.SecondFactorRequired(u) {
			failure = &domain.Error{Code: domain.Invalid, Key: "2fa.required"}
			return nil
		}
		if u.SecondFactor != domain.FactorTOTP {
			return nil
		}
		if failure, err = s.reauthenticate(ctx, tx, u, password, "2fa.disable"); failure != nil || err != nil {
			return err
		}
		if err := tx.RemoveTOTP(ctx, u.ID, domain.FactorNone); err != nil {
			return err
		}
		return s.Kernel.Audit(ctx, tx, "2fa.disable", "user", u.Username, u.OrgPath, domain.ResultOK, "")
	})
	if err != nil {
		return err
	}
	return failure
}

// matchStep returns the step within one of now's whose code is code (0:
// none). Every candidate is computed and compared in constant time.
func matchStep(secret, code string, now time.Time) int64 {
	cur := now.Unix() / totpPeriod
	var found int64
	for _, st := range []int64{cur - 1, cur, cur + 1} {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(st*totpPeriod, 0), totpOpts)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			found = st
		}
	}
	return found
}

// normalizeCode drops the spaces and dashes people type or paste and
// lower-cases letters (recovery codes are shown in lower case).
func normalizeCode(c string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == ' ' || r == '-' || r == '\t':
			return -1
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return r
	}, c)
}

func isTOTPCode(c string) bool {
	if len(c) != 6 {
		return false
	}
	for _, r := range c {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// recoveryAlphabet leaves out the characters read as others (0 o 1 l i).
const recoveryAlphabet = "abcdefghjkmnpqrstuvwxyz23456789"

// newRecoveryCodes draws the recovery codes: ten characters each (about
// 49 bits), shown as two groups of five.
func newRecoveryCodes() []string {
	out := make([]string, recoveryCodes)
	n := big.NewInt(int64(len(recoveryAlphabet)))
	for i := range out {
		b := make([]byte, 0, 11)
		for j := range 10 {
			if j == 5 {
				b = append(b, '-')
			}
			k, err := rand.Int(rand.Reader, n)
			if err != nil {
				panic("crypto/rand failed: " + err.Error())
			}
			b = append(b, recoveryAlphabet[k.Int64()])
		}
		out[i] = string(b)
	}
	return out
}

func (s *Service) recoveryHashes(userID int64, codes []string) []string {
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = s.recoveryHash(userID, normalizeCode(c))
	}
	return out
}

// recoveryHash is the keyed hash a recovery code is kept as (bound to its
// account); the key is outside the database.
func (s *Service) recoveryHash(userID int64, code string) string {
	return s.Keys().BlindIndex(kindRecovery, fmt.Sprintf("%d:%s", userID, code))
}
