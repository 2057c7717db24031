package api_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"jiefen/internal/domain"
	"jiefen/internal/jftest"
	"jiefen/internal/service/identity"
)

// The people's rights over their data through the API: find (fields, no
// values), ask for the copy, a leader approves, the copy once; a
// correction; the retention rules and a dry run; the processing record;
// the breach question for the audit administrator only; bad input as
// JSON errors with their fields.
func TestPrivacyAPI(t *testing.T) {
	e := newEnv(t, jftest.OpenSQLite(t))
	token := func(name string, role domain.Role) string {
		jftest.MakeUser(t, e.svc, name, "610831", role)
		tok, _, err := e.svc.CreateToken(jftest.CLI(), identity.TokenRequest{Username: name, Name: "test", Scopes: scopesFor(role)})
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	sec, lead, audit := token("anquan", domain.RoleSecurityAdmin), token("lead", domain.RoleLeader), token("shenji", domain.RoleAuditAdmin)
	recep := jftest.MakeUser(t, e.svc, "recep", "610831", domain.RoleReceptionist)
	c, err := e.svc.RegisterCase(jftest.As(recep, "10.0.0.9"), domain.CaseInput{Channel: "visit", Category: "land", OrgCode: "610831101200",
		Address: "何家集村三组", Description: "张建军与邻居因宅基地边界发生争执，双方多次争吵。",
		Parties: []domain.Party{{Role: "applicant", Name: "张建军", IDNumber: "610831199003070024", Phone: "13912345678"}}})
	if err != nil {
		t.Fatal(err)
	}
	person := `{"id_number":"610831199003070024","ref":"个信〔2026〕3号","reason":"本人申请"}`
	if code, out := e.call("POST", "/api/v1/privacy/find", sec, `{"id_number":"610831199003070024"}`); code != 422 || field(out, "ref") == "" {
		t.Fatalf("find without a reference: %d %v", code, out)
	}
	if code, out := e.call("POST", "/api/v1/privacy/find", e.admin, person); code != 403 || errCode(out) != "forbidden" {
		t.Fatalf("the system administrator found: %d %v", code, out)
	}
	code, out := e.call("POST", "/api/v1/privacy/find", sec, person)
	parties, _ := out["parties"].([]any)
	if code != 200 || len(parties) != 1 || parties[0].(map[string]any)["name"] != "张**" || parties[0].(map[string]any)["case_number"] != c.Number {
		t.Fatalf("find: %d %v", code, out)
	}
	code, out = e.call("POST", "/api/v1/privacy/requests", sec, person)
	id := strconv.FormatInt(int64(out["id"].(float64)), 10)
	if code != 201 || out["person"] != "610831********0024" {
		t.Fatalf("request: %d %v", code, out)
	}
	if code, _ := e.call("POST", "/api/v1/privacy/requests/"+id+"/approve", sec, ""); code != 403 {
		t.Fatalf("approved by the requester: %d", code)
	}
	if code, _ := e.call("POST", "/api/v1/privacy/requests/"+id+"/approve", lead, ""); code != 204 {
		t.Fatalf("approve: %d", code)
	}
	req, _ := http.NewRequest("GET", e.ts.URL+"/api/v1/privacy/requests/"+id+"/copy.xlsx", nil)
	req.Header.Set("Authorization", "Bearer "+sec)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Type"), "spreadsheet") {
		t.Fatalf("copy: %v %v", err, resp)
	}
	resp.Body.Close()
	if code, out := e.call("GET", "/api/v1/privacy/requests/"+id+"/copy.xlsx", sec, ""); code != 409 {
		t.Fatalf("second copy: %d %v", code, out)
	}
	correct := "/api/v1/cases/" + strconv.FormatInt(c.ID, 10) + "/parties/" + strconv.FormatInt(c.Parties[0].ID, 10) + "/correct"
	if code, out := e.call("POST", correct, sec, `{"field":"phone","value":"1","ref":"个信〔2026〕3号","reason":"更正"}`); code != 422 || field(out, "value") == "" {
		t.Fatalf("bad correction: %d %v", code, out)
	}
	if code, out := e.call("POST", correct, sec, `{"field":"phone","value":"13700001111","ref":"个信〔2026〕3号","reason":"更正"}`); code != 204 {
		t.Fatalf("correction: %d %v", code, out)
	}
	if code, out := e.call("PUT", "/api/v1/privacy/retention/audit_log", sec, `{"keep_days":30}`); code != 422 || field(out, "keep_days") == "" {
		t.Fatalf("30 days of audit log: %d %v", code, out)
	}
	if code, out := e.call("POST", "/api/v1/privacy/retention/run", sec, `{"dry_run":true}`); code != 200 || out["dry_run"] != true {
		t.Fatalf("dry run: %d %v", code, out)
	}
	if code, out := e.call("GET", "/api/v1/privacy/record", e.admin, ""); code != 200 || len(out["items"].([]any)) != len(domain.PersonalInventory) {
		t.Fatalf("record: %d %v", code, out)
	}
	day := time.Now().In(domain.CST).Format("2006-01-02")
	q := "/api/v1/privacy/access?user=anquan&from=" + day + "&to=" + day
	if code, _ := e.call("GET", q, sec, ""); code != 403 {
		t.Fatalf("the security administrator read the audit log: %d", code)
	}
	code, out = e.call("GET", q, audit, "")
	if persons, _ := out["persons"].([]any); code != 200 || len(persons) != 1 {
		t.Fatalf("access: %d %v", code, out)
	}
	if code, out := e.call("GET", "/api/v1/privacy/access?user=anquan&from=x&to="+day, audit, ""); code != 422 || field(out, "from") == "" {
		t.Fatalf("bad date: %d %v", code, out)
	}
}

// scopesFor gives a test token what its role's privacy routes need.
func scopesFor(r domain.Role) []domain.Scope {
	if r == domain.RoleAuditAdmin {
		return []domain.Scope{domain.ScopeAdminRead}
	}
	return []domain.Scope{domain.ScopeExports, domain.ScopeStatsRead}
}
