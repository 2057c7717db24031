package metrics_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"jiefen/internal/metrics"
)

func TestExposition(t *testing.T) {
	m := metrics.New()
	m.Observe("GET /cases", "GET", 200, 3*time.Millisecond)
	m.Observe("GET /cases", "GET", 200, 70*time.Millisecond)
	m.Observe(`GET /x"y`, "GET", 500, 2*time.Second)
	h := m.Wrap("POST /login", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(303) }))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/login", nil))
	var b strings.Builder
	m.WriteTo(&b)
	out := b.String()
	for _, want := range []string{
		`jiefen_http_requests_total{route="GET /cases",method="GET",code="200"} 2`,
		`jiefen_http_request_duration_seconds_bucket{route="GET /cases",method="GET",code="200",le="0.005"} 1`,
		`jiefen_http_request_duration_seconds_bucket{route="GET /cases",method="GET",code="200",le="0.1"} 2`,
		`jiefen_http_request_duration_seconds_bucket{route="GET /cases",method="GET",code="200",le="+Inf"} 2`,
		`jiefen_http_request_duration_seconds_count{route="GET /cases",method="GET",code="200"} 2`,
		`jiefen_http_requests_total{route="GET /x\"y",method="GET",code="500"} 1`,
		`jiefen_http_requests_total{route="POST /login",method="POST",code="303"} 1`,
		"# TYPE jiefen_http_request_duration_seconds histogram",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %s\n%s", want, out)
		}
	}
}

// A value read at each scrape is written with its help and type.
func TestReadValues(t *testing.T) {
	m := metrics.New()
	n := 0.0
	m.Read("jiefen_audit_write_failures_total", "counter", "Audit rows not written.", func() float64 { return n })
	n = 3
	var b strings.Builder
	m.WriteTo(&b)
	want := "# HELP jiefen_audit_write_failures_total Audit rows not written.\n# TYPE jiefen_audit_write_failures_total counter\njiefen_audit_write_failures_total 3\n"
	if !strings.Contains(b.String(), want) {
		t.Errorf("missing\n%s\nin\n%s", want, b.String())
	}
}
