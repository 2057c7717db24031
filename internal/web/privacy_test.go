package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"jiefen/internal/domain"
	"jiefen/internal/jftest"
	"jiefen/internal/store"
)

const privacyID = "610831199003070024"

// The pages of the people's rights over their data on both engines: the
// security administrator finds a person (the fields held, not their
// values, nothing in a URL), asks for the copy, corrects a party (a bad
// value shown beside its form, a good one on the matter's timeline); a
// leader approves; the copy is downloaded once; the retention page's dry
// run; the processing record for every member of staff in both
// languages; the audit administrator's breach question; and who may not.
func TestPrivacyPages(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		recep := e.user("recep", "610831", domain.RoleReceptionist)
		e.user("anquan", "610831", domain.RoleSecurityAdmin)
		e.user("lead", "610831", domain.RoleLeader)
		e.user("disp", "610831", domain.RoleDispatcher)
		e.user("shenji", "610831", domain.RoleAuditAdmin)
		c, err := e.svc.RegisterCase(jftest.As(recep, "10.0.0.9"), domain.CaseInput{Channel: "visit", Category: "land", OrgCode: "610831101200",
			Address: "何家集村三组", Description: "张建军与邻居因宅基地边界发生争执。",
			Parties: []domain.Party{{Role: "applicant", Name: "张建军", IDNumber: privacyID, Phone: "13912345678", Address: "何家集村三组"}}})
		if err != nil {
			t.Fatal(err)
		}
		for _, who := range []string{"disp", "recep"} {
			d := e.client()
			d.login(who, jftest.Password)
			if resp, _ := d.get("/admin/privacy"); resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s opened /admin/privacy: %d", who, resp.StatusCode)
			}
			if resp, _ := d.post("/admin/privacy/find", url.Values{"id_number": {privacyID}, "ref": {"x"}, "reason": {"x"}}); resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s searched: %d", who, resp.StatusCode)
			}
		}
		sec := e.client()
		sec.login("anquan", jftest.Password)
		if body := sec.getOK("/admin/privacy"); !strings.Contains(body, `action="/admin/privacy/find"`) || !strings.Contains(body, "何家集镇") {
			t.Fatal("no find form with the places")
		}
		resp, body := sec.post("/admin/privacy/find", url.Values{"id_number": {privacyID}, "ref": {""}, "reason": {""}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-ref"`) || !strings.Contains(body, `id="err-reason"`) {
			t.Fatalf("find without a reference: %d", resp.StatusCode)
		}
		q := url.Values{"id_number": {privacyID}, "ref": {"子综治个信〔2026〕3号"}, "reason": {"本人申请查阅"}}
		resp, body = sec.post("/admin/privacy/find", q)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, c.Number) || !strings.Contains(body, "张**") || !strings.Contains(body, "身份证件号码") ||
			strings.Contains(body, "13912345678") || strings.Contains(body, "张建军") {
			t.Fatalf("find: %d\n%s", resp.StatusCode, body)
		}
		// A correction refused beside its form, then made.
		correct := "/admin/privacy/cases/" + strconv.FormatInt(c.ID, 10) + "/parties/" + strconv.FormatInt(c.Parties[0].ID, 10) + "/correct"
		form := url.Values{"field": {"phone"}, "value": {"123"}, "correct_reason": {"本人申请更正"}}
		for k, v := range q {
			form[k] = v
		}
		pid := strconv.FormatInt(c.Parties[0].ID, 10)
		resp, body = sec.post(correct, form)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-c`+pid+`-value"`) || !strings.Contains(body, "<details class=\"reveal\" open>") {
			t.Fatalf("bad correction: %d\n%s", resp.StatusCode, body)
		}
		form.Set("value", "13700001111")
		if resp, _ := sec.post(correct, form); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("correction: %d", resp.StatusCode)
		}
		d := e.client()
		d.login("disp", jftest.Password)
		if body := d.getOK("/cases/" + strconv.FormatInt(c.ID, 10)); !strings.Contains(body, "申请人的联系电话已更正") || !strings.Contains(body, "原值已密封保存") {
			t.Error("the matter's timeline does not show the correction")
		}
		// The copy: asked for, approved by a leader, downloaded once.
		if resp, _ := sec.post("/admin/privacy/requests", q); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("request: %d", resp.StatusCode)
		}
		if body := sec.getOK("/admin/privacy"); !strings.Contains(body, "已提交副本申请") || !strings.Contains(body, "待批准") {
			t.Fatal("no flash or pending request after asking for the copy")
		}
		lead := e.client()
		lead.login("lead", jftest.Password)
		body = lead.getOK("/admin/privacy")
		if !strings.Contains(body, "610831********0024") || strings.Contains(body, `action="/admin/privacy/find"`) {
			t.Fatal("the leader's page: no request to approve, or a find form")
		}
		var reqID string
		if i := strings.Index(body, "/admin/privacy/requests/"); i >= 0 {
			reqID = strings.SplitN(body[i+len("/admin/privacy/requests/"):], "/", 2)[0]
		}
		if resp, _ := lead.post("/admin/privacy/requests/"+reqID+"/approve", nil); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("approve %s: %d", reqID, resp.StatusCode)
		}
		if body := sec.getOK("/admin/privacy"); !strings.Contains(body, "/admin/privacy/requests/"+reqID+"/copy.xlsx") {
			t.Fatal("no download once approved")
		}
		resp, _ = sec.get("/admin/privacy/requests/" + reqID + "/copy.xlsx")
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Cache-Control") != "no-store" || !strings.Contains(resp.Header.Get("Content-Type"), "spreadsheet") {
			t.Fatalf("copy: %d %v", resp.StatusCode, resp.Header)
		}
		if resp, _ := sec.get("/admin/privacy/requests/" + reqID + "/copy.xlsx"); resp.StatusCode != http.StatusConflict {
			t.Fatalf("second copy: %d", resp.StatusCode)
		}
		// Retention: the rules and a dry run.
		if body := sec.getOK("/admin/privacy/retention"); !strings.Contains(body, "3650") || !strings.Contains(body, "审计日志") {
			t.Fatal("retention page")
		}
		if resp, body := sec.post("/admin/privacy/retention/run", url.Values{"dry_run": {"1"}}); resp.StatusCode != http.StatusOK || !strings.Contains(body, "试运行结果") {
			t.Fatalf("dry run: %d", resp.StatusCode)
		}
		if resp, body := sec.post("/admin/privacy/retention/audit_log", url.Values{"keep_days": {"30"}}); resp.StatusCode != http.StatusUnprocessableEntity ||
			!strings.Contains(body, `id="err-r-audit_log-keep_days"`) {
			t.Fatalf("audit log for 30 days: %d", resp.StatusCode)
		}
		checkRecordPages(t, e)
		// The breach question, the audit administrator's.
		au := e.client()
		au.login("shenji", jftest.Password)
		day := time.Now().In(domain.CST).Format("2006-01-02")
		if body := au.getOK("/admin/privacy/access?user=anquan&from=" + day + "&to=" + day); !strings.Contains(body, "610831********0024") ||
			!strings.Contains(body, "生成个人信息副本") {
			t.Fatalf("breach question:\n%s", body)
		}
		if resp, _ := au.get("/admin/privacy/access?user=anquan&from=x&to=" + day); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("bad date: %d", resp.StatusCode)
		}
		if resp, _ := sec.get("/admin/privacy/access?user=anquan&from=" + day + "&to=" + day); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("the security administrator read the audit log: %d", resp.StatusCode)
		}
	})
}

// checkRecordPages: the processing record for a receptionist in both
// languages, every message found (no raw key shown).
func checkRecordPages(t *testing.T, e *env) {
	t.Helper()
	r := e.client()
	r.login("recep", jftest.Password)
	for _, lang := range []string{"zh-CN", "en"} {
		body := r.getOK("/admin/privacy/record?lang=" + lang)
		if strings.Contains(body, "privacy.") || strings.Contains(body, "role.") || !strings.Contains(body, "3650") {
			i := strings.Index(body, "privacy.")
			t.Errorf("record in %s shows a raw key: %q", lang, body[max(i-80, 0):min(i+80, len(body))])
		}
	}
}
