package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"jiefen/internal/domain"
	"jiefen/internal/jftest"
	"jiefen/internal/store"
)

// cookie returns the value of the client's cookie called name ("" without).
func (c *client) cookie(name string) string {
	u, _ := url.Parse(c.e.ts.URL)
	for _, k := range c.hc.Jar.Cookies(u) {
		if k.Name == name {
			return k.Value
		}
	}
	return ""
}

func (c *client) setCookie(name, value string) {
	u, _ := url.Parse(c.e.ts.URL)
	c.hc.Jar.SetCookies(u, []*http.Cookie{{Name: name, Value: value, Path: "/"}})
}

// landOnLogin loads path and follows the redirect to the sign-in page,
// returning that page.
func (c *client) landOnLogin(path string) string {
	c.e.t.Helper()
	resp, _ := c.get(path)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
		c.e.t.Fatalf("GET %s: %d %q, want a redirect to /login", path, resp.StatusCode, loc)
	}
	if strings.Contains(loc, "ended") || strings.Contains(loc, "%E") {
		c.e.t.Fatalf("the redirect carries a message: %s", loc)
	}
	return c.getOK(loc)
}

var elsewhereZH = regexp.MustCompile(`您已在其他地方登录，本处已退出。</strong> 您的账号于 \d\d-\d\d \d\d:\d\d 在 127\.0\.0\.1 登录。若不是您本人操作，请立即修改密码并联系管理员。`)

// Issue 13, point 9: signing in elsewhere ends the first session, and that
// browser's next page says so, once, in its language; a forged cookie gets
// nothing; the API answers a distinct 401.
func TestSignedInElsewhereIsTold(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		e.user("zhao", "610831", domain.RoleDispatcher)
		first, second := e.client(), e.client()
		first.login("zhao", jftest.Password)
		dead := first.cookie("jiefen_session")
		second.login("zhao", jftest.Password)
		// The ended row and the audit of the sign-in both say why.
		if n, err := jftest.Count(st, `SELECT count(*) FROM sessions WHERE end_reason = 'replaced by a new sign-in'`); err != nil || n != 1 {
			t.Fatalf("sessions replaced: %d, %v", n, err)
		}
		if n, err := jftest.Count(st, `SELECT count(*) FROM audit_log WHERE action = 'login' AND detail LIKE '%ended 1 older session(s): replaced by a new sign-in'`); err != nil || n != 1 {
			t.Fatalf("audited sign-ins that replaced a session: %d, %v", n, err)
		}

		api := e.client()
		api.setCookie("jiefen_session", dead)
		resp, body := api.get("/api/v1/me")
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, `"reason":"session.replaced"`) {
			t.Fatalf("API with the replaced cookie: %d %s", resp.StatusCode, body)
		}

		page := first.landOnLogin("/cases")
		if !elsewhereZH.MatchString(page) {
			t.Fatalf("the first browser is not told it was signed in elsewhere:\n%s", page)
		}
		if again := first.getOK("/login"); strings.Contains(again, "本处已退出") {
			t.Fatal("the message shows twice")
		}

		// English, and the second browser replaced in turn.
		second.setCookie("lang", "en")
		first.login("zhao", jftest.Password)
		page = second.landOnLogin("/")
		want := `You signed in somewhere else, so you were signed out here.</strong> Your account signed in on `
		if !strings.Contains(page, want) || !strings.Contains(page, " from 127.0.0.1. If that was not you, change your password at once") {
			t.Fatalf("no English message:\n%s", page)
		}
	})
}

func TestForgedCookieIsToldNothing(t *testing.T) {
	e := newEnv(t, jftest.OpenSQLite(t))
	e.user("zhao", "610831", domain.RoleDispatcher)
	a, b := e.client(), e.client()
	a.login("zhao", jftest.Password)
	b.login("zhao", jftest.Password) // a real replaced session exists

	forger := e.client()
	forger.setCookie("jiefen_session", strings.Repeat("A", 43))
	forger.setCookie("jiefen_ended", strings.Repeat("B", 43))
	page := forger.landOnLogin("/")
	if strings.Contains(page, "session-ended") || strings.Contains(page, "退出") || strings.Contains(page, "127.0.0.1") {
		t.Fatalf("a forged cookie gets a message:\n%s", page)
	}
	resp, body := forger.get("/api/v1/me")
	if resp.StatusCode != http.StatusUnauthorized || strings.Contains(body, "session.replaced") {
		t.Fatalf("API with a forged cookie: %d %s", resp.StatusCode, body)
	}
}

func TestSignedOutCookieReplayedSaysSo(t *testing.T) {
	e := newEnv(t, jftest.OpenSQLite(t))
	e.user("zhao", "610831", domain.RoleDispatcher)
	c := e.client()
	c.login("zhao", jftest.Password)
	dead := c.cookie("jiefen_session")
	c.post("/logout", nil)
	c.setCookie("jiefen_session", dead)
	page := c.landOnLogin("/")
	if !regexp.MustCompile(`您已于 \d\d-\d\d \d\d:\d\d 退出登录。`).MatchString(page) || strings.Contains(page, "其他地方") {
		t.Fatalf("replayed signed-out cookie:\n%s", page)
	}
}

// Issue 14, point 9: the change-password form counts wrong current
// passwords like failed sign-ins. A wrong one says how many tries are left
// (422, beside the field too); the one that reaches the limit locks the
// account, signs this browser out and the sign-in page says why.
func TestChangePasswordGuessesSignOut(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		e.user("qian", "610831", domain.RoleDispatcher)
		c := e.client()
		c.login("qian", jftest.Password)
		try := func(current string) (*http.Response, string) {
			return c.post("/account/password", url.Values{"current": {current}, "password": {"Gx8!rTq2mWz5"}, "confirm": {"Gx8!rTq2mWz5"}})
		}
		resp, body := try("Guess#0001")
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "当前密码不正确。再输错 4 次，账户将锁定 30 分钟并退出登录。") ||
			!strings.Contains(body, `id="err-current"`) {
			t.Fatalf("first wrong current password: %d\n%s", resp.StatusCode, body)
		}
		for range 3 {
			try("Guess#0002")
		}
		resp, _ = try("Guess#0003")
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
			t.Fatalf("5th wrong current password: %d %q, want a redirect to /login", resp.StatusCode, resp.Header.Get("Location"))
		}
		page := c.getOK("/login")
		if !regexp.MustCompile(`当前密码输错次数过多，账户已于 \d\d-\d\d \d\d:\d\d 锁定，本处已退出。`).MatchString(page) {
			t.Fatalf("the sign-in page does not say why:\n%s", page)
		}
		resp, _ = c.post("/login", url.Values{"username": {"qian"}, "password": {jftest.Password}})
		if resp.StatusCode == http.StatusSeeOther {
			t.Fatal("the locked account signed in")
		}
	})
}

// Issue 14, point 9 (RI-2): logout asks the browser to forget the site's
// cache, cookies and storage, and so does the sign-in page a timed-out
// session lands on; the logout's landing still says it signed out, in the
// user's language, without a cookie.
func TestClearSiteDataOnLogoutAndTimeout(t *testing.T) {
	e := newEnv(t, jftest.OpenSQLite(t))
	e.user("sun", "610831", domain.RoleDispatcher)
	c := e.client()
	c.login("sun", jftest.Password)
	c.getOK("/?lang=en")
	resp, _ := c.post("/logout", nil)
	const all = `"cache", "cookies", "storage"`
	if got := resp.Header.Get("Clear-Site-Data"); got != all {
		t.Fatalf("logout's Clear-Site-Data %q, want %s", got, all)
	}
	loc := resp.Header.Get("Location")
	fresh := e.client() // the browser has forgotten every cookie
	if resp, body := fresh.get(loc); resp.StatusCode != http.StatusOK || !strings.Contains(body, "You have signed out") {
		t.Fatalf("the logout's landing %s: %d\n%s", loc, resp.StatusCode, body)
	}

	c.login("sun", jftest.Password)
	now := time.Now()
	e.st.SetClock(func() time.Time { return now.Add(31 * time.Minute) })
	resp, _ = c.get("/cases")
	loc = resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
		t.Fatalf("idle session: %d %q", resp.StatusCode, loc)
	}
	resp, body := c.get(loc)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Clear-Site-Data") != all || !strings.Contains(body, "after a period of inactivity") {
		t.Fatalf("a timed-out session's landing: %d, Clear-Site-Data %q\n%s", resp.StatusCode, resp.Header.Get("Clear-Site-Data"), body)
	}
	if resp, _ := e.client().get("/login"); resp.Header.Get("Clear-Site-Data") != "" {
		t.Fatal("a plain visit to the sign-in page clears the site's data")
	}
}
