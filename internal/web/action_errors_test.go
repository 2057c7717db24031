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

var (
	detailsRE   = regexp.MustCompile(`(?s)<details class="action" id="act-([a-z_]+)"([^>]*)>(.*?)</details>`)
	idRE        = regexp.MustCompile(`\sid="([^"]+)"`)
	invalidRE   = regexp.MustCompile(`<(?:input|select|textarea)[^>]*aria-invalid="true"[^>]*>`)
	describedRE = regexp.MustCompile(`aria-describedby="([^"]+)"`)
)

// inResolution is a matter signed for by med1 (a mediator), as seen by med1.
func inResolution(t *testing.T, e *env) (*client, int64) {
	t.Helper()
	path := jftest.Path{Svc: e.svc, Recep: e.user("recep", "610831", domain.RoleReceptionist),
		Disp: e.user("disp", "610831", domain.RoleDispatcher), Med: e.user("med1", "610831101", domain.RoleMediator)}
	c := path.Matter(t, domain.CaseInput{Channel: "visit", Category: "land", OrgCode: "610831101200", Address: "何家集村三组",
		Description: "张家与李家因土地承包经营权边界发生争执，双方多次争吵。",
		Parties:     []domain.Party{{Role: "applicant", Name: "张建军", IDNumber: "610831199003070024", Phone: "13912345678"}}}, jftest.Signed)
	med := e.client()
	med.login("med1", jftest.Password)
	med.getOK("/cases/" + itoa(c.ID))
	return med, c.ID
}

// A refused action shows its errors once, inside its own form, which is
// the one open; the alert names the action and the number of problems and
// links to the form; invalid fields carry aria-invalid and
// aria-describedby pointing at their message; ids are unique on the page;
// what was typed is kept.
func TestActionErrorsScopedToTheirForm(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		med, id := inResolution(t, e)
		resp, page := med.post("/cases/"+itoa(id)+"/actions/session", url.Values{"place": {"何家集镇调委会"}, "note": {"双方均到场"}})
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("empty session: status %d", resp.StatusCode)
		}
		forms := detailsRE.FindAllStringSubmatch(page, -1)
		if len(forms) < 5 {
			t.Fatalf("only %d action forms on the page", len(forms))
		}
		var failed string
		for _, f := range forms {
			name, attrs, body := f[1], f[2], f[3]
			if name != "session" {
				if strings.Contains(body, "field-error") || strings.Contains(body, "aria-invalid") || strings.Contains(attrs, "open") {
					t.Errorf("form %s (not the refused one) is open or shows errors: %s %s", name, attrs, body)
				}
				continue
			}
			failed = body
			if !strings.Contains(attrs, " open") || !strings.Contains(attrs, "data-failed") {
				t.Errorf("the refused form is not open: %q", attrs)
			}
		}
		if failed == "" {
			t.Fatal("no session form on the page")
		}
		nErr := strings.Count(failed, `class="field-error"`)
		if nErr == 0 || strings.Count(page, `class="field-error"`) != nErr {
			t.Fatalf("%d errors in the session form, %d on the page", nErr, strings.Count(page, `class="field-error"`))
		}
		if nErr != 2 { // the date and the participants (the place was given)
			t.Errorf("%d errors in the session form, want 2:\n%s", nErr, failed)
		}
		if n := strings.Count(page, "此项必填。"); n != 2 || strings.Count(failed, "此项必填。") != 2 {
			t.Errorf("此项必填。 appears %d times on the page, want twice, in the session form", n)
		}
		want := "记录调解会未完成：" + itoa(int64(nErr)) + " 处需要修改。"
		if !strings.Contains(page, `<div class="alert" role="alert"><a href="#act-session">`+want+`</a></div>`) {
			t.Errorf("the alert does not name the action, the count and the form (%s):\n%s", want, page)
		}
		ids := map[string]int{}
		for _, m := range idRE.FindAllStringSubmatch(page, -1) {
			ids[m[1]]++
		}
		for id, n := range ids {
			if n > 1 {
				t.Errorf("id %q appears %d times on the page", id, n)
			}
		}
		invalid := invalidRE.FindAllString(failed, -1)
		if len(invalid) != nErr {
			t.Errorf("%d invalid fields for %d errors: %q", len(invalid), nErr, invalid)
		}
		for i, el := range invalid {
			m := describedRE.FindStringSubmatch(el)
			if m == nil || !strings.Contains(failed, `<p class="field-error" id="`+m[1]+`">`) {
				t.Errorf("invalid field %s is not described by its error", el)
			}
			if (i == 0) != strings.Contains(el, "autofocus") {
				t.Errorf("autofocus belongs to the first invalid field only: %s", el)
			}
		}
		for _, kept := range []string{`value="何家集镇调委会"`, `>双方均到场</textarea>`} {
			if !strings.Contains(failed, kept) {
				t.Errorf("what was typed is lost: no %s in the form", kept)
			}
		}
	})
}

// A stale version (someone acted meanwhile) is said in the form that was
// sent, which keeps what was typed and now carries the new version.
func TestActionConflictShownInItsForm(t *testing.T) {
	e := newEnv(t, jftest.OpenSQLite(t))
	med, id := inResolution(t, e)
	resp, page := med.post("/cases/"+itoa(id)+"/actions/progress", url.Values{"version": {"1"}, "note": {"已电话联系当事人"}})
	if resp.StatusCode != http.StatusConflict {
		t.Fatalf("stale version: status %d", resp.StatusCode)
	}
	var body string
	for _, f := range detailsRE.FindAllStringSubmatch(page, -1) {
		if f[1] == "progress" {
			body = f[0]
		}
	}
	if !strings.Contains(body, `data-failed`) || !strings.Contains(body, `<p class="form-alert" id="err-progress" tabindex="-1" autofocus>您填写期间，本事项已被他人办理或修改。`) {
		t.Fatalf("the conflict is not said in the progress form:\n%s", body)
	}
	if !strings.Contains(body, ">已电话联系当事人</textarea>") || strings.Contains(body, `name="version" value="1"`) {
		t.Errorf("the form lost the note or kept the stale version:\n%s", body)
	}
	if !strings.Contains(page, `<a href="#act-progress">记录进展未完成，原因见该操作的表单。</a>`) {
		t.Errorf("the alert does not name the action:\n%s", page)
	}
}

// Every id on the matter page is unique, for each role that acts on it at
// each stage (the action forms' fields, their errors, the panels).
func TestMatterPageIDsUnique(t *testing.T) {
	e := newEnv(t, jftest.OpenSQLite(t))
	path := jftest.Path{Svc: e.svc, Recep: e.user("recep", "610831", domain.RoleReceptionist),
		Disp: e.user("disp", "610831", domain.RoleDispatcher), Med: e.user("med1", "610831101", domain.RoleMediator)}
	e.user("lead", "610831", domain.RoleLeader)
	in := domain.CaseInput{Channel: "visit", Category: "land", OrgCode: "610831101200", Address: "何家集村三组",
		Description: "张家与李家因土地承包经营权边界发生争执，双方多次争吵。", Parties: []domain.Party{{Role: "applicant", Name: "张建军", NoIDReason: "未带证件"}}}
	users := map[string]*client{}
	for _, u := range []string{"recep", "disp", "med1", "lead"} {
		users[u] = e.client()
		users[u].login(u, jftest.Password)
	}
	for _, stage := range []jftest.Stage{jftest.Registered, jftest.Assessed, jftest.Signed, jftest.Closed, jftest.Informed} {
		c := path.Matter(t, in, stage)
		for name, u := range users {
			page := u.getOK("/cases/" + itoa(c.ID))
			seen := map[string]bool{}
			for _, m := range idRE.FindAllStringSubmatch(page, -1) {
				if seen[m[1]] {
					t.Errorf("%s, %s: id %q twice on the matter page", stage, name, m[1])
				}
				seen[m[1]] = true
			}
		}
	}
}

// A refused 交办 shows its error on the person picker: the select is marked
// invalid and described by its message, focus goes to it, and a person the
// dispatcher had chosen stays chosen when the refusal is about something
// else (a stale version).
func TestDispatchPickerRefused(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		disp := e.user("disp", "610831", domain.RoleDispatcher)
		e.user("med1", "610831101", domain.RoleMediator)
		path := jftest.Path{Svc: e.svc, Recep: e.user("recep", "610831", domain.RoleReceptionist), Disp: disp}
		c := path.Matter(t, domain.CaseInput{Channel: "visit", Category: "land", OrgCode: "610831101200", Address: "何家集村三组",
			Description: "张家与李家因土地承包经营权边界发生争执，双方多次争吵。",
			Parties:     []domain.Party{{Role: "applicant", Name: "张建军", IDNumber: "610831199003070024"}}}, jftest.Assessed)
		cl := e.client()
		cl.login("disp", jftest.Password)
		cl.getOK("/cases/" + itoa(c.ID))
		_, page := cl.post("/cases/"+itoa(c.ID)+"/actions/dispatch", url.Values{"assignee": {""}})
		sel := regexp.MustCompile(`<select id="assignee-dispatch"[^>]*>`).FindString(page)
		if !strings.Contains(sel, `aria-invalid="true"`) || !strings.Contains(sel, `aria-describedby="err-dispatch-assignee"`) || !strings.Contains(sel, "autofocus") {
			t.Fatalf("the picker is not marked: %s", sel)
		}
		if !strings.Contains(page, `id="err-dispatch-assignee"`) {
			t.Fatal("no message with the described id")
		}
		_, page = cl.post("/cases/"+itoa(c.ID)+"/actions/dispatch", url.Values{"assignee": {"med1"}, "version": {"1"}})
		if !regexp.MustCompile(`<option value="med1"\s*selected`).MatchString(page) {
			t.Fatalf("the chosen person was not kept after a stale version:\n%s", regexp.MustCompile(`(?s)<select id="assignee-dispatch".*?</select>`).FindString(page))
		}
	})
}
