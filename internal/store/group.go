package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// Group commit (SQLite).
//
// SQLite has one writer, and with synchronous=FULL every commit waits for the
// disk. Writers therefore queue for the single writer connection; the
// committer takes every request waiting at that moment and runs them in one
// transaction, each inside its own savepoint, then commits once. A request
// whose function fails is rolled back to its savepoint and sees its error;
// the others are not affected. Nobody is told "done" before the COMMIT has
// returned, so an acknowledged change is as durable as with one transaction
// per change. With no other writer waiting, a batch is one request and this
// is an ordinary transaction.
//
// PostgreSQL does the same inside the server (concurrent commits share one
// WAL flush), so there every Update is its own transaction.

// maxGroup bounds a batch: one slow function delays at most this many others.
const maxGroup = 64

type groupReq struct {
	ctx  context.Context
	fn   func(*Tx) error
	done chan groupResult
}

type groupResult struct {
	err         error
	afterCommit []func()
	panicked    any
}

type committer struct {
	reqs    chan *groupReq
	stop    chan struct{}
	stopped chan struct{}
	once    sync.Once
}

var errClosed = errors.New("store: closed")

func (s *Store) startCommitter() {
	c := &committer{reqs: make(chan *groupReq, maxGroup), stop: make(chan struct{}), stopped: make(chan struct{})}
	s.group = c
	go func() {
		defer close(c.stopped)
		for {
			var first *groupReq
			select {
			case first = <-c.reqs:
			case <-c.stop:
				return
			}
			batch := []*groupReq{first}
		drain:
			for len(batch) < maxGroup {
				select {
				case r := <-c.reqs:
					batch = append(batch, r)
				default:
					break drain
				}
			}
			s.commitGroup(batch)
		}
	}()
}

func (c *committer) close() {
	c.once.Do(func() { close(c.stop) })
	<-c.stopped
	// Requests that arrived after the last batch are refused.
	for {
		select {
		case r := <-c.reqs:
			r.done <- groupResult{err: errClosed}
		default:
			return
		}
	}
}

// updateGrouped hands fn to the committer and waits for its batch to commit.
func (s *Store) updateGrouped(ctx context.Context, fn func(*Tx) error) error {
	r := &groupReq{ctx: ctx, fn: fn, done: make(chan groupResult, 1)}
	select {
	case s.group.reqs <- r:
	case <-s.group.stop:
		return errClosed
	case <-ctx.Done():
		return s.dialect.mapErr(fmt.Errorf("store: begin: %w", ctx.Err()))
	}
	// Once queued, wait for the outcome even if ctx ends: the function may
	// already be running, and the caller must not be told it failed when it
	// committed.
	res := <-r.done
	if res.panicked != nil {
		panic(res.panicked)
	}
	if res.err != nil {
		return res.err
	}
	for _, f := range res.afterCommit {
		f()
	}
	return nil
}

func (s *Store) commitGroup(batch []*groupReq) {
	results := make([]groupResult, len(batch))
	finish := func(err error) {
		for i, r := range batch {
			if results[i].err == nil && results[i].panicked == nil {
				results[i].err = err
			}
			if err != nil {
				results[i].afterCommit = nil
			}
			r.done <- results[i]
		}
	}
	sqlTx, err := s.write.BeginTx(context.Background(), nil)
	if err != nil {
		finish(s.dialect.mapErr(fmt.Errorf("store: begin: %w", err)))
		return
	}
	defer sqlTx.Rollback()
	stmts := s.stmts[s.write]
	grouped := len(batch) > 1
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			results[i].err = s.dialect.mapErr(fmt.Errorf("store: begin: %w", err))
			continue
		}
		if grouped {
			if _, err := sqlTx.Exec(`SAVEPOINT g`); err != nil {
				finish(s.dialect.mapErr(fmt.Errorf("store: savepoint: %w", err)))
				return
			}
		}
		tx := &Tx{tx: sqlTx, d: s.dialect, Now: s.Now(), s: s, stmts: stmts, gen: s.dueGen.Load(), grouped: true}
		err, p := runFn(r.fn, tx)
		if err == nil && p == nil {
			results[i].afterCommit = tx.afterCommit
			if grouped {
				if _, err := sqlTx.Exec(`RELEASE g`); err != nil {
					finish(s.dialect.mapErr(fmt.Errorf("store: release savepoint: %w", err)))
					return
				}
			}
			continue
		}
		results[i].err, results[i].panicked = err, p
		if !grouped {
			finish(nil) // rolled back by the deferred Rollback
			return
		}
		// Undo this function's writes only. If SQLite has already rolled the
		// whole transaction back (I/O error, disk full), the savepoint is
		// gone and the batch fails as one.
		if _, rerr := sqlTx.Exec(`ROLLBACK TO g`); rerr != nil {
			finish(s.dialect.mapErr(fmt.Errorf("store: rollback to savepoint: %w", rerr)))
			return
		}
		if _, rerr := sqlTx.Exec(`RELEASE g`); rerr != nil {
			finish(s.dialect.mapErr(fmt.Errorf("store: release savepoint: %w", rerr)))
			return
		}
	}
	if err := sqlTx.Commit(); err != nil {
		finish(s.dialect.mapErr(fmt.Errorf("store: commit: %w", err)))
		return
	}
	finish(nil)
}

// runFn runs fn, turning a panic into a value the caller re-raises in its
// own goroutine (the committer must survive it).
func runFn(fn func(*Tx) error, tx *Tx) (err error, panicked any) {
	defer func() {
		if p := recover(); p != nil {
			panicked = p
		}
	}()
	return fn(tx), nil
}
