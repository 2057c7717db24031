package browsertest_test

import (
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"

	"jiefen/internal/domain"
	"jiefen/internal/jftest"
)

// mediation is the people who bring a matter to a mediator (med1).
func mediation(t *testing.T, e *env) jftest.Path {
	t.Helper()
	return jftest.Path{Svc: e.svc, Recep: jftest.MakeUser(t, e.svc, "recep", "610831", domain.RoleReceptionist),
		Disp: jftest.MakeUser(t, e.svc, "disp", "610831", domain.RoleDispatcher),
		Med:  jftest.MakeUser(t, e.svc, "med1", "610831101", domain.RoleMediator)}
}

// signedMatter is a matter in resolution with med1, and med1's tab on its
// page.
func signedMatter(t *testing.T, e *env, path jftest.Path, vp viewport) (*tab, string) {
	t.Helper()
	c := path.Matter(t, domain.CaseInput{Channel: "visit", Category: "land", OrgCode: "610831101200", Address: "何家集村三组",
		Description: "张建军与李保国因承包地边界发生争执，李保国扬言要毁坏青苗。",
		Parties:     []domain.Party{{Role: "applicant", Name: "张建军", IDNumber: "610831199003070024", Phone: "13912345678"}}}, jftest.Signed)
	med := e.newTab(t, vp)
	med.login("med1", jftest.Password)
	p := "/cases/" + strconv.FormatInt(c.ID, 10)
	med.open(p)
	return med, p
}

// A failed action shows its error focused inside its open panel: the
// session form sent with no date and no participants comes back open, the
// others closed, focus on its first invalid field, the alert naming the
// action and the number of problems, the place typed kept.
func TestFailedActionFocusesItsError(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	path := mediation(t, e)
	for _, vp := range []viewport{desktop, phone} {
		t.Run(vp.name, func(t *testing.T) {
			med, _ := signedMatter(t, e, path, vp)
			med.act("session", map[string]string{"#splace": "何家集村委会", "#note-session": "双方均到场"})
			med.wantText(".alert", "记录调解会未完成：2 处需要修改。")
			if got := eval[string](med, `document.activeElement ? document.activeElement.id : ""`); got != "sdate" {
				t.Errorf("focus is on %q, want the date (the first invalid field)", got)
			}
			open := eval[[]string](med, `Array.from(document.querySelectorAll("details.action[open]")).map(function(d){return d.id})`)
			if len(open) != 1 || open[0] != "act-session" {
				t.Errorf("open panels %q, want only act-session", open)
			}
			if !eval[bool](med, `document.activeElement.closest("details").open`) {
				t.Error("the focused field is not in an open panel")
			}
			if got := eval[string](med, `document.getElementById(document.activeElement.getAttribute("aria-describedby")).textContent`); got != "此项必填。" {
				t.Errorf("the focused field is described by %q", got)
			}
			if n := eval[int](med, `document.querySelectorAll(".field-error").length`); n != 2 {
				t.Errorf("%d error messages on the page, want 2", n)
			}
			if v := eval[string](med, `document.querySelector("#splace").value + "|" + document.querySelector("#note-session").value`); v != "何家集村委会|双方均到场" {
				t.Errorf("typed values lost: %q", v)
			}
			if vp == desktop {
				med.shot("case-action-failed") // at 1366 and 375 px
			}
			// The alert's link leads back to the field.
			eval[bool](med, `(function(){document.querySelector("#splace").focus();return true})()`)
			med.do("click the alert", chromedp.Click(chromedp.CSS(`.alert a[href="#act-session"]`)))
			if got := eval[string](med, `document.activeElement.id`); got != "sdate" {
				t.Errorf("after the alert's link focus is on %q", got)
			}
		})
	}
}

// A canned phrase (常用语) is inserted into the note with a click, at the
// caret, and sent with it.
func TestCannedPhraseInsertsIntoNote(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	med, _ := signedMatter(t, e, mediation(t, e), desktop)
	eval[bool](med, `(function(){document.querySelector("#act-progress").open=true;return true})()`)
	box := `#act-progress .phrases`
	if eval[bool](med, `document.querySelector(`+jsString(box)+`).hidden`) {
		t.Fatal("the phrases stay hidden with JavaScript on")
	}
	med.wantText(box, "常用语", "已电话联系当事人，约定面谈时间。")
	med.do("click a phrase", chromedp.Click(chromedp.CSS(box+` button.phrase:nth-of-type(1)`)))
	if v := eval[string](med, `document.querySelector("#note-progress").value`); v != "已电话联系当事人，约定面谈时间。" {
		t.Fatalf("note after a phrase: %q", v)
	}
	if got := eval[string](med, `document.activeElement.id`); got != "note-progress" {
		t.Errorf("focus after a phrase is on %q, want the note", got)
	}
	med.do("type", chromedp.SendKeys(chromedp.CSS("#note-progress"), "张建军同意周五到场。"))
	med.do("click another", chromedp.Click(chromedp.CSS(box+` button.phrase:nth-of-type(2)`)))
	want := "已电话联系当事人，约定面谈时间。张建军同意周五到场。已到现场查看，拍照留存。"
	if v := eval[string](med, `document.querySelector("#note-progress").value`); v != want {
		t.Fatalf("note after typing and a second phrase: %q, want %q", v, want)
	}
	med.shot("case-phrases")
	med.submit(`#act-progress button[type=submit]`)
	med.wantText(".timeline", want)
}
