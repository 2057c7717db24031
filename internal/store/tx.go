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
	d           dialect
	Now         time.Time
	s           *Store
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
	sqlTx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: ro && s.dialect.name() == "postgres"})
	if err != nil {
		return s.dialect.mapErr(fmt.Errorf("store: begin: %w", err))
	}
	defer sqlTx.Rollback()
	tx := &Tx{tx: sqlTx, d: s.dialect, Now: s.Now(), s: s}
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

func (tx *Tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	r, err := tx.tx.ExecContext(ctx, q, args...)
	return r, tx.d.mapErr(err)
}

func (tx *Tx) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	r, err := tx.tx.QueryContext(ctx, q, args...)
	return r, tx.d.mapErr(err)
}

func (tx *Tx) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return tx.tx.QueryRowContext(ctx, q, args...)
}

// scanErr maps a Scan error: no rows → not_found.
func (tx *Tx) scanErr(err error, what string) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("store: %s: %w", what, tx.d.mapErr(err))
}
