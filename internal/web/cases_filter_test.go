package web_test

import (
	"net/http"
	"strings"
	"testing"

	"jiefen/internal/domain"
	"jiefen/internal/jftest"
)

// Issue 14, point 9: the list with a filter that is none of the choices
// answers 422 with the field's message beside it and lists the matters
// without that filter (it used to answer an empty 200); the ledger, which
// reads the same filters, refuses it.
func TestCasesUnknownFilters(t *testing.T) {
	e := newEnv(t, jftest.OpenSQLite(t))
	e.user("zhiban", "610831", domain.RoleDispatcher, domain.RoleReceptionist)
	c := e.client()
	c.login("zhiban", jftest.Password)
	id := c.registerCase("610831101200")
	for _, f := range []string{"status=bogus", "risk=purple", "channel=fax", "category=nosuch", "overdue=maybe"} {
		name := f[:strings.Index(f, "=")]
		resp, body := c.get("/cases?" + f)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-`+name+`"`) ||
			!strings.Contains(body, "没有这个选项，此条件未使用。") || !strings.Contains(body, `href="/cases/`+itoa(id)+`"`) {
			t.Errorf("/cases?%s: %d; want 422 with the message beside %s and the matter listed\n%s", f, resp.StatusCode, name, body)
		}
		if resp, _ := c.get("/cases/export.xlsx?" + f); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("/cases/export.xlsx?%s: %d, want 422", f, resp.StatusCode)
		}
	}
	if resp, _ := c.get("/cases?status=open&risk=none&channel=visit&category=land&overdue=open"); resp.StatusCode != http.StatusOK {
		t.Errorf("known filters: %d", resp.StatusCode)
	}
}
