package browsertest_test

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"jiefen/internal/domain"
	"jiefen/internal/jftest"
)

// A dispatcher assesses a new matter with the centre's registries in
// place: the form shows each suggestion with its reasons, starts from them,
// and the dispatcher accepts the category and the docking unit and
// overrides the risk colour; the timeline says which was which. Then the
// centre page shows who is on duty and the mediators' load.
func TestAssessWithSuggestions(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	jftest.DemoCentre(t, e.svc, 4)
	recep := jftest.MakeUser(t, e.svc, "recep", "610831", domain.RoleReceptionist)
	jftest.MakeUser(t, e.svc, "disp", "610831", domain.RoleDispatcher)
	jftest.MakeUser(t, e.svc, "cadmin", "610831", domain.RoleAdmin)
	c, err := e.svc.RegisterCase(jftest.As(recep, "127.0.0.1"), domain.CaseInput{Channel: "visit", Category: "other", OrgCode: "610831101200",
		Description: "十二名在何家集镇砖厂干活的工人，干了大半年，老板一直拖着不结工资，合计八万多元。", Address: "何家集村",
		Parties: []domain.Party{{Role: "applicant", Name: "高建平", IDType: "none", NoIDReason: "来访时未带证件"}, {Role: "respondent", Name: "某砖厂", IDType: "none", NoIDReason: "对方未到场"}}})
	if err != nil {
		t.Fatal(err)
	}
	disp := e.newTab(t, desktop)
	disp.login("disp", jftest.Password)
	disp.open("/cases/" + strconv.FormatInt(c.ID, 10))
	disp.wantText("#suggest", "劳动争议/欠薪", "关键词", "工资", "黄色", "涉及10至29人", "对接单位", "子洲县人力资源和社会保障局", "职责清单", "调解组织", "建议调解员", "在办 0 件")
	disp.shot("assess-routing")
	for sel, want := range map[string]string{"#acat": "labour", "#risk": "yellow", "#aunit": "hrss"} {
		if v := eval[string](disp, `document.querySelector("`+sel+`").value`); v != want {
			t.Fatalf("%s preset to %q, want the suggested %q", sel, v, want)
		}
	}
	if v := eval[string](disp, `document.querySelector("#aorg").value`); v == "" {
		t.Fatal("no mediation organisation preset")
	}
	// Accept category and unit, override the colour.
	disp.act("assess", map[string]string{"#risk": "red", "#note-assess": "工人扬言集体去市里讨薪"})
	disp.wantText("main", "已研判", "红色")
	tl := disp.text(".timeline")
	for _, want := range []string{"未采纳建议：黄色", "对接单位：子洲县人力资源和社会保障局", "调解组织："} {
		if !strings.Contains(tl, want) {
			t.Fatalf("timeline lacks %q: %s", want, tl)
		}
	}
	if strings.Count(tl, "（采纳建议）") < 2 {
		t.Fatalf("timeline should show the category and unit followed: %s", tl)
	}
	// The 六个一 picked up the docking unit and the organisation.
	disp.wantText("main", "子洲县人力资源和社会保障局")

	// The centre page: today's units at a glance, the roster, the pool.
	disp.open("/centre")
	disp.wantText("#today", "子洲县人民法院", "常驻")
	disp.wantText("#roster", "轮驻")
	disp.shot("centre")
	disp.open("/centre?tab=units")
	disp.wantText("#units", "职责任务清单", "运行机制清单", "子洲县人力资源和社会保障局")
	disp.noText("#units", "编辑") // a dispatcher reads, the administrator edits
	disp.shot("centre-units")
	disp.open("/centre?tab=mediators")
	disp.wantText("#mediators", "调解员库", "薛慧")
	disp.open("/centre?tab=zones")
	disp.wantText("#zones", "群众接待")
	admin := e.newTab(t, desktop)
	admin.login("cadmin", jftest.Password)
	admin.open("/centre/units/market")
	admin.set(map[string]string{"#uduties": "consumer 消费维权\nconsumer@610831101 何家集镇集市消费纠纷"})
	admin.submit(`form.form button[type=submit]`)
	admin.wantText(".flash", "单位已保存")
	admin.open("/centre/units/market")
	if v := eval[string](admin, `document.querySelector("#uduties").value`); !strings.Contains(v, "consumer@610831101") {
		t.Fatalf("duties not saved: %q", v)
	}
	admin.set(map[string]string{"#uduties": "nosuch 不存在"})
	admin.submit(`form.form button[type=submit]`)
	admin.wantText("main", "没有这个纠纷类别")
	// Windows are staffed and organisations kept in the UI too.
	admin.open("/centre?tab=zones")
	admin.set(map[string]string{"#wuW01": "women"})
	admin.submit(`form[action="/centre/windows/W01"] button[type=submit]`)
	admin.wantText(".flash", "已保存")
	admin.wantText("#zones", "子洲县妇女联合会")
	eval[bool](admin, `(function(){document.querySelector("details.zone-edit").open=true;return true})()`)
	admin.set(map[string]string{"#znZ01": "群众接待区（一楼大厅）"})
	admin.submit(`form[action="/centre/zones/Z01"] button[type=submit]`)
	admin.wantText("#zones", "群众接待区（一楼大厅）")
	admin.open("/centre/orgs/new")
	admin.set(map[string]string{"#ocode": "studio_elders", "#oname": "老党员调解工作室", "#okind": "studio"})
	eval[bool](admin, `(function(){document.querySelector('input[name=categories][value=neighbour]').checked=true;return true})()`)
	admin.submit(`form.form button[type=submit]`)
	admin.wantText("#orgs", "老党员调解工作室", "邻里纠纷")
	admin.shot("centre-orgs")
	// The rules are edited in a form; a save is a new version in force at once.
	admin.open("/admin/rules")
	admin.wantText("h1", "研判规则", "第 0 版")
	old := eval[string](admin, `document.querySelector("#trg_threat").value`)
	admin.set(map[string]string{"#trg_threat": old + " 要他好看", "#rnote": "加一个本地说法"})
	admin.submit(`form[action="/admin/rules"] button[type=submit]`)
	admin.wantText(".flash", "研判规则已保存")
	admin.wantText("h1", "第 1 版")
	admin.shot("rules")
	sug, err := e.svc.Suggest(jftest.As(recep, "127.0.0.1"), domain.CaseInput{Description: "对方说要他好看，家里人很害怕。", OrgCode: "610831101200"})
	if err != nil || sug.Risk.Color != "red" || sug.ConfigVersion != 1 {
		t.Fatalf("edited rule not in force: %v %+v", err, sug)
	}
}

// A red grading puts the matter on the county secretary's dashboard and in
// their inbox; a grid worker's report of deterioration asks the dispatcher
// for a re-grade.
func TestRedGradingReachesTheSecretary(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	recep := jftest.MakeUser(t, e.svc, "recep", "610831", domain.RoleReceptionist)
	jftest.MakeUser(t, e.svc, "disp", "610831", domain.RoleDispatcher)
	jftest.MakeUser(t, e.svc, "plcsec", "610831", domain.RoleLeader)
	jftest.MakeUser(t, e.svc, "grid", "610831101200", domain.RoleGridWorker)
	if err := e.svc.SetPost(jftest.CLI(), "plc_secretary", "610831", "plcsec"); err != nil {
		t.Fatal(err)
	}
	c, err := e.svc.RegisterCase(jftest.As(recep, "127.0.0.1"), domain.CaseInput{Channel: "visit", Category: "land", OrgCode: "610831101200",
		Description: "何家集村两个村民小组为退耕还林地边界争执，双方各召集四十多人到地头对峙。", Address: "何家集村",
		Parties: []domain.Party{{Role: "applicant", Name: "高建平", IDType: "none", NoIDReason: "未带证件"}}})
	if err != nil {
		t.Fatal(err)
	}
	path := "/cases/" + strconv.FormatInt(c.ID, 10)
	disp := e.newTab(t, desktop)
	disp.login("disp", jftest.Password)
	disp.open(path)
	disp.wantText("#suggest", "红色", "涉及30人（户）以上")
	disp.act("assess", map[string]string{"#note-assess": "按建议定为红色"})
	disp.wantText("main", "红色", "牵头领导：测试plcsec（政法委书记）")

	sec := e.newTab(t, desktop)
	sec.login("plcsec", jftest.Password)
	sec.open("/")
	sec.wantText(".work", "我牵头的")
	if n := eval[string](sec, `(function(){var a=document.querySelector('.work a[href="/cases?lead=1"] .stat-n');return a?a.textContent:""})()`); n != "1" {
		t.Fatalf("secretary's lead tile shows %q", n)
	}
	sec.shot("secretary-home")
	sec.open("/cases?lead=1")
	sec.wantText("table", c.Number)
	sec.open("/inbox")
	sec.wantText("main", c.Number, "红色事项由您牵头")

	grid := e.newTab(t, desktop)
	grid.login("grid", jftest.Password)
	grid.open(path)
	grid.act("deteriorate", map[string]string{"#note-deteriorate": "对方扬言明天带人去镇政府"})
	grid.wantText(".timeline", "报告情况恶化", "扬言明天带人去镇政府")
	disp.open("/")
	if n := eval[string](disp, `(function(){var a=document.querySelector('.work a[href="/cases?regrade=1"] .stat-n');return a?a.textContent:""})()`); n != "1" {
		t.Fatalf("dispatcher's re-grade tile shows %q", n)
	}
	disp.open(path)
	disp.wantText(".alert", "待重新研判")
	disp.act("regrade", map[string]string{"#risk-regrade": "yellow", "#reason-regrade": "已现场劝散，情绪平稳"})
	disp.wantText(".timeline", "红色 → 黄色（降级）", "已现场劝散")
	disp.noText("main", "待重新研判")
	// The statistics page: figures with their definitions, townships compared.
	disp.open("/stats?by=org")
	disp.wantText("main", "化解成功率", "指标定义", "何家集镇", "双湖峪街道")
	disp.wantText(".stats-figures", "登记")
	disp.shot("stats")
}

// While a receptionist types a registration, the form shows the suggested
// category (with a button to use it) and the matters that may be the same
// dispute, with the reasons.
func TestRegistrationShowsRelated(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	recep := jftest.MakeUser(t, e.svc, "recep", "610831", domain.RoleReceptionist)
	first, err := e.svc.RegisterCase(jftest.As(recep, "127.0.0.1"), domain.CaseInput{Channel: "visit", Category: "neighbour", OrgCode: "610831101200",
		Description: "马某与邻居贺某因窑洞前排水沟改道多次争吵，要求恢复原排水沟。", Address: "何家集村三组",
		Parties: []domain.Party{{Role: "applicant", Name: "马建国", IDNumber: "610831199003070024"}}})
	if err != nil {
		t.Fatal(err)
	}
	tab := e.newTab(t, desktop)
	tab.login("recep", jftest.Password)
	tab.open("/cases/new")
	tab.set(map[string]string{"#org_code": "610831101200", "#p0_name": "马建国", "#p0_id": "610831199003070024",
		"#description": "贺某与邻居马某因窑洞前排水沟改道又吵起来了，马某要求恢复原排水沟。"})
	eval[bool](tab, `(function(){document.querySelector("#description").dispatchEvent(new Event("change",{bubbles:true}));return true})()`)
	tab.waitFor("the live suggestions", `!document.querySelector("#live-suggest").hidden && document.querySelector("#live-suggest").innerText.indexOf("`+first.Number+`") >= 0`)
	tab.wantText("#live-suggest", "邻里纠纷", "可能相关的事项", first.Number, "同一当事人身份证号", "事由相似")
	tab.shot("register-live-suggest")
	// "Use" puts the suggested category into the form.
	eval[bool](tab, `(function(){var b=document.querySelector("#live-suggest button");if(b){b.click()}return true})()`)
	if v := eval[string](tab, `document.querySelector("#category").value`); v != "neighbour" {
		t.Fatalf("category after using the suggestion: %q", v)
	}
}

// A group matter: the dispatcher uploads the household list (one bad row is
// named and nothing is saved; then the corrected file goes in), a grid
// worker confirms a household of their village on the rounds, and the
// progress shows it.
func TestGroupListImportAndRounds(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	recep := jftest.MakeUser(t, e.svc, "recep", "610831", domain.RoleReceptionist)
	jftest.MakeUser(t, e.svc, "disp", "610831", domain.RoleDispatcher)
	jftest.MakeUser(t, e.svc, "grid", "610831101200001", domain.RoleGridWorker)
	c, err := e.svc.RegisterCase(jftest.As(recep, "127.0.0.1"), domain.CaseInput{Channel: "visit", Category: "village_affairs", OrgCode: "610831101",
		Description: "何家集镇合作社社员反映2025年分红迟迟未发，涉及多户。", Address: "何家集镇", PeopleCount: 40,
		Parties: []domain.Party{{Role: "applicant", Name: "社员代表", IDType: "none", NoIDReason: "代表"}}})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	bad := filepath.Join(dir, "名单.csv")
	jftest.WriteFile(t, bad, "姓名,村,电话,金额\n高一,何家集村委会,13912345678,820\n高二,月亮村,,820\n")
	good := filepath.Join(dir, "名单2.csv")
	var b strings.Builder
	b.WriteString("户主,村,金额\n")
	for i := range 60 {
		b.WriteString("社员" + strconv.Itoa(i) + ",何家集村委会,820\n")
	}
	jftest.WriteFile(t, good, b.String())

	disp := e.newTab(t, desktop)
	disp.login("disp", jftest.Password)
	disp.open("/cases/" + strconv.FormatInt(c.ID, 10))
	disp.wantText("#group", "群体性事项")
	disp.open("/cases/" + strconv.FormatInt(c.ID, 10) + "/members")
	disp.do("choose file", chromedp.SetUploadFiles("#mfile", []string{bad}))
	disp.submit(`form[enctype] button[type=submit]`)
	disp.wantText(".alert", "名单有错误，未导入任何一行")
	disp.wantText(".row-errors", "第 3 行 · 村（社区）：本乡镇没有这个村")
	disp.wantText("main", "名单为空")
	disp.do("choose file", chromedp.SetUploadFiles("#mfile", []string{good}))
	disp.submit(`form[enctype] button[type=submit]`)
	disp.wantText(".flash", "名单已导入")
	disp.wantText("main", "已确认 0 / 60 户", "社员0", "下一页") // 30 a page
	disp.shot("group-list")

	grid := e.newTab(t, desktop)
	grid.login("grid", jftest.Password)
	grid.open("/inbox")
	grid.wantText("main", "需要巡回确认")
	grid.open("/cases/" + strconv.FormatInt(c.ID, 10) + "/members")
	grid.wantText("main", "您只看到本村的户")
	form := `form.confirm-row`
	grid.set(map[string]string{form + " select": "confirmed", form + " input[name=note]": "户主高某签字确认"})
	grid.submit(form + ` button[type=submit]`)
	grid.wantText(".flash", "已记录")
	grid.wantText("main", "已确认 1 / 60 户", "户主高某签字确认", "测试grid")
	disp.open("/cases/" + strconv.FormatInt(c.ID, 10))
	disp.wantText("#group", "已确认 1 / 60 户")
	disp.open("/cases/" + strconv.FormatInt(c.ID, 10) + "/members/print?village=610831101200")
	disp.wantText(".print-sheet", "巡回确认名单", "何家集村委会", "签字")
	disp.shot("group-print")
}
