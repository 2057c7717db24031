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

// A bad date or number in an action's form is a field error on the page
// (it used to be dropped silently), the same error the API gives.
func TestActionFormFieldErrors(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		e.user("recep", "610831", domain.RoleReceptionist)
		e.user("lead", "610831", domain.RoleLeader)
		recep, lead := e.client(), e.client()
		recep.login("recep", jftest.Password)
		lead.login("lead", jftest.Password)
		id := recep.registerCase("610831101")
		lead.get("/cases/" + itoa(id))
		resp, body := lead.post("/cases/"+itoa(id)+"/actions/supervise", url.Values{"due": {"2026-13-45"}, "note": {"请尽快处理"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "日期格式应为 年-月-日。") {
			t.Fatalf("bad date: %d\n%s", resp.StatusCode, body)
		}
		resp, body = lead.post("/cases/"+itoa(id)+"/actions/note", url.Values{"version": {"v1"}, "note": {"跟进"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "输入有误") {
			t.Fatalf("bad number: %d\n%s", resp.StatusCode, body)
		}
		if _, page := lead.get("/cases/" + itoa(id)); strings.Contains(page, "请尽快处理") {
			t.Fatal("a refused action left an entry on the timeline")
		}
	})
}
