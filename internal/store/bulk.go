package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"

	"jiefen/internal/domain"
)

// BulkRows is one table's share of a bulk batch. Values are plain Go values:
// string, int, int64, float64, nil, and time.Time (the zero time is NULL).
// The rows carry their own ids, so rows of other tables can point at them.
//
// The column "search" of table "cases" holds the space-separated search
// tokens (domain.SearchTokens): on SQLite they go to the FTS5 table, on
// PostgreSQL into the tsvector column.
type BulkRows struct {
	Table string
	Cols  []string
	Rows  [][]any
	// OnConflict, when set, makes the rows an upsert ("ON CONFLICT … DO
	// UPDATE …"); such sets are written with INSERT on both engines.
	OnConflict string
}

// CountDelta is what a bulk batch adds to one group of the kept counts.
type CountDelta struct {
	Status   domain.Status
	Path     string
	Assignee int64
	N        int
}

// Counts makes the batch's additions to the kept counts (case_counts), so
// they commit with the matters they count.
func (b *Bulk) Counts(ds []CountDelta) BulkRows {
	set := BulkRows{Table: "case_counts", Cols: []string{"status", "org_path", "assignee_id", "n"},
		OnConflict: `ON CONFLICT (status, org_path, assignee_id) DO UPDATE SET n = case_counts.n + excluded.n`}
	for _, d := range ds {
		set.Rows = append(set.Rows, []any{string(d.Status), d.Path, d.Assignee, int64(d.N)})
	}
	return set
}

// CaseNumbers moves the per-year number counters past the numbers a batch
// used (never backwards), in the batch's own transaction: a load stopped
// half-way leaves counters that agree with the matters it wrote.
func (b *Bulk) CaseNumbers(prefix string, last map[int]int64) BulkRows {
	greatest := "GREATEST"
	if b.s.dialect.name() == "sqlite" {
		greatest = "MAX"
	}
	set := BulkRows{Table: "case_numbers", Cols: []string{"prefix", "year", "last"},
		OnConflict: `ON CONFLICT (prefix, year) DO UPDATE SET last = ` + greatest + `(case_numbers.last, excluded.last)`}
	for y, n := range last {
		set.Rows = append(set.Rows, []any{prefix, int64(y), n})
	}
	return set
}

// Bulk loads large data sets (the synthetic data of `jiefen seed`, an
// import) at the database's own speed: one transaction per batch, multi-row
// INSERTs on SQLite, COPY on PostgreSQL. It skips the service's per-row
// checks, so the caller must hand it complete, consistent rows; it is for
// operators, never for requests.
type Bulk struct {
	s       *Store
	conn    *sql.Conn
	dropped []string // CREATE INDEX statements to run again in Finish
}

// Bulk takes the writer connection for a bulk load; Close gives it back.
func (s *Store) Bulk(ctx context.Context) (*Bulk, error) {
	conn, err := s.write.Conn(ctx)
	if err != nil {
		return nil, s.dialect.mapErr(fmt.Errorf("store: bulk: %w", err))
	}
	if s.dialect.name() == "sqlite" {
		// A large page cache keeps the indexes' working set in memory while
		// millions of rows go in (about 400 MB at most, given back on Close).
		// Durability during the load is the batch's commit; the WAL is
		// synced at the end (Finish) instead of at every checkpoint.
		for _, p := range []string{`PRAGMA cache_size = -400000`, `PRAGMA synchronous = OFF`, `PRAGMA wal_autocheckpoint = 50000`} {
			if _, err := conn.ExecContext(ctx, p); err != nil {
				conn.Close()
				return nil, wrap(err, "bulk: "+p)
			}
		}
	}
	return &Bulk{s: s, conn: conn}, nil
}

// Close restores the connection's settings and returns it to the pool. It
// may be called more than once.
func (b *Bulk) Close() error {
	if b.conn == nil {
		return nil
	}
	// A load that stopped before Finish gives the indexes back now.
	rerr := b.restoreIndexes(context.Background())
	if b.s.dialect.name() == "sqlite" {
		for _, p := range []string{`PRAGMA wal_checkpoint(TRUNCATE)`, `PRAGMA synchronous = ` + SQLiteSynchronous, `PRAGMA wal_autocheckpoint = 1000`, `PRAGMA cache_size = -2000`} {
			b.conn.ExecContext(context.Background(), p)
		}
	}
	err := b.conn.Close()
	b.conn = nil
	return errors.Join(rerr, err)
}

// Load writes one batch in one transaction: all of it or none of it.
func (b *Bulk) Load(ctx context.Context, sets ...BulkRows) error {
	if b.s.dialect.name() == "postgres" {
		return b.copyPostgres(ctx, sets)
	}
	tx, err := b.conn.BeginTx(ctx, nil)
	if err != nil {
		return b.s.dialect.mapErr(fmt.Errorf("store: bulk begin: %w", err))
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
	if q, args := factsOf(b.s.dialect, sets); q != "" {
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return b.s.dialect.mapErr(fmt.Errorf("store: bulk facts: %w", err))
		}
	}
	if err := tx.Commit(); err != nil {
		return b.s.dialect.mapErr(fmt.Errorf("store: bulk commit: %w", err))
	}
	b.s.dueGen.Add(1) // the loaded matters may be overdue
	return nil
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

// copyPostgres streams each set with COPY in one transaction.
func (b *Bulk) copyPostgres(ctx context.Context, sets []BulkRows) error {
	return b.conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		tx, err := pc.Begin(ctx)
		if err != nil {
			return b.s.dialect.mapErr(fmt.Errorf("store: bulk begin: %w", err))
		}
		defer tx.Rollback(ctx)
		for _, set := range sets {
			if len(set.Rows) == 0 {
				continue
			}
			rows := set.Rows
			for i, c := range set.Cols {
				if c != "search" {
					continue
				}
				for _, r := range rows {
					r[i] = tsvector(r[i])
				}
			}
			for _, r := range rows {
				for i, v := range r {
					if t, ok := v.(time.Time); ok && t.IsZero() {
						r[i] = nil
					}
				}
			}
			if set.OnConflict != "" {
				if err := upsertPostgres(ctx, tx, set); err != nil {
					return b.s.dialect.mapErr(fmt.Errorf("store: bulk upsert %s: %w", set.Table, err))
				}
				continue
			}
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{set.Table}, set.Cols, pgx.CopyFromRows(rows)); err != nil {
				return b.s.dialect.mapErr(fmt.Errorf("store: bulk copy %s: %w", set.Table, err))
			}
		}
		if q, args := factsOf(b.s.dialect, sets); q != "" {
			if _, err := tx.Exec(ctx, q, args...); err != nil {
				return b.s.dialect.mapErr(fmt.Errorf("store: bulk facts: %w", err))
			}
		}
		if err := tx.Commit(ctx); err != nil {
			return b.s.dialect.mapErr(fmt.Errorf("store: bulk commit: %w", err))
		}
		return nil
	})
}

// upsertPostgres writes an upsert set with multi-row INSERTs (COPY cannot
// resolve conflicts).
func upsertPostgres(ctx context.Context, tx pgx.Tx, set BulkRows) error {
	per := max(1, 30000/len(set.Cols))
	for start := 0; start < len(set.Rows); start += per {
		chunk := set.Rows[start:min(start+per, len(set.Rows))]
		var b strings.Builder
		args := make([]any, 0, len(chunk)*len(set.Cols))
		b.WriteString("INSERT INTO " + set.Table + " (" + strings.Join(set.Cols, ", ") + ") VALUES ")
		for i, r := range chunk {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(")
			for j, v := range r {
				if j > 0 {
					b.WriteString(", ")
				}
				args = append(args, v)
				fmt.Fprintf(&b, "$%d", len(args))
			}
			b.WriteString(")")
		}
		if _, err := tx.Exec(ctx, b.String()+" "+set.OnConflict, args...); err != nil {
			return err
		}
	}
	return nil
}

// tsvector builds the value to_tsvector('simple', tokens) would give for
// application-made tokens (lower-case words and hex-encoded bigrams, which
// the simple configuration keeps as they are), without positions.
func tsvector(v any) any {
	s, _ := v.(string)
	seen := map[string]bool{}
	var lx []pgtype.TSVectorLexeme
	for _, w := range strings.Fields(s) {
		if !seen[w] {
			seen[w] = true
			lx = append(lx, pgtype.TSVectorLexeme{Word: w})
		}
	}
	return pgtype.TSVector{Lexemes: lx, Valid: true}
}

// Finish brings sequences and the planner's statistics up to date after a
// bulk load.
func (b *Bulk) Finish(ctx context.Context, tables ...string) error {
	if err := b.restoreIndexes(ctx); err != nil {
		return err
	}
	for _, t := range tables {
		if b.s.dialect.name() == "postgres" {
			if _, err := b.conn.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('`+t+`', 'id'), COALESCE((SELECT max(id) FROM `+t+`), 0) + 1, false)`); err != nil {
				return wrap(err, "bulk: sequence of "+t)
			}
			// VACUUM sets the visibility map, so the count queries of the
			// work queues run as index-only scans on the loaded rows.
			if _, err := b.conn.ExecContext(ctx, `VACUUM (ANALYZE) `+t); err != nil {
				return wrap(err, "bulk: vacuum "+t)
			}
		}
	}
	if b.s.dialect.name() == "sqlite" {
		if _, err := b.conn.ExecContext(ctx, `ANALYZE`); err != nil {
			return wrap(err, "bulk: analyze")
		}
	}
	return nil
}

// MaxID is the largest id of a table (0 when empty): a bulk load numbers its
// rows after it.
func (b *Bulk) MaxID(ctx context.Context, table string) (int64, error) {
	var n int64
	err := b.conn.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM `+table).Scan(&n)
	return n, wrap(err, "bulk: max id of "+table)
}

// CaseNumber reads the last number given in a year (CaseNumbers moves it
// forward past the numbers a bulk load used).
func (b *Bulk) CaseNumber(ctx context.Context, prefix string, year int) (int64, error) {
	var n int64
	err := b.conn.QueryRowContext(ctx, `SELECT COALESCE(MAX(last), 0) FROM case_numbers WHERE prefix = $1 AND year = $2`, prefix, year).Scan(&n)
	return n, wrap(err, "bulk: case number")
}

// DeferIndexes drops the secondary indexes of the tables (not the primary
// keys and not the unique constraints, which keep guarding the data) so the
// load appends rows instead of updating a dozen B-trees at random places;
// Finish builds them again by sorting, which is much faster. Should the
// process die before Finish, the next DeferIndexes or Finish restores them:
// their definitions are kept in bulk_deferred_indexes until rebuilt.
func (b *Bulk) DeferIndexes(ctx context.Context, tables ...string) error {
	if err := b.restoreIndexes(ctx); err != nil {
		return err
	}
	var q string
	if b.s.dialect.name() == "postgres" {
		q = `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = $1
			AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = to_regclass($1))`
	} else {
		q = `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = $1 AND sql IS NOT NULL`
	}
	if _, err := b.conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS bulk_deferred_indexes (name TEXT PRIMARY KEY, def TEXT NOT NULL)`); err != nil {
		return wrap(err, "bulk: deferred index table")
	}
	for _, t := range tables {
		defs, err := b.indexDefs(ctx, q, t)
		if err != nil {
			return wrap(err, "bulk: list indexes")
		}
		for _, d := range defs {
			// Remembered and dropped together: a crash leaves neither or both.
			tx, err := b.conn.BeginTx(ctx, nil)
			if err != nil {
				return wrap(err, "bulk: drop index")
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO bulk_deferred_indexes (name, def) VALUES ($1, $2)`, d[0], d[1]); err != nil {
				tx.Rollback()
				return wrap(err, "bulk: remember index")
			}
			if _, err := tx.ExecContext(ctx, `DROP INDEX `+d[0]); err != nil {
				tx.Rollback()
				return wrap(err, "bulk: drop index")
			}
			if err := tx.Commit(); err != nil {
				return wrap(err, "bulk: drop index")
			}
		}
	}
	return nil
}

// restoreIndexes builds every index DeferIndexes dropped.
func (b *Bulk) restoreIndexes(ctx context.Context) error {
	var exists int
	q := `SELECT COUNT(*) FROM sqlite_master WHERE name = 'bulk_deferred_indexes'`
	if b.s.dialect.name() == "postgres" {
		q = `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'bulk_deferred_indexes'`
	}
	if err := b.conn.QueryRowContext(ctx, q).Scan(&exists); err != nil {
		return wrap(err, "bulk: deferred indexes")
	}
	if exists == 0 {
		return nil
	}
	defs, err := b.indexDefs(ctx, `SELECT name, def FROM bulk_deferred_indexes ORDER BY name`)
	if err != nil {
		return wrap(err, "bulk: deferred indexes")
	}
	for _, d := range defs {
		tx, err := b.conn.BeginTx(ctx, nil)
		if err != nil {
			return wrap(err, "bulk: rebuild index "+d[0])
		}
		if _, err := tx.ExecContext(ctx, d[1]); err != nil {
			tx.Rollback()
			return wrap(err, "bulk: rebuild index "+d[0])
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM bulk_deferred_indexes WHERE name = $1`, d[0]); err != nil {
			tx.Rollback()
			return wrap(err, "bulk: rebuilt index "+d[0])
		}
		if err := tx.Commit(); err != nil {
			return wrap(err, "bulk: rebuild index "+d[0])
		}
	}
	return nil
}

// indexDefs reads (name, definition) pairs of indexes.
func (b *Bulk) indexDefs(ctx context.Context, q string, args ...any) ([][2]string, error) {
	rows, err := b.conn.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var defs [][2]string
	for rows.Next() {
		var n, d string
		if err := rows.Scan(&n, &d); err != nil {
			return nil, err
		}
		defs = append(defs, [2]string{n, d})
	}
	return defs, rows.Err()
}

// factsOf is the statement recording the statistics' facts of a batch's
// timeline events ("" when it has none): by the batch's own event ids
// when it numbers them, else every event after the last fact.
func factsOf(d dialect, sets []BulkRows) (string, []any) {
	for _, set := range sets {
		if set.Table != "case_events" || len(set.Rows) == 0 {
			continue
		}
		col := slices.Index(set.Cols, "id")
		if col < 0 {
			return factsAfter(d), nil
		}
		lo, hi := int64(math.MaxInt64), int64(0)
		for _, r := range set.Rows {
			var id int64
			switch v := r[col].(type) {
			case int64:
				id = v
			case int:
				id = int64(v)
			default:
				return factsAfter(d), nil
			}
			lo, hi = min(lo, id), max(hi, id)
		}
		return factsSQL(d, "e.id >= $1 AND e.id <= $2"), []any{lo, hi}
	}
	return "", nil
}
