package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"jiefen/internal/crypto"
	"jiefen/internal/domain"
	"jiefen/internal/service"
	"jiefen/internal/service/casework"
	"jiefen/internal/service/identity"
	"jiefen/internal/store"
)

// SeedOptions says how much synthetic data `jiefen seed` makes.
type SeedOptions struct {
	Cases    int    // matters
	Persons  int    // distinct people the parties are drawn from (repeat disputes happen when it is small)
	Seed     uint64 // random seed: the same options give the same data
	Years    int    // registrations spread over this many years back from now (default 3)
	Batch    int    // matters per transaction (default 5000)
	Progress func(done int)
}

// SeedStats is what a seed wrote.
type SeedStats struct {
	Cases, Parties, Events int
	Took                   time.Duration
}

type person struct {
	name, idMasked, idKid, idEnc, idBidx     string
	phoneMask, phoneKid, phoneEnc, phoneBidx string
}

// seedActor is one of the demo accounts, as the timelines name them.
type seedActor struct {
	id   int64
	name string
}

// Seed writes synthetic matters at bulk speed: realistic Chinese stories
// over Zizhou's villages, parties drawn from a pool of persons (ID numbers
// and phones sealed like real ones, found by the blind index), states spread
// by age with timelines that agree with them (registration → … → archive,
// every event in order and in the past), group matters with representatives,
// gapless numbers per year continuing any already given. One audit entry
// records the load. Rows go through store.Bulk, not the service: the
// service's checks are what the generator guarantees by construction.
func Seed(ctx context.Context, svc *service.Service, opt SeedOptions) (SeedStats, error) {
	start := time.Now()
	ctx = domain.WithActor(ctx, domain.OperatorActor())
	if opt.Cases < 1 {
		return SeedStats{}, fmt.Errorf("seed: --cases must be at least 1")
	}
	if opt.Persons < 2 {
		opt.Persons = max(2, opt.Cases/2)
	}
	if opt.Years < 1 {
		opt.Years = 3
	}
	if opt.Batch < 1 {
		opt.Batch = 5000
	}
	keys := svc.Keys()
	if keys == nil {
		return SeedStats{}, fmt.Errorf("seed: no keyring")
	}
	if err := ensureTree(ctx, svc); err != nil {
		return SeedStats{}, err
	}
	actors, err := seedActors(ctx, svc)
	if err != nil {
		return SeedStats{}, err
	}
	st := svc.Store()
	villages, err := zizhouVillages(ctx, st)
	if err != nil {
		return SeedStats{}, err
	}
	cal, err := svc.Calendar(ctx)
	if err != nil {
		return SeedStats{}, err
	}
	r := rand.New(rand.NewPCG(opt.Seed, 610831))
	pool, err := sealedPool(r, keys, opt.Persons)
	if err != nil {
		return SeedStats{}, err
	}

	bulk, err := st.Bulk(ctx)
	if err != nil {
		return SeedStats{}, err
	}
	defer bulk.Close()
	next, err := startIDs(ctx, bulk)
	if err != nil {
		return SeedStats{}, err
	}
	now := time.Now().UTC()
	times := registrationTimes(r, opt.Cases, opt.Years, now)
	seq, err := lastNumbers(ctx, bulk, times)
	if err != nil {
		return SeedStats{}, err
	}

	g := &generator{r: r, cal: cal, now: now, actors: actors, villages: villages, pool: pool, counts: map[countKey]int{}}
	stats, err := g.load(ctx, bulk, opt, times, seq, next)
	if err != nil {
		return stats, err
	}
	if err := bulk.Finish(ctx, "cases", "parties", "case_events", "case_facts"); err != nil {
		return stats, err
	}
	if err := bulk.Close(); err != nil { // the audit below needs the writer connection (Close again on return is harmless)
		return stats, err
	}
	stats.Took = time.Since(start)
	err = svc.Audit(ctx, "seed", "cases", "", "/", fmt.Sprintf("synthetic data: %d matters, %d parties, %d events, %d persons, seed %d",
		stats.Cases, stats.Parties, stats.Events, opt.Persons, opt.Seed))
	return stats, err
}

// seedActors finds (or makes) the demo accounts the timelines name.
func seedActors(ctx context.Context, svc *service.Service) (map[string]seedActor, error) {
	actors := map[string]seedActor{}
	for _, du := range users {
		u, err := svc.UserByUsername(ctx, du.username)
		if domain.ErrorCode(err) == domain.NotFound {
			u, err = svc.CreateUser(ctx, identity.NewUser{Username: du.username, Name: du.name, Roles: du.roles,
				OrgCode: du.org, Password: identity.GeneratePassword(), NoForcedChange: true})
		}
		if err != nil {
			return nil, fmt.Errorf("seed: account %s: %w", du.username, err)
		}
		actors[du.username] = seedActor{u.ID, u.Name}
	}
	return actors, nil
}

// sealedPool makes the pool of n persons, sealed once each.
func sealedPool(r *rand.Rand, keys *crypto.Keyring, n int) ([]person, error) {
	var err error
	pool := make([]person, n)
	for i := range pool {
		id := idNumber(r)
		phone := fmt.Sprintf("1%d%d%08d", 3+r.IntN(7), r.IntN(10), r.IntN(100000000))
		p := person{name: name(r), idMasked: domain.MaskID(id), idBidx: keys.BlindIndex("id", id),
			phoneMask: domain.MaskPhone(phone), phoneBidx: keys.BlindIndex("phone", phone)}
		if p.idKid, p.idEnc, err = keys.Encrypt(id, "party.id_number"); err != nil {
			return nil, err
		}
		if p.phoneKid, p.phoneEnc, err = keys.Encrypt(phone, "party.phone"); err != nil {
			return nil, err
		}
		pool[i] = p
	}
	return pool, nil
}

// seedIDs are the last ids given, which the load continues.
type seedIDs struct{ cases, parties, events int64 }

// startIDs reads the last ids given and defers the loaded tables' indexes.
func startIDs(ctx context.Context, bulk *store.Bulk) (seedIDs, error) {
	var next seedIDs
	var err error
	if next.cases, err = bulk.MaxID(ctx, "cases"); err != nil {
		return next, err
	}
	if next.parties, err = bulk.MaxID(ctx, "parties"); err != nil {
		return next, err
	}
	if next.events, err = bulk.MaxID(ctx, "case_events"); err != nil {
		return next, err
	}
	if err := bulk.DeferIndexes(ctx, "cases", "parties", "case_events", "case_facts"); err != nil {
		return next, err
	}
	return next, nil
}

// registrationTimes are n registration times over the years back from
// now, in order, so numbers rise with time.
func registrationTimes(r *rand.Rand, n, years int, now time.Time) []time.Time {
	span := time.Duration(years) * 365 * 24 * time.Hour
	times := make([]time.Time, n)
	for i := range times {
		times[i] = now.Add(-time.Duration(r.Int64N(int64(span))))
	}
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	return times
}

// lastNumbers reads the last number given in each year of times, before
// the loader starts (the loader has the connection to itself from then on).
func lastNumbers(ctx context.Context, bulk *store.Bulk, times []time.Time) (map[int]int64, error) {
	seq := map[int]int64{} // year → last number given
	var err error
	for _, at := range times {
		year := at.In(domain.CST).Year()
		if _, ok := seq[year]; !ok {
			if seq[year], err = bulk.CaseNumber(ctx, casework.CasePrefix, year); err != nil {
				return nil, err
			}
		}
	}
	return seq, nil
}

// load makes the matters batch by batch while a loader writes the batch
// before; it stops at the first error (or when ctx ends).
func (g *generator) load(ctx context.Context, bulk *store.Bulk, opt SeedOptions, times []time.Time, seq map[int]int64, next seedIDs) (SeedStats, error) {
	var stats SeedStats
	batches := make(chan []store.BulkRows, 2)
	errc := make(chan error, 1)
	go func() { // the loader writes while the generator makes the next batch
		for b := range batches {
			if err := bulk.Load(ctx, b...); err != nil {
				errc <- err
				for range batches { // let the generator see the error and stop
				}
				return
			}
		}
		errc <- nil
	}()
	for done := 0; done < opt.Cases; {
		if err := ctx.Err(); err != nil {
			close(batches)
			<-errc
			return stats, err
		}
		n := min(opt.Batch, opt.Cases-done)
		batch, parties, events := g.batch(bulk, times[done:done+n], seq, &next)
		stats.Cases += n
		stats.Parties += parties
		stats.Events += events
		select {
		case batches <- batch:
		case err := <-errc:
			close(batches)
			return stats, err
		}
		done += n
		if opt.Progress != nil {
			opt.Progress(done)
		}
	}
	close(batches)
	return stats, <-errc
}

// batch makes the matters registered at times, numbered on from seq and
// next: their rows, numbers and counts (which commit with them, so a load
// stopped half-way leaves a database that agrees with itself), and how
// many parties and events it holds.
func (g *generator) batch(bulk *store.Bulk, times []time.Time, seq map[int]int64, next *seedIDs) ([]store.BulkRows, int, int) {
	cases := store.BulkRows{Table: "cases", Cols: caseSeedCols}
	parties := store.BulkRows{Table: "parties", Cols: partySeedCols}
	events := store.BulkRows{Table: "case_events", Cols: eventSeedCols}
	years := map[int]int64{}
	for _, at := range times {
		year := at.In(domain.CST).Year()
		seq[year]++
		years[year] = seq[year]
		next.cases++
		m := g.matter(next.cases, fmt.Sprintf("%s%d%06d", casework.CasePrefix, year, seq[year]), at)
		cases.Rows = append(cases.Rows, m.row)
		for _, p := range m.parties {
			next.parties++
			parties.Rows = append(parties.Rows, append([]any{next.parties, next.cases}, p...))
		}
		for _, e := range m.events {
			next.events++
			events.Rows = append(events.Rows, append([]any{next.events, next.cases}, e...))
		}
	}
	var deltas []store.CountDelta
	for k, c := range g.counts {
		deltas = append(deltas, store.CountDelta{Status: k.status, Path: k.path, Assignee: k.assignee, N: c})
	}
	clear(g.counts)
	batch := []store.BulkRows{cases, parties, events, bulk.CaseNumbers(casework.CasePrefix, years), bulk.Counts(deltas)}
	return batch, len(parties.Rows), len(events.Rows)
}
