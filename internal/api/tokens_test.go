package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"jiefen/internal/api"
	"jiefen/internal/authz"
	"jiefen/internal/domain"
	"jiefen/internal/jftest"
	"jiefen/internal/service/identity"
	"jiefen/internal/store"
)

func reason(m map[string]any) string {
	e, _ := m["error"].(map[string]any)
	s, _ := e["reason"].(string)
	return s
}

func message(m map[string]any) string {
	e, _ := m["error"].(map[string]any)
	s, _ := e["message"].(string)
	return s
}

// Issue 14, point 4 through the API: a token outside its scopes is refused
// with the scope named; the account's own permissions still apply; the
// lifecycle's refusals have their codes.
func TestTokenScopesOverHTTP(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		jftest.MakeUser(t, e.svc, "recep", "610831", domain.RoleReceptionist)
		read := jftest.Token(t, e.svc, "recep", domain.ScopeRead)
		write := jftest.Token(t, e.svc, "recep", domain.ScopeCasesWrite)

		if status, m := e.call("GET", "/api/v1/cases", read, ""); status != 200 {
			t.Fatalf("a read token reads matters: %d %v", status, m)
		}
		req, _ := http.NewRequest("POST", e.ts.URL+"/api/v1/cases", strings.NewReader(caseBody))
		req.Header.Set("Authorization", "Bearer "+read)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		json.NewDecoder(resp.Body).Decode(&m)
		resp.Body.Close()
		if resp.StatusCode != 403 || errCode(m) != "forbidden" || reason(m) != "token.scope" || !strings.Contains(message(m), "cases:write") {
			t.Fatalf("a read token registers: %d %v", resp.StatusCode, m)
		}
		if h := resp.Header.Get("WWW-Authenticate"); h != `Bearer error="insufficient_scope", scope="cases:write"` {
			t.Fatalf("WWW-Authenticate %q", h)
		}
		if status, m := e.call("POST", "/api/v1/cases", write, caseBody); status != 201 {
			t.Fatalf("a cases:write token registers: %d %v", status, m)
		}
		if status, m := e.call("GET", "/api/v1/cases", write, ""); status != 403 || reason(m) != "token.scope" {
			t.Fatalf("write is not read: %d %v", status, m)
		}
		// read stands for the :read scopes, not for the ledger and exports.
		if status, m := e.call("GET", "/api/v1/exports", read, ""); status != 403 || !strings.Contains(message(m), "exports") {
			t.Fatalf("exports with a read token: %d %v", status, m)
		}
		// Every token reaches its own account.
		if status, _ := e.call("GET", "/api/v1/me", write, ""); status != 200 {
			t.Fatalf("me with a cases:write token: %d", status)
		}
		// The scope never widens the account: an administrator's read
		// scope does not let a receptionist list accounts.
		if status, m := e.call("GET", "/api/v1/users", read, ""); status != 403 || reason(m) != "error.forbidden" {
			t.Fatalf("a receptionist's read token lists accounts: %d %v", status, m)
		}
		// A scope of no use to the account is refused when asked for.
		if status, m := e.call("POST", "/api/v1/tokens", read, `{"scopes":["admin:read"],"days":10}`); status != 422 || reason(m) != "token.scope.unusable" || field(m, "scopes") == "" {
			t.Fatalf("admin:read for a receptionist: %d %v", status, m)
		}
		// A token made with a token holds no scope the first lacks.
		if status, m := e.call("POST", "/api/v1/tokens", read, `{"scopes":["write"],"days":10}`); status != 403 || reason(m) != "token.scope" {
			t.Fatalf("write from a read token: %d %v", status, m)
		}
		if status, m := e.call("POST", "/api/v1/tokens", read, `{"scopes":["cases:read"],"days":400}`); status != 422 || field(m, "days") == "" {
			t.Fatalf("400 days: %d %v", status, m)
		}
		if status, m := e.call("POST", "/api/v1/tokens", read, `{"scopes":["everything"]}`); status != 422 || field(m, "scopes") == "" {
			t.Fatalf("an unknown scope: %d %v", status, m)
		}
		status, made := e.call("POST", "/api/v1/tokens", read, `{"name":"narrow","scopes":["cases:read"],"days":10}`)
		info, _ := made["info"].(map[string]any)
		if status != 201 || info["state"] != "active" || fmt.Sprint(info["scopes"]) != "[cases:read]" || info["expires_at"] == "" {
			t.Fatalf("a narrower token from a read token: %d %v", status, made)
		}
		// The last use and its address are shown.
		_, list := e.call("GET", "/api/v1/tokens", read, "")
		items, _ := list["items"].([]any)
		var seen bool
		for _, it := range items {
			tk := it.(map[string]any)
			seen = seen || (tk["last_used_at"] != nil && tk["last_used_ip"] == "127.0.0.1")
		}
		if len(items) != 3 || !seen {
			t.Fatalf("own tokens with their last use: %v", list)
		}
	})
}

// The lifecycle's refusals over HTTP: a changed password and a disabled
// account end tokens (401 token.revoked); a token of an account that must
// change its password is 403 token.password_change.
func TestTokenRefusalsOverHTTP(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		u := jftest.MakeUser(t, e.svc, "disp", "610831", domain.RoleDispatcher)
		tok := jftest.Token(t, e.svc, "disp")
		if _, err := e.svc.ChangePassword(jftest.As(u, "10.0.0.1"), jftest.Password, "Zx9#kLm2pQw7", "Zx9#kLm2pQw7"); err != nil {
			t.Fatal(err)
		}
		if status, m := e.call("GET", "/api/v1/cases", tok, ""); status != 401 || reason(m) != "token.revoked" {
			t.Fatalf("after a password change: %d %v", status, m)
		}
		// Two hundred days' life; 91 days on, the password must be changed.
		tok, _, err := e.svc.CreateToken(jftest.CLI(), identity.TokenRequest{Username: "disp", Scopes: []domain.Scope{domain.ScopeRead}, Days: 200})
		if err != nil {
			t.Fatal(err)
		}
		st.SetClock(func() time.Time { return time.Now().Add(91 * 24 * time.Hour) })
		defer st.SetClock(time.Now)
		for _, path := range []string{"/api/v1/cases", "/api/v1/me"} {
			if status, m := e.call("GET", path, tok, ""); status != 403 || reason(m) != "token.password_change" {
				t.Fatalf("%s, the password past its age: %d %v", path, status, m)
			}
		}
		st.SetClock(func() time.Time { return time.Now().Add(201 * 24 * time.Hour) })
		if status, m := e.call("GET", "/api/v1/me", tok, ""); status != 401 || reason(m) != "token.expired" {
			t.Fatalf("past its expiry: %d %v", status, m)
		}
	})
}

// Administrators list and revoke every token in their jurisdiction; the
// own-token routes reach only one's own.
func TestAdminTokensOverHTTP(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		jftest.MakeUser(t, e.svc, "med", "610831101", domain.RoleMediator)
		med := jftest.Token(t, e.svc, "med")
		_, list := e.call("GET", "/api/v1/admin/tokens?q=med", e.admin, "")
		items, _ := list["items"].([]any)
		if len(items) != 1 || items[0].(map[string]any)["username"] != "med" {
			t.Fatalf("admin list: %v", list)
		}
		id := fmt.Sprint(items[0].(map[string]any)["id"])
		if status, m := e.call("GET", "/api/v1/admin/tokens", med, ""); status != 403 {
			t.Fatalf("a mediator lists every token: %d %v", status, m)
		}
		if status, m := e.call("GET", "/api/v1/admin/tokens?state=gone", e.admin, ""); status != 422 || field(m, "state") == "" {
			t.Fatalf("an unknown state: %d %v", status, m)
		}
		_, mine := e.call("GET", "/api/v1/tokens", e.admin, "")
		own := fmt.Sprint(mine["items"].([]any)[0].(map[string]any)["id"])
		if status, _ := e.call("POST", "/api/v1/tokens/"+own+"/revoke", med, ""); status != 404 {
			t.Fatalf("a mediator revokes another's token as its own: %d", status)
		}
		if status, m := e.call("POST", "/api/v1/admin/tokens/"+id+"/revoke", e.admin, ""); status != 204 {
			t.Fatalf("admin revoke: %d %v", status, m)
		}
		if status, m := e.call("GET", "/api/v1/me", med, ""); status != 401 || reason(m) != "token.revoked" {
			t.Fatalf("the revoked token: %d %v", status, m)
		}
		_, list = e.call("GET", "/api/v1/admin/tokens?q=med", e.admin, "")
		got := list["items"].([]any)[0].(map[string]any)
		if got["state"] != "revoked" || got["revoke_reason"] != "admin" || got["revoked_by"] != "admin" {
			t.Fatalf("revoked token as listed: %v", got)
		}
		if _, active := e.call("GET", "/api/v1/admin/tokens?q=med&state=active", e.admin, ""); len(active["items"].([]any)) != 0 {
			t.Fatalf("state=active lists a revoked token: %v", active)
		}
	})
}

// Every API route is in the scope table (or public), each route's
// permission is one of its scope's actions (authz.ScopeActions), and
// openapi.json names the same scope for each operation.
func TestEveryRouteHasItsScope(t *testing.T) {
	e := newEnv(t, jftest.OpenSQLite(t))
	var doc struct {
		Paths map[string]map[string]struct {
			Scope    *string           `json:"x-token-scope"`
			Security []json.RawMessage `json:"security"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(api.OpenAPI(), &doc); err != nil {
		t.Fatal(err)
	}
	for _, r := range e.srv.Routes() {
		method, path, ok := strings.Cut(r.Pattern, " ")
		if !ok || !strings.HasPrefix(path, "/api/") || r.Perm == authz.Public {
			continue
		}
		need, open := api.RouteScope(r.Pattern)
		if !open {
			t.Errorf("%s has no token scope in api/scopes.go", r.Pattern)
			continue
		}
		if need != "" && r.Perm != authz.Authenticated && !slices.Contains(authz.ScopeActions(need), r.Perm) {
			t.Errorf("%s needs %s, which is not among the actions of scope %s (%v)", r.Pattern, r.Perm, need, authz.ScopeActions(need))
		}
		op := doc.Paths[path][strings.ToLower(method)]
		if op.Scope == nil || *op.Scope != string(need) {
			t.Errorf("openapi.json: %s x-token-scope %v, want %q", r.Pattern, op.Scope, need)
		}
	}
}
