package web_test

import (
	"encoding/json"
	"io"
	"jiefen/internal/service/identity"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"jiefen/internal/domain"
	"jiefen/internal/jftest"
	"jiefen/internal/server"
	"jiefen/internal/service"
	"jiefen/internal/store"
)

type env struct {
	t   *testing.T
	st  *store.Store
	svc *service.Service
	srv *server.Server
	ts  *httptest.Server
}

func newEnv(t *testing.T, st *store.Store) *env {
	t.Helper()
	return newEnvWith(t, st, jftest.FastPolicy())
}

// newEnvWith is newEnv with the security policy p.
func newEnvWith(t *testing.T, st *store.Store, p identity.Policy) *env {
	t.Helper()
	svc := jftest.ServiceWith(st, p)
	jftest.SeedTree(t, svc)
	srv, err := server.New(server.Config{Version: "test", CentreName: "子洲县综治中心"}, svc, jftest.Logger())
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return &env{t, st, svc, srv, ts}
}

// client is a browser-like client with a cookie jar and the last CSRF token.
type client struct {
	e    *env
	hc   *http.Client
	csrf string
}

func (e *env) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{e: e, hc: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (c *client) do(method, path string, form url.Values, hdr map[string]string) (*http.Response, string) {
	c.e.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, c.e.ts.URL+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.e.t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if m := csrfRE.FindStringSubmatch(string(b)); m != nil {
		c.csrf = m[1]
	}
	return resp, string(b)
}

func (c *client) get(path string) (*http.Response, string) { return c.do("GET", path, nil, nil) }

func (c *client) post(path string, form url.Values) (*http.Response, string) {
	if form == nil {
		form = url.Values{}
	}
	if form.Get("csrf") == "" && c.csrf != "" {
		form.Set("csrf", c.csrf)
	}
	return c.do("POST", path, form, nil)
}

func (c *client) login(username, password string) *http.Response {
	c.e.t.Helper()
	resp, _ := c.post("/login", url.Values{"username": {username}, "password": {password}})
	if resp.StatusCode != http.StatusSeeOther {
		c.e.t.Fatalf("login %s: status %d", username, resp.StatusCode)
	}
	c.getOK("/account") // pick up a CSRF token
	return resp
}

// getOK is a setup GET (a form's CSRF token, a page's side effect): it fails
// the test unless the page answers 200.
func (c *client) getOK(path string) string {
	c.e.t.Helper()
	resp, body := c.get(path)
	if resp.StatusCode != http.StatusOK {
		c.e.t.Fatalf("GET %s: status %d", path, resp.StatusCode)
	}
	return body
}

func (e *env) user(name, org string, roles ...domain.Role) *domain.User {
	return jftest.MakeUser(e.t, e.svc, name, org, roles...)
}

func TestLoginFlowAndHeaders(t *testing.T) {
	e := newEnv(t, jftest.OpenSQLite(t))
	e.user("zhiban", "610831", domain.RoleDispatcher)
	c := e.client()
	resp, body := c.get("/")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Fatalf("anonymous home: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, body = c.get("/login")
	if resp.StatusCode != 200 || !strings.Contains(body, "用户名") {
		t.Fatalf("login page: %d", resp.StatusCode)
	}
	csp := resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "script-src 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP lacks %q: %s", want, csp)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(body, "<script>") || strings.Contains(body, " style=") {
		t.Error("inline script or style on the login page")
	}
	for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin", "Cache-Control": "no-store"} {
		if got := resp.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	// Wrong password: 401, the same message as an unknown user, username kept, password not.
	resp, body = c.post("/login", url.Values{"username": {"zhiban"}, "password": {"Wrong#pass123"}})
	_, body2 := c.post("/login", url.Values{"username": {"nobody"}, "password": {"Wrong#pass123"}})
	if resp.StatusCode != 401 || !strings.Contains(body, "用户名或密码错误") || !strings.Contains(body2, "用户名或密码错误") {
		t.Fatalf("bad login: %d", resp.StatusCode)
	}
	if strings.Contains(body, "Wrong#pass123") || !strings.Contains(body, `value="zhiban"`) {
		t.Error("the form must keep the username and never the password")
	}
	resp = c.login("zhiban", jftest.Password)
	var cookie *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == "jiefen_session" {
			cookie = ck
		}
	}
	if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode || cookie.Path != "/" {
		t.Fatalf("session cookie %+v", cookie)
	}
	resp, body = c.get("/")
	if resp.StatusCode != 200 || !strings.Contains(body, "测试zhiban") || !strings.Contains(body, "子洲县") {
		t.Fatalf("home: %d", resp.StatusCode)
	}
	// English on request, every visible string from the catalogue.
	_, body = c.get("/?lang=en")
	if !strings.Contains(body, "Sign out") || strings.Contains(body, "退出登录") {
		t.Error("English page still shows Chinese chrome")
	}
	c.getOK("/?lang=zh-CN")
	// Logout ends the server session: replaying the old cookie reaches the login page.
	old := cookie.Value
	resp, _ = c.post("/logout", nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Clear-Site-Data") == "" {
		t.Fatalf("logout: %d", resp.StatusCode)
	}
	replay := e.client()
	u, _ := url.Parse(e.ts.URL)
	replay.hc.Jar.SetCookies(u, []*http.Cookie{{Name: "jiefen_session", Value: old}})
	resp, _ = replay.get("/")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Fatalf("old cookie after logout: %d", resp.StatusCode)
	}
}

func TestForcedPasswordChange(t *testing.T) {
	e := newEnv(t, jftest.OpenSQLite(t))
	_, err := e.svc.CreateUser(jftest.CLI(), identity.NewUser{Username: "newbie", Name: "新人", Roles: []domain.Role{domain.RoleReceptionist}, OrgCode: "610831", Password: "Init#ial2024x"})
	if err != nil {
		t.Fatal(err)
	}
	c := e.client()
	resp, _ := c.post("/login", url.Values{"username": {"newbie"}, "password": {"Init#ial2024x"}})
	if resp.Header.Get("Location") != "/account/password" {
		t.Fatalf("first login goes to %q", resp.Header.Get("Location"))
	}
	for _, p := range []string{"/", "/account", "/orgs", "/api/v1/orgs"} {
		resp, _ = c.get(p)
		if p == "/api/v1/orgs" {
			if resp.StatusCode != 403 {
				t.Errorf("API before the change: %d", resp.StatusCode)
			}
			continue
		}
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account/password" {
			t.Errorf("%s before the change: %d → %s", p, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	_, body := c.get("/account/password")
	resp, body = c.post("/account/password", url.Values{"current": {"Init#ial2024x"}, "password": {"abc"}, "confirm": {"abc"}})
	if resp.StatusCode != 422 || !strings.Contains(body, "至少需要 10 个字符") {
		t.Fatalf("weak new password: %d", resp.StatusCode)
	}
	resp, _ = c.post("/account/password", url.Values{"current": {"Init#ial2024x"}, "password": {"Gx8!rTq2mWz5"}, "confirm": {"Gx8!rTq2mWz5"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		t.Fatalf("change: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, _ = c.get("/")
	if resp.StatusCode != 200 {
		t.Fatalf("home after the change: %d", resp.StatusCode)
	}
}

// CSRF (SS-6): a state-changing request without the session's token, or from
// another origin, is refused with 403 and changes nothing.
func TestCSRF(t *testing.T) {
	e := newEnv(t, jftest.OpenSQLite(t))
	e.user("admin", "610831", domain.RoleAdmin)
	target := e.user("target", "610831", domain.RoleMediator)
	c := e.client()
	c.login("admin", jftest.Password)
	path := "/admin/users/" + itoa(target.ID) + "/reset-password"
	resp, _ := c.do("POST", path, url.Values{}, nil)
	if resp.StatusCode != 403 {
		t.Fatalf("no token: %d", resp.StatusCode)
	}
	resp, _ = c.do("POST", path, url.Values{"csrf": {"forged"}}, nil)
	if resp.StatusCode != 403 {
		t.Fatalf("wrong token: %d", resp.StatusCode)
	}
	resp, _ = c.do("POST", path, url.Values{"csrf": {c.csrf}}, map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"})
	if resp.StatusCode != 403 {
		t.Fatalf("cross-site with the token: %d", resp.StatusCode)
	}
	got, _ := e.svc.User(jftest.CLI(), target.ID)
	if got.MustChangePwd {
		t.Fatal("a refused request changed the account")
	}
	resp, _ = c.post(path, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("with the token: %d", resp.StatusCode)
	}
	got, _ = e.svc.User(jftest.CLI(), target.ID)
	if !got.MustChangePwd {
		t.Fatal("the reset did not happen")
	}
	// The cookie-authenticated API needs the token in a header.
	resp, _ = c.do("POST", "/api/v1/tokens", nil, map[string]string{"Content-Type": "application/json"})
	if resp.StatusCode != 403 {
		t.Fatalf("API POST with cookie and no X-CSRF-Token: %d", resp.StatusCode)
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

// AC-2: every route declares a permission, and routes that are not public
// refuse an anonymous caller.
func TestEveryRouteDeclaresPermission(t *testing.T) {
	e := newEnv(t, jftest.OpenSQLite(t))
	routes := e.srv.Routes()
	if len(routes) < 25 {
		t.Fatalf("only %d routes registered", len(routes))
	}
	public := map[string]bool{"GET /static/{sum}/{name}": true, "GET /healthz": true, "GET /readyz": true, "GET /metrics": true,
		"GET /login": true, "POST /login": true, "GET /login/2fa": true, "POST /login/2fa": true, "GET /track": true, "POST /track": true, "/": true, "GET /api/v1/openapi.json": true, "POST /api/v1/track": true, "/api/": true}
	c := e.client()
	for _, r := range routes {
		if r.Perm == "" {
			t.Errorf("%s has no permission", r.Pattern)
		}
		if (r.Perm == "public") != public[r.Pattern] {
			t.Errorf("%s: permission %s (public routes are %v)", r.Pattern, r.Perm, public)
		}
		if r.Perm == "public" {
			continue
		}
		method, path, _ := strings.Cut(r.Pattern, " ")
		path = strings.NewReplacer("{userID}", "1", "{tokenID}", "1", "{code}", "610831", "{$}", "").Replace(path)
		resp, _ := c.do(method, path, url.Values{}, nil)
		if resp.StatusCode != 401 && resp.StatusCode != 303 && resp.StatusCode != 403 {
			t.Errorf("anonymous %s %s: %d", method, path, resp.StatusCode)
		}
	}
}

// Each role's pages: a page of each role renders, and pages beyond the role are refused.
func TestPagesPerRole(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		pages := map[string]int{"/": 200, "/account": 200, "/orgs": 200, "/admin/users": 403, "/admin/audit": 403, "/admin/users/new": 403}
		for _, role := range []domain.Role{domain.RoleReceptionist, domain.RoleDispatcher, domain.RoleHandler, domain.RoleMediator, domain.RoleGridWorker,
			domain.RoleLeader, domain.RoleReviewer, domain.RoleAdmin, domain.RoleSecurityAdmin, domain.RoleAuditAdmin} {
			name := "u" + strings.ReplaceAll(string(role), "_", "")
			org := "610831101"
			if role == domain.RoleGridWorker {
				org = "610831101200001"
			}
			e.user(name, org, role)
			c := e.client()
			c.login(name, jftest.Password)
			for p, want := range pages {
				// The three administrators' duties are separate: the system
				// administrator keeps accounts, the audit administrator alone
				// reads the audit log, the security administrator neither.
				switch {
				case role == domain.RoleAdmin && p != "/admin/audit", role == domain.RoleAuditAdmin && p == "/admin/audit":
					want = 200
				case (role == domain.RoleSecurityAdmin || role == domain.RoleAuditAdmin) && p == "/orgs":
					want = 403
				}
				resp, body := c.get(p)
				if resp.StatusCode != want {
					t.Errorf("%s %s: %d, want %d", role, p, resp.StatusCode, want)
				}
				if want == 200 && !strings.Contains(body, "测试"+name) {
					t.Errorf("%s %s: the top bar does not name the user", role, p)
				}
			}
		}
	})
}

// AC-3: a township administrator asking for another township's account by ID
// gets 404 on the page and in the API.
func TestIDOR(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		e.user("hjjadmin", "610831101", domain.RoleAdmin)
		mine := e.user("hjjgrid", "610831101200001", domain.RoleGridWorker)
		theirs := e.user("shygrid", "610831001200001", domain.RoleGridWorker)
		c := e.client()
		c.login("hjjadmin", jftest.Password)
		if resp, _ := c.get("/admin/users/" + itoa(mine.ID)); resp.StatusCode != 200 {
			t.Fatalf("own township: %d", resp.StatusCode)
		}
		for _, p := range []string{"/admin/users/" + itoa(theirs.ID), "/api/v1/users/" + itoa(theirs.ID), "/api/v1/orgs/610831001", "/orgs?code=610831001200"} {
			if resp, _ := c.get(p); resp.StatusCode != 404 {
				t.Errorf("%s: %d, want 404", p, resp.StatusCode)
			}
		}
		resp, _ := c.post("/admin/users/"+itoa(theirs.ID)+"/reset-password", nil)
		if resp.StatusCode != 403 && resp.StatusCode != 404 {
			t.Errorf("reset another township's account: %d", resp.StatusCode)
		}
		if resp, _ := c.get("/admin/users/abc"); resp.StatusCode != 404 {
			t.Errorf("bad ID: %d", resp.StatusCode)
		}
	})
}

// A stored-XSS payload in a name renders as inert text (DC-7).
func TestXSSInert(t *testing.T) {
	e := newEnv(t, jftest.OpenSQLite(t))
	e.user("admin", "610831", domain.RoleAdmin)
	c := e.client()
	c.login("admin", jftest.Password)
	payload := `<script>alert(1)</script>`
	resp, body := c.post("/admin/users", url.Values{"username": {"xss"}, "name": {payload}, "org": {"610831"}, "roles": {"mediator"}})
	if resp.StatusCode != 201 {
		t.Fatalf("create: %d", resp.StatusCode)
	}
	_, body = c.get("/admin/users")
	if strings.Contains(body, payload) || !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Fatal("the payload was not escaped")
	}
}

func TestUserAdminForm(t *testing.T) {
	e := newEnv(t, jftest.OpenSQLite(t))
	e.user("admin", "610831", domain.RoleAdmin)
	c := e.client()
	c.login("admin", jftest.Password)
	c.getOK("/admin/users/new")
	resp, body := c.post("/admin/users", url.Values{"username": {"ab"}, "name": {""}, "phone": {"123"}, "org": {"999999"}, "password": {"Tq7#mLw2vX9p"}})
	if resp.StatusCode != 422 {
		t.Fatalf("invalid form: %d", resp.StatusCode)
	}
	for _, msg := range []string{"用户名须为", "此项必填", "11 位大陆手机号码", "请至少选择一个角色"} {
		if !strings.Contains(body, msg) {
			t.Errorf("form lacks %q", msg)
		}
	}
	if strings.Contains(body, "Tq7#mLw2vX9p") {
		t.Error("the password was re-populated")
	}
	resp, body = c.post("/admin/users", url.Values{"username": {"liuxia"}, "name": {"刘霞"}, "phone": {"139 1234 5678"}, "org": {"610831101"}, "roles": {"mediator", "grid_worker"}})
	if resp.StatusCode != 201 || !strings.Contains(body, "只显示这一次") {
		t.Fatalf("create with a generated password: %d", resp.StatusCode)
	}
	pw := regexp.MustCompile(`data-copy>([^<]+)<`).FindStringSubmatch(body)
	if pw == nil || domain.CheckPassword(pw[1], nil) != nil {
		t.Fatalf("generated password %v", pw)
	}
	// Duplicate username, other case.
	resp, body = c.post("/admin/users", url.Values{"username": {"LIUXIA"}, "name": {"x"}, "org": {"610831"}, "roles": {"mediator"}})
	if resp.StatusCode != 409 || !strings.Contains(body, "该用户名已被使用") {
		t.Fatalf("duplicate: %d", resp.StatusCode)
	}
	// The list masks phones.
	_, body = c.get("/admin/users?q=liuxia")
	if !strings.Contains(body, "139****5678") || strings.Contains(body, "13912345678") {
		t.Error("phone not masked in the list")
	}
	// Optimistic versioning: a stale save is refused with a message.
	u, err := e.svc.UserByUsername(jftest.CLI(), "liuxia")
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"name": {"刘霞霞"}, "org": {"610831101"}, "roles": {"mediator"}, "version": {itoa(u.Version)}}
	c.getOK("/admin/users/" + itoa(u.ID))
	if resp, _ = c.post("/admin/users/"+itoa(u.ID), form); resp.StatusCode != 303 {
		t.Fatalf("save: %d", resp.StatusCode)
	}
	c.getOK("/admin/users/" + itoa(u.ID))
	resp, body = c.post("/admin/users/"+itoa(u.ID), url.Values{"name": {"旧版本"}, "org": {"610831101"}, "roles": {"mediator"}, "version": {itoa(u.Version)}})
	if resp.StatusCode != 409 || !strings.Contains(body, "已被他人修改") {
		t.Fatalf("stale save: %d", resp.StatusCode)
	}
	// The system administrator may not read the audit log (AU-7); the audit
	// administrator's search finds the creation, and is itself audited.
	if resp, _ := c.get("/admin/audit"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("the system administrator reads the audit log: %d", resp.StatusCode)
	}
	e.user("auditor", "610831", domain.RoleAuditAdmin)
	c = e.client()
	c.login("auditor", jftest.Password)
	_, body = c.get("/admin/audit?action=user.create")
	if !strings.Contains(body, "liuxia") {
		t.Error("audit page lacks the creation")
	}
	es, _ := e.svc.SearchAudit(jftest.CLI(), domain.AuditFilter{Action: "audit.search", Limit: 5})
	if len(es) == 0 {
		t.Error("audit search not audited")
	}
}

func TestOpsEndpoints(t *testing.T) {
	e := newEnv(t, jftest.OpenSQLite(t))
	c := e.client()
	if resp, body := c.get("/healthz"); resp.StatusCode != 200 || body != "ok\n" {
		t.Fatalf("healthz %d %q", resp.StatusCode, body)
	}
	if resp, body := c.get("/readyz"); resp.StatusCode != 200 || !strings.Contains(body, `"ready"`) {
		t.Fatalf("readyz %d %q", resp.StatusCode, body)
	}
	c.getOK("/login")
	resp, body := c.get("/metrics")
	if resp.StatusCode != 200 || !strings.Contains(body, `jiefen_http_requests_total{route="GET /login",method="GET",code="200"} 1`) ||
		!strings.Contains(body, "jiefen_http_request_duration_seconds_bucket") {
		t.Fatalf("metrics %d:\n%s", resp.StatusCode, body)
	}
	// The audit alarms (AU-8): rows not written, and the anchor's state.
	for _, want := range []string{"\njiefen_audit_write_failures_total 0\n", "\njiefen_audit_anchor_failures_total 0\n", "\njiefen_audit_anchor_last_success_timestamp_seconds 0\n"} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	e.st.Close()
	if resp, _ := c.get("/readyz"); resp.StatusCode != 503 {
		t.Fatalf("readyz with the database closed: %d", resp.StatusCode)
	}
}

func TestTrackPage(t *testing.T) {
	e := newEnv(t, jftest.OpenSQLite(t))
	u := e.user("recep", "610831", domain.RoleReceptionist)
	c, err := e.svc.RegisterCase(jftest.As(u, "x"), domain.CaseInput{Channel: "visit", Category: "neighbour", OrgCode: "610831101",
		Address: "何家集村", Description: "邻居修建排水沟，雨水流入对方院子。", Parties: []domain.Party{{Role: "applicant", Name: "张三丰", IDType: "none", NoIDReason: "未带证件"}}})
	if err != nil {
		t.Fatal(err)
	}
	cl := e.client()
	if resp, body := cl.get("/track"); resp.StatusCode != 200 || !strings.Contains(body, "查询码") {
		t.Fatalf("track page %d", resp.StatusCode)
	}
	resp, body := cl.do("POST", "/track", url.Values{"number": {c.Number}, "code": {c.QueryCode}}, nil)
	if resp.StatusCode != 200 || !strings.Contains(body, "已登记受理") || strings.Contains(body, "张三丰") {
		t.Fatalf("track result %d", resp.StatusCode)
	}
	resp, body = cl.do("POST", "/track", url.Values{"number": {c.Number}, "code": {"AAAAA-BBBBB"}}, nil)
	if resp.StatusCode != 404 || !strings.Contains(body, "编号或查询码不正确") {
		t.Fatalf("wrong code %d", resp.StatusCode)
	}
}

// A county administrator attaches a handler to a unit from the user page;
// a dispatcher cannot.
func TestUserUnitForm(t *testing.T) {
	e := newEnv(t, jftest.OpenSQLite(t))
	jftest.DemoCentre(t, e.svc, 1)
	e.user("cadmin", "610831", domain.RoleAdmin)
	h := e.user("handler1", "610831", domain.RoleHandler)
	e.user("disp", "610831", domain.RoleDispatcher)
	c := e.client()
	c.login("cadmin", jftest.Password)
	_, body := c.get("/admin/users/" + itoa(h.ID))
	if !strings.Contains(body, `name="unit"`) || !strings.Contains(body, "子洲县司法局") {
		t.Fatal("no unit form on the user page")
	}
	if resp, _ := c.post("/admin/users/"+itoa(h.ID)+"/unit", url.Values{"unit": {"justice"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save unit: %d", resp.StatusCode)
	}
	if code, _ := e.svc.UserUnit(jftest.CLI(), h.ID); code != "justice" {
		t.Fatalf("unit %q", code)
	}
	if resp, _ := c.post("/admin/users/"+itoa(h.ID)+"/unit", url.Values{"unit": {"nosuch"}}); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("unknown unit: %d", resp.StatusCode)
	}
	d := e.client()
	d.login("disp", jftest.Password)
	if resp, _ := d.post("/admin/users/"+itoa(h.ID)+"/unit", url.Values{"unit": {"court"}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("dispatcher: %d", resp.StatusCode)
	}
	// Lead-leader posts on the centre page: a refusal re-shows the tab.
	e.user("sec", "610831", domain.RoleLeader)
	if resp, body := c.post("/centre/posts", url.Values{"post": {"plc_secretary"}, "county": {"610831"}, "username": {"disp"}}); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "领导") {
		t.Fatalf("a dispatcher as secretary: %d", resp.StatusCode)
	}
	if resp, _ := c.post("/centre/posts", url.Values{"post": {"plc_secretary"}, "county": {"610831"}, "username": {"sec"}}); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/centre?tab=leaders" {
		t.Fatalf("post: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
}
