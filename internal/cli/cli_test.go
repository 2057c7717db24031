package cli_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"jiefen/internal/cli"
	"jiefen/internal/domain"
	"jiefen/internal/jftest"
)

type result struct {
	code           int
	stdout, stderr string
}

func run(t *testing.T, stdin string, env map[string]string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	getenv := func(k string) string { return env[k] }
	code := cli.Main(context.Background(), args, getenv, strings.NewReader(stdin), &out, &errb)
	return result{code, out.String(), errb.String()}
}

func engines(t *testing.T, fn func(t *testing.T, dsn string)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, filepath.Join(t.TempDir(), "cli.db")) })
	t.Run("postgres", func(t *testing.T) { fn(t, jftest.PostgresDSN(t)) })
}

func TestCLIEndToEnd(t *testing.T) {
	engines(t, func(t *testing.T, dsn string) {
		env := map[string]string{"JIEFEN_DB": dsn, "LANG": "en_US.UTF-8"}
		csv := "../demo/data/zizhou-divisions.csv"
		r := run(t, "", env, "divisions", "import", "--from", csv, "--county", "610831", "--county-name", "子洲县")
		if r.code != 0 || !strings.Contains(r.stdout, "added 294") {
			t.Fatalf("import: %+v", r)
		}
		r = run(t, "", env, "divisions", "import", "--from", csv, "--county", "610831")
		if r.code != 0 || !strings.Contains(r.stdout, "added 0, updated 0, unchanged 293") {
			t.Fatalf("re-import must be harmless: %+v", r)
		}
		r = run(t, "Str0ng#Secret\n", env, "user", "add", "--username", "chief", "--name", "王主任", "--role", "admin", "--org", "610831", "--password-stdin")
		if r.code != 0 || !strings.Contains(r.stdout, "created user chief") {
			t.Fatalf("user add: %+v", r)
		}
		// Duplicate (other case), bad org, weak password, unknown role: non-zero exit with a sentence.
		for _, c := range []struct {
			stdin string
			args  []string
			want  string
		}{
			{"Str0ng#Secret\n", []string{"--username", "CHIEF", "--name", "x", "--role", "admin", "--org", "610831"}, "taken"},
			{"Str0ng#Secret\n", []string{"--username", "other", "--name", "x", "--role", "admin", "--org", "610899"}, "no division"},
			{"password\n", []string{"--username", "other", "--name", "x", "--role", "admin", "--org", "610831"}, "at least 10"},
			{"Str0ng#Secret\n", []string{"--username", "other", "--name", "x", "--role", "emperor", "--org", "610831"}, "Unknown role"},
			{"Str0ng#Secret\n", []string{"--username", "other", "--name", "x", "--role", "admin,leader", "--org", "610831"}, "holds no business role"},
			{"Str0ng#Secret\n", []string{"--username", "other", "--name", "x", "--role", "admin,audit_admin", "--org", "610831"}, "separation of duties"},
		} {
			args := append([]string{"user", "add", "--password-stdin"}, c.args...)
			r = run(t, c.stdin, env, args...)
			if r.code == 0 || !strings.Contains(r.stderr, c.want) {
				t.Errorf("user add %v: exit %d, stderr %q, want %q", c.args, r.code, r.stderr, c.want)
			}
		}
		r = run(t, "", env, "user", "add", "--username", "x1x", "--name", "x", "--role", "admin", "--org", "610831")
		if r.code != 2 || !strings.Contains(r.stderr, "--password-stdin") {
			t.Fatalf("no --password-stdin: %+v", r)
		}
		r = run(t, "", env, "user", "list")
		if r.code != 0 || !strings.Contains(r.stdout, "chief") || !strings.Contains(r.stdout, "must-change-password") {
			t.Fatalf("user list: %+v", r)
		}
		// token create prints the token and nothing else on stdout (once
		// the account has changed its initial password).
		changePassword(t, dsn, "chief")
		r = run(t, "", env, "token", "create", "--username", "chief", "--name", "ci")
		tok := strings.TrimSpace(r.stdout)
		if r.code != 0 || !strings.HasPrefix(tok, "jf_") || strings.Contains(tok, "\n") || strings.Contains(tok, " ") {
			t.Fatalf("token create: %+v", r)
		}
		r = run(t, "", env, "token", "list", "--username", "chief")
		if r.code != 0 || !strings.Contains(r.stdout, "active") || strings.Contains(r.stdout, tok) {
			t.Fatalf("token list (must not show the secret): %+v", r)
		}
		r = run(t, "", env, "user", "reset-password", "--username", "chief")
		if r.code != 0 || len(strings.TrimSpace(r.stdout)) < 10 {
			t.Fatalf("reset: %+v", r)
		}
		r = run(t, "", env, "user", "reset-2fa", "--username", "chief")
		if r.code != 0 || !strings.Contains(r.stdout, "second factor of chief reset") {
			t.Fatalf("reset-2fa: %+v", r)
		}
		if r = run(t, "", env, "user", "reset-2fa", "--username", "ghost"); r.code != 1 || !strings.Contains(r.stderr, "does not exist") {
			t.Fatalf("reset-2fa of an unknown account: %+v", r)
		}
		if r = run(t, "", env, "audit", "search", "--action", "2fa.reset", "--object", "chief"); r.code != 0 || !strings.Contains(r.stdout, "\t2fa.reset\tuser chief\tok\t") {
			t.Fatalf("reset-2fa is audited: %+v", r)
		}
		r = run(t, "", env, "user", "disable", "--username", "chief")
		if r.code != 0 {
			t.Fatalf("disable: %+v", r)
		}
		r = run(t, "", env, "user", "disable", "--username", "ghost")
		if r.code != 1 || !strings.Contains(r.stderr, "does not exist") {
			t.Fatalf("disable unknown: %+v", r)
		}
		r = run(t, "", env, "audit", "verify")
		if r.code != 0 || !strings.Contains(r.stdout, "intact") {
			t.Fatalf("verify: %+v", r)
		}
		// The audit search prints the records as written, newest first.
		r = run(t, "", env, "audit", "search", "--action", "user.", "--object", "chief", "--limit", "2")
		if lines := strings.Split(strings.TrimSpace(r.stdout), "\n"); r.code != 0 || len(lines) != 2 || !strings.Contains(lines[1], "\tuser.reset_password\tuser chief\tok\t") {
			t.Fatalf("audit search: %+v", r)
		}
		if r = run(t, "", env, "audit", "search", "--to", "yesterday"); r.code != 2 || !strings.Contains(r.stderr, "must be dates") {
			t.Fatalf("audit search, bad date: %+v", r)
		}
		if r = run(t, "", env, "security", "report"); r.code != 0 || !strings.Contains(r.stdout, "alerts (30 days): 0") || !strings.Contains(r.stdout, "cap 60 a day") {
			t.Fatalf("security report: %+v", r)
		}
		r = run(t, "", env, "migrate")
		if r.code != 0 || !strings.Contains(r.stdout, "applied 0 migration(s)") {
			t.Fatalf("migrate: %+v", r)
		}
	})
}

func TestAuditVerifyDetectsTamper(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "t.db")
	env := map[string]string{"LANG": "C"}
	if r := run(t, "", env, "divisions", "import", "--db", dsn, "--from", "../demo/data/zizhou-divisions.csv", "--county", "610831"); r.code != 0 {
		t.Fatalf("%+v", r)
	}
	if r := run(t, "Str0ng#Secret\n", env, "user", "add", "--db", dsn, "--username", "abc", "--name", "甲", "--role", "admin", "--org", "610831", "--password-stdin"); r.code != 0 {
		t.Fatalf("%+v", r)
	}
	st := jftest.OpenSQLiteAt(t, dsn)
	if err := jftest.Exec(st, `DROP TRIGGER audit_log_no_update`); err != nil {
		t.Fatal(err)
	}
	if err := jftest.Exec(st, `UPDATE audit_log SET username = 'someone' WHERE seq = 2`); err != nil {
		t.Fatal(err)
	}
	r := run(t, "", env, "audit", "verify", "--db", dsn)
	if r.code != 1 || !strings.Contains(r.stderr, "BROKEN at entry 2") {
		t.Fatalf("tampered chain: %+v", r)
	}
}

func TestUsageAndVersion(t *testing.T) {
	if r := run(t, "", nil, "version"); r.code != 0 || !strings.HasPrefix(r.stdout, "jiefen ") {
		t.Fatalf("version: %+v", r)
	}
	if r := run(t, "", nil); r.code != 2 {
		t.Fatalf("no command: %+v", r)
	}
	if r := run(t, "", nil, "frobnicate"); r.code != 2 || !strings.Contains(r.stderr, "unknown command") {
		t.Fatalf("unknown: %+v", r)
	}
	if r := run(t, "", nil, "serve", "--log-format", "xml", "--db", filepath.Join(t.TempDir(), "x.db")); r.code != 2 {
		t.Fatalf("bad flag value: %+v", r)
	}
	// The second factor's flags: a bad value is a usage error with a sentence.
	for _, args := range [][]string{{"--2fa", "admins"}, {"--2fa-trust-days", "31"}, {"--2fa-trust-days", "week"}} {
		r := run(t, "", nil, append([]string{"serve", "--db", filepath.Join(t.TempDir(), "x.db")}, args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, args[0]+" must be") {
			t.Errorf("serve %v: %+v", args, r)
		}
	}
	if r := run(t, "", map[string]string{"JIEFEN_2FA": "nobody"}, "serve", "--db", filepath.Join(t.TempDir(), "x.db")); r.code != 2 || !strings.Contains(r.stderr, "--2fa must be") {
		t.Fatalf("JIEFEN_2FA: %+v", r)
	}
	if r := run(t, "", nil, "divisions", "import", "--db", filepath.Join(t.TempDir(), "x.db"), "--from", "/nonexistent.csv"); r.code != 1 {
		t.Fatalf("missing file: %+v", r)
	}
	bad := filepath.Join(t.TempDir(), "bad.csv")
	jftest.WriteFile(t, bad, "code,name,level,parent_code\n610831001,x,township,610831\n61083100X,y,village,610831001\n")
	r := run(t, "", nil, "divisions", "import", "--db", filepath.Join(t.TempDir(), "x.db"), "--from", bad, "--county", "610831")
	if r.code != 1 || !strings.Contains(r.stderr, "bad.csv:3") {
		t.Fatalf("bad csv: %+v", r)
	}
	// Environment variables set flags: JIEFEN_LOG_FORMAT.
	if r := run(t, "", map[string]string{"JIEFEN_LOG_FORMAT": "yaml", "JIEFEN_DB": filepath.Join(t.TempDir(), "y.db")}, "serve"); r.code != 2 || !strings.Contains(r.stderr, "--log-format") {
		t.Fatalf("env flag: %+v", r)
	}
}

func TestCalendarAndCategories(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "c.db")
	env := map[string]string{"JIEFEN_DB": dsn, "LANG": "C"}
	f := filepath.Join(t.TempDir(), "2027.csv")
	jftest.WriteFile(t, f, "date,kind,name\n2027-01-01,holiday,元旦\n2027-02-06,workday,春节调休上班\n")
	if r := run(t, "", env, "calendar", "import", "--from", f); r.code != 0 || !strings.Contains(r.stdout, "recorded 2") {
		t.Fatalf("calendar: %+v", r)
	}
	jftest.WriteFile(t, f, "date,kind,name\n2027-13-01,holiday,x\n")
	if r := run(t, "", env, "calendar", "import", "--from", f); r.code != 1 || !strings.Contains(r.stderr, "Line 2") {
		t.Fatalf("bad calendar: %+v", r)
	}
	if r := run(t, "", env, "categories", "add", "--code", "grassland", "--name", "草场纠纷", "--parent", "land"); r.code != 0 {
		t.Fatalf("category add: %+v", r)
	}
	if r := run(t, "", env, "categories", "list"); r.code != 0 || !strings.Contains(r.stdout, "grassland") || !strings.Contains(r.stdout, "草场纠纷") {
		t.Fatalf("category list: %+v", r)
	}
	if r := run(t, "", env, "categories", "add", "--code", "Bad Code", "--name", "x"); r.code != 1 {
		t.Fatalf("bad code: %+v", r)
	}
}

func TestCasesListAndJobs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k.db")
	st := jftest.OpenSQLiteAt(t, path)
	svc := jftest.Service(st) // same key file as the CLI: beside the database
	jftest.SeedTree(t, svc)
	u := jftest.MakeUser(t, svc, "recep", "610831", domain.RoleReceptionist)
	_, err := svc.RegisterCase(jftest.As(u, "x"), domain.CaseInput{Channel: "visit", Category: "land", OrgCode: "610831101",
		Address: "何家集村", Description: "两户因承包地边界争执，一方扬言毁坏青苗。",
		Parties: []domain.Party{{Role: "applicant", Name: "张建军", IDNumber: "610831199003070024"}}})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	env := map[string]string{"JIEFEN_DB": path, "LANG": "C"}
	r := run(t, "", env, "cases", "list", "--q", "青苗")
	if r.code != 0 || !strings.Contains(r.stdout, "ZZ") || !strings.Contains(r.stdout, "张**") || strings.Contains(r.stdout, "张建军") {
		t.Fatalf("cases list: %+v", r)
	}
	if r := run(t, "", env, "cases", "list", "--q", "610831199003070024"); r.code != 0 || !strings.Contains(r.stdout, "registered") {
		t.Fatalf("by ID number: %+v", r)
	}
	if r := run(t, "", env, "cases", "list", "--status", "flying"); r.code != 2 {
		t.Fatalf("bad status: %+v", r)
	}
	if r := run(t, "", env, "jobs", "run"); r.code != 0 || !strings.Contains(r.stdout, "sent") {
		t.Fatalf("jobs run: %+v", r)
	}
}

func TestAssessCommands(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"JIEFEN_DB": filepath.Join(dir, "a.db"), "LANG": "C"}
	r := run(t, "", env, "assess", "suggest", "--description", "老汉说儿子再不给生活费，就在镇政府门口把农药喝了。")
	if r.code != 0 || !strings.Contains(r.stdout, "category: marriage") || !strings.Contains(r.stdout, "risk: red") || !strings.Contains(r.stdout, "农药…喝") {
		t.Fatalf("suggest: %+v", r)
	}
	if r := run(t, "", env, "assess", "suggest"); r.code != 2 || !strings.Contains(r.stderr, "--description") {
		t.Fatalf("no description: %+v", r)
	}
	r = run(t, "", env, "assess", "rules")
	if r.code != 0 || !strings.Contains(r.stdout, `"version": 0`) || !strings.Contains(r.stdout, `"self_harm"`) {
		t.Fatalf("rules: %+v", r)
	}
	f := filepath.Join(dir, "rules.json")
	jftest.WriteFile(t, f, strings.Replace(r.stdout, `"同归于尽"`, `"同归于尽", "一起死"`, 1))
	if r := run(t, "", env, "assess", "set-rules", "--from", f, "--note", "加一个说法"); r.code != 0 || !strings.Contains(r.stdout, "version 1") {
		t.Fatalf("set-rules: %+v", r)
	}
	if r := run(t, "", env, "assess", "set-rules", "--from", f); r.code != 1 || !strings.Contains(strings.ToLower(r.stderr), "changed") && !strings.Contains(r.stderr, "conflict") && !strings.Contains(r.stderr, "version") {
		t.Fatalf("stale set-rules: %+v", r)
	}
	jftest.WriteFile(t, f, `{"version":1,"rules":{"triggers":[{"code":"x","color":"purple","kind":"words","words":["a"]}]}}`)
	if r := run(t, "", env, "assess", "set-rules", "--from", f); r.code != 1 {
		t.Fatalf("bad rules: %+v", r)
	}
	jftest.WriteFile(t, f, `not json`)
	if r := run(t, "", env, "assess", "set-rules", "--from", f); r.code != 2 || !strings.Contains(r.stderr, "not a rules file") {
		t.Fatalf("not json: %+v", r)
	}
	if r := run(t, "", env, "assess", "suggest", "--description", "他说要和对方一起死。"); r.code != 0 || !strings.Contains(r.stdout, "risk: red") {
		t.Fatalf("edited rule not used: %+v", r)
	}
}

func TestGroupCommands(t *testing.T) {
	dir := t.TempDir()
	dsn := filepath.Join(dir, "g.db")
	env := map[string]string{"JIEFEN_DB": dsn, "LANG": "C"}
	if r := run(t, "", env, "divisions", "import", "--from", "../demo/data/zizhou-divisions.csv", "--county", "610831", "--county-name", "子洲县"); r.code != 0 {
		t.Fatalf("divisions: %+v", r)
	}
	st := jftest.OpenSQLiteAt(t, dsn)
	svc := jftest.Service(st)
	recep := jftest.MakeUser(t, svc, "recep", "610831", domain.RoleReceptionist)
	c, err := svc.RegisterCase(jftest.As(recep, "127.0.0.1"), domain.CaseInput{Channel: "visit", Category: "village_affairs", OrgCode: "610831101",
		Description: "合作社分红迟迟未发，涉及多户社员。", Address: "何家集镇", Parties: []domain.Party{{Role: "applicant", Name: "代表", IDType: "none", NoIDReason: "代表"}}})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	f := filepath.Join(dir, "list.csv")
	jftest.WriteFile(t, f, "\ufeff户主,村,金额\n高一,何家集村委会,820\n高二,何家集村委会,820\n")
	if r := run(t, "", env, "group", "import", "--case", c.Number, "--from", f); r.code != 0 || !strings.Contains(r.stdout, "imported 2") {
		t.Fatalf("group import: %+v", r)
	}
	if r := run(t, "", env, "group", "show", "--case", c.Number); r.code != 0 || !strings.Contains(r.stdout, "2 households") {
		t.Fatalf("group show: %+v", r)
	}
	jftest.WriteFile(t, f, "户主,村\n高三,月亮村\n")
	if r := run(t, "", env, "group", "import", "--case", c.Number, "--from", f); r.code != 1 {
		t.Fatalf("bad list: %+v", r)
	}
}

func TestCentreCommands(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"JIEFEN_DB": filepath.Join(dir, "c.db"), "LANG": "C"}
	if r := run(t, "", env, "divisions", "import", "--from", "../demo/data/zizhou-divisions.csv", "--county", "610831", "--county-name", "子洲县"); r.code != 0 {
		t.Fatalf("divisions: %+v", r)
	}
	if r := run(t, "", env, "centre", "import", "--from", "../demo/data/zizhou-centre.json", "--weeks", "2"); r.code != 0 || !strings.Contains(r.stdout, "17 units") {
		t.Fatalf("centre import: %+v", r)
	}
	if r := run(t, "", env, "centre", "show"); r.code != 0 || !strings.Contains(r.stdout, "hrss") || !strings.Contains(r.stdout, "54 mediators") {
		t.Fatalf("centre show: %+v", r)
	}
	if r := run(t, "Zx9#Qpw-Test-2026\n", env, "user", "add", "--username", "sec", "--name", "书记", "--role", "leader", "--org", "610831", "--password-stdin"); r.code != 0 {
		t.Fatalf("user add: %+v", r)
	}
	if r := run(t, "", env, "centre", "post", "--post", "plc_secretary", "--org", "610831", "--username", "sec"); r.code != 0 {
		t.Fatalf("centre post: %+v", r)
	}
	if r := run(t, "", env, "centre", "post", "--post", "king", "--org", "610831", "--username", "sec"); r.code != 1 {
		t.Fatalf("bad post: %+v", r)
	}
	if r := run(t, "", env, "centre", "assign", "--username", "sec", "--unit", "justice"); r.code != 0 {
		t.Fatalf("assign: %+v", r)
	}
	if r := run(t, "", env, "centre", "assign", "--username", "sec", "--unit", "nosuch"); r.code != 1 {
		t.Fatalf("assign to nothing: %+v", r)
	}
	if r := run(t, "", env, "centre", "import", "--from", filepath.Join(dir, "missing.json")); r.code != 2 {
		t.Fatalf("missing file: %+v", r)
	}
}

func TestStatsCommand(t *testing.T) {
	env := map[string]string{"JIEFEN_DB": filepath.Join(t.TempDir(), "s.db"), "LANG": "C"}
	if r := run(t, "", env, "divisions", "import", "--from", "../demo/data/zizhou-divisions.csv", "--county", "610831", "--county-name", "子洲县"); r.code != 0 {
		t.Fatalf("divisions: %+v", r)
	}
	if r := run(t, "", env, "stats", "--from", "2026-10-01", "--to", "2026-10-31", "--by", "org"); r.code != 0 || !strings.Contains(r.stdout, "合计 子洲县") || !strings.Contains(r.stdout, "何家集镇") {
		t.Fatalf("stats: %+v", r)
	}
	if r := run(t, "", env, "stats", "--from", "10/1", "--to", "2026-10-31"); r.code != 2 {
		t.Fatalf("bad date: %+v", r)
	}
	if r := run(t, "", env, "stats", "--from", "2026-10-01", "--to", "2026-10-31", "--by", "weather"); r.code != 1 {
		t.Fatalf("bad breakdown: %+v", r)
	}
	if r := run(t, "", env, "stats", "--from", "2026-10-01", "--to", "2026-10-31", "--list", "registered"); r.code != 0 || !strings.Contains(r.stdout, "NUMBER") || !strings.HasSuffix(strings.TrimSpace(r.stdout), "0") {
		t.Fatalf("list behind a figure: %+v", r)
	}
	if r := run(t, "", env, "stats", "--from", "2026-10-01", "--to", "2026-10-31", "--list", "weather"); r.code != 1 || !strings.Contains(r.stderr, "figure") {
		t.Fatalf("unknown figure: %+v", r)
	}
	out := filepath.Join(t.TempDir(), "l.xlsx")
	if r := run(t, "", env, "ledger", "--out", out, "--from", "2026-10-01"); r.code != 0 || !strings.Contains(r.stdout, "0 matters written") {
		t.Fatalf("ledger: %+v", r)
	}
	if b, err := os.ReadFile(out); err != nil || !strings.HasPrefix(string(b), "PK") {
		t.Fatalf("ledger file: %v", err)
	}
	if r := run(t, "", env, "ledger"); r.code != 2 {
		t.Fatalf("ledger without --out: %+v", r)
	}
	if r := run(t, "", env, "report", "--month", "2026-10", "--out", filepath.Join(t.TempDir(), "r.xlsx")); r.code != 0 || !strings.Contains(r.stdout, "子洲县 2026-10") {
		t.Fatalf("report: %+v", r)
	}
	if r := run(t, "", env, "report", "--month", "10/2026", "--out", out); r.code != 1 {
		t.Fatalf("bad month: %+v", r)
	}
	if r := run(t, "", env, "board"); r.code != 0 || !strings.Contains(r.stdout, "open 0") {
		t.Fatalf("board: %+v", r)
	}
}
