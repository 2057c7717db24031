package web_test

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"jiefen/internal/crypto"
	"jiefen/internal/domain"
	"jiefen/internal/jftest"
	"jiefen/internal/server"
	"jiefen/internal/service"
	"jiefen/internal/service/casework"
	"jiefen/internal/store"
)

// instance starts one full `jiefen serve` in-process on dsn: its own store
// (pool), service, event listener and web server, sharing the database and
// the key file with the others.
func instance(t *testing.T, dsn string, keys *crypto.Keyring, now func() time.Time) *env {
	t.Helper()
	st, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	st.SetClock(now)
	svc := service.New(st, jftest.Logger(), jftest.FastPolicy())
	svc.SetKeys(keys)
	svc.SetFilesDir(filepath.Join(t.TempDir(), "files"))
	// The clock jumps below; no session re-check mid-test.
	srv, err := server.New(server.Config{Version: "test", CentreName: "子洲县综治中心", Heartbeat: time.Hour}, svc, jftest.Logger())
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { svc.RunEvents(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done; ts.Close() })
	select {
	case <-svc.EventsReady():
	case <-time.After(15 * time.Second):
		t.Fatal("the event listener did not connect")
	}
	return &env{t, st, svc, srv, ts}
}

// sessionOn returns a client for e carrying only the session cookie that
// from got on another instance.
func sessionOn(e *env, from *client) *client {
	var cookies []*http.Cookie
	u, _ := url.Parse(from.e.ts.URL)
	for _, c := range from.hc.Jar.Cookies(u) {
		if c.Name == "jiefen_session" {
			cookies = append(cookies, c)
		}
	}
	if len(cookies) != 1 {
		e.t.Fatalf("no session cookie from %s", from.e.ts.URL)
	}
	jar, _ := cookiejar.New(nil)
	u, _ = url.Parse(e.ts.URL)
	jar.SetCookies(u, cookies)
	c := e.client()
	c.hc.Jar = jar
	return c
}

// Two `jiefen serve` on one PostgreSQL act as one system: a session made on
// A works on B; a matter registered and a notification raised on A reach a
// page listening on B (once, on A too); the deadline sweep runs on one of
// them, and each notice is written once even when sweeps overlap.
func TestTwoInstancesOnePostgres(t *testing.T) {
	dsn := jftest.PostgresDSN(t)
	keys, err := crypto.LoadOrCreate(filepath.Join(t.TempDir(), "jiefen.keys"))
	if err != nil {
		t.Fatal(err)
	}
	var offset atomic.Int64 // how far both instances' clocks run ahead
	now := func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	a := instance(t, dsn, keys, now)
	b := instance(t, dsn, keys, now)
	if a.svc.Instance() == b.svc.Instance() {
		t.Fatal("the instances share a name")
	}
	jftest.SeedTree(t, a.svc)
	a.user("recep", "610831", domain.RoleReceptionist)
	a.user("disp", "610831", domain.RoleDispatcher)
	med1 := a.user("med1", "610831101", domain.RoleMediator)
	// med1 asked for a notice per overdue matter (the daily digest is
	// service.TestOverdueDigest's).
	if _, err := a.svc.SetOwnOverdueNotices(jftest.As(med1, "10.0.0.9"), domain.NoticeEach); err != nil {
		t.Fatal(err)
	}
	a.user("shydisp", "610831001", domain.RoleDispatcher)

	// (a) Signed in on A, the same cookie works on B, CSRF token included.
	recepA := a.client()
	recepA.login("recep", jftest.Password)
	recepB := sessionOn(b, recepA)
	if resp, body := recepB.get("/account"); resp.StatusCode != 200 || !strings.Contains(body, "测试recep") {
		t.Fatalf("A's session on B: %d", resp.StatusCode)
	}
	if resp, _ := recepB.post("/inbox/read", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("a POST on B with A's session: %d", resp.StatusCode)
	}

	// (b) med1 has the matter list open on B and on A; the other township's
	// dispatcher has a page open on B.
	medA := a.client()
	medA.login("med1", jftest.Password)
	medB := sessionOn(b, medA)
	shyB := b.client()
	shyB.login("shydisp", jftest.Password)
	onB, onA, shyOnB := stream(t, medB.hc, b.ts.URL), stream(t, medA.hc, a.ts.URL), stream(t, shyB.hc, b.ts.URL)
	for _, ch := range []<-chan sse{onB, onA, shyOnB} {
		next(t, ch, "unread")
	}
	dispA := a.client()
	dispA.login("disp", jftest.Password)

	id := recepA.registerCase("610831101")
	if d := next(t, onB, "case.registered"); d["case_id"] != float64(id) {
		t.Fatalf("case.registered on B: %v", d)
	}
	if d := next(t, onA, "case.registered"); d["case_id"] != float64(id) {
		t.Fatalf("case.registered on A: %v", d)
	}
	none(t, onA, "case.registered", 500*time.Millisecond) // A hears its own NOTIFY too and must skip it
	none(t, shyOnB, "case.registered", 100*time.Millisecond)

	dispA.act(id, "assess", url.Values{"risk": {"none"}})
	dispA.act(id, "dispatch", url.Values{"assignee": {"med1"}})
	if d := next(t, onB, "notification"); d["case_id"] != float64(id) || d["unread"] != 1.0 || !strings.HasPrefix(d["text"].(string), "交办 · ") {
		t.Fatalf("notification on B: %v", d)
	}
	none(t, shyOnB, "notification", 300*time.Millisecond)

	// (c) Three more matters dispatched to med1; a month later all four are
	// overdue. Both instances run their job tick at once: one holds the
	// lease and sweeps, the other stands by; each notice is written once and
	// reaches B's page whichever swept.
	ids := []int64{id}
	for range 3 {
		id := recepA.registerCase("610831101")
		dispA.act(id, "assess", url.Values{"risk": {"none"}})
		dispA.act(id, "dispatch", url.Values{"assignee": {"med1"}})
		ids = append(ids, id)
	}
	offset.Store(int64(30 * 24 * time.Hour))
	type result struct {
		ran bool
		n   int
	}
	results := make([]result, 2)
	var wg sync.WaitGroup
	for i, e := range []*env{a, b} {
		wg.Go(func() {
			ran, n, err := e.svc.RunJobsOnce(context.Background())
			if err != nil {
				t.Error(err)
			}
			results[i] = result{ran, n}
		})
	}
	wg.Wait()
	if results[0].ran == results[1].ran || results[0].n+results[1].n != len(ids) {
		t.Fatalf("job runs: %+v (want exactly one to run and tell %d)", results, len(ids))
	}
	leader, follower := a, b
	if results[1].ran {
		leader, follower = b, a
	}
	if holder, _, _ := follower.svc.JobLeaseHolder(context.Background()); holder != leader.svc.Instance() {
		t.Fatalf("lease holder %q, want %q", holder, leader.svc.Instance())
	}
	if n, err := jftest.Count(a.st, `SELECT count(*) FROM job_leases`); err != nil || n != 1 {
		t.Fatalf("%d leases (%v)", n, err)
	}
	countOverdue := func() int64 {
		n, err := jftest.Count(a.st, `SELECT count(*) FROM notifications WHERE kind = 'overdue' AND user_id = $1`, med1.ID)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := countOverdue(); n != int64(len(ids)) {
		t.Fatalf("%d overdue notices, want %d", n, len(ids))
	}
	seen := map[float64]int{}
	for range 3 + len(ids) { // the three assignments, then the overdue notices
		d := next(t, onB, "notification")
		if text := d["text"].(string); strings.HasPrefix(text, "超期 · ") {
			seen[d["case_id"].(float64)]++
		} else if !strings.HasPrefix(text, "交办 · ") {
			t.Fatalf("notification on B: %v", d)
		}
	}
	none(t, onB, "notification", 300*time.Millisecond)
	if len(seen) != len(ids) {
		t.Fatalf("overdue notifications on B, by matter: %v", seen)
	}
	// The follower keeps standing by while the leader renews; once the lease
	// lapses (the leader stopped without giving it up) it takes over.
	if ran, _, err := follower.svc.RunJobsOnce(context.Background()); err != nil || ran {
		t.Fatalf("the follower ran while the lease was held (%v)", err)
	}
	if ran, _, _ := leader.svc.RunJobsOnce(context.Background()); !ran {
		t.Fatal("the leader could not renew its lease")
	}
	offset.Add(int64(casework.LeaseTTL + time.Second))
	if ran, _, _ := follower.svc.RunJobsOnce(context.Background()); !ran {
		t.Fatal("the follower did not take over a lapsed lease")
	}

	// Overlapping sweeps (a sweep outlasting its lease, or `jiefen jobs run`
	// beside `serve`) still write each notice once: med1 signs for the four,
	// whose new deadlines pass a month later, and both instances sweep at once
	// without the lease.
	for _, id := range ids {
		if _, err := a.svc.Act(jftest.As(med1, "10.0.0.9"), id, "sign", casework.ActionInput{}); err != nil {
			t.Fatal(err)
		}
	}
	offset.Add(int64(90 * 24 * time.Hour))
	var total atomic.Int64
	for _, e := range []*env{a, b, a, b} {
		wg.Go(func() {
			n, err := e.svc.SweepDeadlines(context.Background())
			if err != nil {
				t.Error(err)
			}
			total.Add(int64(n))
		})
	}
	wg.Wait()
	if total.Load() != int64(len(ids)) || countOverdue() != int64(2*len(ids)) {
		t.Fatalf("overlapping sweeps told %d, %d overdue notices in all (want %d, %d)", total.Load(), countOverdue(), len(ids), 2*len(ids))
	}
}
