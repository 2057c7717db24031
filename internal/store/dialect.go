package store

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"jiefen/internal/domain"
)

// dialect holds what differs between the engines. It is chosen once in Open.
type dialect interface {
	name() string
	// mapErr turns driver errors into domain errors (not found, conflict,
	// unavailable); other errors pass through.
	mapErr(err error) error
	// forUpdate is the row-lock suffix for SELECT ("" on SQLite, whose
	// writer is already exclusive).
	forUpdate() string
	// ilike is the case-insensitive LIKE operator.
	ilike() string
}

type sqliteDialect struct{}

func (sqliteDialect) name() string      { return "sqlite" }
func (sqliteDialect) forUpdate() string { return "" }
func (sqliteDialect) ilike() string     { return "LIKE" }
func (sqliteDialect) mapErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return &domain.Error{Code: domain.NotFound, Key: "error.not_found", Err: err}
	}
	var se *msqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return &domain.Error{Code: domain.Conflict, Key: "error.duplicate", Err: err}
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return &domain.Error{Code: domain.Invalid, Key: "error.reference", Err: err}
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN:
			return &domain.Error{Code: domain.Unavailable, Key: "error.db_unavailable", Err: err}
		}
		if se.Code()&0xff == sqlite3.SQLITE_BUSY || se.Code()&0xff == sqlite3.SQLITE_IOERR {
			return &domain.Error{Code: domain.Unavailable, Key: "error.db_unavailable", Err: err}
		}
	}
	return err
}

type postgresDialect struct{}

func (postgresDialect) name() string      { return "postgres" }
func (postgresDialect) forUpdate() string { return " FOR UPDATE" }
func (postgresDialect) ilike() string     { return "ILIKE" }
func (postgresDialect) mapErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return &domain.Error{Code: domain.NotFound, Key: "error.not_found", Err: err}
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case pe.Code == "23505":
			return &domain.Error{Code: domain.Conflict, Key: "error.duplicate", Err: err}
		case pe.Code == "23503":
			return &domain.Error{Code: domain.Invalid, Key: "error.reference", Err: err}
		case strings.HasPrefix(pe.Code, "08"), strings.HasPrefix(pe.Code, "57P"), pe.Code == "53300",
			pe.Code == "40P01", pe.Code == "40001": // deadlock or serialization failure: nothing was written, try again
			return &domain.Error{Code: domain.Unavailable, Key: "error.db_unavailable", Err: err}
		}
		return err
	}
	if pgconn.SafeToRetry(err) || isConnErr(err) {
		return &domain.Error{Code: domain.Unavailable, Key: "error.db_unavailable", Err: err}
	}
	return err
}

func isConnErr(err error) bool {
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return true
	}
	s := err.Error()
	return strings.Contains(s, "connection refused") || strings.Contains(s, "broken pipe") ||
		strings.Contains(s, "connection reset") || strings.Contains(s, "unexpected EOF") || errors.Is(err, sql.ErrConnDone) ||
		errors.Is(err, driver.ErrBadConn) // a pooled connection that died (after a client hung up mid-query): try again
}
