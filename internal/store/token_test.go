package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"jiefen/internal/domain"
	"jiefen/internal/jftest"
	"jiefen/internal/store"
)

// tokenMigration is the migration that gave tokens their lifecycle.
const tokenMigration = 31

// The migration gives existing tokens an expiry (created + 90 days) and
// "read write", and revokes those that had outlived what now revokes a
// token: the account's disabling, or a later password change or reset.
func TestTokenLifecycleMigration(t *testing.T) {
	ctx := context.Background()
	engines := map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "old.db") },
		"postgres": func(t *testing.T) string { return jftest.PostgresDSN(t) },
	}
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) {
			st, err := store.Open(ctx, engines[name](t))
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			if _, err := st.MigrateBeforeForTest(ctx, tokenMigration); err != nil {
				t.Fatal(err)
			}
			now := time.Now().UTC()
			seedOldTokens(t, st, now)
			if _, err := st.Migrate(ctx); err != nil {
				t.Fatalf("migrate: %v", err)
			}
			checkMigratedTokens(t, st, now)
		})
	}
}

// at writes a time as the store does (a literal both engines read).
func at(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }

// seedOldTokens writes accounts and tokens of the shape before the
// migration: fresh, old (past 90 days), of a disabled account, and made
// before its account's password change.
func seedOldTokens(t *testing.T, st *store.Store, now time.Time) {
	t.Helper()
	ctx := context.Background()
	mustTree(t, st)
	err := st.Update(ctx, func(tx *store.Tx) error {
		for _, name := range []string{"keeps", "aged", "off", "changed"} {
			if _, err := tx.CreateUser(ctx, &domain.User{Username: name, Name: name, Roles: []domain.Role{domain.RoleDispatcher}, OrgCode: "610831101"}, "hash"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	year := at(now.Add(-365 * 24 * time.Hour))
	for _, q := range []string{
		`UPDATE users SET password_changed_at = '` + year + `' WHERE username IN ('keeps', 'aged', 'off')`,
		`UPDATE users SET disabled = TRUE WHERE username = 'off'`,
		`UPDATE users SET password_changed_at = '` + at(now.Add(-24*time.Hour)) + `' WHERE username = 'changed'`,
		oldToken("keeps", "h1", now.Add(-10*24*time.Hour)),
		oldToken("aged", "h2", now.Add(-200*24*time.Hour)),
		oldToken("off", "h3", now.Add(-10*24*time.Hour)),
		oldToken("changed", "h4", now.Add(-10*24*time.Hour)),
	} {
		if err := jftest.Exec(st, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

func oldToken(username, hash string, created time.Time) string {
	return fmt.Sprintf(`INSERT INTO api_tokens (user_id, name, token_hash, prefix, created_at)
		SELECT id, 'old', '%s', 'jf_old', '%s' FROM users WHERE username = '%s'`, hash, at(created), username)
}

func checkMigratedTokens(t *testing.T, st *store.Store, now time.Time) {
	t.Helper()
	ctx := context.Background()
	want := map[string]struct {
		state, reason string
		created       time.Duration
	}{
		"h1": {domain.TokenActive, "", -10 * 24 * time.Hour},
		"h2": {domain.TokenExpired, "", -200 * 24 * time.Hour},
		"h3": {domain.TokenRevoked, domain.TokenRevokedDisabled, -10 * 24 * time.Hour},
		"h4": {domain.TokenRevoked, domain.TokenRevokedPasswordChange, -10 * 24 * time.Hour},
	}
	err := st.View(ctx, func(tx *store.Tx) error {
		for hash, w := range want {
			tok, err := tx.TokenByHash(ctx, hash)
			if err != nil {
				return err
			}
			created := now.Add(w.created).Truncate(time.Microsecond)
			if !tok.CreatedAt.Equal(created) || !tok.ExpiresAt.Equal(created.Add(90*24*time.Hour)) {
				t.Errorf("%s: created %v expires %v, want created + 90 days", hash, tok.CreatedAt, tok.ExpiresAt)
			}
			if domain.JoinScopes(tok.Scopes) != "read write" {
				t.Errorf("%s: scopes %v", hash, tok.Scopes)
			}
			if got := tok.State(now); got != w.state || tok.RevokeReason != w.reason {
				t.Errorf("%s: %s (%q), want %s (%q)", hash, got, tok.RevokeReason, w.state, w.reason)
			}
			if w.state == domain.TokenRevoked && (tok.RevokedBy != "(migration)" || tok.RevokedAt.Sub(now).Abs() > time.Minute) {
				t.Errorf("%s: revoked at %v by %q", hash, tok.RevokedAt, tok.RevokedBy)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// The token statements: the last use written at most once in a period,
// a refusal claimed once a period, an account's tokens revoked at once
// (expired ones too), and the administrators' list bounded by the subtree.
func TestTokenStatements(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		mustTree(t, st)
		err := st.Update(ctx, func(tx *store.Tx) error {
			var uids []int64
			for _, u := range []struct{ name, org string }{{"ta", "610831101"}, {"tb", "610831001"}} {
				id, err := tx.CreateUser(ctx, &domain.User{Username: u.name, Name: "用户" + u.name, Roles: []domain.Role{domain.RoleMediator}, OrgCode: u.org}, "hash")
				if err != nil {
					return err
				}
				uids = append(uids, id)
			}
			var toks []*domain.Token
			for i, exp := range []time.Duration{time.Hour, -time.Hour, time.Hour} {
				tok := &domain.Token{UserID: uids[min(i, 1)], Name: fmt.Sprint("t", i), Hash: fmt.Sprint("sh", i), Prefix: "jf_x",
					Scopes: []domain.Scope{domain.ScopeCasesRead, domain.ScopeStatsRead}, ExpiresAt: tx.Now.Add(exp)}
				if err := tx.CreateToken(ctx, tok); err != nil {
					return err
				}
				toks = append(toks, tok)
			}
			if err := tx.TouchToken(ctx, toks[0].ID, "10.0.0.1", tx.Now.Add(-time.Minute)); err != nil {
				return err
			}
			if err := tx.TouchToken(ctx, toks[0].ID, "10.0.0.2", tx.Now.Add(-time.Minute)); err != nil {
				return err
			}
			got, err := tx.Token(ctx, toks[0].ID)
			if err != nil || got.LastUsedIP != "10.0.0.1" || !got.LastUsedAt.Equal(tx.Now.Truncate(time.Microsecond)) || domain.JoinScopes(got.Scopes) != "cases:read stats:read" {
				return fmt.Errorf("touched twice in the minute: %+v %v", got, err)
			}
			if ok, err := tx.ClaimTokenRefusal(ctx, toks[0].ID, tx.Now.Add(-time.Hour)); err != nil || !ok {
				return fmt.Errorf("first claim %v %v", ok, err)
			}
			if ok, err := tx.ClaimTokenRefusal(ctx, toks[0].ID, tx.Now.Add(-time.Hour)); err != nil || ok {
				return fmt.Errorf("second claim within the hour %v %v", ok, err)
			}
			in, err := tx.TokensIn(ctx, domain.TokenFilter{Path: "/610831/610831101/"})
			if err != nil || len(in) != 1 || in[0].Username != "ta" || in[0].OrgName != "何家集镇" {
				return fmt.Errorf("the township's tokens: %+v %v", in, err)
			}
			live, err := tx.TokensIn(ctx, domain.TokenFilter{Path: "/610831/", State: domain.TokenActive})
			if err != nil || len(live) != 2 || live[0].ID != toks[2].ID {
				return fmt.Errorf("live tokens, newest first: %+v %v", live, err)
			}
			ids, err := tx.RevokeUserTokens(ctx, uids[1], "admin", domain.TokenRevokedDisabled)
			if err != nil || len(ids) != 2 {
				return fmt.Errorf("revoked %v %v: the expired token too", ids, err)
			}
			if ids, err := tx.RevokeUserTokens(ctx, uids[1], "admin", domain.TokenRevokedDisabled); err != nil || len(ids) != 0 {
				return fmt.Errorf("revoked again %v %v", ids, err)
			}
			if done, err := tx.RevokeToken(ctx, toks[1].ID, "x", domain.TokenRevokedSelf); err != nil || done {
				return fmt.Errorf("a revoked token revoked again: %v %v", done, err)
			}
			return fmt.Errorf("rollback")
		})
		if err == nil || err.Error() != "rollback" {
			t.Fatal(err)
		}
	})
}
