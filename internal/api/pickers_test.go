package api_test

import (
	"fmt"
	"testing"

	"jiefen/internal/domain"
	"jiefen/internal/jftest"
)

// The pickers' data in the API: whom an action could name, places by
// name, the bulk dispatch with a result per matter, and 研判并交办.
func TestPickerAPI(t *testing.T) {
	e := newEnv(t, jftest.OpenSQLite(t))
	recep := tokenFor(t, e, "recep", "610831", domain.RoleReceptionist)
	disp := tokenFor(t, e, "disp", "610831", domain.RoleDispatcher)
	tokenFor(t, e, "med1", "610831101", domain.RoleMediator)
	tokenFor(t, e, "hother", "610831001", domain.RoleHandler)
	register := func() string {
		t.Helper()
		status, c := e.call("POST", "/api/v1/cases", recep, caseBody)
		if status != 201 {
			t.Fatalf("register: %d %v", status, c)
		}
		return fmt.Sprint(c["id"])
	}
	id := register()
	status, out := e.call("GET", "/api/v1/cases/"+id+"/candidates?action=dispatch", disp, "")
	items, _ := out["items"].([]any)
	if status != 200 || len(items) != 1 {
		t.Fatalf("candidates: %d %v", status, out)
	}
	first := items[0].(map[string]any)
	if first["username"] != "med1" || first["org_name"] != "何家集镇" || first["load"] != 0.0 || first["role"] != "mediator" {
		t.Fatalf("candidate: %v", first)
	}
	if status, out := e.call("GET", "/api/v1/cases/"+id+"/candidates?action=close", disp, ""); status != 422 || field(out, "action") == "" {
		t.Fatalf("a non-person action: %d %v", status, out)
	}
	if status, _ := e.call("GET", "/api/v1/cases/"+id+"/candidates?action=dispatch", recep, ""); status != 403 {
		t.Fatalf("a receptionist's dispatch candidates: %d", status)
	}
	// Assess and dispatch in one call; refused as a whole when the dispatch is.
	if status, out := e.call("POST", "/api/v1/cases/"+id+"/actions/assess", disp, `{"risk":"blue","assignee":"hother"}`); status != 422 || field(out, "assignee") == "" {
		t.Fatalf("assess with a bad dispatch: %d %v", status, out)
	}
	if status, out := e.call("POST", "/api/v1/cases/"+id+"/actions/assess", disp, `{"risk":"blue","assignee":"med1"}`); status != 200 || out["status"] != "dispatched" {
		t.Fatalf("assess and dispatch: %d %v", status, out)
	}
	// Bulk: one dispatched, one refused (not assessed), one unknown.
	a, b := register(), register()
	if status, out := e.call("POST", "/api/v1/cases/"+a+"/actions/assess", disp, `{"risk":"none"}`); status != 200 {
		t.Fatalf("assess: %d %v", status, out)
	}
	status, out = e.call("POST", "/api/v1/cases/bulk/dispatch", disp, `{"cases":[`+a+`,`+b+`,999999],"assignee":"med1","note":"请联系"}`)
	res, _ := out["results"].([]any)
	if status != 200 || out["done"] != 1.0 || out["failed"] != 2.0 || len(res) != 3 {
		t.Fatalf("bulk: %d %v", status, out)
	}
	if r := res[0].(map[string]any); r["ok"] != true || r["status"] != "dispatched" {
		t.Fatalf("bulk line 1: %v", r)
	}
	if r := res[1].(map[string]any); r["ok"] != false || r["number"] == "" || r["error"].(map[string]any)["code"] != "conflict" {
		t.Fatalf("bulk line 2: %v", r)
	}
	if status, out := e.call("POST", "/api/v1/cases/bulk/dispatch", disp, `{"cases":[`+b+`],"assignee":"med1","risk":"red"}`); status != 422 || field(out, "risk") == "" {
		t.Fatalf("bulk with a field it does not take: %d %v", status, out)
	}
	if status, out := e.call("POST", "/api/v1/cases/bulk/dispatch", disp, `{"cases":[],"assignee":"med1"}`); status != 422 || field(out, "cases") == "" {
		t.Fatalf("bulk with no matters: %d %v", status, out)
	}
	// Places by name, inside the jurisdiction.
	status, out = e.call("GET", "/api/v1/places?q=何家集", disp, "")
	items, _ = out["items"].([]any)
	if status != 200 || len(items) < 2 || items[0].(map[string]any)["code"] != "610831101" || items[1].(map[string]any)["trail"] != "何家集镇" {
		t.Fatalf("places: %d %v", status, out)
	}
	if status, out := e.call("GET", "/api/v1/places?q=", disp, ""); status != 422 || field(out, "q") == "" {
		t.Fatalf("places without q: %d %v", status, out)
	}
}
