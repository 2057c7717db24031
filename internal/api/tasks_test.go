package api_test

import (
	"testing"

	"jiefen/internal/domain"
	"jiefen/internal/jftest"
	"jiefen/internal/store"
)

// GET /api/v1/work/tasks lists the caller's waiting matters as the home page does.
func TestTasksAPI(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		med := tokenFor(t, e, "med1", "610831101", domain.RoleMediator)
		disp := tokenFor(t, e, "disp", "610831", domain.RoleDispatcher)
		recep := jftest.MakeUser(t, e.svc, "recep", "610831", domain.RoleReceptionist)
		u, _ := e.svc.UserByUsername(jftest.CLI(), "disp")
		m, _ := e.svc.UserByUsername(jftest.CLI(), "med1")
		p := jftest.Path{Svc: e.svc, Recep: recep, Disp: u, Med: m, Risk: "blue"}
		in := domain.CaseInput{Channel: "visit", Category: "land", OrgCode: "610831101200", Address: "何家集村三组",
			Description: "张建军与李保国因承包地边界发生争执。", Parties: []domain.Party{{Role: "applicant", Name: "张建军", IDNumber: "610831199003070024"}}}
		c := p.Matter(t, in, jftest.Dispatched)

		status, body := e.call("GET", "/api/v1/work/tasks", med, "")
		items, _ := body["items"].([]any)
		if status != 200 || len(items) != 1 {
			t.Fatalf("mediator's tasks: %d %v", status, body)
		}
		it := items[0].(map[string]any)
		if it["number"] != c.Number || it["kind"] != "to_sign" || it["place"] != "何家集村委会" || it["due_at"] == "" || it["title"] == "" {
			t.Fatalf("task %v", it)
		}
		if u := it["urgency"]; u != "soon" && u != "later" {
			t.Fatalf("urgency %v", u)
		}
		if status, body := e.call("GET", "/api/v1/work/tasks", disp, ""); status != 200 || len(body["items"].([]any)) != 0 {
			t.Fatalf("dispatcher's tasks: %d %v", status, body)
		}
		if status, _ := e.call("GET", "/api/v1/work/tasks", "", ""); status != 401 {
			t.Fatalf("no token: %d", status)
		}
	})
}
