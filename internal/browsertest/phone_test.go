package browsertest_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"jiefen/internal/domain"
	"jiefen/internal/jftest"
	"jiefen/internal/service/casework"
)

// box is an element's place on screen (getBoundingClientRect), or Found false.
type box struct {
	Found                    bool
	Top, Bottom, Left, Right float64
	Shown                    bool // rendered (not inside a closed <details>, not display:none)
}

func (tb *tab) box(sel string) box {
	tb.t.Helper()
	return eval[box](tb, `(function(){var e=document.querySelector(`+jsString(sel)+`);if(!e)return {Found:false};
		var r=e.getBoundingClientRect();return {Found:true,Top:r.top,Bottom:r.bottom,Left:r.left,Right:r.right,Shown:e.checkVisibility()&&r.height>0}})()`)
}

func (tb *tab) wantBox(sel string) box {
	tb.t.Helper()
	b := tb.box(sel)
	if !b.Found {
		tb.t.Fatalf("at %s: no %s; page says %.300q", tb.location(), sel, tb.text("main"))
	}
	return b
}

// fits fails the test when the page is wider than the phone's screen.
func (tb *tab) fits() {
	tb.t.Helper()
	if w := eval[int](tb, `document.documentElement.scrollWidth`); w > int(phone.w) {
		tb.t.Errorf("at %s the page is %d px wide at %d px", tb.location().Path, w, phone.w)
	}
}

// phoneMatters makes the people and matters of the phone tests: for med1 one
// matter to sign for and one in resolution; for grid1 one under watch; and a
// few more in the list.
func phoneMatters(t *testing.T, e *env) (toSign, inHand, watched *domain.Case) {
	t.Helper()
	recep := jftest.MakeUser(t, e.svc, "recep", "610831", domain.RoleReceptionist)
	disp := jftest.MakeUser(t, e.svc, "disp", "610831", domain.RoleDispatcher)
	med := jftest.MakeUser(t, e.svc, "med1", "610831101", domain.RoleMediator)
	jftest.MakeUser(t, e.svc, "grid1", "610831101200001", domain.RoleGridWorker)
	p := jftest.Path{Svc: e.svc, Recep: recep, Disp: disp, Med: med, Risk: "blue"}
	matter := func(desc string, org string) domain.CaseInput {
		return domain.CaseInput{Channel: "visit", Category: "land", OrgCode: org, Address: "何家集村三组", Description: desc,
			Parties: []domain.Party{{Role: "applicant", Name: "张建军", IDNumber: "610831199003070024", Phone: "139 1234 5678"}, {Role: "respondent", Name: "李保国", IDType: "none"}}}
	}
	for i := range 4 {
		p.Register(t, matter(fmt.Sprintf("第%d户与邻居因排水沟发生争执。", i+1), "610831101200"))
	}
	inHand = p.Matter(t, matter("张建军与李保国因承包地边界发生争执，李保国扬言要毁坏青苗。", "610831101200"), jftest.Signed)
	toSign = p.Matter(t, matter("王家与赵家因宅基地院墙位置发生争执。", "610831101200"), jftest.Dispatched)
	watched = p.Matter(t, matter("刘家与陈家因借款纠纷多次争吵，调解未果。", "610831101200001"), jftest.Informed)
	watched = p.Act(t, disp, watched.ID, "watch", casework.ActionInput{Assignee: "grid1", Days: 7})
	return toSign, inHand, watched
}

// At 375 px the pages people use on phones put first what they came for:
// the list's results before its filter (behind 筛选), a matter's description
// and parties before its actions, and on the home page of a mediator and a
// grid worker 我的任务, their matters, before any figure. At 1366 px the
// layouts stay as they were.
func TestPhoneLayouts(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	toSign, inHand, watched := phoneMatters(t, e)

	// The list: results first, the filter closed behind 筛选.
	disp := e.newTab(t, phone)
	disp.login("disp", jftest.Password)
	disp.open("/cases")
	filter := `details[data-filter-box]`
	if eval[bool](disp, `document.querySelector(`+jsString(filter)+`).open`) {
		t.Fatal("at 375 px the filter is open on arrival")
	}
	if q := disp.wantBox(filter + ` input[name=q]`); q.Shown {
		t.Fatalf("at 375 px the filter's fields are shown: %+v", q)
	}
	row := disp.wantBox(`.cases-table tbody tr`)
	if row.Bottom > float64(phone.h) {
		t.Fatalf("the first result ends at %.0f px, below the first screen (%d px)", row.Bottom, phone.h)
	}
	disp.wantText(filter+" summary", "筛选")
	disp.fits()
	disp.shot("phone-cases")
	disp.do("tap 筛选", chromedp.Click(chromedp.CSS(filter+" summary")))
	if q := disp.wantBox(filter + ` input[name=q]`); !q.Shown {
		t.Fatal("after tapping 筛选 the fields are still hidden")
	}
	disp.set(map[string]string{filter + ` select[name=status]`: "in_resolution"})
	disp.submit(filter + ` button[type=submit]`)
	disp.wantText(".cases-table", inHand.Number, "化解中")
	disp.noText(".cases-table", toSign.Number, "已登记")
	disp.wantText(filter+" summary", "筛选（1）")
	disp.wantText(".filter-chips", "状态：化解中")
	if eval[bool](disp, `document.querySelector(`+jsString(filter)+`).open`) {
		t.Fatal("the filter is open again after filtering at 375 px")
	}
	disp.shot("phone-cases-filtered")
	// A chip removes its filter; filters from a tile ride along in the form.
	disp.submit(`.filter-chips a.chip-filter`)
	if got := disp.location().RawQuery; got != "" {
		t.Fatalf("after removing the only filter the list is at ?%s", got)
	}
	disp.open("/cases?overdue=1&lead=1")
	disp.wantText(filter+" summary", "筛选（2）")
	disp.wantText(".filter-chips", "仅看超期", "我牵头的")
	disp.do("tap 筛选", chromedp.Click(chromedp.CSS(filter+" summary")))
	disp.submit(filter + ` button[type=submit]`)
	if q := disp.location().Query(); q.Get("lead") != "1" || q.Get("overdue") != "1" {
		t.Fatalf("the form dropped a filter: ?%s", disp.location().RawQuery)
	}

	// The matter page: head, description and parties, then the actions, then the rest.
	med := e.newTab(t, phone)
	med.login("med1", jftest.Password)
	med.open(fmt.Sprintf("/cases/%d", inHand.ID))
	about, parties, actions, more := med.wantBox(".case-about"), med.wantBox(".case-about section:last-child"),
		med.wantBox(".actions-card"), med.wantBox(".case-more")
	med.wantText(".case-about", "纠纷描述", "李保国扬言要毁坏青苗", "当事人")
	if !(about.Top < actions.Top && parties.Bottom <= actions.Top && actions.Bottom <= more.Top) {
		t.Fatalf("at 375 px the order is not description, parties, actions, the rest: about %+v parties %+v actions %+v more %+v", about, parties, actions, more)
	}
	if head := med.wantBox("main h1"); head.Top > about.Top {
		t.Fatal("the matter's head is not first")
	}
	med.fits()
	med.shot("phone-case")

	// 我的任务 first on the mediator's home, each row a link to its matter.
	med.open("/")
	tasks := med.wantBox("section.tasks")
	med.wantText("section.tasks h2", "我的任务")
	med.wantText("section.tasks", toSign.Number, "待签收", inHand.Number, "待化解", "何家集村委会", "期限")
	med.noText("section.tasks", watched.Number)
	if w := med.box(".work"); w.Found && w.Top < tasks.Top {
		t.Fatal("the work tiles come before 我的任务")
	}
	if tasks.Top > float64(phone.h)/2 {
		t.Fatalf("我的任务 starts at %.0f px", tasks.Top)
	}
	if med.box(".stats").Found {
		t.Error("the district counts are still on a mediator's home")
	}
	med.fits()
	med.shot("phone-home-mediator")
	med.submit(fmt.Sprintf(`section.tasks a[href="/cases/%d"]`, toSign.ID))
	med.wantPath(fmt.Sprintf("/cases/%d", toSign.ID))
	med.wantText(".actions-card", "签收")

	// The grid worker: the watched matter with its next visit.
	grid := e.newTab(t, phone)
	grid.login("grid1", jftest.Password)
	grid.wantText("section.tasks", "我的任务", watched.Number, "网格管控中", "下次走访")
	grid.noText("section.tasks", toSign.Number, inHand.Number)
	if first := eval[string](grid, `document.querySelector("main > .page-head + section").className`); !strings.Contains(first, "tasks") {
		t.Fatalf("the first section of the grid worker's home is %q", first)
	}
	grid.fits()
	grid.shot("phone-home-grid")
	for _, p := range []string{"/inbox", "/account", "/cases/new"} {
		grid.open(p)
		grid.fits()
	}
	grid.shot("phone-case-new")

	// A citizen follows the matter on a phone.
	citizen := e.newTab(t, phone)
	citizen.open("/track")
	citizen.fill("#number", inHand.Number)
	citizen.fill("#code", inHand.QueryCode)
	citizen.submit(`form[action="/track"] button[type=submit]`)
	citizen.wantText("main", inHand.Number, "化解中")
	citizen.fits()
	citizen.shot("phone-track")

	// Others keep their home: no 我的任务 for the dispatcher.
	disp.open("/")
	disp.noText("main", "我的任务")

	// At 1366 px: the filter open as before, the actions beside the panels.
	wide := e.newTab(t, desktop)
	wide.login("med1", jftest.Password)
	wide.open("/cases")
	deadline := time.Now().Add(3 * time.Second)
	for !eval[bool](wide, `document.querySelector(`+jsString(filter)+`).open`) {
		if time.Now().After(deadline) {
			t.Fatal("at 1366 px the filter is closed")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if q := wide.wantBox(filter + ` input[name=q]`); !q.Shown {
		t.Fatal("at 1366 px the filter's fields are hidden")
	}
	wide.shot("desktop-cases")
	wide.open(fmt.Sprintf("/cases/%d", inHand.ID))
	about, actions = wide.wantBox(".case-about"), wide.wantBox(".actions-card")
	if actions.Left < about.Right || actions.Top-about.Top > 2 || about.Top-actions.Top > 2 {
		t.Fatalf("at 1366 px the actions are not beside the description: about %+v actions %+v", about, actions)
	}
	if more = wide.wantBox(".case-more"); more.Left > about.Left+1 || more.Top < about.Bottom || more.Top-about.Bottom > 30 {
		t.Fatalf("at 1366 px the other panels do not follow the description in its column: about %+v more %+v", about, more)
	}
	// The actions stay in view as the page scrolls.
	eval[bool](wide, `(window.scrollTo(0, 600), true)`)
	if a := wide.wantBox(".actions-card"); a.Top < 0 || a.Top > 120 {
		t.Fatalf("at 1366 px the actions scroll away: %+v", a)
	}
	wide.shot("desktop-case")
	wide.open("/")
	wide.wantText("section.tasks", toSign.Number, inHand.Number)
	wide.wantBox(".work")
	wide.shot("desktop-home-mediator")
}
