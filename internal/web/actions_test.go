package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"jiefen/internal/domain"
	"jiefen/internal/jftest"
	"jiefen/internal/service/casework"
	"jiefen/internal/store"
)

// A bad date or number in an action's form is a field error on the page
// (it used to be dropped silently), the same error the API gives.
func TestActionFormFieldErrors(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		e.user("recep", "610831", domain.RoleReceptionist)
		e.user("lead", "610831", domain.RoleLeader)
		recep, lead := e.client(), e.client()
		recep.login("recep", jftest.Password)
		lead.login("lead", jftest.Password)
		id := recep.registerCase("610831101")
		lead.get("/cases/" + itoa(id))
		resp, body := lead.post("/cases/"+itoa(id)+"/actions/supervise", url.Values{"due": {"2026-13-45"}, "note": {"请尽快处理"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "日期格式应为 年-月-日。") {
			t.Fatalf("bad date: %d\n%s", resp.StatusCode, body)
		}
		resp, body = lead.post("/cases/"+itoa(id)+"/actions/note", url.Values{"version": {"v1"}, "note": {"跟进"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "备注未完成：1 处需要修改。") || !strings.Contains(body, "请填写整数。") {
			t.Fatalf("bad number: %d\n%s", resp.StatusCode, body)
		}
		if _, page := lead.get("/cases/" + itoa(id)); strings.Contains(page, "请尽快处理") {
			t.Fatal("a refused action left an entry on the timeline")
		}
	})
}

// Closing warns before the form is sent that the 六个一 is incomplete (it
// cannot then be closed as resolved), and says nothing once it is complete.
func TestCloseFormWarnsOfMissingSix(t *testing.T) {
	e := newEnv(t, jftest.OpenSQLite(t))
	path := jftest.Path{Svc: e.svc,
		Recep: e.user("recep", "610831", domain.RoleReceptionist),
		Disp:  e.user("disp", "610831", domain.RoleDispatcher),
		Med:   e.user("med1", "610831101", domain.RoleMediator)}
	c := path.Matter(t, domain.CaseInput{Channel: "visit", Category: "land", OrgCode: "610831101200", Address: "何家集村三组",
		Description: "张家与李家因土地承包经营权边界发生争执，双方多次争吵。",
		Parties:     []domain.Party{{Role: "applicant", Name: "张建军", IDNumber: "610831199003070024", Phone: "13912345678"}}}, jftest.Signed)
	med := e.client()
	med.login("med1", jftest.Password)
	_, page := med.get("/cases/" + itoa(c.ID))
	if !strings.Contains(page, `<p class="notice" role="note">“六个一”尚缺 `) {
		t.Fatalf("the close form does not warn of the missing six:\n%s", page)
	}
	path.Act(t, path.Med, c.ID, "six", casework.ActionInput{Six: &domain.Six{LeadLeader: "赵军", MediationOrg: "何家集镇人民调解委员会",
		DockingUnit: "何家集镇司法所", Plan: "现场勘界", Schedule: "第1周勘界", GuidanceAdviser: "王律师", GuidanceText: "《农村土地承包法》"}})
	if _, page := med.get("/cases/" + itoa(c.ID)); strings.Contains(page, "“六个一”尚缺") {
		t.Fatal("a complete six still warns")
	}
}
