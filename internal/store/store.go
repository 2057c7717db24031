// Package store keeps jiefen's data in SQLite (embedded, the default) or
// PostgreSQL. SQL is written by hand with $n placeholders for both engines;
// the differences live in dialect.go.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // driver "pgx"
	_ "modernc.org/sqlite"             // driver "sqlite"

	"jiefen/internal/domain"
)

// Store is an open database: a single-connection writer pool and a reader
// pool on SQLite, one pool on PostgreSQL.
type Store struct {
	write *sql.DB
	read  *sql.DB
	stmts map[*sql.DB]*stmtCache // SQLite only
	group *committer             // SQLite only: group commit of writers
	// dueGen counts committed changes that can alter which matters are
	// overdue; overdue keeps counts computed at a generation (see countOverdue).
	dueGen  atomic.Int64
	overdue sync.Map
	dialect dialect
	// Path is the SQLite file ("" on PostgreSQL); attachments and keys live
	// beside it.
	Path string
	dsn  string
	now  func() time.Time
	// channel is the NOTIFY channel for events on PostgreSQL ("" on SQLite).
	channel string
}

// SQLiteSynchronous is SQLite's durability setting. FULL: a commit waits
// until the write-ahead log is on the disk, so an acknowledged change
// survives a power cut or an operating-system crash, not only a crash of
// jiefen (NORMAL's promise). Group commit (group.go) shares that wait
// between the writers queued at the moment.
const SQLiteSynchronous = "FULL"

// IsPostgres reports whether dsn selects PostgreSQL.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open opens (and creates, for SQLite) the database named by dsn. It does not
// migrate; call Migrate.
func Open(ctx context.Context, dsn string) (*Store, error) {
	s := &Store{now: time.Now, dsn: dsn}
	if IsPostgres(dsn) {
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, fmt.Errorf("store: open postgres: %w", err)
		}
		db.SetMaxOpenConns(20)
		db.SetMaxIdleConns(10)
		db.SetConnMaxIdleTime(5 * time.Minute)
		s.write, s.read, s.dialect = db, db, postgresDialect{}
	} else {
		path := strings.TrimPrefix(dsn, "sqlite:")
		if path == "" {
			return nil, errors.New("store: empty SQLite path")
		}
		if err := privateFile(path); err != nil {
			return nil, err
		}
		pragmas := "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(ON)&_pragma=synchronous(" + SQLiteSynchronous + ")&_pragma=temp_store(MEMORY)&_txlock=immediate"
		u := "file:" + (&url.URL{Path: path}).EscapedPath()
		w, err := sql.Open("sqlite", u+pragmas)
		if err != nil {
			return nil, fmt.Errorf("store: open sqlite: %w", err)
		}
		w.SetMaxOpenConns(1)
		w.SetConnMaxLifetime(0)
		// Readers keep 8 MB of pages each (SQLite's default is 2 MB): list
		// pages and searches over a million matters then read from memory
		// instead of asking the kernel for every page.
		r, err := sql.Open("sqlite", u+strings.Replace(pragmas, "&_txlock=immediate", "&_txlock=deferred", 1)+"&_pragma=query_only(ON)&_pragma=cache_size(-8192)")
		if err != nil {
			w.Close()
			return nil, fmt.Errorf("store: open sqlite reader: %w", err)
		}
		// More readers than cores only queue inside SQLite and hold memory.
		r.SetMaxOpenConns(max(4, 2*runtime.GOMAXPROCS(0)))
		r.SetMaxIdleConns(max(4, 2*runtime.GOMAXPROCS(0)))
		s.write, s.read, s.dialect, s.Path = w, r, sqliteDialect{}, path
		s.stmts = map[*sql.DB]*stmtCache{w: newStmtCache(w), r: newStmtCache(r)}
		s.startCommitter()
	}
	if err := s.Ping(ctx); err != nil {
		s.Close()
		return nil, err
	}
	channel, err := s.dialect.notifyChannel(ctx, s.write)
	if err != nil {
		s.Close()
		return nil, err
	}
	s.channel = channel
	return s, nil
}

// privateFile makes the SQLite file at path, and its folder, before SQLite
// would (mode 0600, the folder 0750): the file holds password hashes and
// sealed personal data, and SQLite gives the -wal and -shm it makes the
// database file's mode. An existing file that others may read or write is
// closed to them, and its -wal and -shm with it.
func privateFile(path string) error {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return fmt.Errorf("store: create %s: %w", dir, err)
		}
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err == nil {
		return f.Close()
	}
	if !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("store: create %s: %w", path, err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o077 != 0 {
			if err := os.Chmod(p, fi.Mode().Perm()&0o700); err != nil {
				return fmt.Errorf("store: make %s private: %w", p, err)
			}
		}
	}
	return nil
}

// Ping checks that the database answers (for /readyz).
func (s *Store) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := s.write.PingContext(ctx); err != nil {
		return &domain.Error{Code: domain.Unavailable, Key: "error.db_unavailable", Err: err}
	}
	return nil
}

// Close closes both pools.
func (s *Store) Close() error {
	if s.group != nil {
		s.group.close()
	}
	for _, c := range s.stmts {
		c.close()
	}
	err := s.write.Close()
	if s.read != s.write {
		err = errors.Join(err, s.read.Close())
	}
	return err
}

// Engine names the database engine: "sqlite" or "postgres".
func (s *Store) Engine() string { return s.dialect.name() }

// Shared reports whether other server processes may use the database at
// the same time (PostgreSQL), so that what one publishes must travel
// through the database to the others; a SQLite file is one process's.
func (s *Store) Shared() bool { return !s.dialect.soleOwner() }

// SetClock replaces the clock (tests).
func (s *Store) SetClock(now func() time.Time) { s.now = now }

// Now returns the store's clock reading in UTC.
func (s *Store) Now() time.Time { return s.now().UTC() }

// DSN returns the data source name the store was opened with.
func (s *Store) DSN() string { return s.dsn }
