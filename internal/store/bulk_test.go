package store_test

import (
	"context"
	"testing"

	"jiefen/internal/jftest"
	"jiefen/internal/store"
)

// A bulk load drops the secondary indexes while it runs; one that stops
// before Finish must still give them back when it closes, and a later load
// finds nothing left to repair.
func TestBulkGivesIndexesBack(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		q := `SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name IN ('parties_case', 'parties_id_bidx', 'parties_phone_bidx')`
		if store.IsPostgres(st.DSN()) {
			q = `SELECT COUNT(*) FROM pg_indexes WHERE schemaname = current_schema() AND indexname IN ('parties_case', 'parties_id_bidx', 'parties_phone_bidx')`
		}
		count := func() int64 {
			t.Helper()
			n, err := jftest.Count(st, q)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		b, err := st.Bulk(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := b.DeferIndexes(ctx, "parties"); err != nil {
			t.Fatal(err)
		}
		if n := count(); n != 0 {
			t.Fatalf("%d indexes still there during the load", n)
		}
		if err := b.Close(); err != nil { // stopped before Finish
			t.Fatal(err)
		}
		if n := count(); n != 3 {
			t.Fatalf("%d of 3 indexes back after Close", n)
		}
		if n, err := jftest.Count(st, `SELECT COUNT(*) FROM bulk_deferred_indexes`); err != nil || n != 0 {
			t.Fatalf("deferred indexes left to repair: %d %v", n, err)
		}
	})
}
