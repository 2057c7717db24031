package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"jiefen/internal/jftest"
	"jiefen/internal/store"
)

// A job lease has one holder at a time: the holder renews it, the others are
// refused until it lapses or is given up, and of several instances racing
// for a free lease exactly one wins.
func TestJobLease(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		clock := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
		st.SetClock(func() time.Time { return clock })
		acquire := func(holder string) bool {
			t.Helper()
			var ok bool
			if err := st.Update(ctx, func(tx *store.Tx) error {
				var err error
				ok, err = tx.AcquireLease(ctx, "sweep", holder, 2*time.Minute)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return ok
		}
		if !acquire("a") || acquire("b") || !acquire("a") {
			t.Fatal("a takes and renews the lease; b is refused")
		}
		clock = clock.Add(119 * time.Second) // a renewed at 9:00, so it runs to 9:02
		if acquire("b") {
			t.Fatal("b took a live lease")
		}
		clock = clock.Add(time.Second)
		if !acquire("b") || acquire("a") {
			t.Fatal("b takes the lapsed lease, then a is refused")
		}
		if err := st.Update(ctx, func(tx *store.Tx) error { return tx.ReleaseLease(ctx, "sweep", "a") }); err != nil {
			t.Fatal(err)
		}
		if acquire("a") {
			t.Fatal("a released a lease it does not hold")
		}
		if err := st.Update(ctx, func(tx *store.Tx) error { return tx.ReleaseLease(ctx, "sweep", "b") }); err != nil {
			t.Fatal(err)
		}
		// A free lease, eight instances racing for it: one wins.
		var wg sync.WaitGroup
		var mu sync.Mutex
		var winners []string
		for _, h := range []string{"h1", "h2", "h3", "h4", "h5", "h6", "h7", "h8"} {
			wg.Go(func() {
				var ok bool
				err := st.Update(ctx, func(tx *store.Tx) error {
					var err error
					ok, err = tx.AcquireLease(ctx, "sweep", h, 2*time.Minute)
					return err
				})
				if err != nil {
					t.Error(err)
				}
				if ok {
					mu.Lock()
					winners = append(winners, h)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		var holder string
		if err := st.View(ctx, func(tx *store.Tx) error {
			var err error
			holder, _, err = tx.LeaseHolder(ctx, "sweep")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if len(winners) != 1 || holder != winners[0] {
			t.Fatalf("winners %v, holder %q", winners, holder)
		}
	})
}
