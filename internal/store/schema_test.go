package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"jiefen/internal/jftest"
)

// schemaExceptions are the differences between the migrated schemas that are
// meant to be there, each with why. Any other difference fails
// TestSchemasAgree, and so does an exception that no longer occurs.
var schemaExceptions = map[string]string{
	// Full-text search: an FTS5 table on SQLite, a tsvector column on PostgreSQL.
	"table case_fts: only on sqlite":                         "SQLite's FTS5 virtual table over the search tokens (0002); PostgreSQL keeps them in cases.search",
	"table case_fts_config: only on sqlite":                  "FTS5 shadow table of case_fts",
	"table case_fts_content: only on sqlite":                 "FTS5 shadow table of case_fts",
	"table case_fts_data: only on sqlite":                    "FTS5 shadow table of case_fts",
	"table case_fts_docsize: only on sqlite":                 "FTS5 shadow table of case_fts",
	"table case_fts_idx: only on sqlite":                     "FTS5 shadow table of case_fts",
	"column cases.search: only on postgres":                  "PostgreSQL's tsvector of the search tokens (0002); SQLite keeps them in case_fts",
	"index cases (search): only on postgres":                 "the GIN index over cases.search (0002)",
	"index orgs (path): only on postgres":                    "text_pattern_ops, so LIKE 'prefix%' can use an index under a non-C collation (0001); SQLite has no operator classes and keeps only the UNIQUE index on path",
	"index case_counts (status, org_path): only on postgres": "text_pattern_ops for LIKE 'prefix%' on org_path (0013); SQLite has no operator classes and has the primary key (status, org_path, assignee_id)",
	// 0015: the same covering index, spelled as each engine can.
	"index cases (status, id, org_path): only on sqlite":            "SQLite has no INCLUDE: org_path is a trailing key column there (0015)",
	"index cases (status, id) include (org_path): only on postgres": "PostgreSQL carries org_path as an INCLUDE column (0015)",
	// 0024: case_facts is stored in time order on SQLite.
	"primary key case_facts: (at, id) on sqlite, (id) on postgres": "SQLite keeps the facts WITHOUT ROWID keyed by (at, id) so a period is one range (0024)",
	"index case_facts unique (id): only on sqlite":                 "the uniqueness of id, which is the primary key on PostgreSQL (0024)",
	"index case_facts (at): only on postgres":                      "the time order, which is SQLite's primary key (0024)",
	// SQLite lets a non-INTEGER PRIMARY KEY of a rowid table be NULL unless
	// declared NOT NULL (a legacy quirk); PostgreSQL's primary keys are NOT
	// NULL. Declaring it needs a rebuild of tables that a million matters
	// reference; the application always supplies these keys.
	"column orgs.code: nullable on sqlite, NOT NULL on postgres":         "TEXT PRIMARY KEY on SQLite (0001)",
	"column categories.code: nullable on sqlite, NOT NULL on postgres":   "TEXT PRIMARY KEY on SQLite (0002)",
	"column calendar_days.day: nullable on sqlite, NOT NULL on postgres": "TEXT PRIMARY KEY on SQLite (0002)",
	"column job_leases.name: nullable on sqlite, NOT NULL on postgres":   "TEXT PRIMARY KEY on SQLite (0010)",
}

// TestSchemasAgree migrates a database on each engine and compares what the
// catalogues say: the tables, each table's columns (name, type family,
// nullability) and primary key, and its other indexes by (unique, key
// columns, INCLUDE columns, partial or not); index names are not compared.
// Without JIEFEN_TEST_PG it skips.
func TestSchemasAgree(t *testing.T) {
	ctx := context.Background()
	lite, err := readSQLiteSchema(ctx, jftest.OpenSQLite(t).DBForTest())
	if err != nil {
		t.Fatalf("sqlite catalogue: %v", err)
	}
	pg, err := readPostgresSchema(ctx, jftest.OpenPostgres(t).DBForTest())
	if err != nil {
		t.Fatalf("postgres catalogue: %v", err)
	}
	seen := map[string]bool{}
	for _, d := range compareSchemas(lite, pg) {
		if _, ok := schemaExceptions[d.key]; ok {
			seen[d.key] = true
			continue
		}
		t.Errorf("schemas differ: %s%s", d.key, d.detail)
	}
	for _, k := range slices.Sorted(maps.Keys(schemaExceptions)) {
		if !seen[k] {
			t.Errorf("listed exception no longer occurs (remove it from schemaExceptions): %s", k)
		}
	}
}

// dbSchema is what the test compares of an engine's migrated schema.
type dbSchema map[string]*dbTable // by table name

type dbTable struct {
	cols    map[string]dbColumn
	pk      []string            // primary key columns in order
	indexes map[string][]string // indexKey → the names of the indexes with it
}

type dbColumn struct {
	family   string // see sqliteFamily and postgresFamily
	declared string // the type as the catalogue gives it (for messages)
	notNull  bool
}

func (s dbSchema) table(name string) *dbTable {
	if s[name] == nil {
		s[name] = &dbTable{cols: map[string]dbColumn{}, indexes: map[string][]string{}}
	}
	return s[name]
}

// indexKey names an index by what it indexes: "unique (a, b) include (c)
// partial" (a partial index's predicate is not compared, only its presence;
// an expression column reads "<expr>").
func indexKey(unique bool, cols, include []string, partial bool) string {
	k := "(" + strings.Join(cols, ", ") + ")"
	if unique {
		k = "unique " + k
	}
	if len(include) > 0 {
		k += " include (" + strings.Join(include, ", ") + ")"
	}
	if partial {
		k += " partial"
	}
	return k
}

// sqliteFamily is the column's SQLite affinity (the rules of
// https://sqlite.org/datatype3.html#determination_of_column_affinity).
func sqliteFamily(decl string) string {
	d := strings.ToUpper(decl)
	switch {
	case strings.Contains(d, "INT"):
		return "integer"
	case strings.Contains(d, "CHAR"), strings.Contains(d, "CLOB"), strings.Contains(d, "TEXT"):
		return "text"
	case d == "", strings.Contains(d, "BLOB"):
		return "blob"
	case strings.Contains(d, "REAL"), strings.Contains(d, "FLOA"), strings.Contains(d, "DOUB"):
		return "real"
	}
	return "numeric"
}

// postgresFamily maps a PostgreSQL type to the SQLite affinity the project
// stores it with: booleans are INTEGER 0/1 and times are TEXT (RFC 3339) on
// SQLite, so BOOLEAN folds into integer and TIMESTAMPTZ into text. A type
// with no counterpart keeps its own name and so never matches.
func postgresFamily(dataType string) string {
	switch dataType {
	case "smallint", "integer", "bigint", "boolean":
		return "integer"
	case "text", "character varying", "character", "timestamp with time zone", "timestamp without time zone", "date", "json", "jsonb", "uuid":
		return "text"
	case "double precision", "real":
		return "real"
	case "bytea":
		return "blob"
	case "numeric":
		return "numeric"
	}
	return dataType
}

// readSQLiteSchema reads the main database's tables (not SQLite's own
// sqlite_* tables: sqlite_sequence, sqlite_schema, sqlite_stat1).
func readSQLiteSchema(ctx context.Context, db *sql.DB) (dbSchema, error) {
	withoutRowid := map[string]bool{}
	rows, err := db.QueryContext(ctx, `SELECT name, wr FROM pragma_table_list WHERE schema = 'main' AND name NOT LIKE 'sqlite\_%' ESCAPE '\'`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var name string
		var wr bool
		if err := rows.Scan(&name, &wr); err != nil {
			return nil, err
		}
		withoutRowid[name] = wr
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	s := dbSchema{}
	for name, wr := range withoutRowid {
		if err := readSQLiteTable(ctx, db, s.table(name), name, wr); err != nil {
			return nil, fmt.Errorf("table %s: %w", name, err)
		}
	}
	return s, nil
}

func readSQLiteTable(ctx context.Context, db *sql.DB, t *dbTable, name string, withoutRowid bool) error {
	type col struct {
		name, decl string
		notNull    bool
		pk         int
	}
	var cols []col
	err := queryEach(ctx, db, `SELECT name, type, "notnull", pk FROM pragma_table_info($1)`, []any{name}, func(r *sql.Rows) error {
		var c col
		err := r.Scan(&c.name, &c.decl, &c.notNull, &c.pk)
		cols = append(cols, c)
		return err
	})
	if err != nil {
		return err
	}
	slices.SortFunc(cols, func(a, b col) int { return a.pk - b.pk })
	for _, c := range cols {
		if c.pk > 0 {
			t.pk = append(t.pk, c.name)
		}
	}
	for _, c := range cols {
		// The key of a WITHOUT ROWID table, and an INTEGER PRIMARY KEY (the
		// rowid itself), can never be NULL whatever the declaration says.
		rowid := !withoutRowid && len(t.pk) == 1 && c.pk == 1 && strings.EqualFold(c.decl, "INTEGER")
		notNull := c.notNull || rowid || (withoutRowid && c.pk > 0)
		t.cols[c.name] = dbColumn{family: sqliteFamily(c.decl), declared: c.decl, notNull: notNull}
	}
	type index struct {
		name            string
		unique, partial bool
	}
	var idx []index
	err = queryEach(ctx, db, `SELECT name, "unique", partial FROM pragma_index_list($1) WHERE origin <> 'pk'`, []any{name}, func(r *sql.Rows) error {
		var i index
		err := r.Scan(&i.name, &i.unique, &i.partial)
		idx = append(idx, i)
		return err
	})
	if err != nil {
		return err
	}
	for _, i := range idx {
		var keyCols []string
		err := queryEach(ctx, db, `SELECT COALESCE(name, '<expr>') FROM pragma_index_info($1) ORDER BY seqno`, []any{i.name}, func(r *sql.Rows) error {
			var c string
			err := r.Scan(&c)
			keyCols = append(keyCols, c)
			return err
		})
		if err != nil {
			return err
		}
		k := indexKey(i.unique, keyCols, nil, i.partial)
		t.indexes[k] = append(t.indexes[k], i.name)
	}
	return nil
}

// readPostgresSchema reads the base tables of the connection's current schema.
func readPostgresSchema(ctx context.Context, db *sql.DB) (dbSchema, error) {
	s := dbSchema{}
	err := queryEach(ctx, db, `SELECT c.table_name, c.column_name, c.data_type, c.is_nullable = 'NO'
		FROM information_schema.columns c JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
		WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'`, nil, func(r *sql.Rows) error {
		var table, name, dataType string
		var notNull bool
		if err := r.Scan(&table, &name, &dataType, &notNull); err != nil {
			return err
		}
		s.table(table).cols[name] = dbColumn{family: postgresFamily(dataType), declared: dataType, notNull: notNull}
		return nil
	})
	if err != nil {
		return nil, err
	}
	type index struct {
		table                    string
		unique, primary, partial bool
		keys                     int
		cols                     []string
	}
	byName := map[string]*index{}
	err = queryEach(ctx, db, `SELECT t.relname, i.relname, x.indisunique, x.indisprimary, x.indpred IS NOT NULL, x.indnkeyatts,
			COALESCE(a.attname, '<expr>')
		FROM pg_index x
		JOIN pg_class i ON i.oid = x.indexrelid
		JOIN pg_class t ON t.oid = x.indrelid
		JOIN pg_namespace n ON n.oid = t.relnamespace
		CROSS JOIN LATERAL unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
		LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum AND k.attnum > 0
		WHERE n.nspname = current_schema()
		ORDER BY i.relname, k.ord`, nil, func(r *sql.Rows) error {
		var i index
		var name, col string
		if err := r.Scan(&i.table, &name, &i.unique, &i.primary, &i.partial, &i.keys, &col); err != nil {
			return err
		}
		if byName[name] == nil {
			byName[name] = &i
		}
		byName[name].cols = append(byName[name].cols, col)
		return nil
	})
	if err != nil {
		return nil, err
	}
	for name, i := range byName {
		t := s.table(i.table)
		if i.primary {
			t.pk = i.cols
			continue
		}
		k := indexKey(i.unique, i.cols[:i.keys], i.cols[i.keys:], i.partial)
		t.indexes[k] = append(t.indexes[k], name)
	}
	return s, nil
}

// queryEach runs q and calls fn for each row.
func queryEach(ctx context.Context, db *sql.DB, q string, args []any, fn func(*sql.Rows) error) error {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// schemaDiff is one difference: key says what differs (and is what
// schemaExceptions lists), detail adds what helps to find it.
type schemaDiff struct{ key, detail string }

// compareSchemas lists the differences between the SQLite (a) and the
// PostgreSQL (b) schema, sorted.
func compareSchemas(a, b dbSchema) []schemaDiff {
	var out []schemaDiff
	add := func(key, detail string) { out = append(out, schemaDiff{key, detail}) }
	for _, name := range slices.Sorted(maps.Keys(a)) {
		if b[name] == nil {
			add("table "+name+": only on sqlite", "")
		}
	}
	for _, name := range slices.Sorted(maps.Keys(b)) {
		ta, tb := a[name], b[name]
		if ta == nil {
			add("table "+name+": only on postgres", "")
			continue
		}
		for _, c := range sortedUnion(ta.cols, tb.cols) {
			ca, inA := ta.cols[c]
			cb, inB := tb.cols[c]
			col := "column " + name + "." + c
			switch {
			case !inB:
				add(col+": only on sqlite", " ("+ca.declared+")")
			case !inA:
				add(col+": only on postgres", " ("+cb.declared+")")
			default:
				if ca.family != cb.family {
					add(col+": "+ca.family+" on sqlite, "+cb.family+" on postgres", fmt.Sprintf(" (declared %s and %s)", ca.declared, cb.declared))
				}
				if ca.notNull != cb.notNull {
					add(col+": "+nullability(ca.notNull)+" on sqlite, "+nullability(cb.notNull)+" on postgres", "")
				}
			}
		}
		if !slices.Equal(ta.pk, tb.pk) {
			add(fmt.Sprintf("primary key %s: (%s) on sqlite, (%s) on postgres", name, strings.Join(ta.pk, ", "), strings.Join(tb.pk, ", ")), "")
		}
		for _, k := range sortedUnion(ta.indexes, tb.indexes) {
			na, nb := ta.indexes[k], tb.indexes[k]
			idx := "index " + name + " " + k
			switch {
			case len(nb) == 0:
				add(idx+": only on sqlite", " ("+strings.Join(na, ", ")+")")
			case len(na) == 0:
				add(idx+": only on postgres", " ("+strings.Join(nb, ", ")+")")
			case len(na) != len(nb):
				add(fmt.Sprintf("%s: %d on sqlite, %d on postgres", idx, len(na), len(nb)), " ("+strings.Join(append(na, nb...), ", ")+")")
			}
		}
	}
	return out
}

func nullability(notNull bool) string {
	if notNull {
		return "NOT NULL"
	}
	return "nullable"
}

func sortedUnion[V any](a, b map[string]V) []string {
	keys := slices.Collect(maps.Keys(a))
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}
