package loadtest_test

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"jiefen/internal/domain"
	"jiefen/internal/jftest"
	"jiefen/internal/loadtest"
	"jiefen/internal/server"
)

// A short run against a real server: every operation of the mix is sent
// and answered as expected (the tool counts any other status as an error),
// the registration-only phase registers, and the figures add up.
func TestRunAgainstServer(t *testing.T) {
	st := jftest.OpenSQLite(t)
	svc := jftest.Service(st)
	jftest.SeedTree(t, svc)
	srv, err := server.New(server.Config{Version: "test"}, svc, jftest.Logger())
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	jftest.MakeUser(t, svc, "load", "610831", domain.RoleReceptionist, domain.RoleDispatcher)
	tok := jftest.Token(t, svc, "load", domain.ScopeRead, domain.ScopeWrite)
	res, err := loadtest.Run(context.Background(), loadtest.Options{URL: ts.URL, Token: tok, Clients: 2, Duration: 1500 * time.Millisecond, MaxRequests: 400})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 2 {
		t.Fatalf("phases: %d", len(res))
	}
	for _, op := range loadtest.Ops {
		s := res[0].Ops[op]
		if s.N == 0 || s.Errors != 0 {
			t.Errorf("%s: %d requests, %d errors (%s)", op, s.N, s.Errors, s.FirstErr)
		}
		if p50, p99 := s.Percentile(50), s.Percentile(99); p50 <= 0 || p99 < p50 {
			t.Errorf("%s: p50 %v, p99 %v", op, p50, p99)
		}
	}
	if reg := res[1].Ops["register"]; reg.N == 0 || reg.Errors != 0 || res[1].Ops["list"].N != 0 {
		t.Errorf("registration-only phase: %+v", reg)
	}
	var b strings.Builder
	loadtest.Report(&b, res[0])
	if !strings.Contains(b.String(), "dashboard") || !strings.Contains(b.String(), "p95") {
		t.Errorf("report:\n%s", b.String())
	}
	if _, err := loadtest.Run(context.Background(), loadtest.Options{URL: ts.URL, Token: tok, Clients: 1, Duration: time.Second,
		Mix: map[string]int{"list": 0}}); err == nil {
		t.Error("a mix of zero weights was accepted")
	}
}

// Only the loopback interface may be driven.
func TestLoopbackOnly(t *testing.T) {
	for url, ok := range map[string]bool{"http://127.0.0.1:8080": true, "http://localhost:1": true, "http://[::1]:80": true,
		"http://10.0.0.1:8080": false, "http://example.com": false, "ftp://127.0.0.1": false, "127.0.0.1:8080": false} {
		if err := loadtest.CheckLoopback(url); (err == nil) != ok {
			t.Errorf("%s: %v", url, err)
		}
	}
	if _, err := loadtest.RawInsertRate(context.Background(), "postgres://u@db.example.com/x", 1, time.Millisecond); err == nil {
		t.Error("a remote PostgreSQL was accepted for the raw insert test")
	}
}

// The raw-insert baseline inserts rows and leaves no scratch file behind.
func TestRawInsertRateSQLite(t *testing.T) {
	db := filepath.Join(t.TempDir(), "x.db")
	rate, err := loadtest.RawInsertRate(context.Background(), db, 2, 300*time.Millisecond)
	if err != nil || rate <= 0 {
		t.Fatalf("rate %v, %v", rate, err)
	}
	if m, _ := filepath.Glob(db + ".loadtest-raw*"); len(m) != 0 {
		t.Fatalf("scratch files left: %v", m)
	}
}
