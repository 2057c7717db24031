package browsertest_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"jiefen/internal/domain"
	"jiefen/internal/jftest"
	"jiefen/internal/service/identity"
)

// choose picks an option of a select as a user would (the change event
// fires).
func (tb *tab) choose(sel, value string) {
	tb.t.Helper()
	ok := eval[bool](tb, `(function(){var e=document.querySelector(`+jsString(sel)+`);if(!e||!Array.prototype.some.call(e.options,function(o){return o.value===`+
		jsString(value)+`}))return false;e.value=`+jsString(value)+`;e.dispatchEvent(new Event("change",{bubbles:true}));return true})()`)
	if !ok {
		tb.t.Fatalf("at %s: %s has no option %q", tb.location().Path, sel, value)
	}
}

// shotAt saves, when JIEFEN_SCREENSHOTS is set, what the screen shows
// around sel (scrolled into view) at both widths: a full page does not
// show a form inside the sticky actions card.
func (tb *tab) shotAt(name, sel string) {
	tb.t.Helper()
	if tb.e.shots == "" {
		return
	}
	for _, vp := range []viewport{desktop, phone} {
		tb.do("viewport", vp.action(), chromedp.Sleep(300*time.Millisecond))
		eval[bool](tb, `(function(){var e=document.querySelector(`+jsString(sel)+`);if(e){e.scrollIntoView({block:"center"})}return true})()`)
		ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		cancel()
		if err != nil {
			tb.t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(tb.e.shots, name+"-"+vp.name+".png"), png, 0o644); err != nil {
			tb.t.Fatal(err)
		}
	}
	tb.do("restore viewport", tb.vp.action(), chromedp.Sleep(300*time.Millisecond))
}

func (tb *tab) value(sel string) string {
	tb.t.Helper()
	return eval[string](tb, `(function(){var e=document.querySelector(`+jsString(sel)+`);return e?e.value:""})()`)
}

// A dispatcher assesses and dispatches a new matter from its page in
// three actions — open it, check the choice the page made from the
// suggestion, press 研判并交办 — typing neither a username nor a code.
func TestAssessAndDispatchInThreeActions(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	jftest.DemoCentre(t, e.svc, 4)
	recep := jftest.MakeUser(t, e.svc, "recep", "610831", domain.RoleReceptionist)
	disp := jftest.MakeUser(t, e.svc, "disp", "610831", domain.RoleDispatcher)
	jftest.MakeUser(t, e.svc, "med1", "610831101", domain.RoleMediator)
	jftest.MakeUser(t, e.svc, "med2", "610831101", domain.RoleMediator)
	jftest.MakeUser(t, e.svc, "hother", "610831001", domain.RoleHandler) // another township: never offered
	c, err := e.svc.RegisterCase(jftest.As(recep, "127.0.0.1"), domain.CaseInput{Channel: "visit", Category: "neighbour", OrgCode: "610831101200",
		Description: "马某与邻居贺某因窑洞前排水沟改道多次争吵，要求恢复原排水沟。", Address: "何家集村三组",
		Parties: []domain.Party{{Role: "applicant", Name: "马建国", IDType: "none", NoIDReason: "未带证件"}}})
	if err != nil {
		t.Fatal(err)
	}
	// The first mediator the assessment suggests works on an account of
	// the township.
	sug, err := e.svc.SuggestForCase(jftest.As(disp, "127.0.0.1"), c.ID)
	if err != nil || len(sug.Mediators) == 0 {
		t.Fatalf("no mediator suggested: %v", err)
	}
	reg, err := e.svc.Centre(jftest.CLI())
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range reg.Mediators {
		if m.ID == sug.Mediators[0].ID {
			if err := e.svc.LinkMediator(jftest.CLI(), m, "med1"); err != nil {
				t.Fatal(err)
			}
		}
	}

	tb := e.newTab(t, desktop)
	tb.login("disp", jftest.Password)
	tb.open("/cases/" + strconv.FormatInt(c.ID, 10)) // 1
	if v := tb.value("#assess-dispatch"); v != "med1" {
		t.Fatalf("the dispatch choice starts at %q, want the suggested mediator's account med1", v)
	}
	tb.wantText("#assess-dispatch", "测试med1（建议） · 在办 0 件 · 何家集镇 · 调解员", "测试med2")
	tb.noText("#assess-dispatch", "hother")
	btn := `form[action$="/actions/assess"] button[type=submit]`
	tb.wantText(btn, "研判并交办") // 2: the choice is the suggestion's
	tb.shot("assess-dispatch")
	tb.shotAt("assess-dispatch-form", "#assess-dispatch")
	tb.submit(btn) // 3
	tb.wantText("main", "待签收", "测试med1")
	tl := tb.text(".timeline")
	if !strings.Contains(tl, "研判") || !strings.Contains(tl, "交办") {
		t.Fatalf("timeline: %s", tl)
	}
	got, _ := e.svc.Case(jftest.As(disp, "127.0.0.1"), c.ID)
	if got.Status != domain.StatusDispatched || got.Assignee == 0 {
		t.Fatalf("the matter is %s", got.Status)
	}
	// Choosing nobody makes it an assessment alone, and the button says so.
	c2, err := e.svc.RegisterCase(jftest.As(recep, "127.0.0.1"), domain.CaseInput{Channel: "visit", Category: "neighbour", OrgCode: "610831101200",
		Description: "贺某家的鸡进了马某的菜地，双方为赔偿争执。", Address: "何家集村三组",
		Parties: []domain.Party{{Role: "applicant", Name: "马建国", IDType: "none", NoIDReason: "未带证件"}}})
	if err != nil {
		t.Fatal(err)
	}
	tb.open("/cases/" + strconv.FormatInt(c2.ID, 10))
	tb.choose("#assess-dispatch", "")
	tb.wantText(btn, "研判")
	tb.noText(btn, "交办")
	tb.submit(btn)
	tb.wantText("main", "已研判")
	// The dispatch panel that follows is a picker too, at 375 px as well.
	tb.do("phone", phone.action())
	eval[bool](tb, `(function(){document.querySelector("#assignee-dispatch").closest("details").open=true;return true})()`)
	tb.wantText("#assignee-dispatch", "测试med1", "测试med2")
	tb.shotAt("dispatch-picker", "#assignee-dispatch")
}

// The receptionist chooses 发生地 by township, village and grid cell, or
// finds it by name, and registers without typing a code.
func TestPlacePickerAtRegistration(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	jftest.MakeUser(t, e.svc, "recep", "610831", domain.RoleReceptionist)
	// Enough grid cells that the list leaves them out: the cascade reads
	// a village's cells when the village is chosen.
	for i := range identity.PlaceListMax - 290 {
		if _, err := e.svc.CreateGridCell(jftest.CLI(), "610831101200", fmt.Sprintf("第%d网格", i+2)); err != nil {
			t.Fatal(err)
		}
	}
	tb := e.newTab(t, desktop)
	tb.login("recep", jftest.Password)
	tb.open("/cases/new")
	if eval[bool](tb, `!!document.querySelector('#org_code option[value="610831101200001"]')`) {
		t.Fatal("the grid cells are listed: this test wants them left out")
	}
	if eval[bool](tb, `!document.querySelector("#org_code").hidden`) {
		t.Fatal("the script did not turn the place list into a cascade")
	}
	if v := tb.value("#org_code"); v != "610831" {
		t.Fatalf("发生地 starts at %q, want the receptionist's own 610831", v)
	}
	if f := eval[string](tb, `document.querySelector('label[for^="org_code"]').htmlFor`); f != "org_code-0" {
		t.Fatalf("the label points at %q", f)
	}
	tb.choose("#org_code-0", "610831101")
	tb.choose("#org_code-1", "610831101200")
	tb.waitFor("the village's grid cells", `!!document.querySelector('#org_code-2 option[value="610831101200001"]')`)
	tb.choose("#org_code-2", "610831101200001")
	if v := tb.value("#org_code"); v != "610831101200001" {
		t.Fatalf("after choosing the grid cell: %q", v)
	}
	tb.shotAt("register-place-cascade", ".place-cascade")
	// By name: the search offers the village with its township.
	tb.fill(".place-find", "何家集村")
	tb.waitFor("the search's answer", `!!document.querySelector(".place-hit")`)
	tb.wantText(".place-hits", "何家集村委会（何家集镇）")
	tb.shotAt("register-place-search", ".place-hits")
	tb.do("pick the hit", chromedp.Click(chromedp.CSS(".place-hit")))
	if v := tb.value("#org_code"); v != "610831101200" {
		t.Fatalf("after the search: %q", v)
	}
	if v := tb.value("#org_code-1"); v != "610831101200" {
		t.Fatalf("the cascade does not show the found village: %q", v)
	}
	tb.set(map[string]string{"#category": "land_contract", "#address": "何家集村三组",
		"#description": "张建军与李保国因承包地边界发生争执。", "#p0_name": "张建军", "#p0_noid": "未带证件"})
	tb.submit(`form[action="/cases"] button[type=submit]`)
	if p := tb.location().Path; !caseURL.MatchString(p) {
		t.Fatalf("registration at %s: %.400s", p, tb.text("main"))
	}
	tb.wantText("main", "已登记", "何家集村委会")
}

// A dispatcher ticks matters waiting for dispatch on the list, picks one
// person and dispatches them in one submit; each line says what became of
// its matter.
func TestBulkDispatchFromList(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := jftest.Path{Svc: e.svc, Recep: jftest.MakeUser(t, e.svc, "recep", "610831", domain.RoleReceptionist),
		Disp: jftest.MakeUser(t, e.svc, "disp", "610831", domain.RoleDispatcher), Med: jftest.MakeUser(t, e.svc, "med1", "610831101", domain.RoleMediator)}
	in := func(what string) domain.CaseInput {
		return domain.CaseInput{Channel: "visit", Category: "neighbour", OrgCode: "610831101200", Address: "何家集村三组",
			Description: what + "，双方多次争吵，要求村委会出面调解。", Parties: []domain.Party{{Role: "applicant", Name: "马建国", IDType: "none", NoIDReason: "未带证件"}}}
	}
	a := p.Matter(t, in("马某与邻居因排水沟改道争执"), jftest.Assessed)
	b := p.Matter(t, in("贺某与邻居因院墙高度争执"), jftest.Assessed)
	p.Matter(t, in("高某与邻居因树木遮光争执"), jftest.Assessed)
	tb := e.newTab(t, desktop)
	tb.login("disp", jftest.Password)
	tb.open("/cases?status=assessed&org_code=610831101")
	tb.wantText("#bulk-dispatch", "批量交办", "何家集镇")
	for _, id := range []int64{a.ID, b.ID} {
		tb.do("tick", chromedp.Click(chromedp.CSS(`input[name=case][value="`+strconv.FormatInt(id, 10)+`"]`)))
	}
	tb.choose("#bulk-assignee", "med1")
	tb.shot("bulk-dispatch")
	tb.submit(`#bulk-dispatch button[type=submit]`)
	tb.wantText(".bulk-result", "共 2 件：2 件已交办，0 件未交办。", a.Number, b.Number, "已交办给 测试med1")
	if n := eval[int](tb, `document.querySelectorAll("input[name=case]").length`); n != 1 {
		t.Fatalf("%d matters still waiting on the list, want 1", n)
	}
	tb.shot("bulk-result")
	// /stats with a place that does not exist: the page again, the error
	// beside the place picker, which starts at the user's own place.
	tb.open("/stats?org_code=610831999999")
	tb.wantText("main", "统计", "没有这个区划代码。")
	if v := tb.value("#so"); v != "610831" {
		t.Fatalf("the statistics' place after a bad code: %q", v)
	}
	tb.shotAt("stats-bad-place", "#so-0")
	for _, id := range []int64{a.ID, b.ID} {
		if c, _ := e.svc.Case(jftest.As(p.Disp, "127.0.0.1"), id); c.Status != domain.StatusDispatched {
			t.Fatalf("matter %d: %s", id, c.Status)
		}
	}
}
