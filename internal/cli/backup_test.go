package cli_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"jiefen/internal/domain"
	"jiefen/internal/jftest"
)

func backupCase() domain.CaseInput {
	return domain.CaseInput{
		Channel: "visit", Category: "land", OrgCode: "610831101200", Address: "何家集村三组",
		Description: "张家与李家因土地承包经营权边界发生争执，双方多次争吵，李家扬言要毁坏青苗。",
		AmountYuan:  12000.5, PeopleCount: 6,
		Parties: []domain.Party{
			{Role: "applicant", Name: "张建军", IDNumber: "610831199003070024", Phone: "139 1234 5678", Address: "何家集村三组"},
			{Role: "respondent", Name: "李保国", IDType: "none", Phone: "13812345678"},
		},
	}
}

// sqliteDB opens the file at path with database/sql, for checks the store
// has no method for.
func sqliteDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func countRows(t *testing.T, db *sql.DB, q string) int64 {
	t.Helper()
	var n int64
	if err := db.QueryRow(q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// TestBackupUnderLoadRestores takes a backup while matters are being
// registered from several goroutines, restores it elsewhere and checks that
// it holds one consistent moment: no matter without its parties or its audit
// row, at least every matter acknowledged before the backup began, an intact
// file and audit chain.
func TestBackupUnderLoadRestores(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "live.db")
	st := jftest.OpenSQLiteAt(t, src)
	svc := jftest.Service(st)
	jftest.SeedTree(t, svc)
	recep := jftest.MakeUser(t, svc, "recep", "610831", domain.RoleReceptionist)

	var acked atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := svc.RegisterCase(jftest.As(recep, "10.0.0.1"), backupCase()); err != nil {
					t.Errorf("register: %v", err)
					return
				}
				acked.Add(1)
			}
		})
	}
	waitFor := func(n int64) {
		deadline := time.Now().Add(30 * time.Second)
		for acked.Load() < n && !t.Failed() {
			if time.Now().After(deadline) {
				t.Fatalf("only %d matters registered in 30 s", acked.Load())
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	waitFor(20)
	before := acked.Load()
	out := filepath.Join(dir, "backups", "jiefen-backup.db")
	r := run(t, "", map[string]string{"LANG": "C"}, "backup", "--db", "sqlite:"+src, "--out", out)
	waitFor(acked.Load() + 10) // writes go on after the backup too
	close(stop)
	wg.Wait()
	after := acked.Load()
	if r.code != 0 || !strings.Contains(r.stdout, "backed up") {
		t.Fatalf("backup: %+v", r)
	}
	if !strings.Contains(r.stderr, src+".keys") || !strings.Contains(r.stderr, "NOT contain the key file") {
		t.Errorf("backup must remind to save the key file %s.keys: %q", src, r.stderr)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(dir, "backups", ".*")); len(leftovers) > 0 {
		t.Errorf("temporary files left beside the backup: %v", leftovers)
	}

	restored := filepath.Join(dir, "restored", "jiefen.db")
	r = run(t, "", map[string]string{"LANG": "C"}, "restore", "--from", out, "--db", restored)
	if r.code != 0 || !strings.Contains(r.stdout, "audit chain intact") {
		t.Fatalf("restore: %+v", r)
	}
	if !strings.Contains(r.stderr, "no key file at "+restored+".keys") {
		t.Errorf("restore must warn that the key file is missing: %q", r.stderr)
	}
	if !strings.Contains(r.stdout, "audit entries were not checked: there is no key file at "+restored+".keys yet") {
		t.Errorf("restore must say the audit seals went unchecked: %q", r.stdout)
	}

	db := sqliteDB(t, restored)
	var check string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check: %q %v", check, err)
	}
	cases := countRows(t, db, `SELECT count(*) FROM cases`)
	t.Logf("matters acknowledged: %d before the backup, %d at the end; the backup holds %d", before, after, cases)
	if cases < before || cases > after {
		t.Errorf("restored %d matters; want between %d (acknowledged before the backup) and %d", cases, before, after)
	}
	if n := countRows(t, db, `SELECT count(*) FROM cases c WHERE NOT EXISTS (SELECT 1 FROM parties p WHERE p.case_id = c.id)`); n != 0 {
		t.Errorf("%d matters without parties", n)
	}
	if n := countRows(t, db, `SELECT count(*) FROM parties`); n != 2*cases {
		t.Errorf("%d parties for %d matters, want %d", n, cases, 2*cases)
	}
	if n := countRows(t, db, `SELECT count(*) FROM audit_log WHERE action = 'case.register'`); n != cases {
		t.Errorf("%d case.register audit rows for %d matters", n, cases)
	}
	db.Close()

	// The restored database opens, verifies through the service and, with
	// the key file copied beside it, reads the sealed personal data.
	keys, err := os.ReadFile(src + ".keys")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(restored+".keys", keys, 0o600); err != nil {
		t.Fatal(err)
	}
	rst := jftest.OpenSQLiteAt(t, restored)
	rsvc := jftest.Service(rst)
	res, err := rsvc.VerifyAudit(context.Background(), "")
	if err != nil || res.BrokenAt != 0 || res.Checked == 0 {
		t.Fatalf("audit verify of the restored database: %+v %v", res, err)
	}
	if r := run(t, "", map[string]string{"LANG": "C"}, "audit", "verify", "--db", restored); r.code != 0 || !strings.Contains(r.stdout, "intact") {
		t.Fatalf("audit verify (CLI): %+v", r)
	}
}

// smallDB makes a jiefen database with one account at path.
func smallDB(t *testing.T, path string) {
	t.Helper()
	st := jftest.OpenSQLiteAt(t, path)
	svc := jftest.Service(st)
	jftest.SeedTree(t, svc)
	jftest.MakeUser(t, svc, "first", "610831", domain.RoleAdmin)
	st.Close()
}

func TestRestoreRefusesNonDatabase(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target.db")
	junk := filepath.Join(dir, "junk.db")
	jftest.WriteFile(t, junk, "this is a spreadsheet, not a database\n")
	empty := filepath.Join(dir, "empty.db")
	jftest.WriteFile(t, empty, "")
	other := filepath.Join(dir, "other.db")
	odb := sqliteDB(t, other)
	if _, err := odb.Exec(`CREATE TABLE notes (body TEXT)`); err != nil {
		t.Fatal(err)
	}
	odb.Close()
	for _, c := range []struct{ from, want string }{
		{junk, "is not an SQLite database"},
		{empty, "is not an SQLite database"},
		{dir, "is not a file"},
		{filepath.Join(dir, "missing.db"), "there is no database at"},
		{other, "not a jiefen one"},
	} {
		r := run(t, "", nil, "restore", "--from", c.from, "--db", target)
		if r.code != 1 || !strings.Contains(r.stderr, c.want) || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
			t.Errorf("restore from %s: %+v, want exit 1 and one line with %q", filepath.Base(c.from), r, c.want)
		}
	}
	if entries, _ := filepath.Glob(filepath.Join(dir, "*target*")); len(entries) > 0 {
		t.Errorf("a refused restore left files: %v", entries)
	}
	if r := run(t, "", nil, "restore", "--db", target); r.code != 2 || !strings.Contains(r.stderr, "--from is required") {
		t.Errorf("no --from: %+v", r)
	}
	if r := run(t, "", nil, "backup", "--db", junk, "--out", filepath.Join(dir, "b.db")); r.code != 1 || !strings.Contains(r.stderr, "not an SQLite database") {
		t.Errorf("backup of junk: %+v", r)
	}
	if r := run(t, "", nil, "backup", "--db", target); r.code != 2 || !strings.Contains(r.stderr, "--out is required") {
		t.Errorf("no --out: %+v", r)
	}
}

func TestRestoreRefusesBrokenAuditChain(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src.db")
	smallDB(t, src)
	out := filepath.Join(dir, "b.db")
	if r := run(t, "", nil, "backup", "--db", src, "--out", out); r.code != 0 {
		t.Fatalf("backup: %+v", r)
	}
	db := sqliteDB(t, out)
	if _, err := db.Exec(`DROP TRIGGER audit_log_no_update`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE audit_log SET username = 'someone' WHERE seq = 2`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	target := filepath.Join(dir, "target.db")
	copyKeyFile(t, src+".keys", target+".keys") // the backup's key file, put in place first
	r := run(t, "", nil, "restore", "--from", out, "--db", target)
	if r.code != 1 || !strings.Contains(r.stderr, "audit chain is BROKEN at entry 2") {
		t.Fatalf("tampered backup: %+v", r)
	}
	if fileExists(target) {
		t.Error("a tampered backup was put in place")
	}
}

func TestBackupRestoreRefuseExisting(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src.db")
	smallDB(t, src)
	out := filepath.Join(dir, "b.db")
	if r := run(t, "", nil, "backup", "--db", src, "--out", out); r.code != 0 {
		t.Fatalf("backup: %+v", r)
	}
	if r := run(t, "", nil, "backup", "--db", src, "--out", out); r.code != 1 || !strings.Contains(r.stderr, "already exists; pass --force") {
		t.Fatalf("backup over an existing file: %+v", r)
	}
	if r := run(t, "", nil, "backup", "--db", src, "--out", out, "--force"); r.code != 0 {
		t.Fatalf("backup --force: %+v", r)
	}
	if r := run(t, "", nil, "backup", "--db", src, "--out", src, "--force"); r.code != 2 {
		t.Fatalf("backup onto the database itself: %+v", r)
	}

	// The target holds other data: an account "marker" the backup lacks.
	target := filepath.Join(dir, "live.db")
	smallDB(t, target)
	tst := jftest.OpenSQLiteAt(t, target)
	jftest.MakeUser(t, jftest.Service(tst), "marker", "610831", domain.RoleAdmin)
	before, _ := os.ReadFile(target)

	r := run(t, "", nil, "restore", "--from", out, "--db", target)
	if r.code != 1 || !strings.Contains(r.stderr, "already exists; pass --force") {
		t.Fatalf("restore over an existing database: %+v", r)
	}
	if now, _ := os.ReadFile(target); string(now) != string(before) {
		t.Fatal("a refused restore changed the target")
	}
	// Open (as a running server would keep it): refused even with --force.
	r = run(t, "", nil, "restore", "--from", out, "--db", target, "--force")
	if r.code != 1 || !strings.Contains(r.stderr, "in use") {
		t.Fatalf("restore over a database in use: %+v", r)
	}
	// Nor is a live database (with its -wal) accepted as a backup.
	r = run(t, "", nil, "restore", "--from", target, "--db", filepath.Join(dir, "elsewhere.db"))
	if r.code != 1 || !strings.Contains(r.stderr, "live database") {
		t.Fatalf("restore from a live database: %+v", r)
	}
	tst.Close()

	// The key file beside the target is its own, not the backup's: the
	// backup's audit seals do not hold under it, and the restore is refused
	// (its personal data could not be read either).
	r = run(t, "", nil, "restore", "--from", out, "--db", target, "--force")
	if r.code != 1 || !strings.Contains(r.stderr, "audit chain is BROKEN at entry 1") || !strings.Contains(r.stderr, "not the key file that sealed it") {
		t.Fatalf("restore with another database's key file: %+v", r)
	}
	copyKeyFile(t, src+".keys", target+".keys")
	jftest.WriteFile(t, target+".audit-anchor", "the old database's anchors\n")
	r = run(t, "", nil, "restore", "--from", out, "--db", target, "--force")
	if r.code != 0 || !strings.Contains(r.stdout, "kept as "+target+".before-restore-") {
		t.Fatalf("restore --force: %+v", r)
	}
	asides, _ := filepath.Glob(target + ".before-restore-*")
	if len(asides) != 2 || !strings.HasSuffix(asides[1], ".audit-anchor") || fileExists(target+".audit-anchor") {
		t.Fatalf("old database and its audit anchor file not kept aside together: %v", asides)
	}
	if fileExists(target+"-wal") || fileExists(target+"-shm") {
		t.Error("stale -wal/-shm left beside the restored database")
	}
	markers := func(path string) int64 {
		db := sqliteDB(t, path)
		defer db.Close()
		return countRows(t, db, `SELECT count(*) FROM users WHERE username = 'marker'`)
	}
	if markers(target) != 0 {
		t.Error("the restored database still has the old data")
	}
	if markers(asides[0]) != 1 {
		t.Error("the database kept aside lost its data")
	}
}

func TestBackupRestorePostgresDSN(t *testing.T) {
	dsn := "postgres://jiefen:s3cret@db.internal:5432/jiefen?sslmode=verify-full"
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"backup", "--db", dsn, "--out", "/backup/jiefen.dump"}, []string{"pg_dump -Fc -f /backup/jiefen.dump 'postgres://jiefen:xxxxx@db.internal:5432/jiefen?sslmode=verify-full'", "pg_restore"}},
		{[]string{"backup", "--db", dsn}, []string{"pg_dump -Fc -f jiefen.dump"}},
		{[]string{"restore", "--db", dsn, "--from", "/backup/jiefen.dump"}, []string{"pg_restore --clean --if-exists --single-transaction -d 'postgres://jiefen:xxxxx@db.internal:5432/jiefen?sslmode=verify-full' /backup/jiefen.dump", "pg_dump -Fc"}},
	} {
		r := run(t, "", map[string]string{"JIEFEN_DB": "unused.db"}, c.args...)
		if r.code != 2 || strings.Contains(r.stderr, "s3cret") {
			t.Errorf("%v: %+v, want exit 2 without the password", c.args, r)
		}
		for _, w := range c.want {
			if !strings.Contains(r.stderr, w) {
				t.Errorf("%v: stderr %q, want %q", c.args, r.stderr, w)
			}
		}
	}
}

// copyKeyFile puts the key file from in place at to.
func copyKeyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
