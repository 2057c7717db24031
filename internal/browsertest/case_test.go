package browsertest_test

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"jiefen/internal/domain"
	"jiefen/internal/jftest"
)

// set assigns form values through the DOM (selects, textareas and inputs
// inside closed <details> alike).
func (tb *tab) set(fields map[string]string) {
	tb.t.Helper()
	for sel, v := range fields {
		ok := eval[bool](tb, `(function(){var e=document.querySelector(`+jsString(sel)+`);if(!e)return false;e.value=`+jsString(v)+`;return true})()`)
		if !ok {
			tb.t.Fatalf("at %s: no field %s", tb.location().Path, sel)
		}
	}
}

// act opens the action's panel on a matter page, fills it and submits it.
func (tb *tab) act(action string, fields map[string]string) {
	tb.t.Helper()
	form := `form[action$="/actions/` + action + `"]`
	if !eval[bool](tb, `!!document.querySelector(`+jsString(form)+`)`) {
		tb.t.Fatalf("at %s: no %s action for this user; actions: %q", tb.location().Path, action, tb.text(".actions-card"))
	}
	eval[bool](tb, `(function(){document.querySelector(`+jsString(form)+`).closest("details").open=true;return true})()`)
	full := map[string]string{}
	for k, v := range fields {
		full[form+" "+k] = v
	}
	tb.set(full)
	tb.submit(form + ` button[type=submit]`)
}

var caseURL = regexp.MustCompile(`^/cases/\d+$`)

// TestMatterThroughEveryLink walks one matter through the five links in the
// browser, as the receptionist, the dispatcher and the mediator would.
func TestMatterThroughEveryLink(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, u := range []struct {
		name, org string
		role      domain.Role
	}{{"recep", "610831", domain.RoleReceptionist}, {"disp", "610831", domain.RoleDispatcher}, {"med1", "610831101", domain.RoleMediator}, {"med2", "610831101", domain.RoleMediator}} {
		jftest.MakeUser(t, e.svc, u.name, u.org, u.role)
	}
	recep, disp, med := e.newTab(t, desktop), e.newTab(t, desktop), e.newTab(t, desktop)
	recep.login("recep", jftest.Password)
	disp.login("disp", jftest.Password)
	med.login("med1", jftest.Password)

	// Registration.
	recep.open("/cases/new")
	recep.wantText("h1", "登记受理")
	recep.shot("case-new")
	recep.set(map[string]string{"#category": "land_contract", "#org_code": "610831101200", "#address": "何家集村三组",
		"#description": "张建军与李保国因承包地边界发生争执，李保国扬言要毁坏青苗。", "#amount": "12000", "#people_count": "6",
		"#p0_name": "张建军", "#p0_id": "610831199003070024", "#p0_phone": "139 1234 5678", "#p1_name": "李保国"})
	recep.submit(`form[action="/cases"] button[type=submit]`)
	if p := recep.location().Path; !caseURL.MatchString(p) {
		t.Fatalf("after registration at %s: %.300s", p, recep.text("main"))
	}
	path := recep.location().Path
	recep.wantText("main", "已登记", "610831********0024", "139****5678", "事项已登记")
	recep.noText("main", "610831199003070024", "13912345678")
	recep.shot("case-registered")

	// Assessment and dispatch; the mediator returns it, the dispatcher sees it returned.
	// The assessment form shows the suggestions with their reasons and
	// starts from them: the dispatcher keeps the category and raises the
	// colour above the suggestion; both choices go on the timeline.
	disp.open(path)
	disp.wantText("#suggest", "研判建议", "土地承包/山林/宅基地纠纷", "关键词：", "承包地", "黄色", "扬言", "涉及金额1万元以上", "涉及3至9人")
	disp.shot("case-assess-suggest")
	if v := eval[string](disp, `document.querySelector("#risk").value`); v != "yellow" {
		t.Fatalf("risk preset to %q, want the suggested yellow", v)
	}
	if v := eval[string](disp, `document.querySelector("#acat").value`); v != "land_contract" {
		t.Fatalf("category preset to %q, want the registered sub-category kept", v)
	}
	disp.act("assess", map[string]string{"#risk": "red", "#note-assess": "网格员报告双方已两次动手，提高一级"})
	disp.wantText("main", "已研判", "红色")
	disp.wantText(".timeline", "未采纳建议：黄色", "采纳建议")
	disp.act("dispatch", map[string]string{"#assignee-dispatch": "med1"})
	disp.wantText("main", "待签收", "测试med1")
	med.open(path)
	med.act("return", map[string]string{"#reason-return": "该事项涉及林业执法，请重新交办"})
	med.wantText("main", "已退回")
	disp.open("/cases?status=returned")
	disp.wantText("table", "已退回")
	disp.open(path)
	disp.act("dispatch", map[string]string{"#assignee-dispatch": "med1"})
	med.open(path)
	med.act("sign", nil)
	med.wantText("main", "化解中", "六个一", "尚缺 6 项")
	// Closing as resolved is refused while the six are incomplete.
	med.act("close", map[string]string{"#outcome": "resolved"})
	med.wantText(".alert", "办结未完成：1 处需要修改。")
	med.wantText("#act-close[open] .field-error", "六个一")
	med.act("six", map[string]string{"#s1": "赵军", "#s2": "何家集镇人民调解委员会", "#s3": "何家集镇司法所", "#s4": "现场勘界",
		"#s5": "第1周勘界，第2周调解", "#s6": "王律师", "#s7": "《农村土地承包法》相关规定"})
	med.wantText("main", "已齐全")
	// Joint handling: the lead brings in a second mediator for one part.
	med.act("cohandle", map[string]string{"#assignee-cohandle": "med2", "#note-cohandle": "负责做李保国的工作"})
	med.wantText("main", "协办人", "测试med2", "负责做李保国的工作", "牵头")
	med.shot("case-cohandled")
	// The signed agreement is uploaded as a scan.
	pdf := filepath.Join(t.TempDir(), "调解协议书.pdf")
	jftest.WriteFile(t, pdf, "%PDF-1.4\n调解协议书\n%%EOF\n")
	med.set(map[string]string{"#akind": "agreement"})
	med.do("choose file", chromedp.SetUploadFiles("#afile", []string{pdf}))
	med.submit(`form.upload button[type=submit]`)
	med.wantText("main", "附件已上传", "调解协议书.pdf", "调解协议")
	med.act("session", map[string]string{"#sdate": "2026-03-05", "#splace": "何家集村委会", "#speople": "张建军、李保国、村主任",
		"#note-session": "双方陈述意见，同意按原合同边界划分。"})
	med.wantText(".timeline", "记录调解会", "何家集村委会")
	med.act("progress", map[string]string{"#note-progress": "已约定下周现场勘界。"})
	med.act("close", map[string]string{"#outcome": "resolved", "#note-close": "双方达成调解协议"})
	med.wantText("main", "已办结", "化解成功")
	med.act("inform", map[string]string{"#method": "phone"})
	med.wantText("main", "已告知", "电话") // the method by its name on the timeline
	med.shot("case-informed")

	// An unsatisfied return visit, reopening, and the second round.
	recep.open(path)
	recep.act("visit", map[string]string{"#satisfaction": "unsatisfied", "#note-visit": "李保国仍未退还多占土地"})
	recep.wantText("main", "已回访", "不满意")
	disp.open(path)
	disp.act("reopen", map[string]string{"#reason-reopen": "回访不满意，协议未履行"})
	disp.wantText("main", "已研判")
	disp.act("dispatch", map[string]string{"#assignee-dispatch": "med1"})
	med.open(path)
	med.act("sign", nil)
	med.act("close", map[string]string{"#outcome": "resolved", "#note-close": "李保国已退还土地"})
	med.act("inform", map[string]string{"#method": "in_person"})
	recep.open(path)
	recep.act("visit", map[string]string{"#satisfaction": "satisfied"})
	disp.open(path)
	disp.act("archive", nil)
	disp.wantText("main", "已归档")
	disp.noText(".actions-card", "归档", "交办", "研判")

	// The timeline tells the whole story in order.
	tl := disp.text(".timeline")
	order := []string{"登记", "研判", "交办", "退回", "交办", "签收", "填写“六个一”", "增加协办", "上传附件", "记录调解会", "记录进展", "办结", "告知当事人", "回访", "重新交办", "交办", "签收", "办结", "告知当事人", "回访", "归档"}
	pos := 0
	for _, w := range order {
		i := strings.Index(tl[pos:], w)
		if i < 0 {
			t.Fatalf("timeline lacks %q after position %d:\n%s", w, pos, tl)
		}
		pos += i + len(w)
	}
	disp.shot("case-archived")

	// The audited reveal shows the full ID number to the dispatcher.
	eval[bool](disp, `(function(){document.querySelectorAll("details.reveal").forEach(function(d){d.open=true});return true})()`)
	disp.set(map[string]string{`details.reveal input[name=reason]`: "电话联系当事人"})
	disp.submit(`details.reveal button[type=submit]`)
	disp.wantText("main", "610831199003070024", "13912345678")

	// The list finds it by a two-character word.
	disp.open("/cases?q=" + "青苗")
	disp.wantText("table", "土地承包经营")
	disp.shot("cases-list")

	// And by the ID number, which stays out of the address (and so out of
	// the history): the list's address holds a reference, and the form
	// still shows the number typed.
	eval[bool](disp, `(function(){document.querySelectorAll("[data-filter-box]").forEach(function(d){d.open=true});return true})()`)
	disp.set(map[string]string{`form.filters input[name=q]`: "610831199003070024"})
	disp.submit(`form.filters button[type=submit]`)
	disp.wantText("table", "土地承包经营")
	if loc := disp.location(); loc.Query().Get("s") == "" || strings.Contains(loc.String(), "0024") {
		t.Fatalf("after a search by ID number the address is %s", loc)
	}
	if got := eval[string](disp, `document.querySelector("form.filters input[name=q]").value`); got != "610831199003070024" {
		t.Fatalf("the search field shows %q", got)
	}
	if hist := eval[string](disp, `location.href + " " + document.referrer`); strings.Contains(hist, "0024") {
		t.Fatalf("the number is in %s", hist)
	}
}
