package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"

	"jiefen/internal/domain"
)

// postgresDialect is PostgreSQL: several instances may share the database,
// a tsvector column with a GIN index for search, COPY for bulk loads.
type postgresDialect struct{}

func (postgresDialect) name() string { return "postgres" }

// readOnlyTxOption: one pool serves reads and writes.
func (postgresDialect) readOnlyTxOption() bool { return true }

// soleOwner: other instances may write too.
func (postgresDialect) soleOwner() bool { return false }

// migrationLock: two instances starting together migrate one at a time.
func (postgresDialect) migrationLock() string { return `SELECT pg_advisory_xact_lock(7215001)` }

func (postgresDialect) forUpdate() string { return " FOR UPDATE" }
func (postgresDialect) ilike() string     { return "ILIKE" }
func (postgresDialect) greatest() string  { return "GREATEST" }

// notifyChannel is the schema's NOTIFY channel (see eventChannel).
func (d postgresDialect) notifyChannel(ctx context.Context, db *sql.DB) (string, error) {
	var schema string
	if err := db.QueryRowContext(ctx, `SELECT COALESCE(current_schema(), 'public')`).Scan(&schema); err != nil {
		return "", fmt.Errorf("store: current schema: %w", d.mapErr(err))
	}
	return eventChannel(schema), nil
}

// unindexed: the planner weighs the conditions itself.
func (postgresDialect) unindexed(col string) string { return col }

func (postgresDialect) jsonField(col, key string) string {
	return `((` + col + `::jsonb)->>'` + key + `')`
}

func (postgresDialect) notAfter(at, text string) string {
	return at + ` <= ` + text + `::timestamptz`
}

func (postgresDialect) monthInChina(col string) string {
	return `to_char(` + col + ` AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM')`
}

func (d postgresDialect) indexNewCase(ctx context.Context, tx *Tx, id int64, tokens string) error {
	return d.reindexCase(ctx, tx, id, tokens)
}

func (postgresDialect) reindexCase(ctx context.Context, tx *Tx, id int64, tokens string) error {
	_, err := tx.exec(ctx, `UPDATE cases SET search = to_tsvector('simple', $1) WHERE id = $2`, tokens, id)
	return err
}

func (postgresDialect) searchCondition(tokens []string) (string, any) {
	return "c.search @@ plainto_tsquery('simple', ?)", strings.Join(tokens, " ")
}

func (postgresDialect) searchJoinsFTS() bool { return false }

// pageIDs: the page's ids first, from the cases table alone: PostgreSQL then
// answers from an index (the status index carries the place), where with
// the joins it walked the primary key through every newer matter (the
// newest are never archived, say, but the planner assumes statuses are
// spread evenly over time). Then the rows.
func (postgresDialect) pageIDs(ctx context.Context, tx *Tx, w where, f domain.CaseFilter) ([]int64, bool, error) {
	if len(f.Tokens) > 0 {
		ids, err := tx.searchIDsPostgres(ctx, w.sql(), w.args, f.BeforeID, f.Limit)
		return ids, true, err
	}
	ids, err := tx.ids(ctx, `SELECT c.id FROM cases c`+w.sql()+` ORDER BY c.id DESC LIMIT `+strconv.Itoa(f.Limit), w.args)
	return ids, true, err
}

// searchWindow is the first window of newest ids a PostgreSQL search looks
// in (a common word fills a page there).
var searchWindow int64 = 2000

// searchIDsPostgres finds the ids of the newest matches of a full-text
// query on PostgreSQL. Walking the primary key newest first is quick for a
// common word and reads the whole table for a rare one; the GIN index is
// quick for a rare word and fetches every match of a common one to sort
// them; and the planner cannot tell which case it is in (a bigram that
// never occurs is estimated at thousands of rows). So the search looks in
// a window of the newest ids that widens tenfold until the page is full:
// the first, small window is read along the primary key (a common word
// fills the page there); the wider ones through the GIN index ANDed with the
// id range (a rare word costs a few cheap index probes, never a walk of the
// whole table).
func (tx *Tx) searchIDsPostgres(ctx context.Context, where string, args []any, top int64, limit int) ([]int64, error) {
	if top <= 0 {
		if err := tx.queryRow(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM cases`).Scan(&top); err != nil {
			return nil, tx.scanErr(err, "newest case")
		}
	}
	defer tx.exec(ctx, `SET LOCAL enable_indexscan = DEFAULT`)
	for window := searchWindow; ; window *= 10 {
		if window > searchWindow {
			if _, err := tx.exec(ctx, `SET LOCAL enable_indexscan = off`); err != nil {
				return nil, err
			}
		}
		q, a := `SELECT c.id FROM cases c`+where, args
		lo := top - window
		if lo > 0 {
			a = append(append([]any{}, args...), lo)
			q += ` AND c.id >= $` + strconv.Itoa(len(a))
		}
		out, err := tx.ids(ctx, q+` ORDER BY c.id DESC LIMIT `+strconv.Itoa(limit), a)
		if err != nil {
			return nil, err
		}
		if len(out) >= limit || lo <= 0 {
			return out, nil
		}
	}
}

// bulkLoad streams each set with COPY in one transaction.
func (d postgresDialect) bulkLoad(ctx context.Context, b *Bulk, sets []BulkRows) error {
	return b.conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		tx, err := pc.Begin(ctx)
		if err != nil {
			return d.mapErr(fmt.Errorf("store: bulk begin: %w", err))
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
					return d.mapErr(fmt.Errorf("store: bulk upsert %s: %w", set.Table, err))
				}
				continue
			}
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{set.Table}, set.Cols, pgx.CopyFromRows(rows)); err != nil {
				return d.mapErr(fmt.Errorf("store: bulk copy %s: %w", set.Table, err))
			}
		}
		if q, args := factsOf(d, sets); q != "" {
			if _, err := tx.Exec(ctx, q, args...); err != nil {
				return d.mapErr(fmt.Errorf("store: bulk facts: %w", err))
			}
		}
		if err := tx.Commit(ctx); err != nil {
			return d.mapErr(fmt.Errorf("store: bulk commit: %w", err))
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

func (postgresDialect) bulkSettings() []string { return nil }
func (postgresDialect) bulkRestore() []string  { return nil }

func (postgresDialect) bulkFinish(ctx context.Context, conn *sql.Conn, tables []string) error {
	for _, t := range tables {
		if _, err := conn.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('`+t+`', 'id'), COALESCE((SELECT max(id) FROM `+t+`), 0) + 1, false)`); err != nil {
			return wrap(err, "bulk: sequence of "+t)
		}
		// VACUUM sets the visibility map, so the count queries of the
		// work queues run as index-only scans on the loaded rows.
		if _, err := conn.ExecContext(ctx, `VACUUM (ANALYZE) `+t); err != nil {
			return wrap(err, "bulk: vacuum "+t)
		}
	}
	return nil
}

func (postgresDialect) indexDefsSQL() string {
	return `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = $1
			AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = to_regclass($1))`
}

func (postgresDialect) tableExistsSQL(table string) string {
	return `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = '` + table + `'`
}

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
