package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"jiefen/internal/domain"
	"jiefen/internal/jftest"
	"jiefen/internal/store"
)

// After an action, the flash links to the next matter waiting for the
// user (the home page's queues), most urgent first, never the matter just
// acted on; nothing when nothing else waits, nor on a page opened directly.
func TestFlashLinksToTheNextMatter(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		path := jftest.Path{Svc: e.svc, Recep: e.user("recep", "610831", domain.RoleReceptionist),
			Disp: e.user("disp", "610831", domain.RoleDispatcher), Med: e.user("med1", "610831101", domain.RoleMediator)}
		in := domain.CaseInput{Channel: "visit", Category: "land", OrgCode: "610831101200", Address: "何家集村三组",
			Description: "张家与李家因土地承包经营权边界发生争执，双方多次争吵。", Parties: []domain.Party{{Role: "applicant", Name: "张建军", NoIDReason: "未带证件"}}}
		a := path.Matter(t, in, jftest.Registered)
		b := path.Matter(t, in, jftest.Registered)
		done := path.Matter(t, in, jftest.Visited) // waits for nobody
		disp := e.client()
		disp.login("disp", jftest.Password)
		if page := disp.getOK("/cases/" + itoa(a.ID)); strings.Contains(page, "下一件待办") {
			t.Fatal("a page opened directly offers a next matter")
		}
		resp, _ := disp.post("/cases/"+itoa(a.ID)+"/actions/assess", url.Values{"risk": {"yellow"}, "category": {"land"}, "version": {itoa(a.Version)}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("assess: %d", resp.StatusCode)
		}
		page := disp.getOK("/cases/" + itoa(a.ID))
		want := `<span class="next-work">下一件待办：<a href="/cases/` + itoa(b.ID) + `">` + b.Number + `（已登记）</a></span>`
		if !strings.Contains(page, want) {
			t.Fatalf("the flash does not link to the next matter %s:\n%s", b.Number, flashOf(page))
		}
		if strings.Contains(flashOf(page), a.Number) || strings.Contains(flashOf(page), done.Number) {
			t.Errorf("the flash offers the matter just acted on or one that waits for nobody: %s", flashOf(page))
		}
		// From b, the next is a (now waiting to be dispatched).
		disp.getOK("/cases/" + itoa(b.ID))
		disp.post("/cases/"+itoa(b.ID)+"/actions/assess", url.Values{"risk": {"yellow"}, "category": {"land"}})
		if page := disp.getOK("/cases/" + itoa(b.ID)); !strings.Contains(flashOf(page), `href="/cases/`+itoa(a.ID)+`">`+a.Number+`（已研判）</a>`) {
			t.Errorf("from b, the next matter is not a: %s", flashOf(page))
		}
		// A mediator with nothing else to do is offered nothing.
		c := path.Matter(t, in, jftest.Signed)
		med := e.client()
		med.login("med1", jftest.Password)
		med.getOK("/cases/" + itoa(c.ID))
		med.post("/cases/"+itoa(c.ID)+"/actions/progress", url.Values{"note": {"已电话联系当事人"}})
		if page := med.getOK("/cases/" + itoa(c.ID)); !strings.Contains(page, "已办理。") || strings.Contains(page, "下一件待办") {
			t.Errorf("the mediator's flash: %s", flashOf(page))
		}
	})
}

func flashOf(page string) string {
	i := strings.Index(page, `<div class="flash"`)
	if i < 0 {
		return "(no flash)"
	}
	j := strings.Index(page[i:], "</div>")
	return page[i : i+j]
}
