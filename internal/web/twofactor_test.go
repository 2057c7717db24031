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
	"jiefen/internal/service/identity"
)

// newTOTPEnv is newEnv with the second factor required as by default, a
// trust period of trust, and a clock the test moves.
func newTOTPEnv(t *testing.T, trust time.Duration) (*env, *time.Time) {
	t.Helper()
	st := jftest.OpenSQLite(t)
	now := time.Now().UTC()
	st.SetClock(func() time.Time { return now })
	p := jftest.FastPolicy()
	p.SecondFactor, p.DeviceTrust = identity.SecondFactorRoles, trust
	return newEnvWith(t, st, p), &now
}

var totpSecretRE = regexp.MustCompile(`<code class="totp-secret">([A-Z2-7 ]+)</code>`)

// A dispatcher (who reveals personal data) is taken to enrolment right
// after the password and can do nothing else, on the pages or the API,
// until an authenticator is enrolled: an offline QR code (a data: URL),
// the seed as text, a current code; then ten recovery codes, once.
func TestEnrolmentGateAndPage(t *testing.T) {
	e, now := newTOTPEnv(t, 0)
	e.user("zhiban", "610831", domain.RoleDispatcher)
	c := e.client()
	resp, _ := c.post("/login", url.Values{"username": {"zhiban"}, "password": {jftest.Password}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account/2fa" {
		t.Fatalf("sign-in of an account that must enrol: %d → %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	for _, p := range []string{"/", "/cases", "/account", "/account/password"} {
		if resp, _ := c.get(p); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account/2fa" {
			t.Errorf("%s before enrolling: %d → %s", p, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	resp, body := c.get("/api/v1/orgs")
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "2fa.enrol_required") {
		t.Errorf("the API before enrolling: %d %s", resp.StatusCode, body)
	}
	body = c.getOK("/account/2fa")
	if !strings.Contains(body, "双因素认证") || !strings.Contains(body, `action="/account/2fa/start"`) || strings.Contains(body, `name="password"`) ||
		strings.Contains(body, `class="sidenav"`) {
		t.Fatal("the enrolment page right after the password: a start button, no password asked, no navigation")
	}
	if resp, _ := c.post("/account/2fa/start", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("start: %d", resp.StatusCode)
	}
	resp, body = c.get("/account/2fa")
	m := totpSecretRE.FindStringSubmatch(body)
	if resp.StatusCode != 200 || m == nil || !strings.Contains(body, `<img src="data:image/png;base64,`) {
		t.Fatalf("the QR code and the seed: %d", resp.StatusCode)
	}
	if resp.Header.Get("Cache-Control") != "no-store" || !strings.Contains(body, `autocomplete="one-time-code"`) || !strings.Contains(body, `inputmode="numeric"`) {
		t.Fatal("the enrolment page: no-store, a one-time-code numeric input")
	}
	secret := strings.ReplaceAll(m[1], " ", "")
	resp, body = c.post("/account/2fa/confirm", url.Values{"code": {jftest.TOTPCode(t, secret, now.Add(-3*time.Minute))}})
	if resp.StatusCode != 422 || !strings.Contains(body, "验证码不正确") {
		t.Fatalf("a wrong code: %d", resp.StatusCode)
	}
	old := c.cookie("jiefen_session")
	resp, body = c.post("/account/2fa/confirm", url.Values{"code": {jftest.TOTPCode(t, secret, *now)}})
	codes := regexp.MustCompile(`<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>`).FindAllStringSubmatch(body, -1)
	if resp.StatusCode != 200 || len(codes) != 10 {
		t.Fatalf("confirm: %d, %d recovery codes shown", resp.StatusCode, len(codes))
	}
	if c.cookie("jiefen_session") == old {
		t.Error("the session was not renewed at the enrolment")
	}
	if resp, _ := c.post("/logout", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the recovery codes' page carries the renewed session's CSRF token: logout %d", resp.StatusCode)
	}
	resp, _ = c.post("/login", url.Values{"username": {"zhiban"}, "password": {jftest.Password}})
	if !strings.HasPrefix(resp.Header.Get("Location"), "/login/2fa") || c.cookie("jiefen_session") != "" {
		t.Fatal("after enrolling the password alone must not give a session")
	}
}

// The sign-in's second step: no session until a current code; a wrong
// code is refused by its field and not echoed; a recovery code works once;
// the challenge ends with the step.
func TestSecondStepSignIn(t *testing.T) {
	e, now := newTOTPEnv(t, 0)
	u := e.user("tiaojie", "610831101", domain.RoleMediator)
	secret, recovery := jftest.EnrolTOTP(t, e.svc, u)
	*now = now.Add(time.Minute)
	c := e.client()
	resp, _ := c.post("/login", url.Values{"username": {"tiaojie"}, "password": {jftest.Password}, "next": {"/cases"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login/2fa?next=%2Fcases" {
		t.Fatalf("password: %d → %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if ck := c.cookie("jiefen_2fa"); c.cookie("jiefen_session") != "" || ck == "" {
		t.Fatal("the password gives the second step's cookie and no session")
	}
	if resp, _ := c.get("/cases"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Fatalf("between the steps nothing is open: %d", resp.StatusCode)
	}
	body := c.getOK("/login/2fa?next=%2Fcases")
	for _, want := range []string{"tiaojie", `autocomplete="one-time-code"`, `inputmode="numeric"`, `name="recovery"`, `value="/cases"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the second step's page lacks %s", want)
		}
	}
	wrong := jftest.TOTPCode(t, secret, now.Add(-10*time.Minute))
	resp, body = c.post("/login/2fa", url.Values{"code": {wrong}, "next": {"/cases"}})
	if resp.StatusCode != 422 || !strings.Contains(body, "验证码不正确") || strings.Contains(body, wrong) {
		t.Fatalf("a wrong code: %d (the code must not be echoed)", resp.StatusCode)
	}
	resp, _ = c.post("/login/2fa", url.Values{"code": {jftest.TOTPCode(t, secret, *now)}, "next": {"/cases"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/cases" || c.cookie("jiefen_session") == "" {
		t.Fatalf("a current code: %d → %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if c.cookie("jiefen_2fa") != "" {
		t.Error("the second step's cookie outlives it")
	}
	c.getOK("/cases")

	// A recovery code, in its own form; the same one again is refused.
	for round := range 2 {
		c := e.client()
		c.post("/login", url.Values{"username": {"tiaojie"}, "password": {jftest.Password}})
		resp, body := c.post("/login/2fa", url.Values{"recovery": {recovery[0]}})
		if round == 0 && resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("a recovery code: %d", resp.StatusCode)
		}
		if round == 1 && (resp.StatusCode != 422 || !strings.Contains(body, "<details class=\"recovery\" open>")) {
			t.Fatalf("a used recovery code: %d (its form open with the message)", resp.StatusCode)
		}
	}
	// Without a live challenge the step sends back to the password.
	anon := e.client()
	if resp, _ := anon.post("/login/2fa", url.Values{"code": {"123456"}}); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
		t.Fatalf("no challenge: %d → %s", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// Five wrong codes lock the account as five wrong passwords do: the sign-in
// page says so.
func TestSecondStepLockout(t *testing.T) {
	e, now := newTOTPEnv(t, 0)
	u := e.user("jiedai", "610831", domain.RoleReceptionist)
	jftest.EnrolTOTP(t, e.svc, u)
	*now = now.Add(time.Minute)
	c := e.client()
	c.post("/login", url.Values{"username": {"jiedai"}, "password": {jftest.Password}})
	var resp *http.Response
	var body string
	for range 5 {
		resp, body = c.post("/login/2fa", url.Values{"code": {"000000"}})
	}
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "账户已锁定") || c.cookie("jiefen_2fa") != "" {
		t.Fatalf("the fifth wrong code: %d", resp.StatusCode)
	}
}

// "Don't ask again on this browser": a signed HttpOnly cookie spares that
// browser the second step; an administrator's reset revokes it and the
// account enrols again at its next sign-in.
func TestTrustedBrowserAndAdminReset(t *testing.T) {
	e, now := newTOTPEnv(t, 7*24*time.Hour)
	u := e.user("chengban", "610831", domain.RoleHandler)
	admin := e.user("guanli", "610831", domain.RoleAdmin)
	secret, _ := jftest.EnrolTOTP(t, e.svc, u)
	adminSecret, _ := jftest.EnrolTOTP(t, e.svc, admin)
	*now = now.Add(time.Minute)
	c := e.client()
	c.post("/login", url.Values{"username": {"chengban"}, "password": {jftest.Password}})
	if body := c.getOK("/login/2fa"); !strings.Contains(body, `name="trust"`) || !strings.Contains(body, "7 天内不再询问") {
		t.Fatal("the trust box and its period")
	}
	c.post("/login/2fa", url.Values{"code": {jftest.TOTPCode(t, secret, *now)}, "trust": {"1"}})
	ck := c.cookie("jiefen_device")
	if ck == "" {
		t.Fatal("no device-trust cookie")
	}
	c.post("/logout", nil)
	resp, _ := c.post("/login", url.Values{"username": {"chengban"}, "password": {jftest.Password}})
	if resp.Header.Get("Location") != "/" {
		t.Fatalf("a trusted browser goes straight in: → %s", resp.Header.Get("Location"))
	}

	a := e.client()
	a.post("/login", url.Values{"username": {"guanli"}, "password": {jftest.Password}})
	a.post("/login/2fa", url.Values{"code": {jftest.TOTPCode(t, adminSecret, *now)}})
	body := a.getOK("/admin/users/" + itoa(u.ID))
	if !strings.Contains(body, "/reset-2fa") || strings.Contains(a.getOK("/admin/users/"+itoa(admin.ID)), "/reset-2fa") {
		t.Fatal("the reset is offered for another account and not for one's own")
	}
	resp, _ = a.post("/admin/users/"+itoa(u.ID)+"/reset-2fa", nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("reset: %d", resp.StatusCode)
	}
	if body := a.getOK("/admin/users/" + itoa(u.ID)); !strings.Contains(body, "已重置该账号的双因素认证") || !strings.Contains(body, "已重置，待本人重新设置") {
		t.Fatal("the reset's flash and the account's state")
	}
	if resp, _ := c.get("/cases"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Fatalf("the reset ends the account's session: %d", resp.StatusCode)
	}
	resp, _ = c.post("/login", url.Values{"username": {"chengban"}, "password": {jftest.Password}})
	if resp.Header.Get("Location") != "/account/2fa" {
		t.Fatalf("after the reset the trusted browser is not trusted and the account enrols again: → %s", resp.Header.Get("Location"))
	}
}
