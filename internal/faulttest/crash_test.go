package faulttest

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"jiefen/internal/jftest"
)

const (
	crashCycles    = 3
	crashClients   = 16
	crashPerClient = 400 // bound on requests per client per cycle
)

// The server is killed with SIGKILL while 16 clients register matters, and
// restarted on the same database, three times per engine. Whatever the
// server acknowledged with 201 must survive whole; what it did not
// acknowledge may or may not exist, but never half-written, and numbering
// stays gapless; the audit chain verifies.
func TestCrashRestart(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { crashRestart(t, filepath.Join(t.TempDir(), "jiefen.db")) })
	t.Run("postgres", func(t *testing.T) { crashRestart(t, jftest.PostgresDSN(t)) })
}

func crashRestart(t *testing.T, dsn string) {
	in := prepare(t, dsn)
	srv := in.start(t, dsn)
	var acked []ack
	for cycle := 1; cycle <= crashCycles; cycle++ {
		delay := 300*time.Millisecond + rand.N(1200*time.Millisecond)
		got, stats := registerUntilKilled(t, in, srv, delay)
		acked = append(acked, got...)
		srv = in.start(t, dsn)
		checkAcked(t, newClient(srv.base, in.token, 20*time.Second), got)
		n := checkDatabase(t, dsn, acked)
		in.cli(t, "", "audit", "verify", "--db", dsn)
		t.Logf("cycle %d: killed %v after the first 201; %s; %d acknowledged so far, %d matters in the database",
			cycle, delay.Round(time.Millisecond), stats, len(acked), n)
		if t.Failed() {
			return
		}
	}
}

// registerUntilKilled runs crashClients registering clients against srv and
// kills the server with SIGKILL delay after the first acknowledgement (so a
// slow start on a loaded machine still leaves something to check). It
// returns the acknowledged registrations. Before the kill, every request must
// get 201; after it, requests may only fail to connect or lose their answer.
func registerUntilKilled(t *testing.T, in *instance, srv *server, delay time.Duration) ([]ack, string) {
	t.Helper()
	c := newClient(srv.base, in.token, 20*time.Second)
	defer c.close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var (
		mu    sync.Mutex
		acked []ack
		bad   []reply
		cut   []reply // transport errors: the server died under the request
		first = make(chan struct{})
		once  sync.Once
		wg    sync.WaitGroup
	)
	for i := range crashClients {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(rand.Uint64(), uint64(i)))
			for range crashPerClient {
				body, parties := newCase(rng)
				r := c.do(ctx, "register", "POST", "/api/v1/cases", body)
				mu.Lock()
				switch {
				case r.err != nil:
					cut = append(cut, r)
				case r.status != 201:
					bad = append(bad, r)
				default:
					if a, err := parseAck(r, parties); err != nil {
						bad = append(bad, r)
					} else {
						acked = append(acked, a)
						once.Do(func() { close(first) })
					}
				}
				mu.Unlock()
				if r.err != nil {
					return // the server is gone
				}
			}
		})
	}
	select {
	case <-first:
	case <-time.After(20 * time.Second):
		t.Errorf("no registration acknowledged within 20 s")
	}
	time.Sleep(delay)
	killAt := time.Now()
	srv.kill(t)
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		cancel()
		<-done
		t.Errorf("clients still busy 30 s after the kill")
	}
	for i, r := range bad {
		if i == 5 {
			t.Errorf("… and %d more", len(bad)-5)
			break
		}
		t.Errorf("registration answered other than 201: %s", r)
	}
	for _, r := range cut {
		if r.end.Before(killAt) {
			t.Errorf("registration failed before the kill: %s", r)
		}
	}
	return acked, fmt.Sprintf("%d acknowledged, %d cut off", len(acked), len(cut))
}

// checkAcked reads every acknowledged matter through the API of the
// restarted server: 200, the same number, all the parties that were sent.
func checkAcked(t *testing.T, c *client, acked []ack) {
	t.Helper()
	defer c.close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	work := make(chan ack)
	var mu sync.Mutex
	var errs []string
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for a := range work {
				r := c.do(ctx, "get", "GET", fmt.Sprintf("/api/v1/cases/%d", a.ID), nil)
				var got struct {
					Number  string `json:"number"`
					Parties []struct {
						ID int64 `json:"id"`
					} `json:"parties"`
				}
				var msg string
				switch {
				case r.err != nil || r.status != 200:
					msg = fmt.Sprintf("acknowledged matter %d (%s): %s", a.ID, a.Number, r)
				case json.Unmarshal(r.body, &got) != nil:
					msg = fmt.Sprintf("acknowledged matter %d: bad JSON %s", a.ID, r.body)
				case got.Number != a.Number || len(got.Parties) != a.Parties:
					msg = fmt.Sprintf("acknowledged matter %d: %s with %d parties, the API says %s with %d",
						a.ID, a.Number, a.Parties, got.Number, len(got.Parties))
				}
				if msg != "" {
					mu.Lock()
					errs = append(errs, msg)
					mu.Unlock()
				}
			}
		})
	}
	for _, a := range acked {
		work <- a
	}
	close(work)
	wg.Wait()
	for i, e := range errs {
		if i == 5 {
			t.Errorf("… and %d more", len(errs)-5)
			break
		}
		t.Error(e)
	}
}
