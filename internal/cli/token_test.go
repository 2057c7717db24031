package cli_test

import (
	"context"
	"jiefen/internal/crypto"
	"jiefen/internal/jftest"
	"jiefen/internal/service"
	"jiefen/internal/store"
	"strings"
	"testing"
)

// jiefen token create / list / revoke (issue 14): scopes and days on
// creation, refused when out of bounds; the list shows scopes, expiry, last
// use and why a token was revoked; the server's maximum holds for the CLI.
func TestCLITokens(t *testing.T) {
	engines(t, func(t *testing.T, dsn string) {
		env := map[string]string{"JIEFEN_DB": dsn, "LANG": "en_US.UTF-8"}
		if r := run(t, "", env, "divisions", "import", "--from", "../demo/data/zizhou-divisions.csv", "--county", "610831"); r.code != 0 {
			t.Fatalf("import: %+v", r)
		}
		if r := run(t, "Str0ng#Secret\n", env, "user", "add", "--username", "clerk", "--name", "文员", "--role", "dispatcher", "--org", "610831", "--password-stdin"); r.code != 0 {
			t.Fatalf("user add: %+v", r)
		}
		// A new account must change its initial password first: no token until then.
		r := run(t, "", env, "token", "create", "--username", "clerk")
		if r.code != 1 || !strings.Contains(r.stderr, "must change its password") {
			t.Fatalf("token for an account with an initial password: %+v", r)
		}
		if r := run(t, "Str0ng#Secret\n", env, "user", "add", "--username", "svc", "--name", "接口", "--role", "dispatcher", "--org", "610831", "--password-stdin"); r.code != 0 {
			t.Fatalf("user add: %+v", r)
		}
		changePassword(t, dsn, "svc")
		r = run(t, "", env, "token", "create", "--username", "svc", "--name", "sync", "--scope", "cases:read,stats:read", "--days", "30")
		tok := strings.TrimSpace(r.stdout)
		if r.code != 0 || !strings.HasPrefix(tok, "jf_") || !strings.Contains(r.stderr, "scopes cases:read stats:read; expires") {
			t.Fatalf("token create: %+v", r)
		}
		for _, bad := range []struct {
			args []string
			want string
		}{
			{[]string{"--scope", "everything"}, "Unknown scope: everything"},
			{[]string{"--scope", "admin:write"}, "gives this account nothing"},
			{[]string{"--days", "400"}, "1 to 365 days"},
			{[]string{"--scope", ","}, "names no scope"},
		} {
			r := run(t, "", env, append([]string{"token", "create", "--username", "svc"}, bad.args...)...)
			if r.code == 0 || !strings.Contains(r.stderr, bad.want) {
				t.Errorf("token create %v: exit %d, stderr %q, want %q", bad.args, r.code, r.stderr, bad.want)
			}
		}
		env2 := map[string]string{"JIEFEN_DB": dsn, "LANG": "en_US.UTF-8", "JIEFEN_TOKEN_MAX_DAYS": "20"}
		if r := run(t, "", env2, "token", "create", "--username", "svc", "--days", "30"); r.code != 1 || !strings.Contains(r.stderr, "1 to 20 days") {
			t.Fatalf("the server's maximum for the CLI: %+v", r)
		}
		r = run(t, "", env, "token", "list", "--username", "svc")
		if r.code != 0 || strings.Contains(r.stdout, tok) || !strings.Contains(r.stdout, "cases:read,stats:read") ||
			!strings.Contains(r.stdout, "EXPIRES") || !strings.Contains(r.stdout, "never") || !strings.Contains(r.stdout, "active") {
			t.Fatalf("token list: %+v", r)
		}
		id := strings.Fields(strings.Split(strings.TrimSpace(r.stdout), "\n")[1])[0]
		if r := run(t, "", env, "token", "revoke", "--id", id); r.code != 0 {
			t.Fatalf("revoke: %+v", r)
		}
		r = run(t, "", env, "token", "list")
		if r.code != 0 || strings.Contains(r.stdout, "sync") {
			t.Fatalf("the live tokens of every account list a revoked one: %+v", r)
		}
		r = run(t, "", env, "token", "list", "--all")
		if r.code != 0 || !strings.Contains(r.stdout, "svc") || !strings.Contains(r.stdout, "(admin by (cli))") {
			t.Fatalf("token list --all: %+v", r)
		}
		if r := run(t, "", env, "serve", "--token-max-days", "0"); r.code != 2 || !strings.Contains(r.stderr, "--token-max-days") {
			t.Fatalf("serve --token-max-days 0: %+v", r)
		}
	})
}

// changePassword changes username's initial password as its owner would on
// the web (the CLI has no command for one's own password).
func changePassword(t *testing.T, dsn, username string) {
	t.Helper()
	keys := "data/jiefen.keys" // the CLI's key file for dsn (its default)
	if !store.IsPostgres(dsn) {
		keys, dsn = dsn+".keys", "sqlite:"+dsn
	}
	st, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc := service.New(st, jftest.Logger(), jftest.FastPolicy())
	k, err := crypto.LoadOrCreate(keys) // the audit entry is sealed with the CLI's key
	if err != nil {
		t.Fatal(err)
	}
	svc.SetKeys(k)
	u, err := svc.UserByUsername(jftest.CLI(), username)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ChangePassword(jftest.As(u, "127.0.0.1"), "Str0ng#Secret", "Zx9#kLm2pQw7", "Zx9#kLm2pQw7"); err != nil {
		t.Fatal(err)
	}
}
