package browsertest_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"jiefen/internal/domain"
	"jiefen/internal/jftest"
	"jiefen/internal/service/casework"
	"jiefen/internal/service/report"
)

// printPDF prints the current page as Chromium would on paper, with the
// page's own @page size (A4).
func printPDF(tb *tab) []byte {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	yes := true
	pdf, err := chromedp.Run(ctx, chromedp.Action[[]byte](func(ctx context.Context, t *chromedp.Target) ([]byte, error) {
		r, err := cdp.Call(ctx, t, page.PrintToPDF, page.PrintToPDFParams{PreferCSSPageSize: &yes, PrintBackground: &yes})
		return r.Data, err
	}))
	if err != nil {
		tb.t.Fatalf("print to PDF: %v", err)
	}
	return pdf
}

var pdfPage = regexp.MustCompile(`/Type\s*/Page[^s]`)

// Each of a matter's printed documents fits one A4 page, carries the
// centre's name and the matter's number, and masks ID numbers; the
// monthly report prints too.
func TestPrintViewsFitOneA4Page(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	recep := jftest.MakeUser(t, e.svc, "recep", "610831", domain.RoleReceptionist)
	disp := jftest.MakeUser(t, e.svc, "disp", "610831", domain.RoleDispatcher)
	med := jftest.MakeUser(t, e.svc, "med1", "610831101", domain.RoleMediator)
	lead := jftest.MakeUser(t, e.svc, "lead", "610831", domain.RoleLeader)
	as := func(u *domain.User) context.Context { return jftest.As(u, "10.0.0.9") }
	c, err := e.svc.RegisterCase(as(recep), domain.CaseInput{Channel: "visit", Category: "land", OrgCode: "610831101200", Address: "何家集村三组",
		AmountYuan: 12000, PeopleCount: 6,
		Description: "张建军与李保国因承包地边界发生争执，李保国扬言要毁坏青苗，双方多次争吵，村委会调处未果，申请到县综治中心调解。",
		Parties: []domain.Party{{Role: "applicant", Name: "张建军", IDNumber: "610831199003070024", Phone: "13912345678", Address: "何家集村三组"},
			{Role: "respondent", Name: "李保国", IDType: "none", NoIDReason: "未带证件", Address: "何家集村三组"}}})
	if err != nil {
		t.Fatal(err)
	}
	do := func(u *domain.User, action string, in casework.ActionInput) {
		t.Helper()
		if _, err := e.svc.Act(as(u), c.ID, action, in); err != nil {
			t.Fatalf("%s: %v", action, err)
		}
	}
	do(disp, "assess", casework.ActionInput{Risk: "yellow"})
	do(disp, "dispatch", casework.ActionInput{Assignee: "med1"})
	do(med, "sign", casework.ActionInput{})
	do(lead, "supervise", casework.ActionInput{Note: "请于本周内组织双方现场勘界，依法依规化解，防止矛盾激化。", Due: time.Now().Add(72 * time.Hour)})
	do(med, "reply", casework.ActionInput{Note: "已约定周四上午现场勘界，镇司法所、村委会参加。"})
	do(med, "six", casework.ActionInput{Six: &domain.Six{LeadLeader: "王书记", MediationOrg: "何家集镇人民调解委员会", DockingUnit: "镇司法所", Plan: "现场勘界后调解", Schedule: "两周", GuidanceText: "农村土地承包法"}})
	do(med, "session", casework.ActionInput{Date: time.Now(), Place: "何家集村委会", Participants: "张建军、李保国、村主任", Note: "双方同意现场勘界后以界石连线为界"})
	do(med, "close", casework.ActionInput{Outcome: "resolved", Note: "一、双方以2015年承包合同附图为准，以界石连线为界；二、李保国于本月底前移除越界种植的玉米，张建军不再主张青苗损失；三、双方今后不得以任何理由再起争执。"})
	do(med, "inform", casework.ActionInput{Method: "phone"})
	do(recep, "visit", casework.ActionInput{Satisfaction: "satisfied", Note: "协议已履行，双方满意。"})

	tab := e.newTab(t, desktop)
	tab.login("disp", jftest.Password)
	printFromMenu(tab, c)
	for _, form := range report.PrintForms {
		tab.open("/cases/" + strconv.FormatInt(c.ID, 10) + "/print/" + form)
		tab.wantText("article", centreName, c.Number)
		tab.noText("article", "610831199003070024", "13912345678")
		pdf := printPDF(tab)
		if n := len(pdfPage.FindAll(pdf, -1)); n != 1 {
			t.Errorf("%s prints on %d pages, want one A4 page", form, n)
		}
		if !bytes.Contains(pdf, []byte("/MediaBox [0 0 594.9")) { // A4: 595×842 points
			t.Errorf("%s: not A4", form)
		}
		if e.shots != "" {
			_ = os.WriteFile(filepath.Join(e.shots, "print-"+form+".pdf"), pdf, 0o644)
		}
		tab.shot("print-" + form)
	}
	tab.open("/cases/" + strconv.FormatInt(c.ID, 10) + "/print/agreement")
	tab.wantText("article", "何家集村委会", "双方同意现场勘界后以界石连线为界", "一、双方以2015年承包合同附图为准")
	tab.open("/cases/" + strconv.FormatInt(c.ID, 10) + "/print/supervision")
	tab.wantText("article", "督办单", "请于本周内组织双方现场勘界", "已约定周四上午现场勘界")
	tab.open("/reports/monthly")
	tab.wantText("main", "月报", "一、分地区情况", "何家集镇")
	report := printPDF(tab)
	_ = os.WriteFile(filepath.Join(t.TempDir(), "r.pdf"), report, 0o644)
	if e.shots != "" {
		_ = os.WriteFile(filepath.Join(e.shots, "report.pdf"), report, 0o644)
	}
	if n := len(pdfPage.FindAll(report, -1)); n < 1 || n > 2 {
		t.Errorf("the monthly report prints on %d pages", n)
	}
	tab.shot("report-monthly")
}

// printFromMenu opens the matter page's print menu (a <details>, no script
// needed), checks it offers the five documents of a visited matter within
// a phone's width, and follows its registration link to the form.
func printFromMenu(tab *tab, c *domain.Case) {
	tab.t.Helper()
	tab.open("/cases/" + strconv.FormatInt(c.ID, 10))
	tab.do("open the print menu", chromedp.Click(chromedp.CSS("details.print-menu summary")))
	tab.wantText("details.print-menu ul", "受理登记表", "调解协议书", "回访记录表", "告知书", "督办单")
	tab.shot("print-menu")
	tab.do("phone viewport", phone.action(), chromedp.Sleep(300*time.Millisecond))
	if !eval[bool](tab, `document.querySelector("details.print-menu ul").getBoundingClientRect().right <= innerWidth`) {
		tab.t.Errorf("the print menu overflows a %d px screen", phone.w)
	}
	tab.do("desktop viewport", desktop.action(), chromedp.Sleep(300*time.Millisecond))
	tab.submit(`details.print-menu a[href$="/print/registration"]`)
	tab.wantPath("/cases/" + strconv.FormatInt(c.ID, 10) + "/print/registration")
	tab.wantText("article", "受理登记表", "查询码", c.QueryCode, "登记人")
}
