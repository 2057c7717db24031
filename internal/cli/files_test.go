package cli_test

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// Issue 14, point 9: what the commands write for operators is for the
// server's account only (0600) under the usual umask: a backup, a restored
// database, a ledger and a monthly report written with --out.
func TestCommandFilesPrivate(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	dir := t.TempDir()
	src := filepath.Join(dir, "src.db")
	smallDB(t, src)
	out, restored := filepath.Join(dir, "backups", "b.db"), filepath.Join(dir, "restored", "r.db")
	ledger, report := filepath.Join(dir, "l.xlsx"), filepath.Join(dir, "r.xlsx")
	env := map[string]string{"JIEFEN_DB": src, "LANG": "C"}
	for _, args := range [][]string{
		{"backup", "--db", src, "--out", out},
		{"restore", "--from", out, "--db", restored},
		{"ledger", "--out", ledger, "--from", "2026-10-01"},
		{"report", "--month", "2026-10", "--out", report},
	} {
		if r := run(t, "", env, args...); r.code != 0 {
			t.Fatalf("%v: %+v", args, r)
		}
	}
	for _, p := range []string{src, out, restored, ledger, report} {
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v; want 0600", p, err)
			if err == nil {
				t.Logf("mode %v", fi.Mode().Perm())
			}
		}
	}
}
