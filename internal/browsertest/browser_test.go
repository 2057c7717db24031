// Package browsertest_test drives a real headless Chromium against the real
// server (in-process, on SQLite) through chromedp: login, logout, the forced
// password change, each role's pages and the phone layout.
//
// Chromium is looked up in $JIEFEN_CHROMIUM, /usr/bin/chromium, then PATH.
// Without it the tests skip, except under CI (CI non-empty), where they fail.
// With JIEFEN_SCREENSHOTS=dir every visited page is saved as a full-page PNG
// at 1366 px (…-desktop.png) and at 375 px (…-375.png).
package browsertest_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"jiefen/internal/domain"
	"jiefen/internal/jftest"
	"jiefen/internal/server"
	"jiefen/internal/service"
	"jiefen/internal/service/identity"
)

const (
	testTimeout = 240 * time.Second // a ceiling for slow CI runs under -race, not a speed target
	stepTimeout = 45 * time.Second  // generous: CI runs the browser beside the race-enabled suites
	centreName  = "子洲县社会治安综合治理中心"
)

// Viewports: the desktop the centre's PCs have, and a common phone width.
var (
	desktop = viewport{name: "desktop", w: 1366, h: 900}
	phone   = viewport{name: "375", w: 375, h: 800, mobile: true}
)

type viewport struct {
	name   string
	w, h   int64
	mobile bool
}

func (v viewport) action() chromedp.Action[chromedp.Void] {
	if v.mobile {
		return chromedp.EmulateViewport(v.w, v.h, chromedp.EmulateMobile, chromedp.EmulatePortrait)
	}
	return chromedp.EmulateViewport(v.w, v.h)
}

// chromiumPath finds the browser, or skips (fails under CI).
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("JIEFEN_CHROMIUM"); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("JIEFEN_CHROMIUM=%s: %v", p, err)
		}
		return p
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium not found (set JIEFEN_CHROMIUM or install chromium): the browser tests must run under CI")
	}
	t.Skip("browser tests skipped: install chromium (apt-get install chromium) or set JIEFEN_CHROMIUM=/path/to/chromium")
	return ""
}

// env is one test's server and browser.
type env struct {
	svc   *service.Service
	base  string          // the server's URL
	root  context.Context // the browser; tabs are its children
	shots string          // screenshot directory, or ""
}

// newEnv starts the server on the test tree and one Chromium for the test.
func newEnv(t *testing.T) *env {
	t.Helper()
	return newEnvWith(t, func(svc *service.Service) { jftest.SeedTree(t, svc) })
}

// newEnvWith is newEnv with the data seed fills the service with.
func newEnvWith(t *testing.T, seed func(*service.Service)) *env {
	t.Helper()
	return newEnvPolicy(t, jftest.FastPolicy(), seed)
}

// newEnvPolicy is newEnvWith under the security policy p.
func newEnvPolicy(t *testing.T, p identity.Policy, seed func(*service.Service)) *env {
	t.Helper()
	return newEnvTimed(t, p, seed, testTimeout)
}

// newEnvTimed is newEnvPolicy whose browser lives for timeout (the
// accessibility run's many pages of every role take longer than one test).
func newEnvTimed(t *testing.T, p identity.Policy, seed func(*service.Service), timeout time.Duration) *env {
	t.Helper()
	bin := chromiumPath(t)

	st := jftest.OpenSQLite(t)
	svc := jftest.ServiceWith(st, p)
	seed(svc)
	srv, err := server.New(server.Config{Version: "test", CentreName: centreName}, svc, jftest.Logger())
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)

	shots := os.Getenv("JIEFEN_SCREENSHOTS")
	if shots != "" {
		timeout *= 3 // two extra viewports and captures per page
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	allocCtx, allocCancel := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(bin),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		// Tabs side by side are all in front: no background throttling of
		// their timers or lowered priority of their renderers on a busy machine.
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
		chromedp.Flag("disable-backgrounding-occluded-windows", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	t.Cleanup(allocCancel)
	root, rootCancel := chromedp.NewContext(allocCtx)
	t.Cleanup(rootCancel) // registered last, so it runs first: Chromium closes before its profile dir is removed
	if err := chromedp.Do(root); err != nil {
		t.Fatalf("start chromium %s: %v", bin, err)
	}

	e := &env{svc: svc, base: ts.URL, root: root, shots: shots}
	if e.shots != "" {
		if err := os.MkdirAll(e.shots, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// tab is a browser tab in its own browser context: its own cookies, like a
// fresh incognito window, so each user starts logged out.
type tab struct {
	e   *env
	t   *testing.T
	ctx context.Context
	vp  viewport
}

func (e *env) newTab(t *testing.T, vp viewport) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(e.root, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	tb := &tab{e: e, t: t, ctx: ctx, vp: vp}
	if err := chromedp.Do(ctx, vp.action()); err != nil { // opens the tab
		t.Fatalf("open tab: %v", err)
	}
	return tb
}

// do runs the steps with a step timeout and fails the test on an error.
func (tb *tab) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		tb.t.Fatalf("%s: %v (at %s)", what, err, tb.locationQuiet())
	}
}

// eval evaluates a JavaScript expression that yields T.
func eval[T any](tb *tab, expr string) T {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		tb.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// open navigates to path and waits for the page to load.
func (tb *tab) open(path string) {
	tb.t.Helper()
	tb.do("open "+path, chromedp.Navigate(tb.e.base+path))
}

// submit clicks the element (a submit button) and waits for the next page.
func (tb *tab) submit(sel string) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
		tb.t.Fatalf("click %s: %v (at %s)", sel, err, tb.locationQuiet())
	}
}

// fill clears the input and types v into it.
func (tb *tab) fill(sel, v string) {
	tb.t.Helper()
	tb.do("fill "+sel, chromedp.Clear(chromedp.CSS(sel)), chromedp.SendKeys(chromedp.CSS(sel), v))
}

func (tb *tab) location() *url.URL {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		tb.t.Fatalf("location: %v", err)
	}
	u, err := url.Parse(loc)
	if err != nil {
		tb.t.Fatalf("location %q: %v", loc, err)
	}
	return u
}

func (tb *tab) locationQuiet() string {
	ctx, cancel := context.WithTimeout(tb.ctx, 2*time.Second)
	defer cancel()
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	return loc
}

// wantPath asserts the tab shows path (the query is ignored).
func (tb *tab) wantPath(path string) {
	tb.t.Helper()
	if got := tb.location().Path; got != path {
		tb.t.Fatalf("at %s, want path %s; page says: %.300s", tb.location(), path, tb.text("main"))
	}
}

// text is the rendered text (innerText) of the first match of sel, or "".
func (tb *tab) text(sel string) string {
	tb.t.Helper()
	return eval[string](tb, `(function(){var e=document.querySelector(`+jsString(sel)+`);return e?e.innerText.trim():""})()`)
}

// wantText asserts the text of sel contains each of want.
func (tb *tab) wantText(sel string, want ...string) {
	tb.t.Helper()
	got := tb.text(sel)
	for _, w := range want {
		if !strings.Contains(got, w) {
			tb.t.Fatalf("at %s: %s should contain %q; it says: %.400q", tb.location().Path, sel, w, got)
		}
	}
}

// noText asserts the text of sel contains none of bad.
func (tb *tab) noText(sel string, bad ...string) {
	tb.t.Helper()
	got := tb.text(sel)
	for _, b := range bad {
		if strings.Contains(got, b) {
			tb.t.Fatalf("at %s: %s should not contain %q; it says: %.400q", tb.location().Path, sel, b, got)
		}
	}
}

// clearCookies forgets every cookie of the tab's browser context.
func (tb *tab) clearCookies() {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	if _, err := chromedp.Call(ctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
		tb.t.Fatalf("clear cookies: %v", err)
	}
}

// login fills and submits the login form, starting from /login.
func (tb *tab) login(username, password string) {
	tb.t.Helper()
	tb.open("/login")
	tb.wantPath("/login")
	tb.wantText("h1", "解纷")
	tb.wantText(`form[action="/login"] button[type=submit]`, "登录")
	tb.fill("#username", username)
	tb.fill("#password", password)
	tb.submit(`form[action="/login"] button[type=submit]`)
}

// logout clicks the logout button in the top bar.
func (tb *tab) logout() {
	tb.t.Helper()
	btn := `header form[action="/logout"] button[type=submit]`
	if got := tb.text(btn); got != "退出登录" {
		tb.t.Fatalf("logout button says %q, want 退出登录", got)
	}
	tb.submit(btn)
}

// shot saves full-page screenshots of the current page at the desktop and the
// phone width when JIEFEN_SCREENSHOTS is set, then restores the viewport.
func (tb *tab) shot(name string) {
	tb.t.Helper()
	if tb.e.shots == "" {
		return
	}
	for _, vp := range []viewport{desktop, phone} {
		// Let the layout settle (the side nav slides for 0.2 s at a breakpoint).
		tb.do("viewport", vp.action(), chromedp.Sleep(300*time.Millisecond))
		if vp == phone {
			if w := eval[int](tb, `document.documentElement.scrollWidth`); w > int(vp.w) {
				tb.t.Logf("screenshot %s: the page is %d px wide at %d px (horizontal overflow)", name, w, vp.w)
			}
		}
		ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		cancel()
		if err != nil {
			tb.t.Fatalf("screenshot %s: %v", name, err)
		}
		file := filepath.Join(tb.e.shots, name+"-"+vp.name+".png")
		if err := os.WriteFile(file, png, 0o644); err != nil {
			tb.t.Fatal(err)
		}
	}
	tb.do("restore viewport", tb.vp.action(), chromedp.Sleep(300*time.Millisecond))
}

// Role names as the Chinese UI shows them (i18n role.<code>).
var roleNames = map[domain.Role]string{
	domain.RoleReceptionist:  "接待员",
	domain.RoleDispatcher:    "指挥中心值班员",
	domain.RoleHandler:       "部门承办人",
	domain.RoleMediator:      "调解员",
	domain.RoleGridWorker:    "网格员",
	domain.RoleLeader:        "领导",
	domain.RoleReviewer:      "数据审核员",
	domain.RoleAdmin:         "系统管理员",
	domain.RoleSecurityAdmin: "安全管理员",
	domain.RoleAuditAdmin:    "审计管理员",
}

// TestPageOfEachRole comes first: it is the longest, and the tests run
// two at a time (go test -parallel defaults to GOMAXPROCS).
func TestPageOfEachRole(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	orgOf := func(r domain.Role) (code, name string) {
		switch r {
		case domain.RoleGridWorker:
			return "610831101200001", "第一网格"
		case domain.RoleAdmin, domain.RoleSecurityAdmin, domain.RoleAuditAdmin:
			return "610831", "子洲县"
		}
		return "610831101", "何家集镇"
	}
	roles := []domain.Role{
		domain.RoleReceptionist, domain.RoleDispatcher, domain.RoleHandler, domain.RoleMediator,
		domain.RoleGridWorker, domain.RoleLeader, domain.RoleReviewer, domain.RoleAdmin, domain.RoleSecurityAdmin, domain.RoleAuditAdmin,
	}
	tb := e.newTab(t, desktop) // one tab; the cookies are cleared for each user
	for _, role := range roles {
		code, orgName := orgOf(role)
		username := "u_" + string(role)
		jftest.MakeUser(t, e.svc, username, code, role)

		t.Run(string(role), func(t *testing.T) {
			tb.t = t
			tb.clearCookies() // log in afresh, as another person at the same PC would
			tb.login(username, jftest.Password)
			tb.wantPath("/")
			tb.wantText("main h1", "测试"+username)
			tb.wantText("header .who", "测试"+username, orgName)
			tb.wantText(".chip.role-"+string(role), roleNames[role])
			if n := eval[int](tb, `document.querySelectorAll("main .chip[class*=role-]").length`); n != 1 {
				t.Errorf("%d role chips on the home page, want 1", n)
			}
			tb.wantText("#sidenav", "工作台", "我的账户")
			// The three administrators' duties are separate (三权分立): each
			// sees its own pages only.
			switch role {
			case domain.RoleAdmin:
				tb.wantText("#sidenav", "用户管理", "行政区划与网格")
				tb.noText("#sidenav", "审计日志", "安全管理")
			case domain.RoleAuditAdmin:
				tb.wantText("#sidenav", "审计日志")
				tb.noText("#sidenav", "用户管理", "安全管理", "行政区划与网格", "矛盾纠纷")
			case domain.RoleSecurityAdmin:
				tb.wantText("#sidenav", "安全管理")
				tb.noText("#sidenav", "用户管理", "审计日志", "行政区划与网格", "矛盾纠纷")
			default:
				tb.wantText("#sidenav", "行政区划与网格")
				tb.noText("#sidenav", "用户管理", "审计日志", "安全管理")
			}
			tb.shot("home-" + string(role))

			switch role {
			case domain.RoleAdmin:
				tb.open("/admin/users")
				tb.wantPath("/admin/users")
				tb.wantText("main h1", "用户管理")
				tb.wantText("main table", "u_dispatcher", "测试u_grid_worker", "网格员")
				tb.shot("admin-users")
				tb.open("/admin/audit")
				tb.wantText("main", "无权访问")
				return
			case domain.RoleAuditAdmin:
				tb.open("/admin/audit")
				tb.wantPath("/admin/audit")
				tb.wantText("main h1", "审计日志")
				tb.wantText("main table", "u_admin")
				tb.shot("admin-audit")
				return
			case domain.RoleSecurityAdmin:
				tb.open("/admin/security")
				tb.wantText("main h1", "安全管理")
				tb.wantText("main table.matrix", "审计管理员")
				tb.shot("admin-security")
				return
			}
			tb.open("/orgs")
			tb.wantPath("/orgs")
			tb.wantText("main h1", orgName, code)
			tb.wantText("#sidenav a.active", "行政区划与网格")
			tb.shot("orgs-" + string(role))

			// The admin pages are refused, not merely hidden.
			tb.open("/admin/users")
			tb.wantText("main", "无权访问")
			tb.noText("main", "u_admin")
		})
	}
}

func TestLoginAndLogout(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	jftest.MakeUser(t, e.svc, "disp1", "610831101", domain.RoleDispatcher)
	tb := e.newTab(t, desktop)

	tb.open("/")
	tb.wantPath("/login") // not logged in: sent to the login page
	tb.shot("login")

	tb.login("disp1", jftest.Password)
	tb.wantPath("/")
	tb.wantText("main h1", "测试disp1，您好")
	tb.wantText("header .who", "测试disp1", "何家集镇")
	tb.wantText(".chip.role-dispatcher", "指挥中心值班员")
	tb.wantText("#sidenav", "工作台", "行政区划与网格", "我的账户")
	tb.shot("home-dispatcher")

	// RI-2: logout makes the browser forget the site's cookies and storage
	// (a cookie and an item the page itself left are gone), and the
	// sign-in page still says it signed out.
	eval[bool](tb, `document.cookie = "probe=1; path=/"; localStorage.setItem("probe", "1"); true`)
	tb.logout()
	tb.wantPath("/login")
	tb.wantText(".flash", "您已安全退出")
	tb.noText("body", "测试disp1")
	if left := eval[string](tb, `document.cookie + "|" + localStorage.length`); strings.Contains(left, "probe") || !strings.HasSuffix(left, "|0") {
		t.Errorf("after logout the browser still holds %q", left)
	}
	tb.shot("login-logged-out")

	// The session is gone: the home page asks for a login again.
	tb.open("/")
	tb.wantPath("/login")

	// A wrong password keeps the user on the login page with an error.
	tb.login("disp1", "Wrong#pass2024")
	tb.wantPath("/login")
	tb.wantText(".alert", "用户名或密码错误")
	if got := eval[string](tb, `document.getElementById("username").value`); got != "disp1" {
		t.Errorf("username after a failed login = %q, want it kept", got)
	}
	if got := eval[string](tb, `document.getElementById("password").value`); got != "" {
		t.Errorf("password after a failed login = %q, want it empty", got)
	}
	tb.shot("login-failed")
}

func TestForcedPasswordChange(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const initial, good = "Init#ial2024x", "Gx8!rTq2mWz5"
	if _, err := e.svc.CreateUser(jftest.CLI(), identity.NewUser{
		Username: "newbie", Name: "王芳", Roles: []domain.Role{domain.RoleReceptionist},
		OrgCode: "610831101", Password: initial,
	}); err != nil {
		t.Fatal(err)
	}
	tb := e.newTab(t, desktop)

	tb.login("newbie", initial)
	tb.wantPath("/account/password")
	tb.wantText("main h1", "修改密码")
	tb.wantText(".flash", "请先修改密码")
	tb.wantText(".notice", "初始密码")
	tb.shot("password-forced")

	// Nothing else opens until the password is changed.
	for _, p := range []string{"/", "/orgs", "/account"} {
		tb.open(p)
		tb.wantPath("/account/password")
	}

	// Too short: the field error shows and the user stays on the form.
	tb.fill("#current", initial)
	tb.fill("#password", "Ab1!xyz")
	tb.fill("#confirm", "Ab1!xyz")
	tb.submit(`form[action="/account/password"] button[type=submit]`)
	tb.wantPath("/account/password")
	tb.wantText("#err-password", "至少需要 10 个字符")
	if got := eval[string](tb, `document.getElementById("password").getAttribute("aria-invalid") || ""`); got != "true" {
		t.Errorf("#password aria-invalid = %q, want true", got)
	}
	tb.shot("password-error")
	tb.open("/")
	tb.wantPath("/account/password") // still forced

	// A good password: home, with the confirmation.
	tb.fill("#current", initial)
	tb.fill("#password", good)
	tb.fill("#confirm", good)
	tb.submit(`form[action="/account/password"] button[type=submit]`)
	tb.wantPath("/")
	tb.wantText("main h1", "王芳，您好")
	tb.wantText(".flash", "密码已修改")
	tb.shot("home-after-password-change")

	// The new password works and no longer forces a change; the old one fails.
	tb.logout()
	tb.wantPath("/login")
	tb.login("newbie", initial)
	tb.wantPath("/login")
	tb.wantText(".alert", "用户名或密码错误")
	tb.login("newbie", good)
	tb.wantPath("/")
	tb.wantText("main h1", "王芳，您好")
}

func TestMobileLayout(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	jftest.MakeUser(t, e.svc, "grid1", "610831101200001", domain.RoleGridWorker)
	tb := e.newTab(t, phone)

	tb.login("grid1", jftest.Password)
	tb.wantPath("/")
	tb.wantText("main h1", "测试grid1，您好")
	if w := eval[int](tb, `window.innerWidth`); w != int(phone.w) {
		t.Fatalf("viewport width = %d, want %d", w, phone.w)
	}

	// state reports what a person sees: the toggle shown, and whether the
	// side nav is on screen and on top at a point inside it.
	type navState struct {
		Toggle   bool   `json:"toggle"`
		NavShown bool   `json:"navShown"` // some of it on screen, on top
		NavWhole bool   `json:"navWhole"` // all of it on screen
		Expanded string `json:"expanded"`
	}
	state := func() navState {
		return eval[navState](tb, `(function(){
			var b = document.querySelector("[data-nav-toggle]"), n = document.getElementById("sidenav");
			var br = b.getBoundingClientRect(), nr = n.getBoundingClientRect();
			var toggle = getComputedStyle(b).display !== "none" && getComputedStyle(b).visibility !== "hidden" && br.width > 0 && br.height > 0;
			var x = Math.max(nr.left, 0) + 10, y = nr.top + 20;
			var hit = document.elementFromPoint(x, y);
			var onScreen = nr.right > 0 && nr.left < window.innerWidth && nr.width > 0 && getComputedStyle(n).visibility !== "hidden" && !!hit && n.contains(hit);
			return {toggle: toggle, navShown: onScreen, navWhole: onScreen && nr.left >= 0 && nr.right <= window.innerWidth, expanded: b.getAttribute("aria-expanded")};
		})()`)
	}

	if s := state(); !s.Toggle || s.NavShown || s.Expanded != "false" {
		t.Fatalf("at 375 px before the toggle: %+v, want the toggle shown and the nav hidden", s)
	}

	tb.do("click the nav toggle", chromedp.Click(chromedp.CSS("[data-nav-toggle]")))
	// The nav slides in (0.2 s transition).
	deadline := time.Now().Add(3 * time.Second)
	s := state()
	for !s.NavWhole && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		s = state()
	}
	if !s.NavShown || !s.NavWhole || s.Expanded != "true" {
		t.Fatalf("after the toggle: %+v, want the nav shown and aria-expanded=true", s)
	}
	tb.wantText("#sidenav", "工作台", "行政区划与网格", "我的账户")
	if tb.e.shots != "" {
		ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(tb.e.shots, "home-nav-open-375.png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// The opened nav works: a link leads to its page.
	tb.submit(`#sidenav a[href="/orgs"]`)
	tb.wantPath("/orgs")
	tb.wantText("main h1", "第一网格")
	if s := state(); !s.Toggle || s.NavShown {
		t.Fatalf("on the next page at 375 px: %+v, want the nav closed again", s)
	}

	// At desktop width the nav is always there and the toggle is gone.
	tb.vp = desktop
	tb.do("desktop viewport", desktop.action(), chromedp.Sleep(300*time.Millisecond))
	if s := state(); s.Toggle || !s.NavWhole {
		t.Fatalf("at 1366 px: %+v, want no toggle and the nav shown", s)
	}
}
