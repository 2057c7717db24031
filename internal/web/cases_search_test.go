package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"jiefen/internal/domain"
	"jiefen/internal/jftest"
)

var addressRE = regexp.MustCompile(`(?:href|action|value)="(/[^"]*)"`)

// Issue 14, point 9 (DC-9): a search by ID number or phone never enters an
// address. The list's form is posted; the list's address then holds a
// reference sealed for this sign-in, and so do its pages, chips and ledger
// link, while the form still shows what was typed. The number typed into
// the address is moved out of it at once; another sign-in cannot open the
// reference; a search by words stays in the address, to be bookmarked.
func TestSearchByIDNumberStaysOutOfAddresses(t *testing.T) {
	e := newEnv(t, jftest.OpenSQLite(t))
	recep := e.user("recep", "610831", domain.RoleReceptionist)
	e.user("zhiban", "610831", domain.RoleDispatcher)
	e.user("other", "610831", domain.RoleDispatcher)
	if _, err := e.svc.RegisterCase(jftest.As(recep, "127.0.0.1"), domain.CaseInput{Channel: "visit", Category: "land", OrgCode: "610831101200",
		Address: "何家集村三组", Description: "张家与李家因土地边界发生争执，李家扬言要毁坏青苗。",
		Parties: []domain.Party{{Role: "applicant", Name: "张建军", IDNumber: "610831199003070024", Phone: "13912345678"}}}); err != nil {
		t.Fatal(err)
	}
	c := e.client()
	c.login("zhiban", jftest.Password)
	number := regexp.MustCompile(`ZZ\d+`)
	c.getOK("/cases")
	for _, typed := range []string{"610831199003070024", "139 1234 5678"} {
		resp, _ := c.post("/cases/filter", url.Values{"q": {typed}, "status": {""}, "risk": {""}})
		list := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(list, "/cases?s=") || strings.Contains(list, "q=") || strings.Contains(list, "status=") {
			t.Fatalf("filter by %q: %d %q, want /cases?s=… alone", typed, resp.StatusCode, list)
		}
		resp, body := c.get(list)
		if resp.StatusCode != http.StatusOK || !number.MatchString(body) || !strings.Contains(body, `name="q" value="`+typed+`"`) {
			t.Fatalf("%s: %d, want the matter and the search in the form\n%s", list, resp.StatusCode, body)
		}
		for _, m := range addressRE.FindAllStringSubmatch(body, -1) {
			if strings.Contains(m[1], "610831199003070024") || strings.Contains(m[1], "13912345678") || strings.Contains(m[1], "1234") {
				t.Errorf("an address on the page holds the search: %s", m[1])
			}
		}
		if resp, _ := c.get("/cases/export.xlsx?" + strings.TrimPrefix(list, "/cases?")); resp.StatusCode != http.StatusOK {
			t.Errorf("the ledger of %s: %d", list, resp.StatusCode)
		}
		// Another sign-in cannot open it: the search is said to be gone.
		o := e.client()
		o.login("other", jftest.Password)
		resp, body = o.get(list)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "这条检索只在当次登录内有效") || strings.Contains(body, typed) {
			t.Errorf("another sign-in opened %s: %d", list, resp.StatusCode)
		}
	}
	// Typed into the address: moved out of it.
	resp, _ := c.get("/cases?q=610831199003070024&risk=none")
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || strings.Contains(loc, "0024") || !strings.Contains(loc, "s=") || !strings.Contains(loc, "risk=none") {
		t.Fatalf("GET /cases?q=<ID number>: %d %q", resp.StatusCode, loc)
	}
	// Signed out, the sign-in's address does not keep it either.
	resp, _ = e.client().get("/cases?q=610831199003070024")
	if loc := resp.Header.Get("Location"); !strings.HasPrefix(loc, "/login") || strings.Contains(loc, "0024") {
		t.Fatalf("signed out: %q", loc)
	}
	// Words stay in the address.
	resp, _ = c.post("/cases/filter", url.Values{"q": {"青苗"}})
	if loc := resp.Header.Get("Location"); loc != "/cases?q=%E9%9D%92%E8%8B%97" {
		t.Fatalf("a search by words goes to %q", loc)
	}
}
