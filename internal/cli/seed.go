package cli

import (
	"fmt"
	"runtime/debug"
	"time"

	"jiefen/internal/demo"
	"jiefen/internal/service"
)

// seed: bulk synthetic data for load tests and benchmarks.
func (e *env) seed(args []string) error {
	f := e.newFlags("seed")
	db := f.str("db", DefaultDB, "database DSN")
	cases := f.Int("cases", 10000, "how many matters to add")
	persons := f.Int("persons", 0, "how many distinct persons the parties are drawn from (default: half the matters)")
	seed := f.Uint64("seed", 1, "random seed (the same options give the same data)")
	years := f.Int("years", 3, "spread registrations over this many years back from today")
	if err := f.parse(args); err != nil {
		return err
	}
	if *cases < 1 || *cases > 20_000_000 {
		return usageError{"seed: --cases must be 1–20000000"}
	}
	if *persons < 0 || *years < 1 || *years > 20 {
		return usageError{"seed: --persons must not be negative and --years must be 1–20"}
	}
	// The loader makes and drops millions of small values: collect less
	// often, but keep the heap under 1 GiB.
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(1 << 30))
	return e.withService(*db, func(svc *service.Service, ctx ctxT) error {
		started := time.Now()
		last := started
		st, err := demo.Seed(ctx, svc, demo.SeedOptions{Cases: *cases, Persons: *persons, Seed: *seed, Years: *years,
			Progress: func(done int) {
				if time.Since(last) > 5*time.Second || done == *cases {
					last = time.Now()
					fmt.Fprintf(e.stderr, "seed: %d / %d matters (%.0f/s)\n", done, *cases, float64(done)/time.Since(started).Seconds())
				}
			}})
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "seeded %d matters, %d parties, %d timeline events in %s (%.0f matters/s)\n",
			st.Cases, st.Parties, st.Events, st.Took.Round(time.Millisecond), float64(st.Cases)/st.Took.Seconds())
		return nil
	})
}
