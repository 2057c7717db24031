package service_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"jiefen/internal/domain"
	"jiefen/internal/jftest"
	"jiefen/internal/service"
	"jiefen/internal/service/identity"
	"jiefen/internal/store"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }
func newClock(st *store.Store) *clock    { c := &clock{time.Now().UTC()}; st.SetClock(c.now); return c }
func anon(ip string) context.Context {
	return domain.WithActor(context.Background(), &domain.Actor{IP: ip, Via: "web"})
}
func code(err error) domain.Code { return domain.ErrorCode(err) }
func key(err error) string {
	if e, ok := err.(*domain.Error); ok {
		return e.Key
	}
	return ""
}

func field(err error, name string) string {
	if e, ok := err.(*domain.Error); ok {
		return e.Fields[name]
	}
	return ""
}

func auditActions(t *testing.T, svc *service.Service, action string) []*domain.AuditEntry {
	t.Helper()
	es, err := svc.SearchAudit(jftest.CLI(), domain.AuditFilter{Action: action, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// Five failures in 15 minutes lock the account for 30 minutes (IA-4); the right
// password is refused while locked; each failure is audited; the message
// for an unknown user is the same as for a wrong password.
func TestLockout(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		svc := jftest.Service(st)
		clk := newClock(st)
		jftest.SeedTree(t, svc)
		jftest.MakeUser(t, svc, "wang", "610831", domain.RoleDispatcher)
		ctx := anon("192.0.2.10")

		_, errUnknown := svc.Login(ctx, "nobody", "Wrong#pass123", "")
		_, errWrong := svc.Login(ctx, "wang", "Wrong#pass123", "")
		if key(errUnknown) != "login.failed" || key(errWrong) != "login.failed" || code(errWrong) != domain.Unauthorized {
			t.Fatalf("unknown user %v, wrong password %v: must be the same login.failed", errUnknown, errWrong)
		}
		for i := 2; i <= 4; i++ {
			if _, err := svc.Login(ctx, "wang", "Wrong#pass123", ""); key(err) != "login.failed" {
				t.Fatalf("failure %d: %v", i, err)
			}
		}
		if _, err := svc.Login(ctx, "wang", "Wrong#pass123", ""); key(err) != "login.locked" {
			t.Fatalf("5th failure must lock, got %v", err)
		}
		if _, err := svc.Login(ctx, "wang", jftest.Password, ""); key(err) != "login.locked" {
			t.Fatalf("right password while locked: want login.locked, got %v", err)
		}
		fails := 0
		for _, e := range auditActions(t, svc, "login") {
			if e.Result == domain.ResultFail && e.ObjectID == "wang" {
				fails++
				if e.IP != "192.0.2.10" {
					t.Errorf("audit IP %q", e.IP)
				}
			}
		}
		if fails != 6 {
			t.Fatalf("want 6 audited failures for wang, got %d", fails)
		}
		clk.advance(29 * time.Minute)
		if _, err := svc.Login(ctx, "wang", jftest.Password, ""); key(err) != "login.locked" {
			t.Fatalf("after 29 min still locked, got %v", err)
		}
		clk.advance(2 * time.Minute)
		res, err := svc.Login(ctx, "wang", jftest.Password, "")
		if err != nil {
			t.Fatalf("after 31 min the right password works: %v", err)
		}
		if res.Token == "" || res.Session.CSRF == "" {
			t.Fatal("no session token")
		}
		// The count restarted after the success.
		if _, err := svc.Login(ctx, "wang", "Wrong#pass123", ""); key(err) != "login.failed" {
			t.Fatalf("after success the count restarts: %v", err)
		}
		// An administrator can unlock early.
		for range 5 {
			if _, err := svc.Login(ctx, "wang", "Wrong#pass123", ""); err == nil {
				t.Fatal("a wrong password logged in")
			}
		}
		u, err := svc.UserByUsername(jftest.CLI(), "wang")
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.Unlock(jftest.CLI(), u.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Login(ctx, "wang", jftest.Password, ""); err != nil {
			t.Fatalf("after unlock: %v", err)
		}
	})
}

// Many failures from one address are refused for that address only.
func TestLoginIPBlock(t *testing.T) {
	st := jftest.OpenSQLite(t)
	p := jftest.FastPolicy()
	p.IPSlowAfter, p.IPBlockAfter = 0, 8
	svc := service.New(st, jftest.Logger(), p)
	svc.SetKeys(jftest.Keyring(t))
	jftest.SeedTree(t, svc)
	jftest.MakeUser(t, svc, "lili", "610831", domain.RoleReceptionist)
	bad := anon("198.51.100.7")
	for i := range 8 {
		if _, err := svc.Login(bad, "user"+string(rune('a'+i)), "Wrong#pass123", ""); err == nil {
			t.Fatal("a wrong password logged in")
		}
	}
	if _, err := svc.Login(bad, "lili", jftest.Password, ""); code(err) != domain.TooMany {
		t.Fatalf("blocked address: want too_many_requests, got %v", err)
	}
	if _, err := svc.Login(anon("198.51.100.8"), "lili", jftest.Password, ""); err != nil {
		t.Fatalf("another address is not blocked: %v", err)
	}
}

func TestSessionsTimeoutsAndRotation(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		svc := jftest.Service(st)
		clk := newClock(st)
		jftest.SeedTree(t, svc)
		jftest.MakeUser(t, svc, "zhao", "610831101", domain.RoleMediator)
		ctx := anon("127.0.0.1")
		first, err := svc.Login(ctx, "zhao", jftest.Password, "")
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := svc.Authenticate(ctx, first.Token); err != nil {
			t.Fatal(err)
		}
		// A new login ends the older session (one session per account).
		second, err := svc.Login(ctx, "zhao", jftest.Password, "")
		if err != nil || second.Ended != 1 {
			t.Fatalf("second login ended %v, err %v", second, err)
		}
		if _, _, err := svc.Authenticate(ctx, first.Token); code(err) != domain.Unauthorized {
			t.Fatalf("old session still works: %v", err)
		}
		// Idle timeout: 29 minutes of activity gaps are fine, 31 are not.
		clk.advance(29 * time.Minute)
		if _, _, err := svc.Authenticate(ctx, second.Token); err != nil {
			t.Fatalf("29 idle minutes: %v", err)
		}
		clk.advance(31 * time.Minute)
		if _, _, err := svc.Authenticate(ctx, second.Token); key(err) != "session.expired" {
			t.Fatalf("31 idle minutes: want session.expired, got %v", err)
		}
		// Absolute timeout: active every 20 minutes, still ends at 12 hours.
		third, err := svc.Login(ctx, "zhao", jftest.Password, "")
		if err != nil {
			t.Fatal(err)
		}
		for range 35 {
			clk.advance(20 * time.Minute)
			if _, _, err := svc.Authenticate(ctx, third.Token); err != nil {
				t.Fatalf("active session ended early: %v", err)
			}
		}
		clk.advance(20 * time.Minute) // 12 h 0 min
		clk.advance(time.Minute)
		if _, _, err := svc.Authenticate(ctx, third.Token); key(err) != "session.expired" {
			t.Fatalf("after 12 h: want expired, got %v", err)
		}
		// Logout ends the session for good.
		fourth, err := svc.Login(ctx, "zhao", jftest.Password, "")
		if err != nil {
			t.Fatal(err)
		}
		u, sess, err := svc.Authenticate(ctx, fourth.Token)
		if err != nil {
			t.Fatal(err)
		}
		actx := domain.WithActor(context.Background(), &domain.Actor{User: u, SessionID: sess.ID, IP: "127.0.0.1"})
		if err := svc.Logout(actx); err != nil {
			t.Fatal(err)
		}
		if _, _, err := svc.Authenticate(ctx, fourth.Token); code(err) != domain.Unauthorized {
			t.Fatalf("after logout: %v", err)
		}
		// Disabling ends sessions at once (SS-4).
		fifth, err := svc.Login(ctx, "zhao", jftest.Password, "")
		if err != nil {
			t.Fatal(err)
		}
		dis := true
		if _, err := svc.UpdateUser(jftest.CLI(), u.ID, identity.UserPatch{Disabled: &dis}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := svc.Authenticate(ctx, fifth.Token); code(err) != domain.Unauthorized {
			t.Fatalf("disabled account's session works: %v", err)
		}
		if _, err := svc.Login(ctx, "zhao", jftest.Password, ""); key(err) != "login.failed" {
			t.Fatalf("disabled account logs in: %v", err)
		}
	})
}

// The change-password form's current password counts like a sign-in
// (IA-4): each wrong one is a failure of the account, the message says how
// many tries are left, and the one that reaches the limit locks the
// account and ends its sessions, so a guesser at an open browser is out.
// Every wrong one is audited.
func TestChangePasswordGuessesLock(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		svc := jftest.Service(st)
		clk := newClock(st)
		jftest.SeedTree(t, svc)
		jftest.MakeUser(t, svc, "zhou", "610831", domain.RoleDispatcher)
		ctx := anon("192.0.2.20")
		res, err := svc.Login(ctx, "zhou", jftest.Password, "")
		if err != nil {
			t.Fatal(err)
		}
		actx := domain.WithActor(context.Background(), &domain.Actor{User: res.User, SessionID: res.Session.ID, IP: "192.0.2.20"})
		next := "Gx8!rTq2mWz5"
		for i := 1; i <= 4; i++ {
			_, err := svc.ChangePassword(actx, "Guess#00"+string(rune('0'+i)), next, next)
			if field(err, "current") != "password.current_wrong" || key(err) != "password.current_wrong_left" {
				t.Fatalf("wrong current password %d: %v", i, err)
			}
			if left := err.(*domain.Error).Args[0]; left != 5-i {
				t.Fatalf("wrong current password %d: %v tries left, want %d", i, left, 5-i)
			}
		}
		_, err = svc.ChangePassword(actx, "Guess#005", next, next)
		if key(err) != "password.locked" || code(err) != domain.Unauthorized {
			t.Fatalf("5th wrong current password must lock and sign out, got %v", err)
		}
		if _, _, err := svc.Authenticate(ctx, res.Token); code(err) != domain.Unauthorized {
			t.Fatalf("the session must end with the lock: %v", err)
		}
		if end, err := svc.SessionEnded(ctx, res.Token); err != nil || end == nil || end.Reason != identity.SessionEndLocked {
			t.Fatalf("the session's end: %+v, %v", end, err)
		}
		if _, err := svc.Login(ctx, "zhou", jftest.Password, ""); key(err) != "login.locked" {
			t.Fatalf("right password while locked: %v", err)
		}
		fails := 0
		for _, e := range auditActions(t, svc, "password.change") {
			if e.Result == domain.ResultFail && e.ObjectID == "zhou" && e.IP == "192.0.2.20" {
				fails++
			}
		}
		if fails != 5 {
			t.Fatalf("want 5 audited wrong current passwords, got %d", fails)
		}
		// After the lock the right password works again, and a right
		// current password restarts the count.
		clk.advance(31 * time.Minute)
		res, err = svc.Login(ctx, "zhou", jftest.Password, "")
		if err != nil {
			t.Fatalf("after the lock: %v", err)
		}
		actx = domain.WithActor(context.Background(), &domain.Actor{User: res.User, SessionID: res.Session.ID, IP: "192.0.2.20"})
		for range 4 {
			if _, err := svc.ChangePassword(actx, "Guess#006", next, next); field(err, "current") != "password.current_wrong" {
				t.Fatalf("wrong current password: %v", err)
			}
		}
		if _, err := svc.ChangePassword(actx, jftest.Password, next, next); err != nil {
			t.Fatalf("right current password: %v", err)
		}
		if _, err := svc.Login(ctx, "zhou", "Wrong#pass123", ""); key(err) != "login.failed" {
			t.Fatalf("the count restarted at the change: %v", err)
		}
	})
}

func TestPasswordLifecycle(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		svc := jftest.Service(st)
		clk := newClock(st)
		jftest.SeedTree(t, svc)
		ctx := anon("127.0.0.1")
		initial := "Init#ial2024x"
		u, err := svc.CreateUser(jftest.CLI(), identity.NewUser{Username: "sun", Name: "孙丽", Roles: []domain.Role{domain.RoleReceptionist}, OrgCode: "610831", Password: initial})
		if err != nil {
			t.Fatal(err)
		}
		res, err := svc.Login(ctx, "sun", initial, "")
		if err != nil || !res.MustChange {
			t.Fatalf("first login must force a change: %+v %v", res, err)
		}
		_, sess, err := svc.Authenticate(ctx, res.Token)
		if err != nil {
			t.Fatal(err)
		}
		actx := domain.WithActor(context.Background(), &domain.Actor{User: res.User, SessionID: sess.ID, IP: "127.0.0.1"})
		if _, err := svc.ChangePassword(actx, "wrong", "New#Passw0rd9", "New#Passw0rd9"); field(err, "current") != "password.current_wrong" {
			t.Fatalf("wrong current: %v", err)
		}
		if _, err := svc.ChangePassword(actx, initial, initial, initial); key(err) != "password.reused" {
			t.Fatalf("reuse: %v", err)
		}
		if _, err := svc.ChangePassword(actx, initial, "short1A!", "short1A!"); key(err) != "password.too_short" {
			t.Fatalf("short: %v", err)
		}
		if _, err := svc.ChangePassword(actx, initial, "Sun#Li2024abc", "Sun#Li2024abc"); key(err) != "password.personal" {
			t.Fatalf("contains username: %v", err)
		}
		tok, err := svc.ChangePassword(actx, initial, "Gx8!rTq2mWz5", "Gx8!rTq2mWz5")
		if err != nil || tok == "" {
			t.Fatalf("change: %q %v", tok, err)
		}
		if _, _, err := svc.Authenticate(ctx, res.Token); code(err) != domain.Unauthorized {
			t.Fatal("the pre-change session token must stop working (rotation)")
		}
		nu, _, err := svc.Authenticate(ctx, tok)
		if err != nil || svc.MustChangePassword(nu) {
			t.Fatalf("rotated session: %v, must change %v", err, nu != nil && svc.MustChangePassword(nu))
		}
		// 90 days later the password has expired and must be changed.
		clk.advance(91 * 24 * time.Hour)
		res2, err := svc.Login(ctx, "sun", "Gx8!rTq2mWz5", "")
		if err != nil || !res2.MustChange {
			t.Fatalf("expired password must force a change: %v", err)
		}
		// A reset password expires unused after 24 hours.
		pw, err := svc.ResetPassword(jftest.CLI(), u.ID, "")
		if err != nil || domain.CheckPassword(pw, nil) != nil {
			t.Fatalf("reset gave %q, %v", pw, err)
		}
		clk.advance(25 * time.Hour)
		if _, err := svc.Login(ctx, "sun", pw, ""); key(err) != "login.initial_expired" {
			t.Fatalf("stale initial password: %v", err)
		}
		if n := len(auditActions(t, svc, "password.change")); n < 2 {
			t.Fatalf("password changes audited: %d", n)
		}
	})
}

func TestArgon2idHash(t *testing.T) {
	h, err := identity.HashPassword("Tq7#mLw2vX9p", identity.DefaultArgon)
	if err != nil || !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q %v", h, err)
	}
	h2, _ := identity.HashPassword("Tq7#mLw2vX9p", identity.DefaultArgon)
	if h == h2 {
		t.Fatal("same hash twice: the salt is not random")
	}
	if !identity.CheckPasswordHash("Tq7#mLw2vX9p", h) || identity.CheckPasswordHash("Tq7#mLw2vX9P", h) {
		t.Fatal("check mismatch")
	}
	for _, bad := range []string{"", "$argon2id$", "$argon2i$v=19$m=1,t=1,p=1$AA$AA", "$argon2id$v=19$m=99999999,t=1,p=1$AA$AA", "plain"} {
		if identity.CheckPasswordHash("x", bad) {
			t.Errorf("accepted malformed hash %q", bad)
		}
	}
}
