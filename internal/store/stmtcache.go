package store

import (
	"context"
	"database/sql"
	"sync"
)

// stmtCache keeps prepared statements by SQL text, so the hot queries are
// parsed once per connection instead of at every call (on SQLite, parsing
// was a fifth of a registration's time). PostgreSQL's driver caches
// statements itself, so only SQLite uses this.
//
// A statement is prepared in the background the first time its text is
// seen: preparing needs a free connection, and the caller holds one for its
// transaction, so waiting for another in line could deadlock a small pool.
// The first calls run unprepared; later ones use the cache through
// Tx.StmtContext, which prepares once on each connection and keeps it.
type stmtCache struct {
	db      *sql.DB
	mu      sync.Mutex
	stmts   map[string]*sql.Stmt
	pending map[string]bool
	failed  map[string]bool // texts that would not prepare: never tried again
	closed  bool
	wg      sync.WaitGroup // preparations in flight
}

// stmtCacheMax bounds the cache: query texts vary with filters and list
// sizes, and the rare ones are not worth a prepared statement each.
const stmtCacheMax = 400

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, stmts: map[string]*sql.Stmt{}, pending: map[string]bool{}, failed: map[string]bool{}}
}

// get returns the prepared statement for q, or nil (and starts preparing
// it) when there is none yet.
func (c *stmtCache) get(q string) *sql.Stmt {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if st := c.stmts[q]; st != nil || c.closed {
		return st
	}
	if c.pending[q] || c.failed[q] || len(c.stmts)+len(c.pending) >= stmtCacheMax {
		return nil
	}
	c.pending[q] = true
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		st, err := c.db.PrepareContext(context.Background(), q)
		c.mu.Lock()
		defer c.mu.Unlock()
		delete(c.pending, q)
		if err != nil {
			c.failed[q] = true // it fails where it runs, with its own error
			return
		}
		if c.closed {
			st.Close()
			return
		}
		c.stmts[q] = st
	}()
	return nil
}

// close finalizes every statement, waiting for those being prepared: a
// statement left open keeps SQLite from closing the file (and from
// checkpointing the WAL into it).
func (c *stmtCache) close() {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.wg.Wait()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.stmts {
		st.Close()
	}
	c.stmts = nil
}
