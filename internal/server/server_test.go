package server

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"jiefen/internal/httpx"
	"jiefen/internal/jftest"
)

// The path's prefix alone picks the surface, and each answers in its own way.
func TestPrefixPicksSurface(t *testing.T) {
	svc := jftest.Service(jftest.OpenSQLite(t))
	srv, err := New(Config{Version: "test"}, svc, jftest.Logger())
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	cases := []struct {
		method, path, hdr string
		size              int64
		status            int
		ctype, body       string
	}{
		{"GET", "/api/nope", "", 0, 404, "application/json", "error.no_route"},
		{"GET", "/nope", "", 0, 404, "text/html", ""},
		{"GET", "/api", "", 0, 307, "", ""},
		{"GET", "/api%2Fv1/me", "", 0, 404, "application/json", "error.not_found"},
		{"POST", "/cases", "", 2 << 20, 413, "text/plain", ""},
		{"POST", "/api/v1/cases", "", 2 << 20, 413, "application/json", "error.body_too_large"},
		{"POST", "/cases", "Sec-Fetch-Site", 0, 403, "text/html", ""},
		{"POST", "/api/v1/tokens", "Sec-Fetch-Site", 0, 403, "application/json", "error.cross_origin"},
		{"GET", "/api/v1/me", "", 0, 401, "application/json", "session.none"},
		{"GET", "/account", "", 0, 303, "", ""},
	}
	for _, c := range cases {
		req, _ := http.NewRequest(c.method, ts.URL+c.path, strings.NewReader(strings.Repeat("x", int(c.size))))
		if c.hdr != "" {
			req.Header.Set(c.hdr, "cross-site")
		}
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.status || !strings.HasPrefix(resp.Header.Get("Content-Type"), c.ctype) || !strings.Contains(string(b), c.body) {
			t.Errorf("%s %s: %d %s %s", c.method, c.path, resp.StatusCode, resp.Header.Get("Content-Type"), b)
		}
		if resp.Header.Get("X-Request-Id") == "" || resp.Header.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s %s: no shared headers %v", c.method, c.path, resp.Header)
		}
	}
}

type panicky struct{ failed string }

func (p *panicky) Handler() http.Handler {
	return http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") })
}
func (p *panicky) Routes() []httpx.Route { return nil }
func (p *panicky) Fail(w http.ResponseWriter, r *http.Request, err error) {
	p.failed = r.URL.Path
	w.WriteHeader(http.StatusInternalServerError)
}
func (p *panicky) RefuseBody(w http.ResponseWriter, r *http.Request) {}

// A panic is answered by the surface the request went to.
func TestPanicAnsweredBySurface(t *testing.T) {
	a, b := &panicky{}, &panicky{}
	s := &Server{log: jftest.Logger(), mounts: []mount{{"/api/", "api", a}, {"", "web", b}}}
	h := s.Handler()
	for _, p := range []string{"/api/x", "/x"} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", p, nil))
		if w.Code != 500 {
			t.Errorf("%s: %d", p, w.Code)
		}
	}
	if a.failed != "/api/x" || b.failed != "/x" {
		t.Errorf("answered by api %q, web %q", a.failed, b.failed)
	}
}
