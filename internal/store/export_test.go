package store

import (
	"context"
	"database/sql"

	"jiefen/internal/domain"
)

// AuditForTest lists the whole audit log in order.
func (s *Store) AuditForTest(ctx context.Context) ([]*domain.AuditEntry, error) {
	var out []*domain.AuditEntry
	err := s.View(ctx, func(tx *Tx) error {
		var err error
		out, err = tx.Audit(ctx, domain.AuditFilter{Limit: 500})
		return err
	})
	return out, err
}

// SetSearchWindow makes PostgreSQL searches start with a window of n ids
// (tests reach the widening with a handful of matters).
func SetSearchWindow(n int64) (restore func()) {
	old := searchWindow
	searchWindow = n
	return func() { searchWindow = old }
}

// DBForTest is the store's reading pool, for tests that read the catalogues.
func (s *Store) DBForTest() *sql.DB { return s.read }
