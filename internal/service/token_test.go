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

// newToken makes a token for username as the operator.
func newToken(t *testing.T, svc *service.Service, username string, days int, scopes ...domain.Scope) (string, *domain.Token) {
	t.Helper()
	secret, tok, err := svc.CreateToken(jftest.CLI(), identity.TokenRequest{Username: username, Name: "t", Scopes: scopes, Days: days})
	if err != nil {
		t.Fatalf("token for %s: %v", username, err)
	}
	return secret, tok
}

func apiCtx(ip string) context.Context {
	return domain.WithActor(context.Background(), &domain.Actor{IP: ip, Via: "api"})
}

// ownToken reads one of u's tokens back.
func ownToken(t *testing.T, svc *service.Service, u *domain.User, id int64) *domain.Token {
	t.Helper()
	ts, err := svc.Tokens(jftest.CLI(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range ts {
		if x.ID == id {
			return x
		}
	}
	t.Fatalf("token %d of %s not listed", id, u.Username)
	return nil
}

// Issue 14, point 4: each finding, reproduced on main before the fix (a
// token survived a password change, an admin reset, a disable and enable
// and the forced change; it had no expiry and no scope), and held now.
func TestTokenLifecycleFindings(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		svc := jftest.Service(st)
		clk := newClock(st)
		jftest.SeedTree(t, svc)
		ctx := apiCtx("192.0.2.7")

		t.Run("a password change revokes the account's tokens", func(t *testing.T) {
			u := jftest.MakeUser(t, svc, "pwchange", "610831", domain.RoleDispatcher)
			secret, tok := newToken(t, svc, u.Username, 0)
			if _, err := svc.ChangePassword(jftest.As(u, "10.0.0.1"), jftest.Password, "Zx9#kLm2pQw7", "Zx9#kLm2pQw7"); err != nil {
				t.Fatal(err)
			}
			if _, _, err := svc.AuthenticateToken(ctx, secret); key(err) != "token.revoked" || code(err) != domain.Unauthorized {
				t.Fatalf("after the password change: %v", err)
			}
			got := ownToken(t, svc, u, tok.ID)
			if got.RevokeReason != domain.TokenRevokedPasswordChange || got.RevokedBy != u.Username {
				t.Fatalf("revoked by %q for %q", got.RevokedBy, got.RevokeReason)
			}
			if es := auditActions(t, svc, "password.change"); len(es) == 0 || !strings.Contains(es[0].Detail, "1 API token(s) revoked") {
				t.Fatalf("the change's audit row does not count the token: %+v", es)
			}
		})
		t.Run("an administrator's reset revokes them", func(t *testing.T) {
			u := jftest.MakeUser(t, svc, "pwreset", "610831", domain.RoleDispatcher)
			secret, tok := newToken(t, svc, u.Username, 0)
			if _, err := svc.ResetPassword(jftest.CLI(), u.ID, ""); err != nil {
				t.Fatal(err)
			}
			if _, _, err := svc.AuthenticateToken(ctx, secret); key(err) != "token.revoked" {
				t.Fatalf("after the reset: %v", err)
			}
			if got := ownToken(t, svc, u, tok.ID); got.RevokeReason != domain.TokenRevokedPasswordReset || got.RevokedBy != "(cli)" {
				t.Fatalf("revoked by %q for %q", got.RevokedBy, got.RevokeReason)
			}
		})
		t.Run("disabling revokes them and enabling does not revive them", func(t *testing.T) {
			u := jftest.MakeUser(t, svc, "disen", "610831", domain.RoleDispatcher)
			secret, _ := newToken(t, svc, u.Username, 0)
			off, on := true, false
			u1, err := svc.UpdateUser(jftest.CLI(), u.ID, identity.UserPatch{Disabled: &off, Version: u.Version})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.UpdateUser(jftest.CLI(), u.ID, identity.UserPatch{Disabled: &on, Version: u1.Version}); err != nil {
				t.Fatal(err)
			}
			if _, _, err := svc.AuthenticateToken(ctx, secret); key(err) != "token.revoked" {
				t.Fatalf("after disable and enable: %v", err)
			}
			revokes := auditActions(t, svc, "token.revoke")
			if len(revokes) == 0 || !strings.Contains(revokes[0].Detail, "reason disabled") {
				t.Fatalf("the revocation is not audited with its reason: %+v", revokes)
			}
		})
		t.Run("the forced password change holds for tokens", func(t *testing.T) {
			u := jftest.MakeUser(t, svc, "mustchange", "610831", domain.RoleDispatcher)
			secret, _ := newToken(t, svc, u.Username, 200)
			clk.advance(91 * 24 * time.Hour) // the password is past its 90 days; the token has 200
			defer clk.advance(-91 * 24 * time.Hour)
			if _, _, err := svc.AuthenticateToken(ctx, secret); key(err) != "token.password_change" || code(err) != domain.Forbidden {
				t.Fatalf("token of an account that must change its password: %v", err)
			}
			if _, _, err := svc.CreateToken(jftest.CLI(), identity.TokenRequest{Username: u.Username}); key(err) != "token.create.password_change" {
				t.Fatalf("a new token for that account: %v", err)
			}
		})
		t.Run("every token expires, by default in 90 days, at most the maximum", func(t *testing.T) {
			jftest.MakeUser(t, svc, "expiry", "610831", domain.RoleDispatcher)
			secret, tok := newToken(t, svc, "expiry", 0)
			if d := tok.ExpiresAt.Sub(tok.CreatedAt); d != 90*24*time.Hour {
				t.Fatalf("default life %v", d)
			}
			if _, _, err := svc.AuthenticateToken(ctx, secret); err != nil {
				t.Fatal(err)
			}
			clk.advance(90 * 24 * time.Hour)
			_, _, err := svc.AuthenticateToken(ctx, secret)
			clk.advance(-90 * 24 * time.Hour)
			if key(err) != "token.expired" || code(err) != domain.Unauthorized {
				t.Fatalf("90 days on: %v", err)
			}
			for _, days := range []int{366, -1} {
				_, _, err := svc.CreateToken(jftest.CLI(), identity.TokenRequest{Username: "expiry", Days: days})
				if fe, _ := err.(*domain.Error); fe == nil || fe.Fields["days"] == "" || fe.Key != "token.days.range" {
					t.Errorf("%d days: want a field error on days, got %v", days, err)
				}
			}
			// The maximum is the policy's (the serve flag --token-max-days).
			p := jftest.FastPolicy()
			p.TokenMaxAge = 30 * 24 * time.Hour
			short := jftest.ServiceWith(st, p)
			if _, _, err := short.CreateToken(jftest.CLI(), identity.TokenRequest{Username: "expiry", Days: 31}); key(err) != "token.days.range" {
				t.Fatalf("31 days with a 30-day maximum: %v", err)
			}
			if _, tk, err := short.CreateToken(jftest.CLI(), identity.TokenRequest{Username: "expiry"}); err != nil || tk.ExpiresAt.Sub(tk.CreatedAt) != 30*24*time.Hour {
				t.Fatalf("the default is cut to the maximum: %v %v", tk, err)
			}
		})
		t.Run("scopes: read by default, known, and of use to the account", func(t *testing.T) {
			jftest.MakeUser(t, svc, "scoped", "610831", domain.RoleReceptionist)
			_, tok := newToken(t, svc, "scoped", 0)
			if domain.JoinScopes(tok.Scopes) != "read" {
				t.Fatalf("default scopes %v", tok.Scopes)
			}
			_, tok = newToken(t, svc, "scoped", 0, domain.ScopeCasesWrite, domain.ScopeRead, domain.ScopeCasesWrite)
			if domain.JoinScopes(tok.Scopes) != "read cases:write" {
				t.Fatalf("scopes are kept in order without repeats: %v", tok.Scopes)
			}
			for _, sc := range []domain.Scope{domain.ScopeAdminRead, domain.ScopeAdminWrite, domain.ScopeExports + "x"} {
				_, _, err := svc.CreateToken(jftest.CLI(), identity.TokenRequest{Username: "scoped", Scopes: []domain.Scope{sc}})
				if fe, _ := err.(*domain.Error); fe == nil || fe.Fields["scopes"] == "" {
					t.Errorf("scope %s for a receptionist: want a field error, got %v", sc, err)
				}
			}
			// A receptionist reveals parties' data it registers: the scope is of use to it.
			if _, _, err := svc.CreateToken(jftest.CLI(), identity.TokenRequest{Username: "scoped", Scopes: []domain.Scope{domain.ScopeReveal}}); err != nil {
				t.Fatal(err)
			}
		})
	})
}

// A token used to make another bounds it: no scope it lacks, no later
// expiry (a read token cannot mint a write one).
func TestTokenMadeWithToken(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		svc := jftest.Service(st)
		jftest.SeedTree(t, svc)
		u := jftest.MakeUser(t, svc, "minter", "610831", domain.RoleDispatcher)
		_, via := newToken(t, svc, u.Username, 30, domain.ScopeRead)
		ctx := domain.WithActor(context.Background(), &domain.Actor{User: u, IP: "192.0.2.1", Via: "api", TokenID: via.ID, Token: via})
		if _, _, err := svc.CreateToken(ctx, identity.TokenRequest{Username: u.Username, Scopes: []domain.Scope{domain.ScopeWrite}, Days: 10}); key(err) != "token.scope" {
			t.Fatalf("write from a read token: %v", err)
		}
		if _, _, err := svc.CreateToken(ctx, identity.TokenRequest{Username: u.Username, Scopes: []domain.Scope{domain.ScopeCasesRead}, Days: 31}); key(err) != "token.days.past_own" {
			t.Fatalf("a longer life than the token's own: %v", err)
		}
		if _, _, err := svc.CreateToken(ctx, identity.TokenRequest{Username: u.Username, Scopes: []domain.Scope{domain.ScopeCasesRead}, Days: 29}); err != nil {
			t.Fatalf("a narrower, shorter token: %v", err)
		}
	})
}

// The last use (time and address) is written at most once a minute; a
// refused use is audited at most once an hour per token.
func TestTokenLastUseAndRefusals(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		svc := jftest.Service(st)
		clk := newClock(st)
		jftest.SeedTree(t, svc)
		u := jftest.MakeUser(t, svc, "busy", "610831", domain.RoleDispatcher)
		secret, tok := newToken(t, svc, u.Username, 1)
		if _, _, err := svc.AuthenticateToken(apiCtx("192.0.2.1"), secret); err != nil {
			t.Fatal(err)
		}
		first := ownToken(t, svc, u, tok.ID)
		if first.LastUsedAt.IsZero() || first.LastUsedIP != "192.0.2.1" {
			t.Fatalf("last use %v from %q", first.LastUsedAt, first.LastUsedIP)
		}
		clk.advance(30 * time.Second)
		svc.AuthenticateToken(apiCtx("192.0.2.2"), secret)
		if got := ownToken(t, svc, u, tok.ID); !got.LastUsedAt.Equal(first.LastUsedAt) || got.LastUsedIP != "192.0.2.1" {
			t.Fatalf("written again within the minute: %v from %q", got.LastUsedAt, got.LastUsedIP)
		}
		clk.advance(31 * time.Second)
		svc.AuthenticateToken(apiCtx("192.0.2.2"), secret)
		if got := ownToken(t, svc, u, tok.ID); !got.LastUsedAt.After(first.LastUsedAt) || got.LastUsedIP != "192.0.2.2" {
			t.Fatalf("not written a minute on: %v from %q", got.LastUsedAt, got.LastUsedIP)
		}

		clk.advance(24 * time.Hour) // the one-day token has expired
		for range 5 {
			if _, _, err := svc.AuthenticateToken(apiCtx("192.0.2.3"), secret); key(err) != "token.expired" {
				t.Fatalf("expired token: %v", err)
			}
		}
		refused := auditActions(t, svc, "token.refused")
		if len(refused) != 1 || refused[0].Result != domain.ResultFail || !strings.Contains(refused[0].Detail, "expired") || refused[0].ObjectID != "busy" {
			t.Fatalf("five refusals within the hour: want one audit row, got %+v", refused)
		}
		clk.advance(61 * time.Minute)
		svc.AuthenticateToken(apiCtx("192.0.2.3"), secret)
		if n := len(auditActions(t, svc, "token.refused")); n != 2 {
			t.Fatalf("an hour on, the next refusal is audited: %d rows", n)
		}
		// An unknown token leaves no row (nothing to tie it to) and says only "invalid".
		if _, _, err := svc.AuthenticateToken(apiCtx("192.0.2.3"), "jf_unknown"); key(err) != "token.invalid" {
			t.Fatalf("unknown token: %v", err)
		}
	})
}

// Administrators see and revoke every token in their jurisdiction, and only
// there; an owner revokes only their own.
func TestTokenAdministration(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		svc := jftest.Service(st)
		jftest.SeedTree(t, svc)
		county := jftest.MakeUser(t, svc, "cadmin", "610831", domain.RoleAdmin)
		town := jftest.MakeUser(t, svc, "tadmin", "610831101", domain.RoleAdmin)
		in := jftest.MakeUser(t, svc, "intown", "610831101200", domain.RoleMediator)
		out := jftest.MakeUser(t, svc, "outtown", "610831001", domain.RoleMediator)
		_, tin := newToken(t, svc, in.Username, 0)
		_, tout := newToken(t, svc, out.Username, 0)

		list := func(u *domain.User, f domain.TokenFilter) []*domain.Token {
			t.Helper()
			ts, err := svc.AllTokens(jftest.As(u, "10.0.0.9"), f)
			if err != nil {
				t.Fatal(err)
			}
			return ts
		}
		if ts := list(county, domain.TokenFilter{}); len(ts) != 2 || ts[0].ID != tout.ID || ts[0].Username != "outtown" || ts[1].OrgName == "" {
			t.Fatalf("county list %+v", ts)
		}
		if ts := list(town, domain.TokenFilter{}); len(ts) != 1 || ts[0].ID != tin.ID {
			t.Fatalf("a township administrator sees only the township's tokens: %+v", ts)
		}
		if ts := list(county, domain.TokenFilter{Query: "outt"}); len(ts) != 1 {
			t.Fatalf("search: %+v", ts)
		}
		if _, err := svc.AllTokens(jftest.As(in, "10.0.0.9"), domain.TokenFilter{}); code(err) != domain.Forbidden {
			t.Fatalf("a mediator lists every token: %v", err)
		}
		if err := svc.RevokeToken(jftest.As(town, "10.0.0.9"), tout.ID, domain.TokenRevokedAdmin); code(err) != domain.Forbidden {
			t.Fatalf("revoke outside the jurisdiction: %v", err)
		}
		if err := svc.RevokeToken(jftest.As(in, "10.0.0.9"), tout.ID, domain.TokenRevokedSelf); code(err) != domain.NotFound {
			t.Fatalf("revoke another's as one's own: %v", err)
		}
		if err := svc.RevokeToken(jftest.As(town, "10.0.0.9"), tin.ID, domain.TokenRevokedAdmin); err != nil {
			t.Fatal(err)
		}
		if ts := list(town, domain.TokenFilter{State: domain.TokenActive}); len(ts) != 0 {
			t.Fatalf("the revoked token is still listed as active: %+v", ts)
		}
		got := list(town, domain.TokenFilter{})[0]
		if got.RevokeReason != domain.TokenRevokedAdmin || got.RevokedBy != "tadmin" {
			t.Fatalf("revoked by %q for %q", got.RevokedBy, got.RevokeReason)
		}
		es := auditActions(t, svc, "token.")
		var created, revoked int
		for _, e := range es {
			switch e.Action {
			case "token.create":
				created++
				if !strings.Contains(e.Detail, "scopes=read") || !strings.Contains(e.Detail, "expires=") {
					t.Errorf("create row %q", e.Detail)
				}
			case "token.revoke":
				revoked++
				if e.Username != "tadmin" || !strings.Contains(e.Detail, "reason admin") {
					t.Errorf("revoke row by %q: %q", e.Username, e.Detail)
				}
			}
		}
		if created != 2 || revoked != 1 {
			t.Fatalf("audit: %d created, %d revoked", created, revoked)
		}
	})
}
