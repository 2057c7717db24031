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

	"jiefen/internal/service"
	"jiefen/internal/service/identity"
	"jiefen/internal/store"
)

// backup takes a consistent copy of a live SQLite database with VACUUM INTO:
// it reads one snapshot while the server goes on writing (WAL mode), and the
// copy is a single self-contained file. The key file and attachments are not
// in it; the command says where they are.
func (e *env) backup(args []string) error {
	f := e.newFlags("backup")
	db := f.str("db", DefaultDB, "database DSN")
	out := f.String("out", "", "the backup file to write")
	force := f.Bool("force", false, "replace --out if it exists")
	keyFile := f.str("key-file", "", "key file for personal data, to name in the reminder (default: beside the SQLite file)")
	if err := f.parse(args); err != nil {
		return err
	}
	if store.IsPostgres(*db) {
		file := *out
		if file == "" {
			file = "jiefen.dump"
		}
		return usageError{fmt.Sprintf("backup: jiefen backs up SQLite only; for PostgreSQL run pg_dump -Fc -f %s '%s' (restore it with pg_restore --clean --if-exists --single-transaction -d '%[2]s' %[1]s)", file, redactDSN(*db))}
	}
	src := sqlitePath(*db)
	if *out == "" {
		return usageError{"backup: --out is required (jiefen backup --db DSN --out FILE)"}
	}
	if src == "" {
		return usageError{"backup: --db names no SQLite file"}
	}
	if err := isSQLiteFile(src); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if sameFile(src, *out) {
		return usageError{"backup: --out must not be the database itself"}
	}
	if fi, err := os.Stat(*out); err == nil {
		if fi.IsDir() {
			return fmt.Errorf("backup: %s is a directory; give a file name with --out", *out)
		}
		if !*force {
			return fmt.Errorf("backup: %s already exists; pass --force to replace it", *out)
		}
	}
	dir := filepath.Dir(*out)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("backup: cannot create %s: %w", dir, err)
	}
	tmp, err := tempName(dir, "."+filepath.Base(*out)+".tmp-*")
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	done := false
	defer func() {
		if !done {
			removeSQLite(tmp)
		}
	}()

	start := time.Now()
	if err := vacuumInto(e.ctx, src, tmp); err != nil {
		return fmt.Errorf("backup: copy %s: %w", src, err)
	}
	info, err := inspectSQLite(e.ctx, tmp)
	if err != nil {
		return fmt.Errorf("backup: the copy of %s %w", src, err)
	}
	size, err := syncFile(tmp)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := publish(tmp, *out, *force); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	done = true
	syncDir(dir)
	fmt.Fprintf(e.stdout, "backed up %s to %s in %s: %d bytes, schema version %d, %d matters, %d audit entries\n",
		src, *out, time.Since(start).Round(time.Millisecond), size, info.schema, info.cases, info.audit)
	keys, files := e.sideFiles(*db, *keyFile)
	if _, err := os.Stat(keys); err == nil {
		fmt.Fprintf(e.stderr, "jiefen: the backup does NOT contain the key file %s that seals personal data (ID numbers, phones): back it up separately and keep it apart from the database backups, or that data cannot be read after a restore\n", keys)
	} else {
		fmt.Fprintf(e.stderr, "jiefen: no key file at %s; if this database holds personal data, its key file (--key-file) must be backed up separately, or that data cannot be read after a restore\n", keys)
	}
	if _, err := os.Stat(files); err == nil {
		fmt.Fprintf(e.stderr, "jiefen: attachments are not in the backup either: copy the folder %s as well\n", files)
	}
	return nil
}

// restore puts a backup file in place of an SQLite database after checking
// that it is a sound jiefen database whose audit chain verifies. An existing
// database is moved aside, never deleted.
func (e *env) restore(args []string) error {
	f := e.newFlags("restore")
	db := f.str("db", DefaultDB, "database DSN to restore into")
	from := f.String("from", "", "the backup file (made by jiefen backup)")
	force := f.Bool("force", false, "replace an existing database (it is kept as <db>.before-restore-<time>)")
	keyFile := f.str("key-file", "", "key file for personal data, to check for (default: beside the SQLite file)")
	if err := f.parse(args); err != nil {
		return err
	}
	if store.IsPostgres(*db) {
		file := *from
		if file == "" {
			file = "jiefen.dump"
		}
		return usageError{fmt.Sprintf("restore: jiefen restores SQLite only; for PostgreSQL run pg_restore --clean --if-exists --single-transaction -d '%s' %s (from a dump made with pg_dump -Fc -f %[2]s '%[1]s')", redactDSN(*db), file)}
	}
	target := sqlitePath(*db)
	if *from == "" {
		return usageError{"restore: --from is required (jiefen restore --from FILE --db DSN)"}
	}
	if target == "" {
		return usageError{"restore: --db names no SQLite file"}
	}
	if sameFile(*from, target) {
		return usageError{"restore: --from and --db are the same file"}
	}
	if err := isSQLiteFile(*from); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if fi, err := os.Stat(*from + "-wal"); err == nil && fi.Size() > 0 {
		return fmt.Errorf("restore: %s has a -wal file beside it, so it is a live database or an incomplete copy; take a backup of it with jiefen backup and restore that", *from)
	}
	present := exists(target) || exists(target+"-wal") || exists(target+"-journal")
	if present && !*force {
		return fmt.Errorf("restore: %s already exists; pass --force to keep it as %s.before-restore-<time> and restore over it", target, target)
	}
	if exists(target) {
		if err := notInUse(e.ctx, target); err != nil {
			return fmt.Errorf("restore: %w", err)
		}
	}

	dir := filepath.Dir(target)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("restore: cannot create %s: %w", dir, err)
	}
	tmp, err := tempName(dir, "."+filepath.Base(target)+".restore-*")
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	done := false
	defer func() {
		if !done {
			removeSQLite(tmp)
		}
	}()
	if err := copyFile(*from, tmp); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	info, err := inspectSQLite(e.ctx, tmp)
	if err != nil {
		return fmt.Errorf("restore: %s %w", *from, err)
	}
	if latest, err := latestSchema(); err == nil && info.schema > latest {
		return fmt.Errorf("restore: %s was made by a newer jiefen (schema version %d; this one knows up to %d)", *from, info.schema, latest)
	}
	checked, err := verifyAuditAt(e.ctx, tmp)
	if err != nil {
		return fmt.Errorf("restore: %s: %w", *from, err)
	}
	if err := settled(tmp); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if _, err := syncFile(tmp); err != nil {
		return fmt.Errorf("restore: %w", err)
	}

	aside := ""
	if present {
		if aside, err = moveAside(target); err != nil {
			return fmt.Errorf("restore: %w", err)
		}
	}
	if err := os.Remove(target + "-shm"); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("restore: remove stale %s-shm: %w", target, err)
	}
	if err := os.Rename(tmp, target); err != nil {
		return fmt.Errorf("restore: put %s in place: %w", target, err)
	}
	done = true
	syncDir(dir)
	fmt.Fprintf(e.stdout, "restored %s to %s: schema version %d, %d matters, audit chain intact (%d entries)\n", *from, target, info.schema, info.cases, checked)
	if aside != "" {
		fmt.Fprintf(e.stdout, "the previous database is kept as %s\n", aside)
	}
	keys, files := e.sideFiles(*db, *keyFile)
	if _, err := os.Stat(keys); err == nil {
		fmt.Fprintf(e.stderr, "jiefen: personal data is read with the key file %s: it must be the one in use when the backup was taken\n", keys)
	} else {
		fmt.Fprintf(e.stderr, "jiefen: WARNING: there is no key file at %s: copy the key file that belongs to this backup there before starting jiefen, or the personal data in it cannot be read (jiefen would create a new, different key)\n", keys)
	}
	fmt.Fprintf(e.stderr, "jiefen: attachments are read from %s: restore that folder from the same backup\n", files)
	return nil
}

// sideFiles names the key file and attachments folder for dsn, as loadKeys
// would find them.
func (e *env) sideFiles(dsn, keyFile string) (keys, files string) {
	keys, files = keyFile, e.getenv("JIEFEN_FILES_DIR")
	if keys == "" {
		keys = sqlitePath(dsn) + ".keys"
	}
	if files == "" {
		files = sqlitePath(dsn) + ".files"
	}
	return keys, files
}

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

// verifyAuditAt walks the audit chain of the SQLite file at path.
func verifyAuditAt(ctx context.Context, path string) (int64, error) {
	st, err := store.Open(ctx, "sqlite:"+path)
	if err != nil {
		return 0, fmt.Errorf("cannot be opened: %w", err)
	}
	defer st.Close()
	svc := service.New(st, slog.New(slog.DiscardHandler), identity.DefaultPolicy())
	res, err := svc.VerifyAudit(ctx)
	if err != nil {
		return 0, fmt.Errorf("cannot verify the audit chain: %w", err)
	}
	if res.BrokenAt != 0 {
		return 0, fmt.Errorf("the audit chain is BROKEN at entry %d (%s); refusing to restore it", res.BrokenAt, res.Reason)
	}
	return res.Checked, nil
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
	for _, suffix := range []string{"", "-wal", "-journal"} {
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
