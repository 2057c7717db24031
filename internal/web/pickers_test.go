package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"jiefen/internal/domain"
	"jiefen/internal/jftest"
	"jiefen/internal/store"
)

// pickWorld is a dispatcher, a receptionist and whom they may choose
// among around a matter of 何家集村.
func pickWorld(t *testing.T, st *store.Store) (*env, jftest.Path) {
	e := newEnv(t, st)
	p := jftest.Path{Svc: e.svc, Recep: e.user("recep", "610831", domain.RoleReceptionist),
		Disp: e.user("disp", "610831", domain.RoleDispatcher), Med: e.user("med1", "610831101", domain.RoleMediator)}
	e.user("hother", "610831001", domain.RoleHandler) // another township's handler
	e.user("lead", "610831", domain.RoleLeader)
	return e, p
}

func landInput(org string) domain.CaseInput {
	return domain.CaseInput{Channel: "visit", Category: "land", OrgCode: org, Address: "何家集村三组",
		Description: "张家与李家因土地承包经营权边界发生争执，双方多次争吵。",
		Parties:     []domain.Party{{Role: "applicant", Name: "张建军", IDType: "none", NoIDReason: "未带证件"}}}
}

// selectOf is the <select> with the id, options and all.
func selectOf(page, id string) string {
	m := regexp.MustCompile(`(?s)<select id="` + regexp.QuoteMeta(id) + `".*?</select>`).FindString(page)
	return m
}

// The person fields are pickers of the eligible accounts by name, place
// and load; the assessment's form dispatches in the same submit.
func TestPersonPickersOnTheMatterPage(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e, p := pickWorld(t, st)
		disp := e.client()
		disp.login("disp", jftest.Password)
		c := p.Matter(t, landInput("610831101200"), jftest.Assessed)
		page := disp.getOK("/cases/" + itoa(c.ID))
		sel := selectOf(page, "assignee-dispatch")
		if !strings.Contains(sel, `name="assignee"`) || !strings.Contains(sel, `value="med1"`) || !strings.Contains(sel, "测试med1 · 在办 0 件 · 何家集镇 · 调解员") {
			t.Fatalf("dispatch picker:\n%s", sel)
		}
		if strings.Contains(sel, "hother") || strings.Contains(page, `<input id="assignee-dispatch"`) {
			t.Fatalf("the picker offers someone outside the place, or asks for a typed username:\n%s", sel)
		}
		lead := selectOf(page, "assignee-lead")
		if !strings.Contains(lead, `value="lead"`) || !strings.Contains(lead, "牵头 0 件") || strings.Contains(lead, "med1") {
			t.Fatalf("lead picker:\n%s", lead)
		}

		// 研判并交办: one submit; a refused dispatch saves nothing.
		r := p.Register(t, landInput("610831101200"))
		page = disp.getOK("/cases/" + itoa(r.ID))
		if s := selectOf(page, "assess-dispatch"); !strings.Contains(s, "暂不交办") || !strings.Contains(s, `value="med1"`) || !strings.Contains(s, `data-l-both="研判并交办"`) {
			t.Fatalf("assessment's dispatch choice:\n%s", s)
		}
		resp, body := disp.post("/cases/"+itoa(r.ID)+"/actions/assess", url.Values{"risk": {"blue"}, "assignee": {"hother"}, "version": {"1"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "承办人的辖区须包含事项发生地。") {
			t.Fatalf("refused dispatch: %d\n%s", resp.StatusCode, body)
		}
		if got, _ := e.svc.Case(jftest.As(p.Disp, "127.0.0.1"), r.ID); got.Status != domain.StatusRegistered {
			t.Fatalf("half done: %s", got.Status)
		}
		resp, _ = disp.post("/cases/"+itoa(r.ID)+"/actions/assess", url.Values{"risk": {"blue"}, "assignee": {"med1"}, "version": {"1"}})
		got, _ := e.svc.Case(jftest.As(p.Disp, "127.0.0.1"), r.ID)
		if resp.StatusCode != http.StatusSeeOther || got.Status != domain.StatusDispatched || got.Assignee != p.Med.ID {
			t.Fatalf("assess and dispatch: %d %s", resp.StatusCode, got.Status)
		}
	})
}

// The list's bulk dispatch: tick boxes on the matters waiting for
// dispatch, one person, a line per matter.
func TestBulkDispatchFromTheList(t *testing.T) {
	e, p := pickWorld(t, jftest.OpenSQLite(t))
	a := p.Matter(t, landInput("610831101200"), jftest.Assessed)
	b := p.Matter(t, landInput("610831101200"), jftest.Assessed)
	reg := p.Register(t, landInput("610831101200"))
	disp := e.client()
	disp.login("disp", jftest.Password)
	page := disp.getOK("/cases?org_code=610831101")
	if !strings.Contains(page, `<form id="bulk-dispatch"`) || !strings.Contains(page, `name="case" value="`+itoa(a.ID)+`" form="bulk-dispatch"`) {
		t.Fatalf("no bulk dispatch on the list:\n%s", page)
	}
	if strings.Contains(page, `name="case" value="`+itoa(reg.ID)+`"`) {
		t.Fatal("a matter not yet assessed has a tick box")
	}
	if s := selectOf(page, "bulk-assignee"); !strings.Contains(s, `value="med1"`) {
		t.Fatalf("the bulk picker for 何家集镇 lacks its mediator:\n%s", s)
	}
	// The county's list offers only whoever covers the whole county.
	if s := selectOf(disp.getOK("/cases"), "bulk-assignee"); strings.Contains(s, "med1") {
		t.Fatalf("the county's bulk picker offers a township mediator:\n%s", s)
	}
	resp, body := disp.post("/cases/bulk/dispatch", url.Values{"case": {itoa(a.ID), itoa(b.ID), itoa(reg.ID)}, "assignee": {"med1"},
		"back": {"org_code=610831101&status=assessed"}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "共 3 件：2 件已交办，1 件未交办。") || !strings.Contains(body, "已交办给 测试med1") ||
		!strings.Contains(body, reg.Number) || !strings.Contains(body, "不能进行") {
		t.Fatalf("bulk result: %d\n%s", resp.StatusCode, body)
	}
	for _, id := range []int64{a.ID, b.ID} {
		if c, _ := e.svc.Case(jftest.As(p.Disp, "127.0.0.1"), id); c.Status != domain.StatusDispatched {
			t.Fatalf("matter %d: %s", id, c.Status)
		}
	}
	resp, body = disp.post("/cases/bulk/dispatch", url.Values{"assignee": {"med1"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "请先在列表中勾选要交办的事项。") {
		t.Fatalf("nothing ticked: %d\n%s", resp.StatusCode, body)
	}
	recep := e.client()
	recep.login("recep", jftest.Password)
	if page := recep.getOK("/cases"); strings.Contains(page, "bulk-dispatch") {
		t.Fatal("a receptionist sees the bulk dispatch")
	}
}

// Places are chosen by name; a bad place gives the page again with the
// field's error, beside the other errors at registration.
func TestPlacePickersOnThePages(t *testing.T) {
	e, _ := pickWorld(t, jftest.OpenSQLite(t))
	e.user("recep_town", "610831101", domain.RoleReceptionist)
	recep := e.client()
	recep.login("recep", jftest.Password)
	page := recep.getOK("/cases/new")
	sel := selectOf(page, "org_code")
	if !strings.Contains(sel, `data-place-pick`) || !strings.Contains(sel, `<option value="610831" data-parent="" data-level="county" selected>子洲县</option>`) ||
		!strings.Contains(sel, `value="610831101200" data-parent="610831101" data-level="village">　　何家集村委会</option>`) {
		t.Fatalf("registration's place picker:\n%.2000s", sel)
	}
	resp, body := recep.post("/cases", url.Values{"channel": {"visit"}, "category": {"land"}, "org_code": {"610831999999"}, "address": {"某村"},
		"description": {"张家与李家因土地边界发生争执，李家扬言要毁坏青苗。"}, "amount": {"很多"}, "p0_name": {"张建军"}, "p0_role": {"applicant"},
		"p0_kind": {"person"}, "p0_noid": {"未带证件"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "没有这个区划代码。") || !strings.Contains(body, `id="err-amount"`) {
		t.Fatalf("registration: the place's error with the amount's: %d\n%s", resp.StatusCode, body)
	}
	if s := selectOf(recep.getOK("/cases?org_code=610831101"), "f-org"); !strings.Contains(s, `<option value="">全部</option>`) ||
		!strings.Contains(s, `value="610831101" data-parent="610831" data-level="township" selected>`) {
		t.Fatalf("the list's place filter:\n%.1500s", s)
	}
	// /stats: a place that does not exist, or one outside the jurisdiction,
	// is the field's error on the page.
	resp, body = recep.get("/stats?org_code=610831999999")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "没有这个区划代码。") || !strings.Contains(body, `id="so"`) {
		t.Fatalf("stats with a bad place: %d\n%.3000s", resp.StatusCode, body)
	}
	town := e.client()
	town.login("recep_town", jftest.Password)
	resp, body = town.get("/stats?org_code=610831001")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "这个区划不在您的辖区内。") || !strings.Contains(body, "何家集镇") {
		t.Fatalf("stats outside the jurisdiction: %d\n%.3000s", resp.StatusCode, body)
	}
	if s := selectOf(body, "so"); strings.Contains(s, "双湖峪") {
		t.Fatalf("the township's picker offers another township:\n%s", s)
	}
}
