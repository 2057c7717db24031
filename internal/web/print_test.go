package web_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"jiefen/internal/domain"
	"jiefen/internal/jftest"
	"jiefen/internal/service/casework"
	"jiefen/internal/store"
)

var printLink = regexp.MustCompile(`<li><a href="/cases/\d+/print/([a-z]+)">`)

// printMenu is the documents the matter page's print menu offers.
func printMenu(c *client, id int64) string {
	body := c.getOK("/cases/" + itoa(id))
	var forms []string
	for _, m := range printLink.FindAllStringSubmatch(body, -1) {
		forms = append(forms, m[1])
	}
	return strings.Join(forms, " ")
}

// The matter page's print menu offers the documents that fit the matter's
// state; the registration form carries the query code and the registering
// user; the agreement's body is the last session's record and the closing
// note, in an editable region, with the identities masked.
func TestPrintMenuAndForms(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		p := jftest.Path{Svc: e.svc, Recep: e.user("recep", "610831", domain.RoleReceptionist),
			Disp: e.user("disp", "610831", domain.RoleDispatcher), Med: e.user("med1", "610831101", domain.RoleMediator)}
		lead := e.user("lead", "610831", domain.RoleLeader)
		c := e.client()
		c.login("disp", jftest.Password)
		in := domain.CaseInput{Channel: "visit", Category: "land", OrgCode: "610831101200", Address: "何家集村三组",
			Description: "张建军与李保国因承包地边界发生争执，多次争吵，村委会调处未果。",
			Parties:     []domain.Party{{Role: "applicant", Name: "张建军", IDNumber: "610831199003070024", Phone: "13912345678"}}}
		m := p.Register(t, in)
		if got := printMenu(c, m.ID); got != "registration" {
			t.Errorf("registered: the menu offers %q", got)
		}
		m = p.To(t, m, jftest.Signed)
		p.Act(t, lead, m.ID, "supervise", casework.ActionInput{Note: "限期化解", Due: time.Now().Add(72 * time.Hour)})
		p.Act(t, p.Med, m.ID, "session", casework.ActionInput{Date: time.Now(), Place: "旧会场", Participants: "甲", Note: "第一次调解"})
		if got := printMenu(c, m.ID); got != "registration agreement supervision" {
			t.Errorf("after a session and a supervision: the menu offers %q", got)
		}
		p.Act(t, p.Med, m.ID, "session", casework.ActionInput{Date: time.Now(), Place: "何家集村委会", Participants: "张建军、李保国",
			Note: "双方同意以界石连线为界"})
		m = p.To(t, m, jftest.Closed)
		if got := printMenu(c, m.ID); got != "registration agreement notice supervision" {
			t.Errorf("closed: the menu offers %q", got)
		}
		m = p.To(t, m, jftest.Informed)
		if got := printMenu(c, m.ID); got != "registration agreement visit notice supervision" {
			t.Errorf("informed: the menu offers %q", got)
		}
		ref := in
		ref.ReferredTo = "县信访局"
		r := p.Register(t, ref)
		if got := printMenu(c, r.ID); got != "registration notice" {
			t.Errorf("referred at registration: the menu offers %q", got)
		}

		reg := c.getOK("/cases/" + itoa(m.ID) + "/print/registration")
		for _, want := range []string{"查询码", m.QueryCode, "登记人", p.Recep.Name} {
			if want == "" || !strings.Contains(reg, want) {
				t.Errorf("the registration form lacks %q", want)
			}
		}
		agr := c.getOK("/cases/" + itoa(m.ID) + "/print/agreement")
		for _, want := range []string{`contenteditable="true"`, "地点：何家集村委会", "参加人员：张建军、李保国", "双方同意以界石连线为界"} {
			if !strings.Contains(agr, want) {
				t.Errorf("the agreement lacks %q", want)
			}
		}
		for _, not := range []string{"旧会场", "610831199003070024", "13912345678"} {
			if strings.Contains(agr, not) {
				t.Errorf("the agreement shows %q", not)
			}
		}
	})
}

// The agreement prints the parties' full identities only after an audited
// reveal with a reason; a reviewer (who may not reveal) gets no form and
// is refused.
func TestAgreementReveal(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		p := jftest.Path{Svc: e.svc, Recep: e.user("recep", "610831", domain.RoleReceptionist),
			Disp: e.user("disp", "610831", domain.RoleDispatcher), Med: e.user("med1", "610831101", domain.RoleMediator)}
		e.user("rev", "610831", domain.RoleReviewer)
		m := p.Matter(t, domain.CaseInput{Channel: "visit", Category: "land", OrgCode: "610831101200", Address: "何家集村三组",
			Description: "张建军与李保国因承包地边界发生争执，多次争吵，村委会调处未果。",
			Parties: []domain.Party{{Role: "applicant", Name: "张建军", IDNumber: "610831199003070024", Phone: "13912345678"},
				{Role: "respondent", Name: "李保国", IDNumber: "610831198805120033"}}}, jftest.Closed)
		path := "/cases/" + itoa(m.ID) + "/print/agreement"
		c := e.client()
		c.login("disp", jftest.Password)
		if body := c.getOK(path); !strings.Contains(body, `action="`+path+`/reveal"`) || strings.Contains(body, "610831199003070024") {
			t.Fatal("the agreement: no reveal form, or an identity unmasked without a reveal")
		}
		if resp, body := c.post(path+"/reveal", url.Values{"reason": {" "}}); resp.StatusCode != 422 || strings.Contains(body, "610831199003070024") {
			t.Fatalf("a reveal without a reason: %d", resp.StatusCode)
		}
		resp, body := c.post(path+"/reveal", url.Values{"reason": {"双方当面签署协议"}})
		for _, want := range []string{"610831199003070024", "13912345678", "610831198805120033", "已记入审计日志"} {
			if resp.StatusCode != 200 || !strings.Contains(body, want) {
				t.Errorf("the revealed agreement (%d) lacks %q", resp.StatusCode, want)
			}
		}
		n, err := jftest.Count(st, `SELECT COUNT(*) FROM audit_log WHERE action = 'personal.reveal' AND detail LIKE '%双方当面签署协议%'`)
		if err != nil || n != 2 {
			t.Errorf("reveal audit rows: %d %v, want one per party", n, err)
		}
		r := e.client()
		r.login("rev", jftest.Password)
		if body := r.getOK(path); strings.Contains(body, "/reveal") {
			t.Error("a reviewer is offered the reveal")
		}
		if resp, body := r.post(path+"/reveal", url.Values{"reason": {"看看"}}); resp.StatusCode != 403 || strings.Contains(body, "610831199003070024") {
			t.Errorf("a reviewer's reveal: %d", resp.StatusCode)
		}
	})
}
