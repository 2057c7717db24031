package service_test

import (
	"strings"
	"testing"
	"time"

	"jiefen/internal/domain"
	"jiefen/internal/jftest"
	"jiefen/internal/service"
	"jiefen/internal/service/identity"
	"jiefen/internal/store"
)

// totpPolicy is the fast policy with the second factor required as by
// default (administrators and the roles that reveal or export personal
// data), and trust periods of trust.
func totpPolicy(trust time.Duration) identity.Policy {
	p := jftest.FastPolicy()
	p.SecondFactor = identity.SecondFactorRoles
	p.DeviceTrust = trust
	return p
}

// challenge signs in with the password and wants a second step, not a
// session; it returns the challenge.
func challenge(t *testing.T, svc *service.Service, username string) string {
	t.Helper()
	res, err := svc.Login(anon("192.0.2.20"), username, jftest.Password, "")
	if err != nil {
		t.Fatalf("password of %s: %v", username, err)
	}
	if res.Challenge == "" || res.Token != "" || res.Session != nil {
		t.Fatalf("%s: a password alone must give a challenge, not a session: %+v", username, res)
	}
	return res.Challenge
}

func fieldKey(err error, field string) string {
	if e, ok := err.(*domain.Error); ok {
		return e.Fields[field]
	}
	return ""
}

// An account of a role that reveals personal data must enrol right after
// its password; it enrols with a current code; from then on the password
// gives only a challenge, the session comes with a current code, and a code
// once accepted is refused again. Nothing audited holds the seed or a code,
// and the seed is sealed in the database.
func TestTOTPEnrolAndSignIn(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		svc := jftest.ServiceWith(st, totpPolicy(0))
		clk := newClock(st)
		jftest.SeedTree(t, svc)
		jftest.MakeUser(t, svc, "zhao", "610831", domain.RoleDispatcher)

		res, err := svc.Login(anon("192.0.2.20"), "zhao", jftest.Password, "")
		if err != nil || res.Token == "" || res.Challenge != "" {
			t.Fatalf("before enrolment the password signs in (to enrol): %+v %v", res, err)
		}
		if !svc.MustEnrol(res.User) {
			t.Fatal("a dispatcher without an authenticator must enrol")
		}
		ctx := jftest.As(res.User, "192.0.2.20")
		domain.ActorFrom(ctx).SessionID = res.Session.ID
		if err := svc.StartTOTP(ctx, ""); err != nil {
			t.Fatalf("enrolment right after the password needs no second password: %v", err)
		}
		status, err := svc.TOTPStatus(ctx)
		if err != nil || status.Pending == nil || len(status.Pending.Secret) != 32 || len(status.Pending.QR) < 100 ||
			!strings.HasPrefix(status.Pending.URL, "otpauth://totp/") {
			t.Fatalf("pending enrolment: %+v %v", status, err)
		}
		secret := status.Pending.Secret
		if n, err := jftest.Count(st, `SELECT COUNT(*) FROM totp_factors WHERE pending_secret LIKE $1 OR secret LIKE $1`, "%"+secret+"%"); err != nil || n != 0 {
			t.Fatalf("the seed is in the database in clear (%d, %v)", n, err)
		}
		if _, err := svc.ConfirmTOTP(ctx, "12345"); fieldKey(err, "code") != "2fa.code_shape" {
			t.Fatalf("a short code: %v", err)
		}
		wrong := jftest.TOTPCode(t, secret, clk.t.Add(-5*time.Minute))
		if _, err := svc.ConfirmTOTP(ctx, wrong); fieldKey(err, "code") != "2fa.code_wrong" {
			t.Fatalf("a wrong code: %v", err)
		}
		first := jftest.TOTPCode(t, secret, clk.t)
		done, err := svc.ConfirmTOTP(ctx, first)
		if err != nil || len(done.RecoveryCodes) != 10 || done.Token == "" || done.CSRF == "" {
			t.Fatalf("confirm: %+v, %v", done, err)
		}
		codes := done.RecoveryCodes
		if _, _, err := svc.Authenticate(ctx, res.Token); err == nil {
			t.Fatal("the session before the enrolment must end (a new one replaces it)")
		}
		u, _ := svc.UserByUsername(jftest.CLI(), "zhao")
		if u.SecondFactor != domain.FactorTOTP || svc.MustEnrol(u) {
			t.Fatalf("after confirming: state %q", u.SecondFactor)
		}

		// The password now gives a challenge; the code that confirmed the
		// enrolment (same step) is used up.
		ch := challenge(t, svc, "zhao")
		if _, err := svc.VerifyLogin(anon("192.0.2.20"), ch, first, "", false); fieldKey(err, "code") != "2fa.code_wrong" {
			t.Fatalf("the confirming code again: %v", err)
		}
		clk.advance(30 * time.Second)
		now := jftest.TOTPCode(t, secret, clk.t)
		got, err := svc.VerifyLogin(anon("192.0.2.20"), ch, now, "", false)
		if err != nil || got.Token == "" || got.Session == nil || got.User.Username != "zhao" {
			t.Fatalf("a current code signs in: %+v %v", got, err)
		}
		if _, err := svc.VerifyLogin(anon("192.0.2.20"), ch, now, "", false); key(err) != "login.second_expired" {
			t.Fatalf("a challenge passed once is gone: %v", err)
		}
		ch = challenge(t, svc, "zhao")
		if _, err := svc.VerifyLogin(anon("192.0.2.20"), ch, now, "", false); fieldKey(err, "code") != "2fa.code_wrong" {
			t.Fatalf("replayed code: %v", err)
		}
		// A challenge lasts five minutes.
		clk.advance(6 * time.Minute)
		if _, err := svc.VerifyLogin(anon("192.0.2.20"), ch, jftest.TOTPCode(t, secret, clk.t), "", false); key(err) != "login.second_expired" {
			t.Fatalf("an expired challenge: %v", err)
		}

		wantAudited(t, svc, map[string]string{"2fa.enrol": domain.ResultOK, "2fa.confirm": domain.ResultFail,
			"2fa.challenge": domain.ResultOK, "2fa.verify": domain.ResultFail})
		if n := len(okRows(auditActions(t, svc, "2fa.verify"))); n != 1 {
			t.Fatalf("one verified sign-in, %d audited", n)
		}
		for _, e := range auditActions(t, svc, "") {
			for _, secretish := range append([]string{secret, first, now}, codes...) {
				if strings.Contains(e.Detail, secretish) || strings.Contains(e.ObjectID, secretish) {
					t.Fatalf("audit row %s holds a seed or code: %q", e.Action, e.Detail)
				}
			}
		}
	})
}

func okRows(es []*domain.AuditEntry) []*domain.AuditEntry {
	var out []*domain.AuditEntry
	for _, e := range es {
		if e.Result == domain.ResultOK {
			out = append(out, e)
		}
	}
	return out
}

// wantAudited fails unless each action has at least one row with its result.
func wantAudited(t *testing.T, svc *service.Service, want map[string]string) {
	t.Helper()
	for action, result := range want {
		found := false
		for _, e := range auditActions(t, svc, action) {
			found = found || e.Result == result
		}
		if !found {
			t.Errorf("no %s row for %s", result, action)
		}
	}
}

// One step of drift either way is accepted, two are not (IA-7).
func TestTOTPDrift(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		svc := jftest.ServiceWith(st, totpPolicy(0))
		clk := newClock(st)
		jftest.SeedTree(t, svc)
		u := jftest.MakeUser(t, svc, "qian", "610831", domain.RoleLeader)
		secret, _ := jftest.EnrolTOTP(t, svc, u)
		clk.advance(10 * time.Minute)
		for _, c := range []struct {
			off time.Duration
			ok  bool
		}{{-60 * time.Second, false}, {60 * time.Second, false}, {-30 * time.Second, true}, {0, true}, {30 * time.Second, true}} {
			ch := challenge(t, svc, "qian")
			_, err := svc.VerifyLogin(anon("192.0.2.21"), ch, jftest.TOTPCode(t, secret, clk.t.Add(c.off)), "", false)
			if (err == nil) != c.ok {
				t.Fatalf("a code %v off: accepted %v, want %v (%v)", c.off, err == nil, c.ok, err)
			}
		}
		// The latest step accepted (+30 s) leaves no earlier one usable.
		ch := challenge(t, svc, "qian")
		if _, err := svc.VerifyLogin(anon("192.0.2.21"), ch, jftest.TOTPCode(t, secret, clk.t), "", false); err == nil {
			t.Fatal("a code older than the last accepted one signed in")
		}
	})
}

// Recovery codes sign in once each, typed in any case with spaces.
func TestRecoveryCodes(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		svc := jftest.ServiceWith(st, totpPolicy(0))
		jftest.SeedTree(t, svc)
		u := jftest.MakeUser(t, svc, "sun", "610831", domain.RoleMediator)
		_, codes := jftest.EnrolTOTP(t, svc, u)
		if len(codes) != 10 || len(codes[0]) != 11 || codes[0][5] != '-' {
			t.Fatalf("recovery codes: %q", codes)
		}
		if n, err := jftest.Count(st, `SELECT COUNT(*) FROM totp_recovery_codes WHERE code_hash LIKE $1`, "%"+strings.ReplaceAll(codes[0], "-", "")+"%"); err != nil || n != 0 {
			t.Fatalf("a recovery code is stored in clear (%d, %v)", n, err)
		}
		typed := " " + strings.ToUpper(codes[3][:5]) + " " + codes[3][6:] + " "
		ch := challenge(t, svc, "sun")
		if res, err := svc.VerifyLogin(anon("192.0.2.22"), ch, typed, "", false); err != nil || res.Token == "" {
			t.Fatalf("a recovery code signs in: %v", err)
		}
		ch = challenge(t, svc, "sun")
		if _, err := svc.VerifyLogin(anon("192.0.2.22"), ch, codes[3], "", false); fieldKey(err, "code") != "2fa.code_wrong" {
			t.Fatalf("a used recovery code: %v", err)
		}
		status, err := svc.TOTPStatus(jftest.As(u, "192.0.2.22"))
		if err != nil || status.RecoveryLeft != 9 {
			t.Fatalf("codes left: %+v %v", status, err)
		}
		if es := auditActions(t, svc, "2fa.recovery"); len(es) != 1 || !strings.Contains(es[0].Detail, "9 left") {
			t.Fatalf("recovery audit: %+v", es)
		}
	})
}

// Wrong codes count toward the same lockout as wrong passwords: three wrong
// passwords and two wrong codes lock the account, and then neither the
// right code nor the right password works.
func TestSecondFactorLockout(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		svc := jftest.ServiceWith(st, totpPolicy(0))
		clk := newClock(st)
		jftest.SeedTree(t, svc)
		u := jftest.MakeUser(t, svc, "lisi", "610831", domain.RoleAdmin)
		secret, _ := jftest.EnrolTOTP(t, svc, u)
		clk.advance(time.Minute)
		for range 3 {
			if _, err := svc.Login(anon("192.0.2.23"), "lisi", "Wrong#pass123", ""); key(err) != "login.failed" {
				t.Fatalf("wrong password: %v", err)
			}
		}
		ch := challenge(t, svc, "lisi")
		if _, err := svc.VerifyLogin(anon("192.0.2.23"), ch, "000000", "", false); fieldKey(err, "code") != "2fa.code_wrong" {
			t.Fatalf("4th failure: %v", err)
		}
		if _, err := svc.VerifyLogin(anon("192.0.2.23"), ch, "abcdefghjk", "", false); key(err) != "login.locked" {
			t.Fatalf("5th failure locks: %v", err)
		}
		if _, err := svc.VerifyLogin(anon("192.0.2.23"), ch, jftest.TOTPCode(t, secret, clk.t), "", false); key(err) != "login.second_expired" {
			t.Fatalf("the locking failure ends the challenge: %v", err)
		}
		if _, err := svc.Login(anon("192.0.2.23"), "lisi", jftest.Password, ""); key(err) != "login.locked" {
			t.Fatalf("the right password while locked: %v", err)
		}
		clk.advance(jftest.FastPolicy().LockoutDuration + time.Minute)
		ch = challenge(t, svc, "lisi")
		if _, err := svc.VerifyLogin(anon("192.0.2.23"), ch, jftest.TOTPCode(t, secret, clk.t), "", false); err != nil {
			t.Fatalf("after the lockout: %v", err)
		}
	})
}

// The policy: by default administrators and the roles that reveal or
// export personal data must use a second factor and a data reviewer need
// not; "all" and "off" say what they say; a reset account must enrol
// whatever the policy.
func TestSecondFactorPolicy(t *testing.T) {
	st := jftest.OpenSQLite(t)
	mk := func(p string) *service.Service {
		pol := totpPolicy(0)
		pol.SecondFactor = p
		return jftest.ServiceWith(st, pol)
	}
	roles, all, off := mk(identity.SecondFactorRoles), mk(identity.SecondFactorAll), mk(identity.SecondFactorOff)
	jftest.SeedTree(t, roles)
	for _, r := range []domain.Role{domain.RoleAdmin, domain.RoleSecurityAdmin, domain.RoleAuditAdmin, domain.RoleReceptionist,
		domain.RoleDispatcher, domain.RoleHandler, domain.RoleMediator, domain.RoleGridWorker, domain.RoleLeader} {
		if u := (&domain.User{Roles: []domain.Role{r}}); !roles.SecondFactorRequired(u) || off.SecondFactorRequired(u) {
			t.Errorf("%s: required %v under roles, %v under off", r, roles.SecondFactorRequired(u), off.SecondFactorRequired(u))
		}
	}
	reviewer := &domain.User{Roles: []domain.Role{domain.RoleReviewer}}
	if roles.SecondFactorRequired(reviewer) || !all.SecondFactorRequired(reviewer) {
		t.Error("a data reviewer: optional by default, required under all")
	}
	if off.MustEnrol(&domain.User{Roles: []domain.Role{domain.RoleAdmin}}) || !off.MustEnrol(&domain.User{SecondFactor: domain.FactorReset}) {
		t.Error("under off nobody must enrol but a reset account")
	}
	if roles.MustEnrol(&domain.User{Roles: []domain.Role{domain.RoleAdmin}, SecondFactor: domain.FactorTOTP}) {
		t.Error("an enrolled administrator need not enrol")
	}
}

// Changing the second factor asks for the password again (IA-11), and a
// wrong one counts toward the lockout; it cannot be turned off while the
// policy requires it; an optional account turns it off with its password.
func TestSecondFactorReauthentication(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		svc := jftest.ServiceWith(st, totpPolicy(0))
		jftest.SeedTree(t, svc)
		disp := jftest.MakeUser(t, svc, "zhou", "610831", domain.RoleDispatcher)
		jftest.EnrolTOTP(t, svc, disp)
		disp, _ = svc.UserByUsername(jftest.CLI(), "zhou")
		ctx := jftest.As(disp, "192.0.2.24")
		if err := svc.StartTOTP(ctx, ""); fieldKey(err, "password") != "field.required" {
			t.Fatalf("re-enrolment without the password: %v", err)
		}
		if err := svc.StartTOTP(ctx, "Wrong#pass123"); fieldKey(err, "password") != "password.current_wrong" {
			t.Fatalf("re-enrolment with a wrong password: %v", err)
		}
		if err := svc.StartTOTP(ctx, jftest.Password); err != nil {
			t.Fatalf("re-enrolment with the password: %v", err)
		}
		if err := svc.DisableTOTP(ctx, jftest.Password); key(err) != "2fa.required" {
			t.Fatalf("turning off a required factor: %v", err)
		}
		for range 4 {
			svc.StartTOTP(ctx, "Wrong#pass123")
		}
		if err := svc.StartTOTP(ctx, jftest.Password); code(err) != domain.TooMany {
			t.Fatalf("after five wrong passwords the password is not checked: %v", err)
		}

		rev := jftest.MakeUser(t, svc, "wuyi", "610831", domain.RoleReviewer)
		jftest.EnrolTOTP(t, svc, rev)
		rev, _ = svc.UserByUsername(jftest.CLI(), "wuyi")
		if err := svc.DisableTOTP(jftest.As(rev, "192.0.2.25"), jftest.Password); err != nil {
			t.Fatalf("an optional factor turned off: %v", err)
		}
		if rev, _ = svc.UserByUsername(jftest.CLI(), "wuyi"); rev.SecondFactor != domain.FactorNone {
			t.Fatalf("state after turning off: %q", rev.SecondFactor)
		}
		if res, err := svc.Login(anon("192.0.2.25"), "wuyi", jftest.Password, ""); err != nil || res.Token == "" {
			t.Fatalf("the password alone signs in again: %v", err)
		}
		wantAudited(t, svc, map[string]string{"2fa.enrol": domain.ResultFail, "2fa.disable": domain.ResultOK})
	})
}

// A browser that passed the second step with "trust this browser" skips it
// within the period, for that account only; a forged, expired or
// other-account cookie does not; an administrator's reset revokes it and
// makes the account enrol again, ending its sessions.
func TestDeviceTrustAndReset(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		svc := jftest.ServiceWith(st, totpPolicy(7*24*time.Hour))
		clk := newClock(st)
		jftest.SeedTree(t, svc)
		u := jftest.MakeUser(t, svc, "zheng", "610831", domain.RoleHandler)
		other := jftest.MakeUser(t, svc, "feng", "610831", domain.RoleHandler)
		admin := jftest.MakeUser(t, svc, "guan", "610831", domain.RoleAdmin)
		secret, _ := jftest.EnrolTOTP(t, svc, u)
		otherSecret, _ := jftest.EnrolTOTP(t, svc, other)
		clk.advance(time.Minute)
		res, err := svc.VerifyLogin(anon("192.0.2.26"), challenge(t, svc, "zheng"), jftest.TOTPCode(t, secret, clk.t), "", true)
		if err != nil || res.DeviceTrust == "" || res.DeviceTrustUntil.Sub(clk.t) != 7*24*time.Hour {
			t.Fatalf("trust this browser: %+v %v", res, err)
		}
		device := res.DeviceTrust
		otherRes, err := svc.VerifyLogin(anon("192.0.2.26"), challenge(t, svc, "feng"), jftest.TOTPCode(t, otherSecret, clk.t), "", true)
		if err != nil {
			t.Fatal(err)
		}
		signIn := func(username, device string) *identity.LoginResult {
			t.Helper()
			r, err := svc.LoginOnDevice(anon("192.0.2.26"), username, jftest.Password, "", device)
			if err != nil {
				t.Fatalf("%s: %v", username, err)
			}
			return r
		}
		if r := signIn("zheng", device); r.Token == "" || r.Challenge != "" {
			t.Fatalf("a trusted browser skips the second step: %+v", r)
		}
		forged := device[:len(device)-1] + "0"
		if strings.HasSuffix(device, "0") {
			forged = device[:len(device)-1] + "1"
		}
		for name, d := range map[string]string{"forged": forged, "other account's": otherRes.DeviceTrust, "garbage": "1.2"} {
			if r := signIn("zheng", d); r.Challenge == "" {
				t.Errorf("a %s cookie skipped the second step", name)
			}
		}
		clk.advance(6 * 24 * time.Hour)
		if r := signIn("zheng", device); r.Challenge != "" {
			t.Fatal("within the 7 days the browser is trusted")
		}
		// A shorter policy shortens the cookies given.
		short := totpPolicy(12 * time.Hour)
		if r, err := jftest.ServiceWith(st, short).LoginOnDevice(anon("192.0.2.26"), "feng", jftest.Password, "", otherRes.DeviceTrust); err != nil || r.Challenge == "" {
			t.Fatalf("a cookie longer than the policy's period: %+v %v", r, err)
		}
		if err := svc.ResetSecondFactor(jftest.As(u, "192.0.2.26"), u.ID); code(err) != domain.Forbidden {
			t.Fatalf("a handler resets a second factor: %v", err)
		}
		adminCtx := jftest.As(admin, "192.0.2.27")
		if err := svc.ResetSecondFactor(adminCtx, admin.ID); key(err) != "user.admin_by_operator" {
			t.Fatalf("an administrator resets its own (the command line's to do): %v", err)
		}
		live := signIn("zheng", device)
		if err := svc.ResetSecondFactor(adminCtx, u.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := svc.Authenticate(jftest.CLI(), live.Token); err == nil {
			t.Fatal("a reset ends the account's sessions")
		}
		r := signIn("zheng", device)
		if r.Challenge != "" || r.Token == "" || !svc.MustEnrol(r.User) {
			t.Fatalf("after a reset the password signs in to enrol again: %+v", r)
		}
		if n, _ := jftest.Count(st, `SELECT COUNT(*) FROM totp_recovery_codes WHERE user_id = $1`, u.ID); n != 0 {
			t.Fatalf("%d recovery codes left after a reset", n)
		}
		if err := svc.ResetSecondFactor(jftest.CLI(), other.ID); err != nil {
			t.Fatalf("the CLI resets: %v", err)
		}
		wantAudited(t, svc, map[string]string{"2fa.trust": domain.ResultOK, "2fa.reset": domain.ResultOK})
	})
}
