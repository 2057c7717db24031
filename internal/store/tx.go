package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Tx is a transaction with a fixed UTC "now" used for every timestamp
// written in it.
type Tx struct {
	tx          *sql.Tx
	stmts       *stmtCache // nil: no statement cache
	d           dialect
	Now         time.Time
	s           *Store
	gen         int64 // Store.dueGen when the transaction began
	ro          bool  // a read-only transaction (sees only committed data)
	grouped     bool  // runs in a group commit: one caller's cancellation must not interrupt the others' transaction
	afterCommit []func()
}

// AfterCommit runs f once the transaction has committed (never if it rolls
// back): for side effects outside the database, such as an SMS.
func (tx *Tx) AfterCommit(f func()) { tx.afterCommit = append(tx.afterCommit, f) }

type txKey struct{}

// Update runs fn in a read-write transaction, reusing one already open in ctx.
// The transaction commits when fn returns nil and rolls back otherwise.
func (s *Store) Update(ctx context.Context, fn func(tx *Tx) error) error {
	return s.run(ctx, s.write, false, fn)
}

// View runs fn in a read-only transaction (on SQLite, on the reader pool).
func (s *Store) View(ctx context.Context, fn func(tx *Tx) error) error {
	return s.run(ctx, s.read, true, fn)
}

func (s *Store) run(ctx context.Context, db *sql.DB, ro bool, fn func(tx *Tx) error) error {
	if outer, ok := ctx.Value(txKey{}).(*Tx); ok && outer.s == s {
		return fn(outer)
	}
	if !ro && s.group != nil {
		return s.updateGrouped(ctx, fn)
	}
	gen := s.dueGen.Load() // before the snapshot: a result tagged with it is never newer than it claims
	sqlTx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: ro && s.dialect.readOnlyTxOption()})
	if err != nil {
		return s.dialect.mapErr(fmt.Errorf("store: begin: %w", err))
	}
	defer sqlTx.Rollback()
	tx := &Tx{tx: sqlTx, d: s.dialect, Now: s.Now(), s: s, stmts: s.stmts[db], gen: gen, ro: ro}
	if err := fn(tx); err != nil {
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return s.dialect.mapErr(fmt.Errorf("store: commit: %w", err))
	}
	for _, f := range tx.afterCommit {
		f()
	}
	return nil
}

// Context returns ctx carrying tx, so nested Update/View calls join it.
func (tx *Tx) Context(ctx context.Context) context.Context {
	return context.WithValue(ctx, txKey{}, tx)
}

// stmtCtx: inside a group commit a statement ignores its caller's
// cancellation — SQLite rolls the whole transaction back when a statement
// is interrupted, which would fail every writer of the batch.
func (tx *Tx) stmtCtx(ctx context.Context) context.Context {
	if tx.grouped {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

// execOnce runs a statement that changes one row at most (an approval, a
// claim) and reports whether it changed one.
func (tx *Tx) execOnce(ctx context.Context, what, q string, args ...any) (bool, error) {
	res, err := tx.exec(ctx, q, args...)
	if err != nil {
		return false, wrap(err, what)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

func (tx *Tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	ctx = tx.stmtCtx(ctx)
	if st := tx.stmts.get(q); st != nil {
		r, err := tx.tx.StmtContext(ctx, st).ExecContext(ctx, args...)
		return r, tx.d.mapErr(err)
	}
	r, err := tx.tx.ExecContext(ctx, q, args...)
	return r, tx.d.mapErr(err)
}

func (tx *Tx) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	ctx = tx.stmtCtx(ctx)
	if st := tx.stmts.get(q); st != nil {
		r, err := tx.tx.StmtContext(ctx, st).QueryContext(ctx, args...)
		return r, tx.d.mapErr(err)
	}
	r, err := tx.tx.QueryContext(ctx, q, args...)
	return r, tx.d.mapErr(err)
}

func (tx *Tx) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	ctx = tx.stmtCtx(ctx)
	if st := tx.stmts.get(q); st != nil {
		return tx.tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return tx.tx.QueryRowContext(ctx, q, args...)
}

// scanErr maps a Scan error: no rows → not_found.
func (tx *Tx) scanErr(err error, what string) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("store: %s: %w", what, tx.d.mapErr(err))
}

// dueChanged records that the transaction changes which matters may be
// overdue; kept overdue counts are dropped once it commits.
func (tx *Tx) dueChanged() {
	tx.AfterCommit(func() { tx.s.dueGen.Add(1) })
}
