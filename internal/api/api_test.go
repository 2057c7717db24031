package api_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"jiefen/internal/api"
	"jiefen/internal/domain"
	"jiefen/internal/jftest"
	"jiefen/internal/server"
	"jiefen/internal/service"
	"jiefen/internal/service/identity"
	"jiefen/internal/store"
)

type env struct {
	t     *testing.T
	svc   *service.Service
	srv   *server.Server
	ts    *httptest.Server
	admin string // bearer token of a county administrator
}

func newEnv(t *testing.T, st *store.Store) *env {
	svc := jftest.Service(st)
	jftest.SeedTree(t, svc)
	srv, err := server.New(server.Config{Version: "test"}, svc, jftest.Logger())
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	jftest.MakeUser(t, svc, "admin", "610831", domain.RoleAdmin)
	return &env{t, svc, srv, ts, jftest.Token(t, svc, "admin")}
}

func (e *env) call(method, path, token, body string, hdr ...string) (int, map[string]any) {
	e.t.Helper()
	req, _ := http.NewRequest(method, e.ts.URL+path, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if len(b) > 0 {
		if err := json.Unmarshal(b, &out); err != nil {
			e.t.Fatalf("%s %s: not JSON (%d): %s", method, path, resp.StatusCode, b)
		}
	}
	return resp.StatusCode, out
}

func errCode(m map[string]any) string {
	e, _ := m["error"].(map[string]any)
	s, _ := e["code"].(string)
	return s
}

func field(m map[string]any, f string) string {
	e, _ := m["error"].(map[string]any)
	fs, _ := e["fields"].(map[string]any)
	s, _ := fs[f].(string)
	return s
}

func TestMe(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		status, me := e.call("GET", "/api/v1/me", e.admin, "")
		if status != 200 {
			t.Fatalf("me: %d %v", status, me)
		}
		u := me["user"].(map[string]any)
		jur := me["jurisdiction"].(map[string]any)
		if u["username"] != "admin" || u["roles"].([]any)[0] != "admin" || jur["code"] != "610831" || jur["name"] != "子洲县" {
			t.Fatalf("me = %v", me)
		}
		// How overdue matters are told: a daily digest unless one asks for
		// a notice per matter.
		if u["overdue_notices"] != "digest" {
			t.Errorf("default overdue notices %v", u["overdue_notices"])
		}
		if status, m := e.call("PATCH", "/api/v1/me", e.admin, `{"overdue_notices":"each"}`); status != 200 || m["user"].(map[string]any)["overdue_notices"] != "each" {
			t.Fatalf("patch me: %d %v", status, m)
		}
		if status, m := e.call("PATCH", "/api/v1/me", e.admin, `{"overdue_notices":"hourly"}`); status != 422 || field(m, "overdue_notices") == "" {
			t.Fatalf("an unknown setting: %d %v", status, m)
		}
		if status, m := e.call("PATCH", "/api/v1/me", e.admin, `{"lang":"en"}`); status != 422 {
			t.Fatalf("a field PATCH /me does not take: %d %v", status, m)
		}
		if _, me := e.call("GET", "/api/v1/me", e.admin, ""); me["user"].(map[string]any)["overdue_notices"] != "each" {
			t.Fatalf("the setting kept: %v", me)
		}
		if status, m := e.call("GET", "/api/v1/me", "", ""); status != 401 || errCode(m) != "unauthorized" {
			t.Fatalf("anonymous: %d %v", status, m)
		}
		if status, _ := e.call("GET", "/api/v1/me", "jf_notatoken", ""); status != 401 {
			t.Fatalf("bad token: %d", status)
		}
		// Revoked tokens stop working.
		tok, info, err := e.svc.CreateToken(jftest.CLI(), identity.TokenRequest{Username: "admin", Name: "tmp"})
		if err != nil {
			t.Fatal(err)
		}
		if status, _ := e.call("GET", "/api/v1/me", tok, ""); status != 200 {
			t.Fatal("new token refused")
		}
		if err := e.svc.RevokeToken(jftest.CLI(), info.ID, domain.TokenRevokedAdmin); err != nil {
			t.Fatal(err)
		}
		if status, _ := e.call("GET", "/api/v1/me", tok, ""); status != 401 {
			t.Fatalf("revoked token: %d", status)
		}
	})
}

// Bad input gets a 4xx with a code and writes nothing (issue: bad input).
func TestBadInput(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		good := `{"username":"newuser","name":"新用户","roles":["mediator"],"org_code":"610831101"}`
		cases := []struct {
			name, body string
			status     int
			field      string
		}{
			{"malformed", `{"username":`, 422, ""},
			{"unknown field", `{"username":"a1b","nmae":"x"}`, 422, "nmae"},
			{"wrong type", `{"username":123}`, 422, "username"},
			{"invalid utf-8", "{\"username\":\"ab\xff\xfe\"}", 422, ""},
			{"trailing", good + `{}`, 422, ""},
			{"empty", ``, 422, ""},
			{"bad division code", `{"username":"newuser","name":"x","roles":["mediator"],"org_code":"61-08"}`, 422, "org"},
			{"unknown division", `{"username":"newuser","name":"x","roles":["mediator"],"org_code":"610899"}`, 422, "org"},
			{"unknown role", `{"username":"newuser","name":"x","roles":["king"],"org_code":"610831"}`, 422, "roles"},
			{"duplicate username", `{"username":"ADMIN","name":"x","roles":["mediator"],"org_code":"610831"}`, 409, "username"},
			{"weak password", `{"username":"newuser","name":"x","roles":["mediator"],"org_code":"610831","password":"password123"}`, 422, "password"},
		}
		for _, c := range cases {
			status, m := e.call("POST", "/api/v1/users", e.admin, c.body)
			if status != c.status || errCode(m) == "" || m["error"].(map[string]any)["request_id"] == "" {
				t.Errorf("%s: %d %v, want %d", c.name, status, m, c.status)
			}
			if c.field != "" && field(m, c.field) == "" {
				t.Errorf("%s: no message for field %s: %v", c.name, c.field, m)
			}
		}
		// Oversized body.
		big := `{"username":"` + strings.Repeat("a", 2<<20) + `"}`
		if status, m := e.call("POST", "/api/v1/users", e.admin, big); status != 413 || errCode(m) != "invalid" {
			t.Errorf("oversized: %d %v", status, m)
		}
		// Nothing was written.
		if _, err := e.svc.UserByUsername(jftest.CLI(), "newuser"); domain.ErrorCode(err) != domain.NotFound {
			t.Fatalf("a refused request wrote an account: %v", err)
		}
		status, m := e.call("POST", "/api/v1/users", e.admin, good)
		if status != 201 || m["initial_password"] == "" {
			t.Fatalf("good: %d %v", status, m)
		}
		// PATCH with a stale version → 409.
		id := int64(m["user"].(map[string]any)["id"].(float64))
		path := "/api/v1/users/" + itoa(id)
		if status, m := e.call("PATCH", path, e.admin, `{"name":"改","version":1}`); status != 200 {
			t.Fatalf("patch: %d %v", status, m)
		}
		if status, m := e.call("PATCH", path, e.admin, `{"name":"旧","version":1}`); status != 409 || errCode(m) != "conflict" {
			t.Fatalf("stale patch: %d %v", status, m)
		}
		if status, _ := e.call("GET", "/api/v1/users/xyz", e.admin, ""); status != 404 {
			t.Fatalf("bad id: %d", status)
		}
		if status, _ := e.call("GET", "/api/v1/users?limit=9999", e.admin, ""); status != 422 {
			t.Fatalf("bad limit: %d", status)
		}
		if status, _ := e.call("GET", "/api/v1/orgs?parent=abc", e.admin, ""); status != 422 {
			t.Fatalf("bad parent: %d", status)
		}
		if status, _ := e.call("GET", "/api/v1/nothing", e.admin, ""); status != 404 {
			t.Fatalf("unknown route: %d", status)
		}
	})
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestOrgsAndPaging(t *testing.T) {
	e := newEnv(t, jftest.OpenSQLite(t))
	status, m := e.call("GET", "/api/v1/orgs?parent=610831", e.admin, "")
	if status != 200 || len(m["items"].([]any)) != 13 {
		t.Fatalf("townships: %d %v", status, m)
	}
	status, m = e.call("GET", "/api/v1/orgs/610831101200", e.admin, "")
	if status != 200 || m["name"] != "何家集村委会" || len(m["children"].([]any)) != 1 {
		t.Fatalf("village: %d %v", status, m)
	}
	status, m = e.call("POST", "/api/v1/orgs/610831101200/grids", e.admin, `{"name":"第二网格"}`)
	if status != 201 || m["code"] != "610831101200002" {
		t.Fatalf("grid: %d %v", status, m)
	}
	for i := range 7 {
		jftest.MakeUser(t, e.svc, "page"+itoa(int64(i)), "610831", domain.RoleReceptionist)
	}
	seen := map[string]bool{}
	cursor := ""
	for range 10 {
		_, m := e.call("GET", "/api/v1/users?limit=3&cursor="+cursor, e.admin, "")
		for _, it := range m["items"].([]any) {
			seen[it.(map[string]any)["username"].(string)] = true
		}
		cursor, _ = m["next_cursor"].(string)
		if cursor == "" {
			break
		}
	}
	if len(seen) != 8 {
		t.Fatalf("paged through %d accounts, want 8", len(seen))
	}
}

// The OpenAPI document lists exactly the API routes the server registers.
func TestOpenAPIInStep(t *testing.T) {
	e := newEnv(t, jftest.OpenSQLite(t))
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(api.OpenAPI(), &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi %q", doc.OpenAPI)
	}
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	registered := map[string]bool{}
	for _, r := range e.srv.Routes() {
		if strings.HasPrefix(r.Pattern, "GET /api/") || strings.HasPrefix(r.Pattern, "POST /api/") || strings.HasPrefix(r.Pattern, "PATCH /api/") || strings.HasPrefix(r.Pattern, "PUT /api/") || strings.HasPrefix(r.Pattern, "DELETE /api/") {
			registered[r.Pattern] = true
		}
	}
	for r := range registered {
		if !documented[r] {
			t.Errorf("route %s is not in openapi.json", r)
		}
	}
	for d := range documented {
		if !registered[d] {
			t.Errorf("openapi.json documents %s, which is not a route", d)
		}
	}
	resp, err := http.Get(e.ts.URL + "/api/v1/openapi.json")
	if err != nil || resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json; charset=utf-8" {
		t.Fatalf("serve openapi: %v %v", err, resp)
	}
}
