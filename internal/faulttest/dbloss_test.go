package faulttest

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"

	"jiefen/internal/jftest"
)

const (
	lossWarmup   = time.Second
	lossCut      = 2 * time.Second
	lossRecover  = 5 * time.Second // requests starting this long after the restore must all succeed
	lossTail     = 6 * time.Second // load keeps running this long after the restore
	lossTimeout  = 8 * time.Second // no request may take longer
	lossPerAgent = 1500            // bound on requests per client
)

// PostgreSQL goes away for two seconds under load (a proxy between the
// server and the database is cut, the shared server is left alone). While
// it is away the server answers 503 with a JSON error saying so, quickly,
// and /readyz says 503; nothing is half-written; once it is back, requests
// succeed again within a few seconds without restarting the server.
func TestPostgresUnreachable(t *testing.T) {
	dsn := jftest.PostgresDSN(t)
	in := prepare(t, dsn)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	target := u.Host
	if u.Port() == "" {
		target = net.JoinHostPort(u.Hostname(), "5432")
	}
	px := startProxy(t, target)
	u.Host = px.addr
	srv := in.start(t, u.String())
	c := newClient(srv.base, in.token, lossTimeout)
	defer c.close()

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var (
		mu      sync.Mutex
		replies []reply
		acked   []ack
		stop    = make(chan struct{})
		wg      sync.WaitGroup
	)
	agent := func(next func(rng *rand.Rand) (reply, int)) {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
			for range lossPerAgent {
				select {
				case <-stop:
					return
				default:
				}
				r, parties := next(rng)
				mu.Lock()
				replies = append(replies, r)
				if r.kind == "register" && r.status == 201 {
					if a, err := parseAck(r, parties); err == nil {
						acked = append(acked, a)
					}
				}
				mu.Unlock()
				if r.err == nil && r.status < 300 {
					time.Sleep(2 * time.Millisecond) // keep transactions in flight for the cut
				} else {
					time.Sleep(20 * time.Millisecond)
				}
			}
		})
	}
	for range 3 {
		agent(func(rng *rand.Rand) (reply, int) {
			body, parties := newCase(rng)
			return c.do(ctx, "register", "POST", "/api/v1/cases", body), parties
		})
	}
	agent(func(*rand.Rand) (reply, int) { return c.do(ctx, "list", "GET", "/api/v1/cases?limit=20", nil), 0 })
	agent(func(*rand.Rand) (reply, int) { return c.do(ctx, "ready", "GET", "/readyz", nil), 0 })

	time.Sleep(lossWarmup)
	px.cut()
	cutAt := time.Now()
	time.Sleep(lossCut)
	restoreAt := time.Now()
	px.restore(t)
	time.Sleep(lossTail)
	close(stop)
	wg.Wait()

	var during, after, failedAfter int
	var slowest time.Duration
	lastFailure := map[string]time.Time{}
	successAfter := map[string]bool{}
	for _, r := range replies {
		slowest = max(slowest, r.end.Sub(r.start))
		if r.err != nil {
			t.Errorf("no answer within %v (or the connection broke): %s", lossTimeout, r)
			continue
		}
		ok := r.status == 200 || r.status == 201
		switch {
		case ok:
		case r.status == 503:
			checkUnavailableBody(t, r)
		default:
			t.Errorf("answered neither success nor 503: %s", r)
		}
		inside := !r.start.Before(cutAt) && r.end.Before(restoreAt)
		if inside {
			during++
			if ok {
				t.Errorf("succeeded while the database was cut off: %s", r)
			}
		}
		if !ok && r.end.After(lastFailure[r.kind]) {
			lastFailure[r.kind] = r.end
		}
		if r.start.After(restoreAt) {
			after++
			if ok {
				successAfter[r.kind] = true
			} else if r.start.After(restoreAt.Add(lossRecover)) {
				failedAfter++
				t.Errorf("still failing %v after the database came back: %s", r.start.Sub(restoreAt).Round(time.Millisecond), r)
			}
		}
	}
	for _, kind := range []string{"register", "list", "ready"} {
		if lastFailure[kind].IsZero() {
			t.Errorf("%s: no request failed while the database was cut off", kind)
		}
		if !successAfter[kind] {
			t.Errorf("%s: no request succeeded after the database came back", kind)
		}
	}
	t.Logf("%d requests (%d while cut off, %d after), %d acknowledged; slowest %v; last failures after the restore: register %v, list %v, ready %v",
		len(replies), during, after, len(acked), slowest.Round(time.Millisecond),
		lastFailure["register"].Sub(restoreAt).Round(time.Millisecond), lastFailure["list"].Sub(restoreAt).Round(time.Millisecond),
		lastFailure["ready"].Sub(restoreAt).Round(time.Millisecond))
	if during == 0 {
		t.Errorf("no request fell wholly within the cut")
	}

	checkAcked(t, newClient(srv.base, in.token, 20*time.Second), acked)
	checkDatabase(t, dsn, acked)
	in.cli(t, "", "audit", "verify", "--db", dsn)
}

// checkUnavailableBody checks a 503: the API's JSON error saying the
// database is unreachable, or /readyz's status.
func checkUnavailableBody(t *testing.T, r reply) {
	t.Helper()
	if r.kind == "ready" {
		var m map[string]string
		if err := json.Unmarshal(r.body, &m); err != nil || m["status"] != "unavailable" {
			t.Errorf("/readyz 503 body: %s", r)
		}
		return
	}
	var e apiError
	if err := json.Unmarshal(r.body, &e); err != nil || e.Error.Code != "unavailable" || e.Error.Reason != "error.db_unavailable" ||
		e.Error.Message == "" || e.Error.RequestID == "" {
		t.Errorf("503 without the JSON error for an unreachable database: %s", r)
	}
}
