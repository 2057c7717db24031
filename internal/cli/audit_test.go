package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"jiefen/internal/domain"
	"jiefen/internal/jftest"
	"jiefen/internal/store"
)

// jiefen audit verify, anchor and rotate-key end to end, and the finding
// (issue 14, point 8) through the command an operator runs: an entry
// rewritten with every hash and the head recomputed used to verify; now
// the chain is refused as not sealed, and the anchor names the rewrite.
func TestAuditCommands(t *testing.T) {
	engines(t, func(t *testing.T, dsn string) {
		dir := t.TempDir()
		keys, anchor := filepath.Join(dir, "t.keys"), filepath.Join(dir, "t.audit-anchor")
		env := map[string]string{"JIEFEN_DB": dsn, "JIEFEN_KEY_FILE": keys, "JIEFEN_AUDIT_ANCHOR": anchor, "LANG": "C"}
		if r := run(t, "", env, "divisions", "import", "--from", "../demo/data/zizhou-divisions.csv", "--county", "610831"); r.code != 0 {
			t.Fatalf("%+v", r)
		}
		r := run(t, "", env, "audit", "verify")
		if r.code != 0 || !strings.Contains(r.stdout, "audit chain intact: 1 entries verified, sealed under audit key a1") || !strings.Contains(r.stdout, "WARNING: no anchor file at "+anchor) {
			t.Fatalf("verify: %+v", r)
		}
		if r = run(t, "", env, "audit", "anchor"); r.code != 0 || !strings.Contains(r.stdout, "anchored entry 2 (seal ") {
			t.Fatalf("anchor: %+v", r)
		}
		if fi, err := os.Stat(anchor); err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("anchor file: %v %v", fi, err)
		}
		if r = run(t, "", env, "audit", "rotate-key"); r.code != 0 || !strings.Contains(r.stdout, "audit key a2 is current; a1 stays in "+keys) || !strings.Contains(r.stderr, "restart every jiefen serve") {
			t.Fatalf("rotate-key: %+v", r)
		}
		if fi, err := os.Stat(keys); err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("key file after rotation: %v %v", fi, err)
		}
		r = run(t, "", env, "audit", "verify")
		if r.code != 0 || !strings.Contains(r.stdout, "audit chain intact: 3 entries verified, sealed under audit key a1, a2") ||
			!strings.Contains(r.stdout, "anchor file "+anchor+": 1 lines match the database; the last records entry 2 at ") {
			t.Fatalf("verify after rotation: %+v", r)
		}
		if r = run(t, "", env, "audit", "verify", "--key-file", filepath.Join(dir, "none.keys")); r.code != 1 || !strings.Contains(r.stderr, "no key file at") {
			t.Fatalf("verify without the key file: %+v", r)
		}
		if _, err := os.Stat(filepath.Join(dir, "none.keys")); err == nil {
			t.Fatal("verify created a key file")
		}
		if r = run(t, "", env, "audit", "frobnicate"); r.code != 2 || !strings.Contains(r.stderr, "unknown subcommand") {
			t.Fatalf("unknown subcommand: %+v", r)
		}

		// The attacker rewrites the first entry and recomputes every hash
		// and the head, unkeyed, as the finding did.
		st := openAt(t, dsn)
		jftest.DropAuditGuard(t, st)
		jftest.RechainAudit(t, st, 1, true, func(e *domain.AuditEntry) {
			if e.Seq == 1 {
				e.Detail = "nothing imported"
			}
		})
		r = run(t, "", env, "audit", "verify")
		if r.code != 1 || !strings.Contains(r.stderr, "audit chain BROKEN at entry 2: it differs from what anchor line 1 recorded at ") {
			t.Fatalf("rewritten chain, with the anchor: %+v", r)
		}
		r = run(t, "", env, "audit", "verify", "--audit-anchor", filepath.Join(dir, "elsewhere"))
		if r.code != 1 || !strings.Contains(r.stderr, "audit chain NOT SEALED: its 3 entries have unkeyed SHA-256 hashes only") {
			t.Fatalf("rewritten chain, without the anchor: %+v", r)
		}
	})
}

// A database of a jiefen before audit keys (an unkeyed chain) is sealed
// once, by the first command that writes, and then verifies.
func TestAuditOldDatabaseSealed(t *testing.T) {
	dir := t.TempDir()
	dsn := filepath.Join(dir, "old.db")
	env := map[string]string{"JIEFEN_DB": dsn, "LANG": "C"}
	if r := run(t, "", env, "divisions", "import", "--from", "../demo/data/zizhou-divisions.csv", "--county", "610831"); r.code != 0 {
		t.Fatalf("%+v", r)
	}
	if r := run(t, "Str0ng#Secret\n", env, "user", "add", "--username", "abc", "--name", "甲", "--role", "admin", "--org", "610831", "--password-stdin"); r.code != 0 {
		t.Fatalf("%+v", r)
	}
	st := jftest.OpenSQLiteAt(t, dsn)
	jftest.DropAuditGuard(t, st)
	jftest.RechainAudit(t, st, 1, true, func(*domain.AuditEntry) {}) // as the old version wrote them
	st.Close()
	if r := run(t, "", env, "audit", "verify"); r.code != 1 || !strings.Contains(r.stderr, "NOT SEALED: its 2 entries") {
		t.Fatalf("old chain: %+v", r)
	}
	if r := run(t, "", env, "audit", "anchor"); r.code != 0 || !strings.Contains(r.stdout, "anchored entry 4") {
		t.Fatalf("anchor (seals first): %+v", r)
	}
	r := run(t, "", env, "audit", "verify")
	if r.code != 0 || !strings.Contains(r.stdout, "audit chain intact: 4 entries verified, sealed under audit key a1 (the first 2, written before audit keys, are sealed by entry 3)") {
		t.Fatalf("sealed old chain: %+v", r)
	}
	if !strings.Contains(r.stdout, "anchor file "+dsn+".audit-anchor: 1 lines match") {
		t.Fatalf("the default anchor file: %+v", r)
	}
}

func openAt(t *testing.T, dsn string) *store.Store {
	t.Helper()
	if store.IsPostgres(dsn) {
		st, err := store.Open(t.Context(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
	return jftest.OpenSQLiteAt(t, dsn)
}
