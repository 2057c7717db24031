// Package jftest holds test helpers shared by jiefen's packages: a store on
// each engine (SQLite in a temp dir, PostgreSQL in a throw-away schema), a
// service acting as the CLI, the Zizhou tree and accounts.
package jftest

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"jiefen/internal/crypto"
	"jiefen/internal/demo"
	"jiefen/internal/division"
	"jiefen/internal/domain"
	"jiefen/internal/service"
	"jiefen/internal/service/identity"
	"jiefen/internal/store"
)

// PGEnv names the variable that points tests at PostgreSQL.
const PGEnv = "JIEFEN_TEST_PG"

// Engines runs fn once per engine as subtests "sqlite" and "postgres". Without
// JIEFEN_TEST_PG the PostgreSQL run is skipped with a message, except under CI
// (CI=true), where that is a failure.
func Engines(t *testing.T, fn func(t *testing.T, st *store.Store)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, OpenSQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, OpenPostgres(t)) })
}

// OpenSQLite opens a migrated SQLite store in a temp dir.
func OpenSQLite(t testing.TB) *store.Store {
	t.Helper()
	return open(t, "sqlite:"+filepath.Join(t.TempDir(), "test.db"))
}

// PostgresDSN returns a DSN for a fresh schema, dropped at cleanup, or skips.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv(PGEnv)
	if base == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not set under CI: the PostgreSQL suite must run", PGEnv)
		}
		t.Skipf("PostgreSQL tests skipped: set %s=postgres://root@127.0.0.1:5432/test to run them", PGEnv)
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		t.Fatalf("postgres at %s is not reachable: %v", base, err)
	}
	t.Cleanup(func() {
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	})
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "search_path=" + schema
}

// OpenPostgres opens a migrated store in a fresh PostgreSQL schema.
func OpenPostgres(t testing.TB) *store.Store {
	t.Helper()
	return open(t, PostgresDSN(t))
}

func open(t testing.TB, dsn string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("open %s: %v", dsn, err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return st
}

// FastPolicy is the default policy with cheap argon2 parameters, so tests
// hash quickly; production parameters are tested separately. No account is
// required to use a second factor (identity.SecondFactorOff): the tests of
// the second factor turn it on with ServiceWith.
func FastPolicy() identity.Policy {
	p := identity.DefaultPolicy()
	p.Argon = identity.ArgonParams{Memory: 1024, Time: 1, Threads: 1}
	p.AccountIdle = 0 // tests that move the clock months on keep their accounts; TestIdleAccountsDisabled sets it
	p.SecondFactor = identity.SecondFactorOff
	return p
}

// Logger discards logs unless JIEFEN_TEST_LOG is set.
func Logger() *slog.Logger {
	if os.Getenv("JIEFEN_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// Service builds a service on st with the fast policy and a fresh keyring.
func Service(st *store.Store) *service.Service { return ServiceWith(st, FastPolicy()) }

// ServiceWith builds a service on st with policy p and a fresh keyring.
func ServiceWith(st *store.Store, p identity.Policy) *service.Service {
	svc := service.New(st, Logger(), p)
	path := filepath.Join(os.TempDir(), "jiefen-test-"+hex.EncodeToString(randBytes(6))+".keys")
	if !store.IsPostgres(st.DSN()) {
		path = strings.TrimPrefix(st.DSN(), "sqlite:") + ".keys" // removed with the test's temp dir
	}
	k, err := crypto.LoadOrCreate(path)
	if err != nil {
		panic(err)
	}
	svc.SetKeys(k)
	svc.SetFilesDir(strings.TrimSuffix(path, ".keys") + ".files")
	return svc
}

// Keyring is a fresh keyring in a key file in the test's temp dir (for
// store tests that seal audit entries without a service).
func Keyring(t testing.TB) *crypto.Keyring {
	t.Helper()
	k, err := crypto.LoadOrCreate(filepath.Join(t.TempDir(), "test.keys"))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func randBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// CLI returns a context whose actor is the operator's CLI.
func CLI() context.Context {
	return domain.WithActor(context.Background(), domain.OperatorActor())
}

// As returns a context acting as u from ip.
func As(u *domain.User, ip string) context.Context {
	return domain.WithActor(context.Background(), &domain.Actor{User: u, IP: ip, RequestID: "test", Via: "web"})
}

// SeedTree imports Zizhou County and creates one grid cell in 何家集村
// (610831101200001) and one in 双湖峪村 (610831001200001).
func SeedTree(t testing.TB, svc *service.Service) {
	t.Helper()
	nodes, err := division.ReadCSV(bytes.NewReader(demo.ZizhouCSV), "zizhou.csv", demo.County)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ImportDivisions(CLI(), nodes, demo.County, "子洲县"); err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"610831101200", "610831001200"} {
		if _, err := svc.CreateGridCell(CLI(), v, "第一网格"); err != nil {
			t.Fatal(err)
		}
	}
}

// Password is the password MakeUser gives every account.
const Password = "Tq7#mLw2vX9p"

// MakeUser creates an active account (no forced change) and returns it.
func MakeUser(t testing.TB, svc *service.Service, username string, org string, roles ...domain.Role) *domain.User {
	t.Helper()
	u, err := svc.CreateUser(CLI(), identity.NewUser{Username: username, Name: "测试" + username, Roles: roles, OrgCode: org, Password: Password, NoForcedChange: true})
	if err != nil {
		t.Fatalf("create user %s: %v", username, err)
	}
	return u
}

// Exec runs a raw statement on st's database through a separate connection,
// as someone with direct database access would (tamper tests).
func Exec(st *store.Store, q string, args ...any) error {
	db, err := rawDB(st)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.Exec(q, args...)
	return err
}

// DropAuditGuard drops the triggers that keep audit_log append-only, as an
// attacker with direct database access would first (tamper tests).
func DropAuditGuard(t testing.TB, st *store.Store) {
	t.Helper()
	drop := map[string][]string{
		"sqlite":   {`DROP TRIGGER audit_log_no_update`, `DROP TRIGGER audit_log_no_delete`},
		"postgres": {`DROP TRIGGER audit_log_no_change ON audit_log`},
	}[st.Engine()]
	for _, q := range drop {
		if err := Exec(st, q); err != nil {
			t.Fatal(err)
		}
	}
}

// RechainAudit is the attacker with write access to the database (the
// finding of issue 14): it changes entries with edit, then recomputes every
// hash from entry from on as the unkeyed SHA-256 (dropping the key IDs
// when unkey) and sets the head to match. The audit guard must be dropped
// first (DropAuditGuard). It returns the chain as rewritten, in seq order
// (at most 500 entries).
func RechainAudit(t testing.TB, st *store.Store, from int64, unkey bool, edit func(e *domain.AuditEntry)) []*domain.AuditEntry {
	t.Helper()
	var list []*domain.AuditEntry
	err := st.View(context.Background(), func(tx *store.Tx) error {
		var err error
		list, err = tx.Audit(context.Background(), domain.AuditFilter{Limit: 500})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(list)
	prev := domain.GenesisHash
	for _, e := range list {
		if e.Seq < from {
			prev = e.Hash
			continue
		}
		edit(e)
		if unkey {
			e.KeyID = ""
		}
		e.PrevHash = prev
		e.Hash = e.ComputeHash()
		prev = e.Hash
		if err := Exec(st, `UPDATE audit_log SET username = $1, detail = $2, prev_hash = $3, hash = $4, key_id = $5 WHERE seq = $6`,
			e.Username, e.Detail, e.PrevHash, e.Hash, e.KeyID, e.Seq); err != nil {
			t.Fatal(err)
		}
	}
	last := list[len(list)-1]
	if err := Exec(st, `UPDATE audit_head SET seq = $1, hash = $2, key_id = $3 WHERE id = 1`, last.Seq, last.Hash, last.KeyID); err != nil {
		t.Fatal(err)
	}
	return list
}

// Count runs a raw SELECT COUNT(*)-like query (one integer) on st's database.
func Count(st *store.Store, q string, args ...any) (int64, error) {
	db, err := rawDB(st)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var n int64
	err = db.QueryRow(q, args...).Scan(&n)
	return n, err
}

func rawDB(st *store.Store) (*sql.DB, error) {
	driver, dsn := "sqlite", st.DSN()
	if store.IsPostgres(dsn) {
		driver = "pgx"
	} else {
		dsn = "file:" + strings.TrimPrefix(dsn, "sqlite:") + "?_pragma=busy_timeout(5000)"
	}
	return sql.Open(driver, dsn)
}

// OpenSQLiteAt opens (and migrates) the SQLite file at path.
func OpenSQLiteAt(t testing.TB, path string) *store.Store {
	t.Helper()
	return open(t, "sqlite:"+path)
}

// CountsDrift compares the kept counts (case_counts) with the matters, both
// ways, and returns how many groups or count rows disagree (0: in step).
func CountsDrift(st *store.Store) (int64, error) {
	missing, err := Count(st, `SELECT COUNT(*) FROM (
		SELECT status, org_path, COALESCE(assignee_id, 0) AS a, COUNT(*) AS n FROM cases GROUP BY status, org_path, COALESCE(assignee_id, 0)
	) t LEFT JOIN case_counts k ON k.status = t.status AND k.org_path = t.org_path AND k.assignee_id = t.a
	WHERE k.n IS NULL OR k.n <> t.n`)
	if err != nil {
		return 0, err
	}
	extra, err := Count(st, `SELECT COUNT(*) FROM case_counts k WHERE k.n <> (SELECT COUNT(*) FROM cases c
		WHERE c.status = k.status AND c.org_path = k.org_path AND COALESCE(c.assignee_id, 0) = k.assignee_id)`)
	return missing + extra, err
}

// WriteFile writes a test's input file and fails the test if it cannot.
func WriteFile(t testing.TB, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatalf("write %s: %v", path, err)
	}
}
