package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"jiefen/internal/domain"
	"jiefen/internal/jftest"
	"jiefen/internal/server"
	"jiefen/internal/store"
)

// The reveal budget on the pages: past the cap the matter page says why
// and where to ask (not an error page); the approvals page asks for more
// and another person approves it; the security administrator's page shows
// the alert, today's views, the policy and the permissions, and marks the
// alert handled; nobody else may open it.
func TestRevealBudgetPages(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		p := jftest.FastPolicy()
		p.RevealDailyCap = 1
		e := newEnvWith(t, st, p)
		e.user("recep", "610831", domain.RoleReceptionist)
		e.user("lead", "610831", domain.RoleLeader)
		e.user("sec", "610831", domain.RoleSecurityAdmin)
		login := func(name string) *client {
			c := e.client()
			c.login(name, jftest.Password)
			return c
		}
		rc, lc, sc := login("recep"), login("lead"), login("sec")
		id := rc.registerCase("610831101")
		c, err := e.svc.Case(jftest.CLI(), id)
		if err != nil {
			t.Fatal(err)
		}
		reveal := "/cases/" + itoa(id) + "/parties/" + itoa(c.Parties[0].ID) + "/reveal"
		rc.getOK("/cases/" + itoa(id))
		if resp, _ := rc.post(reveal, url.Values{"reason": {"电话联系当事人"}}); resp.StatusCode != http.StatusOK {
			t.Fatalf("first reveal: %d", resp.StatusCode)
		}
		resp, body := rc.post(reveal, url.Values{"reason": {"电话联系当事人"}})
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "已达上限") || !strings.Contains(body, "个人信息审批") {
			t.Fatalf("past the cap: %d, want 403 on the matter page saying where to ask", resp.StatusCode)
		}
		// More for today, asked and approved by another person.
		body = rc.getOK("/exports")
		if !strings.Contains(body, "增加今日查看额度") {
			t.Fatal("the approvals page has no section for more views")
		}
		if resp, _ := rc.post("/reveal-grants", url.Values{"reason": {""}}); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("a request without a reason: %d", resp.StatusCode)
		}
		if resp, _ := rc.post("/reveal-grants", url.Values{"reason": {"集中核对群体事项当事人"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("request: %d", resp.StatusCode)
		}
		body = lc.getOK("/exports")
		if !strings.Contains(body, "集中核对群体事项当事人") || !strings.Contains(body, `action="/reveal-grants/`) {
			t.Fatal("the leader does not see the request to approve")
		}
		grants, _, _ := e.svc.RevealGrants(jftest.As(mustUser(t, e, "recep"), "x"))
		if resp, _ := lc.post("/reveal-grants/"+itoa(grants[0].ID)+"/approve", nil); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("approve: %d", resp.StatusCode)
		}
		rc.getOK("/cases/" + itoa(id))
		if resp, _ := rc.post(reveal, url.Values{"reason": {"电话联系当事人"}}); resp.StatusCode != http.StatusOK {
			t.Errorf("after the approval: %d", resp.StatusCode)
		}
		// The security page.
		if resp, _ := lc.get("/admin/security"); resp.StatusCode != http.StatusForbidden {
			t.Errorf("a leader opens the security page: %d", resp.StatusCode)
		}
		body = sc.getOK("/admin/security")
		for _, want := range []string{"查看个人信息达到每日上限", "测试recep", "今日查看完整个人信息", "每天 1 次", "角色权限", "审计管理员"} {
			if !strings.Contains(body, want) {
				t.Errorf("the security page lacks %q", want)
			}
		}
		r, _ := e.svc.SecurityReport(jftest.CLI())
		handle := "/admin/security/alerts/" + itoa(r.Alerts[0].ID) + "/handle"
		if resp, _ := sc.post(handle, url.Values{"note": {""}}); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("handled without a note: %d", resp.StatusCode)
		}
		if resp, _ := sc.post(handle, url.Values{"note": {"已核实，系集中核对"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("handle: %d", resp.StatusCode)
		}
		if body := sc.getOK("/admin/security"); !strings.Contains(body, "已核实，系集中核对") {
			t.Error("the handled alert does not show its note")
		}
	})
}

// The audit administrator exports the audit search as CSV (the records as
// written, formula-safe), the export audited; nobody else may.
func TestAuditExport(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		e.user("auditor", "610831", domain.RoleAuditAdmin)
		e.user("sysadmin", "610831", domain.RoleAdmin)
		ac, sc := e.client(), e.client()
		ac.login("auditor", jftest.Password)
		sc.login("sysadmin", jftest.Password)
		// A failed sign-in records the name typed: here a formula.
		e.client().post("/login", url.Values{"username": {"=hyperlink(1)"}, "password": {"x"}})
		if resp, _ := sc.get("/admin/audit/export.csv"); resp.StatusCode != http.StatusForbidden {
			t.Errorf("the system admin exported the audit log: %d", resp.StatusCode)
		}
		resp, body := ac.get("/admin/audit/export.csv?action=login")
		if resp.StatusCode != 200 || !strings.HasPrefix(body, "\uFEFFseq,time,user") || !strings.Contains(body, ",login,") {
			t.Fatalf("export: %d %.200q", resp.StatusCode, body)
		}
		if !strings.Contains(body, "'=hyperlink(1)") || strings.Contains(body, ",=hyperlink") {
			t.Errorf("the typed formula is not neutralised: %q", body)
		}
		if es, _ := e.svc.SearchAudit(jftest.CLI(), domain.AuditFilter{Action: "audit.export", Limit: 5}); len(es) != 1 {
			t.Errorf("%d audit.export entries, want 1", len(es))
		}
	})
}

// A password is never posted over plain HTTP from another machine
// (SECURITY.md IA-8): the sign-in page says to use https and shows no
// form, and a posted password is refused before it is read; from this
// machine (the demo, a local proxy) and with --allow-plain-http it works.
func TestPlainHTTPSignInRefused(t *testing.T) {
	st := jftest.OpenSQLite(t)
	e := newEnv(t, st)
	e.user("recep", "610831", domain.RoleReceptionist)
	h := e.srv.Handler()
	get := httptest.NewRequest("GET", "/login", nil) // from 192.0.2.1, not TLS
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, get)
	if body := rec.Body.String(); rec.Code != 200 || !strings.Contains(body, "请通过 https 登录") || strings.Contains(body, `name="password"`) {
		t.Fatalf("GET /login over plain HTTP: %d, want the https notice and no form", rec.Code)
	}
	post := httptest.NewRequest("POST", "/login", strings.NewReader(url.Values{"username": {"recep"}, "password": {jftest.Password}}.Encode()))
	post.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, post)
	if rec.Code != http.StatusForbidden || len(rec.Result().Cookies()) > 0 {
		t.Fatalf("POST /login over plain HTTP: %d, cookies %v", rec.Code, rec.Result().Cookies())
	}
	if es, _ := e.svc.SearchAudit(jftest.CLI(), domain.AuditFilter{Action: "login", Limit: 5}); len(es) != 0 {
		t.Errorf("the refused password was checked: %d login rows", len(es))
	}
	// From this machine it signs in (the test server's client is 127.0.0.1).
	e.client().login("recep", jftest.Password)
	// And with --allow-plain-http, from anywhere.
	srv, err := server.New(server.Config{Version: "test", AllowPlainHTTP: true}, e.svc, jftest.Logger())
	if err != nil {
		t.Fatal(err)
	}
	post = httptest.NewRequest("POST", "/login", strings.NewReader(url.Values{"username": {"recep"}, "password": {jftest.Password}}.Encode()))
	post.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec = httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, post)
	if rec.Code != http.StatusSeeOther {
		t.Errorf("with --allow-plain-http: %d", rec.Code)
	}
}

// An audit row carries the request that wrote it (AU-2): the sign-in's row
// holds the X-Request-Id its answer gave, with the user, roles, address,
// action, object and result.
func TestAuditRowHoldsTheRequest(t *testing.T) {
	e := newEnv(t, jftest.OpenSQLite(t))
	e.user("recep", "610831", domain.RoleReceptionist)
	resp := e.client().login("recep", jftest.Password)
	rid := resp.Header.Get("X-Request-Id")
	es, err := e.svc.SearchAudit(jftest.CLI(), domain.AuditFilter{Action: "login", Limit: 1})
	if err != nil || len(es) != 1 {
		t.Fatalf("login rows: %d, %v", len(es), err)
	}
	a := es[0]
	if rid == "" || a.RequestID != rid || a.Username != "recep" || a.Roles != "receptionist" || a.IP != "127.0.0.1" ||
		a.ObjectType != "user" || a.ObjectID != "recep" || a.Result != domain.ResultOK || a.At.IsZero() {
		t.Errorf("the row %+v, the answer's request %q", a, rid)
	}
}
