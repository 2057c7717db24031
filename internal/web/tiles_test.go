package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"jiefen/internal/domain"
	"jiefen/internal/jftest"
	"jiefen/internal/store"
)

var caseLinkRE = regexp.MustCompile(`<td data-label="[^"]*"><a href="/cases/\d+">`)

// The overdue tiles say what they count and link to lists as long as they
// are: on the home page (the handler's own, the dispatcher's area), on the
// dashboard (with the periods it compares named); the account page chooses
// the daily digest or a notice per matter, and the digest is in the inbox.
func TestOverdueTilesAndNotices(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		recep := e.user("recep", "610831", domain.RoleReceptionist)
		disp := e.user("disp", "610831", domain.RoleDispatcher)
		med := e.user("med1", "610831101", domain.RoleMediator)
		e.user("lead", "610831", domain.RoleLeader)
		clock := time.Date(2026, 11, 2, 10, 0, 0, 0, domain.CST)
		st.SetClock(func() time.Time { return clock })
		in := domain.CaseInput{Channel: "visit", Category: "land", OrgCode: "610831101", Address: "何家集村三组",
			Description: "张家与李家因土地边界发生争执，李家扬言要毁坏青苗。", Parties: []domain.Party{{Role: "applicant", Name: "张建军", IDType: "none", NoIDReason: "未带证件"}}}
		p := jftest.Path{Svc: e.svc, Recep: recep, Disp: disp, Med: med}
		p.Matter(t, in, jftest.Registered) // overdue in hand (the dispatcher's)
		p.Matter(t, in, jftest.Closed)     // informing late (med1's)
		clock = time.Date(2026, 11, 20, 10, 0, 0, 0, domain.CST)

		login := func(name string) *client {
			c := e.client()
			c.login(name, jftest.Password)
			return c
		}
		mc, dc, lc := login("med1"), login("disp"), login("lead")
		home := mc.getOK("/")
		for _, want := range []string{`href="/cases?mine=1&amp;overdue=followup"><span class="stat-n">1</span>`, "我的告知/回访超期",
			"已办结，但告知（3个工作日）或回访（7日）已过期限", `href="/cases?mine=1&amp;overdue=open"><span class="stat-n">0</span>`} {
			if !strings.Contains(home, want) {
				t.Errorf("med1's home lacks %s", want)
			}
		}
		home = dc.getOK("/")
		if !strings.Contains(home, `href="/cases?overdue=open"><span class="stat-n">1</span>`) || !strings.Contains(home, "在办事项中当前环节已过期限的") {
			t.Error("the dispatcher's home lacks the in-hand overdue tile with its definition")
		}
		for q, want := range map[string]int{"overdue=open": 1, "overdue=followup": 1, "overdue=1": 2, "status=open": 1} {
			body := dc.getOK("/cases?" + q)
			if n := len(caseLinkRE.FindAllString(body, -1)); n != want {
				t.Errorf("/cases?%s lists %d, want %d", q, n, want)
			}
		}
		if body := dc.getOK("/cases?overdue=open"); !strings.Contains(body, `value="open" checked> 仅看在办超期`) {
			t.Error("the list does not say it shows the overdue in hand")
		}
		dash := lc.getOK("/dashboard")
		for _, want := range []string{"在办超期", "告知/回访超期", `overdue=open"><span class="stat-n">1</span>`, `overdue=followup"><span class="stat-n">`,
			"本月至今", "11-01 — 11-20", "上月同期", "10-01 — 10-20", "本月至今与上月相同天数比较",
			`/stats/list?figure=registered&amp;from=2026-11-01&amp;org_code=610831&amp;to=2026-11-20`} {
			if !strings.Contains(dash, want) {
				t.Errorf("the dashboard lacks %s", want)
			}
		}
		if body := lc.getOK("/stats?from=2026-11-01&to=2026-11-20"); !strings.Contains(body, "办结（不含转交）") || !strings.Contains(body, "告知方式") ||
			!strings.Contains(body, "figure=inform_by_phone") {
			t.Error("the statistics page lacks the new figures")
		}

		// The digest: one entry in med1's inbox, linking to the home page.
		if _, err := e.svc.SweepDeadlines(context.Background()); err != nil {
			t.Fatal(err)
		}
		inbox := mc.getOK("/inbox")
		if !strings.Contains(inbox, "每日超期汇总") || !strings.Contains(inbox, `<a href="/">11月20日 超期汇总：1 件事项已过期限`) {
			t.Errorf("med1's inbox lacks the digest")
		}
		// The setting on the account page.
		acc := mc.getOK("/account")
		if !strings.Contains(acc, `value="digest" checked>`) || !strings.Contains(acc, "逐件提醒") {
			t.Error("the account page lacks the overdue reminders' setting")
		}
		if resp, _ := mc.post("/account/notices", url.Values{"overdue_notices": {"each"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("save the setting: %d", resp.StatusCode)
		}
		if u, err := e.svc.User(jftest.CLI(), med.ID); err != nil || u.OverdueNotices != domain.NoticeEach {
			t.Fatalf("the setting: %+v %v", u, err)
		}
		if acc := mc.getOK("/account"); !strings.Contains(acc, `value="each" checked>`) {
			t.Error("the account page does not show the saved setting")
		}
		if resp, body := mc.post("/account/notices", url.Values{"overdue_notices": {"hourly"}}); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "请选择每日汇总或逐件提醒") {
			t.Errorf("a bad setting: %d", resp.StatusCode)
		}
	})
}
