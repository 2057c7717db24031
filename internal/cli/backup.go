package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"jiefen/internal/domain"
	"jiefen/internal/store"
)

// backup takes a consistent copy of a live SQLite database with VACUUM INTO:
// it reads one snapshot while the server goes on writing (WAL mode), and the
// copy is a single self-contained file. The key file and attachments are not
// in it; the command says where they are.
func (e *env) backup(args []string) error {
	db, out, force, keyFile, err := e.fileFlags("backup", args, "database DSN", "out", "the backup file to write",
		"replace --out if it exists", "key file for personal data, to name in the reminder (default: beside the SQLite file)")
	if err != nil {
		return err
	}
	if store.IsPostgres(*db) {
		return usageError{fmt.Sprintf("backup: jiefen backs up SQLite only; for PostgreSQL run pg_dump -Fc -f %s '%s' (restore it with pg_restore --clean --if-exists --single-transaction -d '%[2]s' %[1]s)", dumpName(*out), redactDSN(*db))}
	}
	src := sqlitePath(*db)
	if err := checkBackupTarget(src, *out, *force); err != nil {
		return err
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
	info, size, err := e.copyForBackup(src, tmp)
	if err != nil {
		return err
	}
	if err := publish(tmp, *out, *force); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	done = true
	syncDir(dir)
	fmt.Fprintf(e.stdout, "backed up %s to %s in %s: %d bytes, schema version %d, %d matters, %d audit entries\n",
		src, *out, time.Since(start).Round(time.Millisecond), size, info.schema, info.cases, info.audit)
	e.remindAfterBackup(*db, *keyFile)
	return nil
}

// fileFlags parses backup's and restore's flags: --db, the other file
// (fileFlag: out or from), --force and --key-file, with their help texts.
func (e *env) fileFlags(name string, args []string, dbHelp, fileFlag, fileHelp, forceHelp, keyHelp string) (db, file *string, force *bool, keyFile *string, err error) {
	f := e.newFlags(name)
	db = f.str("db", DefaultDB, dbHelp)
	file = f.String(fileFlag, "", fileHelp)
	force = f.Bool("force", false, forceHelp)
	keyFile = f.str("key-file", "", keyHelp)
	if err := f.parse(args); err != nil {
		return nil, nil, nil, nil, err
	}
	return db, file, force, keyFile, nil
}

// dumpName is the dump file to name in the PostgreSQL advice (file, or
// jiefen.dump).
func dumpName(file string) string {
	if file == "" {
		return "jiefen.dump"
	}
	return file
}

// checkBackupTarget checks the backup's source and destination: out is
// given and is not the database itself, src is an SQLite file, and an
// existing out is a file to be replaced only with force.
func checkBackupTarget(src, out string, force bool) error {
	if out == "" {
		return usageError{"backup: --out is required (jiefen backup --db DSN --out FILE)"}
	}
	if src == "" {
		return usageError{"backup: --db names no SQLite file"}
	}
	if err := isSQLiteFile(src); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if sameFile(src, out) {
		return usageError{"backup: --out must not be the database itself"}
	}
	if fi, err := os.Stat(out); err == nil {
		if fi.IsDir() {
			return fmt.Errorf("backup: %s is a directory; give a file name with --out", out)
		}
		if !force {
			return fmt.Errorf("backup: %s already exists; pass --force to replace it", out)
		}
	}
	return nil
}

// copyForBackup copies src into tmp, checks the copy and flushes it to
// disk; it returns what the copy holds and its size.
func (e *env) copyForBackup(src, tmp string) (dbInfo, int64, error) {
	if err := vacuumInto(e.ctx, src, tmp); err != nil {
		return dbInfo{}, 0, fmt.Errorf("backup: copy %s: %w", src, err)
	}
	info, err := inspectSQLite(e.ctx, tmp)
	if err != nil {
		return dbInfo{}, 0, fmt.Errorf("backup: the copy of %s %w", src, err)
	}
	size, err := syncFile(tmp)
	if err != nil {
		return dbInfo{}, 0, fmt.Errorf("backup: %w", err)
	}
	return info, size, nil
}

// remindAfterBackup says that the key file and the attachments are not in
// the backup, and where they are.
func (e *env) remindAfterBackup(db, keyFile string) {
	keys, files := e.sideFiles(db, keyFile)
	if _, err := os.Stat(keys); err == nil {
		fmt.Fprintf(e.stderr, "jiefen: the backup does NOT contain the key file %s that seals personal data (ID numbers, phones): back it up separately and keep it apart from the database backups, or that data cannot be read after a restore\n", keys)
	} else {
		fmt.Fprintf(e.stderr, "jiefen: no key file at %s; if this database holds personal data, its key file (--key-file) must be backed up separately, or that data cannot be read after a restore\n", keys)
	}
	if _, err := os.Stat(files); err == nil {
		fmt.Fprintf(e.stderr, "jiefen: attachments are not in the backup either: copy the folder %s as well\n", files)
	}
}

// restore puts a backup file in place of an SQLite database after checking
// that it is a sound jiefen database whose audit chain verifies. An existing
// database is moved aside, never deleted.
func (e *env) restore(args []string) error {
	db, from, force, keyFile, err := e.fileFlags("restore", args, "database DSN to restore into", "from", "the backup file (made by jiefen backup)",
		"replace an existing database (it is kept as <db>.before-restore-<time>)", "key file for personal data, to check for (default: beside the SQLite file)")
	if err != nil {
		return err
	}
	if store.IsPostgres(*db) {
		return usageError{fmt.Sprintf("restore: jiefen restores SQLite only; for PostgreSQL run pg_restore --clean --if-exists --single-transaction -d '%s' %s (from a dump made with pg_dump -Fc -f %[2]s '%[1]s')", redactDSN(*db), dumpName(*from))}
	}
	target := sqlitePath(*db)
	present, err := e.checkRestoreTarget(*from, target, *force)
	if err != nil {
		return err
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
	keys, _ := e.sideFiles(*db, *keyFile)
	info, audit, err := e.copyForRestore(*from, tmp, keys)
	if err != nil {
		return err
	}
	aside, err := putInPlace(tmp, target, present)
	if err != nil {
		return err
	}
	done = true
	syncDir(dir)
	fmt.Fprintf(e.stdout, "restored %s to %s: schema version %d, %d matters, audit chain intact (%d entries)\n", *from, target, info.schema, info.cases, audit.Checked)
	if audit.Unsealed > 0 {
		fmt.Fprintf(e.stdout, "the seals of %d audit entries were not checked: there is no key file at %s yet (check them with jiefen audit verify once it is there)\n", audit.Unsealed, keys)
	}
	if aside != "" {
		fmt.Fprintf(e.stdout, "the previous database is kept as %s\n", aside)
	}
	e.remindAfterRestore(*db, *keyFile)
	return nil
}

// checkRestoreTarget checks the restore's source and destination: from is
// an SQLite file at rest, not the target, and an existing target (which
// no one may have open) is replaced only with force. It reports whether
// there is a database at target.
func (e *env) checkRestoreTarget(from, target string, force bool) (bool, error) {
	if from == "" {
		return false, usageError{"restore: --from is required (jiefen restore --from FILE --db DSN)"}
	}
	if target == "" {
		return false, usageError{"restore: --db names no SQLite file"}
	}
	if sameFile(from, target) {
		return false, usageError{"restore: --from and --db are the same file"}
	}
	if err := isSQLiteFile(from); err != nil {
		return false, fmt.Errorf("restore: %w", err)
	}
	if fi, err := os.Stat(from + "-wal"); err == nil && fi.Size() > 0 {
		return false, fmt.Errorf("restore: %s has a -wal file beside it, so it is a live database or an incomplete copy; take a backup of it with jiefen backup and restore that", from)
	}
	present := exists(target) || exists(target+"-wal") || exists(target+"-journal")
	if present && !force {
		return false, fmt.Errorf("restore: %s already exists; pass --force to keep it as %s.before-restore-<time> and restore over it", target, target)
	}
	if exists(target) {
		if err := notInUse(e.ctx, target); err != nil {
			return false, fmt.Errorf("restore: %w", err)
		}
	}
	return present, nil
}

// copyForRestore copies the backup from into tmp and checks the copy: an
// intact jiefen database of a schema this binary knows, whose audit chain
// verifies (its seals with the key file keys, when it is there), settled
// and flushed to disk. It returns what it holds and what the audit check
// found.
func (e *env) copyForRestore(from, tmp, keys string) (dbInfo, domain.VerifyResult, error) {
	var none domain.VerifyResult
	if err := copyFile(from, tmp); err != nil {
		return dbInfo{}, none, fmt.Errorf("restore: %w", err)
	}
	info, err := inspectSQLite(e.ctx, tmp)
	if err != nil {
		return dbInfo{}, none, fmt.Errorf("restore: %s %w", from, err)
	}
	if latest, err := latestSchema(); err == nil && info.schema > latest {
		return dbInfo{}, none, fmt.Errorf("restore: %s was made by a newer jiefen (schema version %d; this one knows up to %d)", from, info.schema, latest)
	}
	res, err := verifyAuditAt(e.ctx, tmp, keys)
	if err != nil {
		return dbInfo{}, none, fmt.Errorf("restore: %s: %w", from, err)
	}
	if err := settled(tmp); err != nil {
		return dbInfo{}, none, fmt.Errorf("restore: %w", err)
	}
	if _, err := syncFile(tmp); err != nil {
		return dbInfo{}, none, fmt.Errorf("restore: %w", err)
	}
	return info, res, nil
}

// putInPlace moves an existing database aside (present) and renames tmp
// to target; it returns the name the old database is kept under.
func putInPlace(tmp, target string, present bool) (string, error) {
	aside := ""
	if present {
		var err error
		if aside, err = moveAside(target); err != nil {
			return "", fmt.Errorf("restore: %w", err)
		}
	}
	if err := os.Remove(target + "-shm"); err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("restore: remove stale %s-shm: %w", target, err)
	}
	if err := os.Rename(tmp, target); err != nil {
		return "", fmt.Errorf("restore: put %s in place: %w", target, err)
	}
	return aside, nil
}

// remindAfterRestore says which key file and attachments folder the
// restored database will be read with.
func (e *env) remindAfterRestore(db, keyFile string) {
	keys, files := e.sideFiles(db, keyFile)
	if _, err := os.Stat(keys); err == nil {
		fmt.Fprintf(e.stderr, "jiefen: personal data is read with the key file %s: it must be the one in use when the backup was taken\n", keys)
	} else {
		fmt.Fprintf(e.stderr, "jiefen: WARNING: there is no key file at %s: copy the key file that belongs to this backup there before starting jiefen, or the personal data in it cannot be read (jiefen would create a new, different key)\n", keys)
	}
	fmt.Fprintf(e.stderr, "jiefen: attachments are read from %s: restore that folder from the same backup\n", files)
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
