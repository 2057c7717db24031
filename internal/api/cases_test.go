package api_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"jiefen/internal/domain"
	"jiefen/internal/jftest"
	"jiefen/internal/store"
)

const caseBody = `{"channel":"visit","category":"labour","description":"十二名务工人员被包工头拖欠工资三个月，欠薪共计八万元。",
 "org_code":"610831101200","address":"何家集村砖厂","amount":80000,"people_count":12,
 "parties":[{"role":"applicant","name":"王小明","id_number":"610831199003070024","phone":"13912345678"},
            {"role":"respondent","kind":"org","name":"子洲某建筑公司","uscc":"91350100M000100Y43"}]}`

func tokenFor(t *testing.T, e *env, username, org string, roles ...domain.Role) string {
	jftest.MakeUser(t, e.svc, username, org, roles...)
	return jftest.Token(t, e.svc, username)
}

func TestCaseAPIContract(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		recep := tokenFor(t, e, "recep", "610831", domain.RoleReceptionist)
		disp := tokenFor(t, e, "disp", "610831", domain.RoleDispatcher)
		med := tokenFor(t, e, "med1", "610831101", domain.RoleMediator)

		status, cats := e.call("GET", "/api/v1/categories", recep, "")
		if status != 200 || len(cats["items"].([]any)) < 12 {
			t.Fatalf("categories: %d %v", status, cats)
		}
		// Idempotent registration: a retry returns the first result and registers once.
		status, c := e.call("POST", "/api/v1/cases", recep, caseBody, "Idempotency-Key", "reg-1")
		if status != 201 || c["number"] == "" || c["status"] != "registered" || len(c["query_code"].(string)) != 11 {
			t.Fatalf("register: %d %v", status, c)
		}
		status2, c2 := e.call("POST", "/api/v1/cases", recep, caseBody, "Idempotency-Key", "reg-1")
		if status2 != 201 || c2["id"] != c["id"] || c2["number"] != c["number"] {
			t.Fatalf("retry: %d %v vs %v", status2, c2, c)
		}
		_, list := e.call("GET", "/api/v1/cases?q=欠薪", disp, "")
		if n := len(list["items"].([]any)); n != 1 {
			t.Fatalf("a retried registration must not register twice (search 欠薪 found %d)", n)
		}
		// Same key with another body is refused, not silently replayed.
		if status, _ := e.call("POST", "/api/v1/cases", recep, strings.Replace(caseBody, "砖厂", "煤矿", 1), "Idempotency-Key", "reg-1"); status != 422 {
			t.Fatalf("key reuse with another body: %d", status)
		}
		// Same key on another path is refused.
		if status, _ := e.call("POST", "/api/v1/cases/1/actions/note", recep, `{"note":"x"}`, "Idempotency-Key", "reg-1"); status != 422 {
			t.Fatalf("key reuse: %d", status)
		}
		id := fmt.Sprint(int64(c["id"].(float64)))
		status, got := e.call("GET", "/api/v1/cases/"+id, disp, "")
		if status != 200 || got["status"] != "registered" || got["risk"] != "none" || got["version"].(float64) != 1 || len(got["timeline"].([]any)) != 1 {
			t.Fatalf("get: %d %v", status, got)
		}
		parties := got["parties"].([]any)
		if p := parties[0].(map[string]any); p["id_number"] != "610831********0024" || p["phone"] != "139****5678" {
			t.Fatalf("party not masked: %v", p)
		}
		// Actions.
		path := "/api/v1/cases/" + id + "/actions/"
		// A bad date or number is a field error, the same one the form gets.
		for body, f := range map[string]string{`{"risk":"yellow","mediator_id":"x"}`: "mediator", `{"risk":"yellow","version":"v1"}`: "version"} {
			if status, m := e.call("POST", path+"assess", disp, body); status != 422 || field(m, f) == "" {
				t.Fatalf("%s: %d %v", body, status, m)
			}
		}
		if status, m := e.call("POST", path+"assess", disp, `{"risk":"yellow","version":5}`); status != 409 || errCode(m) != "conflict" {
			t.Fatalf("stale version: %d %v", status, m)
		}
		if status, m := e.call("POST", path+"assess", disp, `{"risk":"yellow","version":1}`); status != 200 || m["status"] != "assessed" || m["version"].(float64) != 2 {
			t.Fatalf("assess: %d %v", status, m)
		}
		if status, _ := e.call("POST", path+"fly", disp, `{}`); status != 404 {
			t.Fatalf("unknown action: %d", status)
		}
		if status, m := e.call("POST", path+"sign", med, `{}`); status != 409 && status != 403 {
			t.Fatalf("sign before dispatch: %d %v", status, m)
		}
		if status, m := e.call("POST", path+"dispatch", disp, `{"assignee":"med1"}`); status != 200 {
			t.Fatalf("dispatch: %d %v", status, m)
		}
		// A retried action is not applied twice.
		s1, m1 := e.call("POST", path+"sign", med, `{}`, "Idempotency-Key", "sign-1")
		s2, m2 := e.call("POST", path+"sign", med, `{}`, "Idempotency-Key", "sign-1")
		if s1 != 200 || s2 != 200 || m1["version"] != m2["version"] || len(m2["timeline"].([]any)) != 4 {
			t.Fatalf("idempotent sign: %d %d %v %v", s1, s2, m1["version"], m2["version"])
		}
		// Joint handling through the API: a co-handler, visible on the matter
		// and in the co-handler's own list; a mediator's extension needs the
		// parties' agreement.
		med2 := tokenFor(t, e, "med2", "610831101", domain.RoleMediator)
		if status, m := e.call("POST", path+"cohandle", med, `{"assignee":"med2","note":"负责与砖厂负责人沟通"}`); status != 200 || len(m["co_handlers"].([]any)) != 1 {
			t.Fatalf("cohandle: %d %v", status, m)
		}
		if status, m := e.call("GET", "/api/v1/cases?cohandled=1", med2, ""); status != 200 || len(m["items"].([]any)) != 1 {
			t.Fatalf("co-handled list: %d %v", status, m)
		}
		if status, m := e.call("POST", path+"extend_request", med, `{"reason":"等待劳动监察结论","days":10}`); status != 422 || field(m, "parties_agree") == "" {
			t.Fatalf("extension without agreement: %d %v", status, m)
		}
		if status, m := e.call("POST", path+"extend_request", med, `{"reason":"等待劳动监察结论","days":10,"parties_agree":true}`); status != 200 {
			t.Fatalf("extension with agreement: %d %v", status, m)
		}
		if status, m := e.call("POST", path+"close", med, `{"outcome":"resolved"}`); status != 422 || field(m, "six") == "" {
			t.Fatalf("close without the six: %d %v", status, m)
		}
		if status, m := e.call("POST", path+"close", med, `{"outcome":"unresolved","guidance":"arbitration","note":"引导申请劳动仲裁"}`); status != 200 || m["status"] != "closed" || m["outcome"] != "unresolved" {
			t.Fatalf("close: %d %v", status, m)
		}
		// 告知方式 from the list: free text is a field error, a code is taken.
		for body, key := range map[string]string{`{"method":"电话"}`: "case.method.invalid", `{"method":""}`: "case.method.required", `{}`: "case.method.required"} {
			if status, m := e.call("POST", path+"inform", med, body); status != 422 || field(m, "method") == "" {
				t.Fatalf("inform %s: %d %v, want 422 (%s)", body, status, m, key)
			}
		}
		if status, m := e.call("POST", path+"inform", med, `{"method":"sms"}`); status != 200 || m["status"] != "informed" {
			t.Fatalf("inform by text message: %d %v", status, m)
		}
		// Reveal: masked by default, full on an audited request with a reason.
		pid := fmt.Sprint(int64(parties[0].(map[string]any)["id"].(float64)))
		if status, m := e.call("POST", "/api/v1/cases/"+id+"/parties/"+pid+"/reveal", disp, `{"reason":"电话通知"}`); status != 200 || m["id_number"] != "610831199003070024" {
			t.Fatalf("reveal: %d %v", status, m)
		}
		if status, _ := e.call("POST", "/api/v1/cases/"+id+"/parties/"+pid+"/reveal", e.admin, `{"reason":"看看"}`); status != 403 {
			t.Fatalf("admin reveal: %d", status)
		}
		// Bad registration bodies: 422 with field messages, nothing written.
		for _, bad := range []string{
			strings.Replace(caseBody, `"visit"`, `"fax"`, 1),
			strings.Replace(caseBody, `610831199003070024`, `610831199003070025`, 1),
			strings.Replace(caseBody, `"labour"`, `"astrology"`, 1),
			strings.Replace(caseBody, `"610831101200"`, `"610899"`, 1),
			`{"channel":"visit"}`,
		} {
			if status, m := e.call("POST", "/api/v1/cases", recep, bad); status != 422 || m["error"].(map[string]any)["fields"] == nil {
				t.Errorf("bad body: %d %v", status, m)
			}
		}
		_, list = e.call("GET", "/api/v1/cases", disp, "")
		if n := len(list["items"].([]any)); n != 1 {
			t.Fatalf("bad bodies wrote matters: %d", n)
		}
		if status, _ := e.call("GET", "/api/v1/cases?status=flying", disp, ""); status != 422 {
			t.Fatalf("bad status filter: %d", status)
		}
		if status, m := e.call("GET", "/api/v1/cases?status=informed&org_code=610831101", disp, ""); status != 200 || len(m["items"].([]any)) != 1 {
			t.Fatalf("filters: %d %v", status, m)
		}
		// "open" stands for the statuses before closure; overdue=open and
		// overdue=followup narrow the overdue ones to in hand or in follow-up.
		for q, want := range map[string]int{"status=open": 0, "status=open,informed": 1, "overdue=open": 0, "overdue=followup": 0, "overdue=1": 0} {
			if status, m := e.call("GET", "/api/v1/cases?"+q, disp, ""); status != 200 || len(m["items"].([]any)) != want {
				t.Fatalf("%s: %d %v, want %d", q, status, m, want)
			}
		}
	})
}

func TestCaseAPIPaging(t *testing.T) {
	e := newEnv(t, jftest.OpenSQLite(t))
	recep := tokenFor(t, e, "recep", "610831", domain.RoleReceptionist)
	for range 7 {
		if status, m := e.call("POST", "/api/v1/cases", recep, caseBody); status != 201 {
			t.Fatalf("%d %v", status, m)
		}
	}
	seen := map[any]bool{}
	cursor := ""
	for range 10 {
		status, m := e.call("GET", "/api/v1/cases?limit=3&cursor="+cursor, recep, "")
		if status != 200 {
			t.Fatalf("%d %v", status, m)
		}
		for _, it := range m["items"].([]any) {
			seen[it.(map[string]any)["number"]] = true
		}
		if cursor = m["next_cursor"].(string); cursor == "" {
			break
		}
	}
	if len(seen) != 7 {
		t.Fatalf("paged %d of 7", len(seen))
	}
	_ = http.MethodGet
}

// A citizen follows their matter with the number and query code: no login,
// no personal data, and guessing is cut off.
func TestTrackByQueryCode(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		recep := tokenFor(t, e, "recep", "610831", domain.RoleReceptionist)
		_, c := e.call("POST", "/api/v1/cases", recep, caseBody)
		number, code := c["number"].(string), c["query_code"].(string)
		status, m := e.call("POST", "/api/v1/track", "", `{"number":"`+number+`","query_code":"`+strings.ToLower(code)+`"}`)
		if status != 200 || m["status"] != "registered" || len(m["steps"].([]any)) != 1 {
			t.Fatalf("track: %d %v", status, m)
		}
		raw := fmt.Sprint(m)
		for _, secret := range []string{"王小明", "610831", "139"} {
			if strings.Contains(raw, secret) {
				t.Fatalf("the public answer leaks %q: %s", secret, raw)
			}
		}
		for i := range 20 {
			if status, _ := e.call("POST", "/api/v1/track", "", `{"number":"`+number+`","query_code":"WRONG-`+fmt.Sprint(i)+`"}`); status != 404 {
				t.Fatalf("wrong code %d: %d", i, status)
			}
		}
		if status, _ := e.call("POST", "/api/v1/track", "", `{"number":"`+number+`","query_code":"`+code+`"}`); status != 429 {
			t.Fatalf("after 20 wrong codes: %d", status)
		}
	})
}

// POST /api/v1/cases/suggest and the rules endpoints: the documented shape,
// nothing saved, clear errors.
func TestSuggestAPI(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		recep := tokenFor(t, e, "recep", "610831", domain.RoleReceptionist)
		med := tokenFor(t, e, "med1", "610831101", domain.RoleMediator)
		admin := tokenFor(t, e, "cadmin", "610831", domain.RoleAdmin)

		status, m := e.call("POST", "/api/v1/cases/suggest", recep, caseBody)
		if status != 200 {
			t.Fatalf("suggest: %d %v", status, m)
		}
		cat := m["category"].(map[string]any)
		risk := m["risk"].(map[string]any)
		if cat["code"] != "labour" || cat["name"] != "劳动争议/欠薪" || len(cat["reasons"].([]any)) == 0 {
			t.Fatalf("category %v", cat)
		}
		// Twelve workers and 80,000 yuan: 10–29 people is yellow.
		if risk["color"] != "yellow" || len(risk["reasons"].([]any)) < 2 {
			t.Fatalf("risk %v", risk)
		}
		r0 := risk["reasons"].([]any)[0].(map[string]any)
		if r0["kind"] != "trigger" || r0["rule"] == "" || r0["text"] == "" {
			t.Fatalf("reason shape %v", r0)
		}
		if _, ok := m["unit"]; !ok || m["mediation_org"] != nil || m["mediators"] == nil {
			t.Fatalf("routing fields %v", m)
		}
		if n, err := jftest.Count(st, `SELECT COUNT(*) FROM cases`); err != nil || n != 0 {
			t.Fatalf("suggest saved %d matters (%v)", n, err)
		}
		if status, m := e.call("POST", "/api/v1/cases/suggest", recep, `{"description":""}`); status != 422 || field(m, "description") == "" {
			t.Fatalf("empty description: %d %v", status, m)
		}
		if status, m := e.call("POST", "/api/v1/cases/suggest", recep, `{"description":1}`); status != 422 || errCode(m) != "invalid" {
			t.Fatalf("wrong type: %d", status)
		}
		if status, _ := e.call("POST", "/api/v1/cases/suggest", med, caseBody); status != 403 {
			t.Fatalf("mediator: %d", status)
		}
		if status, _ := e.call("POST", "/api/v1/cases/suggest", "", caseBody); status != 401 {
			t.Fatalf("anonymous: %d", status)
		}

		status, m = e.call("GET", "/api/v1/assess/rules", admin, "")
		if status != 200 || m["version"].(float64) != 0 {
			t.Fatalf("rules: %d %v", status, m)
		}
		rules, _ := json.Marshal(m["rules"])
		body := `{"version":0,"note":"试行","rules":` + string(rules) + `}`
		if status, m := e.call("PUT", "/api/v1/assess/rules", admin, body); status != 200 || m["version"].(float64) != 1 {
			t.Fatalf("save rules: %d %v", status, m)
		}
		if status, m := e.call("PUT", "/api/v1/assess/rules", admin, body); status != 409 || errCode(m) != "conflict" {
			t.Fatalf("stale rules: %d %v", status, m)
		}
		if status, _ := e.call("GET", "/api/v1/assess/rules", recep, ""); status != 403 {
			t.Fatalf("receptionist read rules: %d", status)
		}
	})
}

func TestGroupAPI(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		recep := tokenFor(t, e, "recep", "610831", domain.RoleReceptionist)
		disp := tokenFor(t, e, "disp", "610831", domain.RoleDispatcher)
		_, c := e.call("POST", "/api/v1/cases", recep, caseBody)
		path := fmt.Sprintf("/api/v1/cases/%v/members", c["id"])
		status, m := e.call("POST", path, disp, `{"rows":[{"name":"高一","village":"何家集村委会"},{"name":"高二","village":"月亮村"}]}`)
		if status != 422 || field(m, "rows[3].village") == "" {
			t.Fatalf("bad rows: %d %v", status, m)
		}
		if status, m := e.call("POST", path, recep, `{"rows":[{"name":"高一","village":"何家集村委会"}]}`); status != 403 {
			t.Fatalf("receptionist import: %d %v", status, m)
		}
		if status, m := e.call("POST", path, disp, `{"rows":[{"name":"高一","village":"何家集村委会","phone":"13912345678","amount":820.5},{"name":"高二","village":"610831101200"}]}`); status != 201 || m["imported"].(float64) != 2 {
			t.Fatalf("import: %d %v", status, m)
		}
		status, m = e.call("GET", path, disp, "")
		items := m["items"].([]any)
		if status != 200 || m["total"].(float64) != 2 || len(items) != 2 || items[0].(map[string]any)["phone"] != "139****5678" {
			t.Fatalf("list: %d %v", status, m)
		}
		mid := items[0].(map[string]any)["id"]
		confirm := fmt.Sprintf("%s/%v/confirm", path, mid)
		if status, m := e.call("POST", confirm, disp, `{"status":"confirmed","note":"签字","version":1}`); status != 200 {
			t.Fatalf("confirm: %d %v", status, m)
		}
		if status, m := e.call("POST", confirm, disp, `{"status":"disputed","version":1}`); status != 409 {
			t.Fatalf("stale confirm: %d %v", status, m)
		}
		if status, m := e.call("POST", confirm, disp, `{"status":"maybe","version":2}`); status != 422 {
			t.Fatalf("bad status: %d %v", status, m)
		}
	})
}

func TestStatsAPI(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		recep := tokenFor(t, e, "recep", "610831", domain.RoleReceptionist)
		disp := tokenFor(t, e, "disp", "610831", domain.RoleDispatcher)
		if status, m := e.call("POST", "/api/v1/cases", recep, caseBody); status != 201 {
			t.Fatalf("register: %d %v", status, m)
		}
		day := time.Now().In(domain.CST).Format("2006-01-02")
		status, m := e.call("GET", "/api/v1/stats?from="+day+"&to="+day+"&by=category", disp, "")
		if status != 200 {
			t.Fatalf("stats: %d %v", status, m)
		}
		total := m["total"].(map[string]any)
		if total["registered"].(float64) != 1 || total["success_rate"].(map[string]any)["denominator"] == nil || len(m["groups"].([]any)) != 18 { // every top-level category, zeros included
			t.Fatalf("stats body %v", m)
		}
		if m["definitions"].(map[string]any)["success_rate"] == "" {
			t.Fatal("no definitions")
		}
		if status, _ := e.call("GET", "/api/v1/stats?from=x&to="+day, disp, ""); status != 422 {
			t.Fatalf("bad date: %d", status)
		}
		if status, _ := e.call("GET", "/api/v1/stats?from="+day+"&to="+day+"&by=weather", disp, ""); status != 422 {
			t.Fatalf("bad breakdown: %d", status)
		}
		if _, ok := total["on_time_by_step"].(map[string]any)["inform"]; !ok {
			t.Fatalf("no on-time rate per step: %v", total)
		}
		// The list behind a group's figure is as long as the figure.
		status, l := e.call("GET", "/api/v1/stats/list?from="+day+"&to="+day+"&by=category&key=labour&figure=registered", disp, "")
		if status != 200 || l["total"].(float64) != 1 || len(l["items"].([]any)) != 1 || l["items"].([]any)[0].(map[string]any)["number"] == "" {
			t.Fatalf("list behind registered: %d %v", status, l)
		}
		if status, _ := e.call("GET", "/api/v1/stats/list?from="+day+"&to="+day+"&figure=weather", disp, ""); status != 422 {
			t.Fatalf("unknown figure: %d", status)
		}
		status, rep := e.call("GET", "/api/v1/reports/monthly?month="+day[:7], disp, "")
		if status != 200 || rep["total"].(map[string]any)["registered"].(float64) != 1 || len(rep["by_org"].([]any)) == 0 {
			t.Fatalf("monthly report: %d %v", status, rep)
		}
		if status, m := e.call("GET", "/api/v1/reports/monthly?month=11-2026", disp, ""); status != 422 || errCode(m) == "" {
			t.Fatalf("bad month: %d %v", status, m)
		}
		req, _ := http.NewRequest("GET", e.ts.URL+"/api/v1/cases/ledger.xlsx?category=labour", nil)
		req.Header.Set("Authorization", "Bearer "+disp)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.HasPrefix(string(b), "PK") {
			t.Fatalf("ledger: %d %.100q", resp.StatusCode, b)
		}
		// The full export: asked by the dispatcher, approved by a leader,
		// downloaded once by the dispatcher.
		lead := tokenFor(t, e, "lead", "610831", domain.RoleLeader)
		if status, m := e.call("POST", "/api/v1/exports?category=labour", disp, `{"reason":""}`); status != 422 {
			t.Fatalf("request without a reason: %d %v", status, m)
		}
		status, asked := e.call("POST", "/api/v1/exports?category=labour", disp, `{"reason":"报送县人社局"}`)
		if status != 201 {
			t.Fatalf("request: %d %v", status, asked)
		}
		id := strconv.FormatInt(int64(asked["id"].(float64)), 10)
		if status, m := e.call("POST", "/api/v1/exports/"+id+"/approve", disp, ""); status != 403 || m["error"].(map[string]any)["reason"] != "four_eyes.self" {
			t.Fatalf("self-approval: %d %v", status, m)
		}
		if status, m := e.call("GET", "/api/v1/exports", lead, ""); status != 200 || len(m["to_approve"].([]any)) != 1 {
			t.Fatalf("leader's list: %d %v", status, m)
		}
		if status, m := e.call("POST", "/api/v1/exports/"+id+"/approve", lead, ""); status != 204 {
			t.Fatalf("approval: %d %v", status, m)
		}
		for i, want := range []int{200, 409} {
			req, _ := http.NewRequest("GET", e.ts.URL+"/api/v1/cases/ledger.xlsx?request_id="+id, nil)
			req.Header.Set("Authorization", "Bearer "+disp)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != want {
				t.Fatalf("download %d: %d, want %d", i+1, resp.StatusCode, want)
			}
		}
	})
}

// Issue 14, point 9: a list filter that is none of the choices is a 422
// whose fields name it, not an empty list.
func TestCaseListUnknownFilters(t *testing.T) {
	e := newEnv(t, jftest.OpenSQLite(t))
	disp := tokenFor(t, e, "disp", "610831", domain.RoleDispatcher)
	for _, f := range []string{"status=bogus", "risk=purple", "channel=fax", "category=nosuch", "overdue=maybe"} {
		status, body := e.call("GET", "/api/v1/cases?"+f, disp, "")
		name := f[:strings.Index(f, "=")]
		errObj, _ := body["error"].(map[string]any)
		fields, _ := errObj["fields"].(map[string]any)
		if status != http.StatusUnprocessableEntity || errObj["code"] != "invalid" || fields[name] == nil {
			t.Errorf("GET /api/v1/cases?%s: %d %v; want 422 naming %s", f, status, body, name)
		}
	}
	for _, f := range []string{"status=open", "risk=red", "channel=visit", "category=land", "overdue=1", "overdue=followup", "overdue=false"} {
		if status, body := e.call("GET", "/api/v1/cases?"+f, disp, ""); status != http.StatusOK {
			t.Errorf("GET /api/v1/cases?%s: %d %v", f, status, body)
		}
	}
}
