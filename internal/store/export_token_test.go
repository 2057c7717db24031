package store

import "context"

// MigrateBeforeForTest applies the migrations before version (a backfill's
// test seeds rows of the older shape, then runs Migrate).
func (s *Store) MigrateBeforeForTest(ctx context.Context, version int) ([]string, error) {
	return s.migrate(ctx, version)
}
