package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"jiefen/internal/domain"
)

// sqliteDialect is embedded SQLite: one process owns the file, a single
// writer connection, FTS5 for search.
type sqliteDialect struct{}

func (sqliteDialect) name() string { return "sqlite" }

// readOnlyTxOption: the reader pool is opened query_only.
func (sqliteDialect) readOnlyTxOption() bool { return false }

// soleOwner: the file is this process's alone.
func (sqliteDialect) soleOwner() bool { return true }

// migrationLock: none needed, no other instance opens the file.
func (sqliteDialect) migrationLock() string { return "" }

// notifyChannel: no other instance to tell.
func (sqliteDialect) notifyChannel(context.Context, *sql.DB) (string, error) { return "", nil }

// forUpdate: the single writer is exclusive already.
func (sqliteDialect) forUpdate() string { return "" }

// ilike: SQLite's LIKE ignores the case of ASCII letters.
func (sqliteDialect) ilike() string { return "LIKE" }

// greatest: SQLite's MAX with two or more arguments.
func (sqliteDialect) greatest() string { return "MAX" }

// unindexed: a unary + keeps the column's indexes out of the plan.
func (sqliteDialect) unindexed(col string) string { return "+" + col }

func (sqliteDialect) jsonField(col, key string) string {
	return `json_extract(` + col + `, '$.` + key + `')`
}

func (sqliteDialect) notAfter(at, text string) string {
	return `julianday(` + at + `) <= julianday(` + text + `)`
}

func (sqliteDialect) monthInChina(col string) string {
	return `strftime('%Y-%m', ` + col + `, '+8 hours')`
}

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

func (sqliteDialect) indexNewCase(ctx context.Context, tx *Tx, id int64, tokens string) error {
	// a new matter: nothing to replace in the index
	_, err := tx.exec(ctx, `INSERT INTO case_fts (rowid, tokens) VALUES ($1, $2)`, id, tokens)
	return err
}

func (sqliteDialect) reindexCase(ctx context.Context, tx *Tx, id int64, tokens string) error {
	_, err := tx.exec(ctx, `DELETE FROM case_fts WHERE rowid = $1`, id)
	if err == nil {
		_, err = tx.exec(ctx, `INSERT INTO case_fts (rowid, tokens) VALUES ($1, $2)`, id, tokens)
	}
	return err
}

func (sqliteDialect) searchCondition(tokens []string) (string, any) {
	q := make([]string, len(tokens))
	for i, t := range tokens {
		q[i] = `"` + t + `"`
	}
	// Cases joins case_fts f for this (see caseFrom): the index is
	// walked newest first and the walk stops at the page's last row.
	return "f.case_fts MATCH ?", strings.Join(q, " ")
}

func (sqliteDialect) searchJoinsFTS() bool { return true }

func (sqliteDialect) pageIDs(context.Context, *Tx, where, domain.CaseFilter) ([]int64, bool, error) {
	return nil, false, nil
}

// bulkSettings: a large page cache keeps the indexes' working set in memory
// while millions of rows go in (about 400 MB at most, given back on Close).
// Durability during the load is the batch's commit; the WAL is synced at
// the end (Finish) instead of at every checkpoint.
func (sqliteDialect) bulkSettings() []string {
	return []string{`PRAGMA cache_size = -400000`, `PRAGMA synchronous = OFF`, `PRAGMA wal_autocheckpoint = 50000`}
}

func (sqliteDialect) bulkRestore() []string {
	return []string{`PRAGMA wal_checkpoint(TRUNCATE)`, `PRAGMA synchronous = ` + SQLiteSynchronous, `PRAGMA wal_autocheckpoint = 1000`, `PRAGMA cache_size = -2000`}
}

// bulkLoad writes multi-row INSERTs; the search tokens go to case_fts.
func (d sqliteDialect) bulkLoad(ctx context.Context, b *Bulk, sets []BulkRows) error {
	tx, err := b.conn.BeginTx(ctx, nil)
	if err != nil {
		return d.mapErr(fmt.Errorf("store: bulk begin: %w", err))
	}
	defer tx.Rollback()
	for _, set := range sets {
		if set.Table == "cases" {
			var fts BulkRows
			set, fts = splitSearch(set)
			if err := insertSQLite(ctx, tx, set); err != nil {
				return err
			}
			set = fts
		}
		if err := insertSQLite(ctx, tx, set); err != nil {
			return err
		}
	}
	if q, args := factsOf(d, sets); q != "" {
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return d.mapErr(fmt.Errorf("store: bulk facts: %w", err))
		}
	}
	if err := tx.Commit(); err != nil {
		return d.mapErr(fmt.Errorf("store: bulk commit: %w", err))
	}
	b.s.dueGen.Add(1) // the loaded matters may be overdue
	return nil
}

func (sqliteDialect) bulkFinish(ctx context.Context, conn *sql.Conn, _ []string) error {
	if _, err := conn.ExecContext(ctx, `ANALYZE`); err != nil {
		return wrap(err, "bulk: analyze")
	}
	return nil
}

func (sqliteDialect) indexDefsSQL() string {
	return `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = $1 AND sql IS NOT NULL`
}

func (sqliteDialect) tableExistsSQL(table string) string {
	return `SELECT COUNT(*) FROM sqlite_master WHERE name = '` + table + `'`
}

// splitSearch moves the "search" column of cases rows into case_fts rows.
func splitSearch(set BulkRows) (cases, fts BulkRows) {
	si := -1
	for i, c := range set.Cols {
		if c == "search" {
			si = i
		}
	}
	if si < 0 {
		return set, BulkRows{Table: "case_fts"}
	}
	cases = BulkRows{Table: "cases", Cols: append(append([]string{}, set.Cols[:si]...), set.Cols[si+1:]...)}
	fts = BulkRows{Table: "case_fts", Cols: []string{"rowid", "tokens"}}
	for _, r := range set.Rows {
		cases.Rows = append(cases.Rows, append(append([]any{}, r[:si]...), r[si+1:]...))
		fts.Rows = append(fts.Rows, []any{r[0], r[si]})
	}
	return cases, fts
}

// insertSQLite writes rows with multi-row INSERTs of up to 500 rows (and
// under SQLite's limit of 32766 bound values), one prepared statement per
// size.
func insertSQLite(ctx context.Context, tx *sql.Tx, set BulkRows) error {
	if len(set.Rows) == 0 {
		return nil
	}
	per := min(500, 32000/len(set.Cols))
	stmts := map[int]*sql.Stmt{}
	defer func() {
		for _, s := range stmts {
			s.Close()
		}
	}()
	args := make([]any, 0, per*len(set.Cols))
	for start := 0; start < len(set.Rows); start += per {
		chunk := set.Rows[start:min(start+per, len(set.Rows))]
		st := stmts[len(chunk)]
		if st == nil {
			one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(set.Cols)), ", ") + ")"
			q := "INSERT INTO " + set.Table + " (" + strings.Join(set.Cols, ", ") + ") VALUES " +
				strings.TrimSuffix(strings.Repeat(one+", ", len(chunk)), ", ") + " " + set.OnConflict
			var err error
			if st, err = tx.PrepareContext(ctx, q); err != nil {
				return wrap(err, "bulk prepare "+set.Table)
			}
			stmts[len(chunk)] = st
		}
		args = args[:0]
		for _, r := range chunk {
			if len(r) != len(set.Cols) {
				return fmt.Errorf("store: bulk %s: a row has %d values for %d columns", set.Table, len(r), len(set.Cols))
			}
			for _, v := range r {
				if t, ok := v.(time.Time); ok {
					v = ts(t)
				}
				args = append(args, v)
			}
		}
		if _, err := st.ExecContext(ctx, args...); err != nil {
			return wrap(err, "bulk insert "+set.Table)
		}
	}
	return nil
}
