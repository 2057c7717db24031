package cli

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"jiefen/internal/crypto"
	"jiefen/internal/domain"
	"jiefen/internal/service"
	"jiefen/internal/service/identity"
	"jiefen/internal/store"
)

func sqlitePath(dsn string) string { return strings.TrimPrefix(dsn, "sqlite:") }

// sqliteURL is how store.Open names an SQLite file to the driver.
func sqliteURL(path, query string) string {
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + query
}

// isSQLiteFile checks that path is a regular file with the SQLite header.
func isSQLiteFile(path string) error {
	fh, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("there is no database at %s", path)
	} else if err != nil {
		return fmt.Errorf("cannot read %s: %w", path, err)
	}
	defer fh.Close()
	if fi, err := fh.Stat(); err == nil && !fi.Mode().IsRegular() {
		return fmt.Errorf("%s is not a file", path)
	}
	head := make([]byte, 16)
	if _, err := io.ReadFull(fh, head); err != nil || string(head) != "SQLite format 3\x00" {
		return fmt.Errorf("%s is not an SQLite database", path)
	}
	return nil
}

// vacuumInto writes a copy of the SQLite file src to the empty file tmp. It
// reads one snapshot in a read transaction, which in WAL mode neither waits
// for the writer nor holds it up. The connection may write (mode=rw, which
// still does not create a missing file) only so that, on an idle database,
// closing it removes the -wal and -shm that opening it made; VACUUM INTO
// itself writes nothing to src, and query_only would refuse it.
func vacuumInto(ctx context.Context, src, tmp string) error {
	db, err := sql.Open("sqlite", sqliteURL(src, "mode=rw&_pragma=busy_timeout(10000)"))
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, `VACUUM INTO $1`, tmp)
	return err
}

type dbInfo struct {
	schema       int
	cases, audit int64
}

// inspectSQLite opens path read-only and checks that it is an intact jiefen
// database. Its errors read after the file's name: "… is not a jiefen database".
func inspectSQLite(ctx context.Context, path string) (dbInfo, error) {
	var info dbInfo
	db, err := sql.Open("sqlite", sqliteURL(path, "mode=ro&_pragma=busy_timeout(10000)"))
	if err != nil {
		return info, fmt.Errorf("cannot be opened: %w", err)
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return info, fmt.Errorf("cannot be read as a database: %w", err)
	}
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return info, fmt.Errorf("cannot be checked: %w", err)
		}
		problems = append(problems, s)
	}
	if err := rows.Err(); err != nil {
		return info, fmt.Errorf("cannot be checked: %w", err)
	}
	if len(problems) != 1 || problems[0] != "ok" {
		if len(problems) > 3 {
			problems = problems[:3]
		}
		return info, fmt.Errorf("fails the integrity check: %s", strings.Join(problems, "; "))
	}
	var tables int
	err = db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table'
		AND name IN ('schema_migrations', 'audit_log', 'audit_head')`).Scan(&tables)
	if err != nil {
		return info, fmt.Errorf("cannot be read: %w", err)
	}
	if tables != 3 {
		return info, errors.New("is an SQLite database but not a jiefen one (no schema_migrations or audit_log table)")
	}
	if err := db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&info.schema); err != nil {
		return info, fmt.Errorf("cannot be read: %w", err)
	}
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM audit_log`).Scan(&info.audit); err != nil {
		return info, fmt.Errorf("cannot be read: %w", err)
	}
	// Matters exist from schema version 2 on.
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM cases`).Scan(&info.cases); err != nil && info.schema >= 2 {
		return info, fmt.Errorf("cannot be read: %w", err)
	}
	return info, nil
}

// latestSchema is the newest SQLite schema version this binary knows.
func latestSchema() (int, error) {
	ms, err := store.Migrations("sqlite")
	if err != nil || len(ms) == 0 {
		return 0, err
	}
	return ms[len(ms)-1].Version, nil
}

// verifyAuditAt walks the audit chain of the SQLite file at path, checking
// the seals with the key file at keys when there is one (without it only
// the links and the unkeyed hashes of old can be checked: Unsealed counts
// the rest).
func verifyAuditAt(ctx context.Context, path, keys string) (domain.VerifyResult, error) {
	st, err := store.Open(ctx, "sqlite:"+path)
	if err != nil {
		return domain.VerifyResult{}, fmt.Errorf("cannot be opened: %w", err)
	}
	defer st.Close()
	svc := service.New(st, slog.New(slog.DiscardHandler), identity.DefaultPolicy())
	if k, err := crypto.Load(keys); err == nil {
		svc.SetKeys(k)
	} else if !errors.Is(err, os.ErrNotExist) {
		return domain.VerifyResult{}, err
	}
	res, err := svc.VerifyAudit(ctx, "")
	if err != nil {
		return res, fmt.Errorf("cannot verify the audit chain: %w", err)
	}
	if res.BrokenAt != 0 {
		return res, fmt.Errorf("the audit chain is BROKEN at entry %d (%s); refusing to restore it", res.BrokenAt, res.Reason)
	}
	return res, nil
}

// notInUse fails when another connection (a running jiefen serve) has the
// SQLite file at path open: such a connection keeps a shared lock on a WAL
// database, so an exclusive lock cannot be had.
func notInUse(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite", sqliteURL(path, "_pragma=busy_timeout(0)"))
	if err != nil {
		return err
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	_, err = conn.ExecContext(ctx, `PRAGMA locking_mode = EXCLUSIVE`)
	if err == nil {
		_, err = conn.ExecContext(ctx, `BEGIN EXCLUSIVE; COMMIT`)
	}
	var se *msqlite.Error
	if errors.As(err, &se) && (se.Code()&0xff == sqlite3.SQLITE_BUSY || se.Code()&0xff == sqlite3.SQLITE_LOCKED) {
		return fmt.Errorf("%s is in use (is jiefen serve running on it?); stop it first", path)
	}
	return nil // a damaged file is no obstacle: it is moved aside
}

// moveAside renames db (and its -wal and -journal, which hold committed data)
// to db.before-restore-<time>, and returns that name.
func moveAside(db string) (string, error) {
	base := db + ".before-restore-" + time.Now().Format("20060102-150405")
	aside := base
	for i := 2; exists(aside) || exists(aside+"-wal"); i++ {
		aside = fmt.Sprintf("%s-%d", base, i)
	}
	// The anchor file beside it witnesses its audit chain, not the restored one's.
	for _, suffix := range []string{"", "-wal", "-journal", ".audit-anchor"} {
		if !exists(db + suffix) {
			continue
		}
		if err := os.Rename(db+suffix, aside+suffix); err != nil {
			return "", fmt.Errorf("move %s aside: %w", db+suffix, err)
		}
	}
	return aside, nil
}

// tempName reserves an empty file in dir (VACUUM INTO accepts an empty file).
func tempName(dir, pattern string) (string, error) {
	fh, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return "", fmt.Errorf("cannot write in %s: %w", dir, err)
	}
	fh.Close()
	return fh.Name(), nil
}

// publish moves the finished tmp to out: with a hard link when out must not
// be replaced (so a file that appeared meanwhile is not clobbered), else by
// rename.
func publish(tmp, out string, force bool) error {
	if !force {
		err := os.Link(tmp, out)
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("%s already exists; pass --force to replace it", out)
		}
		if err == nil {
			os.Remove(tmp)
			return nil
		}
		// No hard links on this file system: the check made at the start stands.
	}
	if err := os.Rename(tmp, out); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	return nil
}

func copyFile(from, to string) error {
	src, err := os.Open(from)
	if err != nil {
		return fmt.Errorf("cannot read %s: %w", from, err)
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", to, err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return fmt.Errorf("copy %s: %w", from, err)
	}
	if err := dst.Sync(); err != nil {
		dst.Close()
		return fmt.Errorf("sync %s: %w", to, err)
	}
	return dst.Close()
}

// syncFile flushes path to disk and returns its size.
func syncFile(path string) (int64, error) {
	fh, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return 0, err
	}
	defer fh.Close()
	if err := fh.Sync(); err != nil {
		return 0, fmt.Errorf("sync %s: %w", path, err)
	}
	fi, err := fh.Stat()
	if err != nil {
		return 0, err
	}
	return fi.Size(), fh.Close()
}

// syncDir makes a rename in dir durable. Not every platform can sync a
// directory, so it is best effort.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

func sameFile(a, b string) bool {
	fa, errA := os.Stat(a)
	fb, errB := os.Stat(b)
	if errA == nil && errB == nil {
		return os.SameFile(fa, fb)
	}
	absA, errA := filepath.Abs(a)
	absB, errB := filepath.Abs(b)
	return errA == nil && errB == nil && absA == absB
}

// settled checks that closing the checks' connections folded everything
// into the file itself, and removes the empty -wal and the -shm they leave.
func settled(path string) error {
	if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() > 0 {
		return fmt.Errorf("checking %s left a write-ahead log behind; try again", path)
	}
	os.Remove(path + "-wal")
	os.Remove(path + "-shm")
	return nil
}

func removeSQLite(path string) {
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(path + suffix)
	}
}
