package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"jiefen/internal/domain"
	"jiefen/internal/i18n"
	"jiefen/internal/jftest"
	"jiefen/internal/store"
)

var secretRE = regexp.MustCompile(`data-copy>(jf_[A-Za-z0-9_-]+)<`)

// The account page's API tokens (issue 14): made with scopes and a life,
// shown once, listed with scopes, expiry and last use, revoked by their
// owner; bad input is a field error.
func TestAccountTokens(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		e.user("recep", "610831101", domain.RoleReceptionist)
		c := e.client()
		c.login("recep", jftest.Password)

		body := c.getOK("/account")
		for _, want := range []string{`id="tokens"`, `name="scopes" value="read" checked`, `name="scopes" value="cases:write"`,
			`name="days" type="number" min="1" max="365" value="90"`, "尚无 API 令牌", "最长 365 天"} {
			if !strings.Contains(body, want) {
				t.Errorf("/account lacks %q", want)
			}
		}
		// Only the scopes of use to a receptionist are offered.
		if strings.Contains(body, `value="admin:read"`) || !strings.Contains(body, `value="exports"`) {
			t.Errorf("offered scopes: admin:read must not be, exports must be (the masked ledger)")
		}
		resp, body := c.post("/account/tokens", url.Values{"name": {"县平台"}, "scopes": {"cases:read", "cases:write"}, "days": {"30"}})
		m := secretRE.FindStringSubmatch(body)
		if resp.StatusCode != 200 || m == nil {
			t.Fatalf("create: %d, secret shown: %v", resp.StatusCode, m != nil)
		}
		for _, want := range []string{"县平台", "事项：查看", "事项：办理", "尚未使用", "有效"} {
			if !strings.Contains(body, want) {
				t.Errorf("the new token's row lacks %q", want)
			}
		}
		// Shown once: the next visit does not show it.
		if body := c.getOK("/account"); strings.Contains(body, m[1]) {
			t.Fatal("the secret is shown again")
		}
		// Used from the API, its last use appears.
		req, _ := http.NewRequest("GET", e.ts.URL+"/api/v1/cases", nil)
		req.Header.Set("Authorization", "Bearer "+m[1])
		if r, err := http.DefaultClient.Do(req); err != nil || r.StatusCode != 200 {
			t.Fatalf("use the token: %v %v", r, err)
		}
		if body := c.getOK("/account"); strings.Contains(body, "尚未使用") || !strings.Contains(body, "127.0.0.1") {
			t.Error("the last use (time, address) is not shown")
		}
		for _, bad := range []struct {
			form  url.Values
			field string
		}{
			{url.Values{"name": {"x"}, "scopes": {"read"}, "days": {"400"}}, "err-token-days"},
			{url.Values{"name": {"x"}, "scopes": {"read"}, "days": {"soon"}}, "err-token-days"},
			{url.Values{"name": {"x"}, "days": {"10"}}, "err-token-scopes"},
			{url.Values{"name": {"x"}, "scopes": {"admin:write"}, "days": {"10"}}, "err-token-scopes"},
		} {
			resp, body := c.post("/account/tokens", bad.form)
			if resp.StatusCode != 422 || !strings.Contains(body, `id="`+bad.field+`"`) || secretRE.MatchString(body) {
				t.Errorf("%v: %d, want 422 with %s", bad.form, resp.StatusCode, bad.field)
			}
		}
		ts, err := e.svc.Tokens(jftest.CLI(), mustUser(t, e, "recep").ID)
		if err != nil || len(ts) != 1 {
			t.Fatalf("tokens after the refusals: %v %v", ts, err)
		}
		resp, _ = c.post("/account/tokens/"+itoa(ts[0].ID)+"/revoke", nil)
		if resp.StatusCode != 303 {
			t.Fatalf("revoke: %d", resp.StatusCode)
		}
		if body := c.getOK("/account"); !strings.Contains(body, "已撤销") || !strings.Contains(body, "本人撤销") {
			t.Error("the revoked token does not say it was revoked by its owner")
		}
	})
}

// /admin/tokens: every token of the administrator's jurisdiction, revoked
// from the list; others' townships are not listed; other roles are refused.
func TestAdminTokensPage(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		e.user("townadmin", "610831101", domain.RoleAdmin)
		e.user("inside", "610831101200", domain.RoleMediator)
		e.user("outside", "610831001", domain.RoleMediator)
		jftest.Token(t, e.svc, "inside")
		jftest.Token(t, e.svc, "outside")
		c := e.client()
		c.login("townadmin", jftest.Password)
		body := c.getOK("/admin/tokens")
		if !strings.Contains(body, "inside") || strings.Contains(body, "outside") || !strings.Contains(body, `href="/admin/tokens"`) {
			t.Fatalf("the township's tokens only, with the navigation link")
		}
		ts, _ := e.svc.Tokens(jftest.CLI(), mustUser(t, e, "inside").ID)
		resp, _ := c.post("/admin/tokens/"+itoa(ts[0].ID)+"/revoke", url.Values{"q": {"ins"}, "state": {"all"}})
		if resp.StatusCode != 303 || resp.Header.Get("Location") != "/admin/tokens?q=ins&state=all" {
			t.Fatalf("revoke: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		if body := c.getOK("/admin/tokens"); !strings.Contains(body, "没有有效的 API 令牌") {
			t.Error("the revoked token is still listed as active")
		}
		if body := c.getOK("/admin/tokens?state=all&lang=en"); !strings.Contains(body, "by an administrator") || !strings.Contains(body, "townadmin") {
			t.Error("the full list does not say who revoked it and why")
		}
		outs, _ := e.svc.Tokens(jftest.CLI(), mustUser(t, e, "outside").ID)
		if resp, _ := c.post("/admin/tokens/"+itoa(outs[0].ID)+"/revoke", nil); resp.StatusCode != 403 {
			t.Fatalf("revoke outside the jurisdiction: %d", resp.StatusCode)
		}
		m := e.client()
		m.login("inside", jftest.Password)
		if resp, _ := m.get("/admin/tokens"); resp.StatusCode != 403 {
			t.Fatalf("a mediator on /admin/tokens: %d", resp.StatusCode)
		}
	})
}

// The names of the scopes, states and reasons the pages build at run time
// exist in both languages.
func TestTokenWordsExist(t *testing.T) {
	var keys []string
	for _, s := range domain.Scopes {
		keys = append(keys, "token.scope_name."+string(s), "token.scope_help."+string(s))
	}
	for _, s := range []string{domain.TokenActive, domain.TokenExpired, domain.TokenRevoked} {
		keys = append(keys, "token.state."+s)
	}
	for _, r := range []string{domain.TokenRevokedSelf, domain.TokenRevokedAdmin, domain.TokenRevokedPasswordChange, domain.TokenRevokedPasswordReset, domain.TokenRevokedDisabled} {
		keys = append(keys, "token.reason."+r)
	}
	for _, k := range keys {
		for _, l := range i18n.Langs {
			if !i18n.Has(l, k) {
				t.Errorf("%s missing from %s", k, l)
			}
		}
	}
}

func mustUser(t *testing.T, e *env, username string) *domain.User {
	t.Helper()
	u, err := e.svc.UserByUsername(jftest.CLI(), username)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
