package store

import (
	"context"
	"database/sql"
	"jiefen/internal/domain"
)

// dialect holds what differs between the engines (dialect_sqlite.go,
// dialect_postgres.go). It is chosen once in Open; the rest of the package
// asks it instead of testing the engine's name.
type dialect interface {
	// name is the engine's name: the folder of its migrations, and
	// Store.Engine.
	name() string
	// mapErr turns driver errors into domain errors (not found, conflict,
	// unavailable); other errors pass through.
	mapErr(err error) error

	// readOnlyTxOption reports whether a read-only transaction is asked of
	// the driver (SQLite's reader pool is query_only already).
	readOnlyTxOption() bool
	// soleOwner reports whether one process owns the database, so that a
	// result it computes stays exact until it commits a change itself.
	soleOwner() bool
	// migrationLock is the statement that makes instances starting together
	// migrate one at a time ("": no other instance can).
	migrationLock() string
	// notifyChannel is the channel events are published on ("": none).
	notifyChannel(ctx context.Context, db *sql.DB) (string, error)

	// forUpdate is the row-lock suffix for SELECT ("" on SQLite, whose
	// writer is already exclusive).
	forUpdate() string
	// ilike is the case-insensitive LIKE operator.
	ilike() string
	// greatest is the function that gives the larger of its arguments.
	greatest() string
	// unindexed writes col so that the planner does not walk its indexes
	// (for queries that another condition, the period, should lead).
	unindexed(col string) string
	// jsonField is the text value of key in the JSON text column col (NULL
	// when absent).
	jsonField(col, key string) string
	// notAfter is the condition that the timestamp column at is no later
	// than the time written in the text expression text.
	notAfter(at, text string) string
	// monthInChina is the month ("2006-01") of the timestamp column col in
	// China time.
	monthInChina(col string) string

	// indexNewCase adds a new matter's search tokens to the search index;
	// reindexCase replaces a matter's tokens.
	indexNewCase(ctx context.Context, tx *Tx, id int64, tokens string) error
	reindexCase(ctx context.Context, tx *Tx, id int64, tokens string) error
	// searchCondition is the condition (one ? placeholder) and its argument
	// that a matter matches every token.
	searchCondition(tokens []string) (string, any)
	// searchJoinsFTS reports whether searchCondition needs SQLite's FTS5
	// table joined as f.
	searchJoinsFTS() bool
	// pageIDs finds the ids of a page of matters from the cases table alone,
	// before their rows are read with the joins (ok false: the engine reads
	// the page in one query).
	pageIDs(ctx context.Context, tx *Tx, w where, f domain.CaseFilter) (ids []int64, ok bool, err error)

	// bulkSettings are the connection's settings for a bulk load, and
	// bulkRestore the statements that undo them.
	bulkSettings() []string
	bulkRestore() []string
	// bulkLoad writes one batch in one transaction.
	bulkLoad(ctx context.Context, b *Bulk, sets []BulkRows) error
	// bulkFinish brings sequences and the planner's statistics up to date.
	bulkFinish(ctx context.Context, conn *sql.Conn, tables []string) error
	// indexDefsSQL lists the (name, definition) of a table's ($1) secondary
	// indexes; tableExistsSQL counts the tables named table (0 or 1).
	indexDefsSQL() string
	tableExistsSQL(table string) string
}
