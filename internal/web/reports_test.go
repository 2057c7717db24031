package web_test

import (
	"net/url"
	"strings"
	"testing"

	"jiefen/internal/domain"
	"jiefen/internal/jftest"
	"jiefen/internal/store"
)

// The ledger downloads masked for everyone; the full export is a form for
// dispatchers that needs a reason; the board, dashboard, monthly report
// and every role's pages answer.
func TestLedgerAndReportPages(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		e.user("lead", "610831", domain.RoleLeader)
		e.user("disp", "610831", domain.RoleDispatcher)
		c := e.client()
		c.login("lead", jftest.Password)
		resp, body := c.get("/cases/export.xlsx?from=2026-01-01")
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" || !strings.HasPrefix(body, "PK") {
			t.Fatalf("ledger: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if resp, _ := c.post("/cases/export.xlsx", url.Values{"reason": {"看看"}}); resp.StatusCode != 403 {
			t.Fatalf("a leader's full export: %d", resp.StatusCode)
		}
		if _, body := c.get("/cases"); strings.Contains(body, `action="/cases/export.xlsx`) {
			t.Fatal("the full-export form shown to a leader")
		}
		for path, want := range map[string]string{"/board": "指挥中心", "/dashboard": "数据看板", "/reports/monthly?month=2026-10": "月报",
			"/stats?by=unit": "对接单位", "/stats/list?figure=registered": "指标明细"} {
			if resp, body := c.get(path); resp.StatusCode != 200 || !strings.Contains(body, want) {
				t.Errorf("%s: %d, %q not found", path, resp.StatusCode, want)
			}
		}
		for path, code := range map[string]int{"/reports/monthly?month=13": 422, "/stats/list?figure=nosuch": 422, "/stats?from=0001-01-01": 200,
			"/cases/1/print/nosuch": 404, "/stats/list?figure=closed&from=2020-01-01&to=2026-01-01": 422} {
			if resp, _ := c.get(path); resp.StatusCode != code {
				t.Errorf("%s: %d, want %d", path, resp.StatusCode, code)
			}
		}
		if resp, body := c.get("/reports/monthly.xlsx?month=2026-10"); resp.StatusCode != 200 || !strings.HasPrefix(body, "PK") {
			t.Fatalf("monthly report .xlsx: %d", resp.StatusCode)
		}
		d := e.client()
		d.login("disp", jftest.Password)
		if _, body := d.get("/cases"); !strings.Contains(body, `action="/cases/export.xlsx`) {
			t.Fatal("no full-export form for a dispatcher")
		}
		if resp, _ := d.post("/cases/export.xlsx", url.Values{"reason": {""}}); resp.StatusCode != 422 {
			t.Fatalf("full export without a reason: %d", resp.StatusCode)
		}
		// The full export: the dispatcher asks, the leader approves, the
		// dispatcher downloads it once.
		if resp, _ := d.post("/cases/export.xlsx?from=2026-01-01", url.Values{"reason": {"报送县司法局"}}); resp.StatusCode != 303 || resp.Header.Get("Location") != "/exports" {
			t.Fatalf("full export request: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		if _, body := d.get("/exports"); !strings.Contains(body, "待批准") || strings.Contains(body, "下载台账") {
			t.Fatal("the request is not shown as waiting")
		}
		_, body = c.get("/exports")
		if !strings.Contains(body, "待我批准") || !strings.Contains(body, "报送县司法局") {
			t.Fatalf("the leader does not see the request to approve: %.300s", body)
		}
		if resp, _ := c.post("/exports/1/approve", nil); resp.StatusCode != 303 {
			t.Fatalf("approve: %d", resp.StatusCode)
		}
		if _, body := d.get("/exports"); !strings.Contains(body, "/exports/1/ledger.xlsx") {
			t.Fatal("no download after approval")
		}
		// A GET (a link from anywhere) does not spend the approval: the
		// download is the page's form, a POST with its token.
		if resp, _ := d.get("/exports/1/ledger.xlsx"); resp.StatusCode == 200 {
			t.Fatal("a GET downloaded the one-time export")
		}
		if resp, _ := d.do("POST", "/exports/1/ledger.xlsx", url.Values{}, nil); resp.StatusCode != 403 {
			t.Fatalf("a POST without the form's token: %d", resp.StatusCode)
		}
		if resp, body := d.post("/exports/1/ledger.xlsx", nil); resp.StatusCode != 200 || !strings.HasPrefix(body, "PK") {
			t.Fatalf("download: %d", resp.StatusCode)
		}
		if resp, _ := d.post("/exports/1/ledger.xlsx", nil); resp.StatusCode != 409 {
			t.Fatalf("second download: %d", resp.StatusCode)
		}
		if n, err := jftest.Count(st, `SELECT COUNT(*) FROM audit_log WHERE action IN ('ledger.export', 'report.export', 'ledger.request', 'ledger.approve')`); err != nil || n != 5 {
			t.Fatalf("exports audited: %d (%v)", n, err)
		}
	})
}
