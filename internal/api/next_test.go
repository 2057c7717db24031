package api_test

import (
	"net/http"
	"testing"

	"jiefen/internal/domain"
	"jiefen/internal/jftest"
)

// GET /api/v1/work/next: the caller's next waiting matter, other than
// after; null when nothing else waits; a bad after is a field error.
func TestNextWorkAPI(t *testing.T) {
	e := newEnv(t, jftest.OpenSQLite(t))
	path := jftest.Path{Svc: e.svc, Recep: jftest.MakeUser(t, e.svc, "recep", "610831", domain.RoleReceptionist)}
	in := domain.CaseInput{Channel: "visit", Category: "land", OrgCode: "610831101200", Address: "何家集村三组",
		Description: "张家与李家因土地承包经营权边界发生争执，双方多次争吵。", Parties: []domain.Party{{Role: "applicant", Name: "张建军", NoIDReason: "未带证件"}}}
	a, b := path.Register(t, in), path.Register(t, in)
	disp := tokenFor(t, e, "disp", "610831", domain.RoleDispatcher)
	status, body := e.call("GET", "/api/v1/work/next", disp, "")
	next, _ := body["next"].(map[string]any)
	if status != http.StatusOK || next["number"] != a.Number || next["status"] != "registered" {
		t.Fatalf("next: %d %v", status, body)
	}
	status, body = e.call("GET", "/api/v1/work/next?after="+itoa(a.ID), disp, "")
	if next, _ := body["next"].(map[string]any); status != http.StatusOK || next["number"] != b.Number {
		t.Fatalf("next after a: %d %v", status, body)
	}
	grid := tokenFor(t, e, "grid", "610831101200001", domain.RoleGridWorker)
	if status, body := e.call("GET", "/api/v1/work/next", grid, ""); status != http.StatusOK || body["next"] != nil {
		t.Fatalf("nothing waits: %d %v", status, body)
	}
	if status, body := e.call("GET", "/api/v1/work/next?after=x", disp, ""); status != http.StatusUnprocessableEntity || field(body, "after") == "" {
		t.Fatalf("bad after: %d %v", status, body)
	}
}
