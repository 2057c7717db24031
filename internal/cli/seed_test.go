package cli_test

import (
	"path/filepath"
	"strings"
	"testing"
)

// The operator's bulk and load commands: a small seed through the CLI
// (the seeder's data is checked on both engines in internal/demo), and the
// sentences bad flags get.
func TestSeedAndLoadtestCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "seed.db")
	env := map[string]string{"LANG": "en_US.UTF-8"}
	r := run(t, "", env, "seed", "--db", db, "--cases", "60", "--persons", "20")
	if r.code != 0 || !strings.Contains(r.stdout, "seeded 60 matters") {
		t.Fatalf("seed: %+v", r)
	}
	if r := run(t, "", env, "cases", "list", "--db", db, "--limit", "200"); r.code != 0 || strings.Count(r.stdout, "ZZ") != 60 {
		t.Fatalf("seeded matters listed: %d, %+v", strings.Count(r.stdout, "ZZ"), r)
	}
	if r := run(t, "", env, "audit", "verify", "--db", db); r.code != 0 {
		t.Fatalf("audit after seed: %+v", r)
	}
	for _, bad := range [][]string{
		{"seed", "--db", db, "--cases", "0"},
		{"seed", "--db", db, "--years", "0"},
		{"loadtest", "--url", "http://127.0.0.1:1"},                                      // no token
		{"loadtest", "--url", "http://10.1.2.3:8080", "--token", "jf_x"},                 // not loopback
		{"loadtest", "--url", "http://127.0.0.1:1", "--token", "jf_x", "--mix", "fly=1"}, // unknown operation
	} {
		r := run(t, "", env, bad...)
		if r.code != 2 || strings.TrimSpace(r.stderr) == "" {
			t.Errorf("%v: exit %d, stderr %q", bad, r.code, r.stderr)
		}
	}
}
