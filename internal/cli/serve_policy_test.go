package cli

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// serve's lockout flags reach the policy; without them it is the
// documented default (5 failures in 15 minutes lock for 30, IA-4); a value
// that would lock every sign-in, or never unlock, is a usage error.
func TestServeLockoutFlags(t *testing.T) {
	read := func(args ...string) (failures int, window, lock time.Duration, err error) {
		f := (&env{getenv: func(string) string { return "" }, stderr: io.Discard}).newFlags("serve")
		p := lockoutFlags(f)
		err = f.parse(args)
		return p.LockoutFailures, p.LockoutWindow, p.LockoutDuration, err
	}
	if n, w, l, err := read(); err != nil || n != 5 || w != 15*time.Minute || l != 30*time.Minute {
		t.Fatalf("defaults: %d in %s lock for %s (%v); want 5 in 15m0s for 30m0s", n, w, l, err)
	}
	n, w, l, err := read("--lockout-failures", "3", "--lockout-window", "10m", "--lockout-duration", "1h")
	if err != nil || n != 3 || w != 10*time.Minute || l != time.Hour {
		t.Fatalf("flags: %d in %s lock for %s (%v)", n, w, l, err)
	}
	for _, bad := range [][]string{{"--lockout-failures", "0"}, {"--lockout-window", "0s"}, {"--lockout-duration", "30s"}, {"--lockout-duration", "48h"}} {
		_, _, _, err := read(bad...)
		if _, ok := err.(usageError); !ok || !strings.Contains(err.Error(), bad[0]) {
			t.Errorf("%v: want a usage error naming the flag, got %v", bad, err)
		}
	}
}

// The lockout values can come from the environment too, like every flag.
func TestServeLockoutFromEnv(t *testing.T) {
	vars := map[string]string{"JIEFEN_LOCKOUT_DURATION": "45m"}
	f := (&env{getenv: func(k string) string { return vars[k] }, stderr: io.Discard}).newFlags("serve")
	p := lockoutFlags(f)
	if err := f.parse(nil); err != nil || p.LockoutDuration != 45*time.Minute {
		t.Fatalf("JIEFEN_LOCKOUT_DURATION=45m: %s, %v", p.LockoutDuration, err)
	}
}

// Issue 14, point 9: the server's log file (the demo's demo.log) holds
// addresses and usernames: it is made 0600.
func TestServeLogFilePrivate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "logs", "demo.log")
	_, closeLog, err := (&env{getenv: func(string) string { return "" }, stderr: io.Discard}).serveLogger("text", "info", path)
	if err != nil {
		t.Fatal(err)
	}
	closeLog()
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("log file: %v; want 0600 (%v)", err, fi)
	}
}

// serve's reveal-budget and idle-account flags reach the policy; a value
// outside its range is a usage error naming the flag.
func TestServeBudgetFlags(t *testing.T) {
	f := (&env{getenv: func(string) string { return "" }, stderr: io.Discard}).newFlags("serve")
	p := lockoutFlags(f)
	if err := f.parse([]string{"--reveal-daily-cap", "30", "--reveal-per-minute", "5", "--account-idle-days", "0"}); err != nil {
		t.Fatal(err)
	}
	if p.RevealDailyCap != 30 || p.RevealPerMinute != 5 || p.AccountIdle != 0 {
		t.Fatalf("policy: %d a day, %d a minute, idle %s", p.RevealDailyCap, p.RevealPerMinute, p.AccountIdle)
	}
	for _, bad := range [][]string{{"--reveal-daily-cap", "0"}, {"--reveal-per-minute", "x"}, {"--account-idle-days", "-1"}} {
		f := (&env{getenv: func(string) string { return "" }, stderr: io.Discard}).newFlags("serve")
		lockoutFlags(f)
		if err := f.parse(bad); err == nil || !strings.Contains(err.Error(), bad[0]) {
			t.Errorf("%v: want a usage error naming the flag, got %v", bad, err)
		}
	}
}
