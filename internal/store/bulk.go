package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"

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
	set := BulkRows{Table: "case_numbers", Cols: []string{"prefix", "year", "last"},
		OnConflict: `ON CONFLICT (prefix, year) DO UPDATE SET last = ` + b.s.dialect.greatest() + `(case_numbers.last, excluded.last)`}
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
	for _, p := range s.dialect.bulkSettings() {
		if _, err := conn.ExecContext(ctx, p); err != nil {
			conn.Close()
			return nil, wrap(err, "bulk: "+p)
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
	for _, p := range b.s.dialect.bulkRestore() {
		b.conn.ExecContext(context.Background(), p)
	}
	err := b.conn.Close()
	b.conn = nil
	return errors.Join(rerr, err)
}

// Load writes one batch in one transaction: all of it or none of it.
func (b *Bulk) Load(ctx context.Context, sets ...BulkRows) error {
	return b.s.dialect.bulkLoad(ctx, b, sets)
}

// Finish brings sequences and the planner's statistics up to date after a
// bulk load.
func (b *Bulk) Finish(ctx context.Context, tables ...string) error {
	if err := b.restoreIndexes(ctx); err != nil {
		return err
	}
	return b.s.dialect.bulkFinish(ctx, b.conn, tables)
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
	q := b.s.dialect.indexDefsSQL()
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
	q := b.s.dialect.tableExistsSQL("bulk_deferred_indexes")
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
