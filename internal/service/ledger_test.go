package service_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"jiefen/internal/domain"
	"jiefen/internal/jftest"
	"jiefen/internal/service/casework"
	"jiefen/internal/service/report"
	"jiefen/internal/store"
)

// The ledger holds the list's matters within the jurisdiction, oldest
// first; names, ID numbers and phones are masked except for a dispatcher
// (personal.export); every export is audited.
func TestLedgerExport(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newCaseEnv(t, st)
		for _, org := range []string{"610831101200", "610831101200", "610831001200"} {
			if _, err := e.svc.RegisterCase(as(e.recep), landCase(org)); err != nil {
				t.Fatal(err)
			}
		}
		lang := func(k string) string { return k }
		read := func(ctxUser *domain.User, q casework.CaseQuery, opt report.LedgerOptions) [][]string {
			t.Helper()
			var buf bytes.Buffer
			n, err := e.svc.Ledger(as(ctxUser), q, opt, &buf, lang)
			if err != nil {
				t.Fatal(err)
			}
			f, err := excelize.OpenReader(&buf)
			if err != nil {
				t.Fatal(err)
			}
			rows, err := f.GetRows("台账")
			if err != nil {
				t.Fatal(err)
			}
			if len(rows)-1 != n {
				t.Fatalf("%d rows for %d matters", len(rows)-1, n)
			}
			if strings.Join(rows[0], ",") != strings.Join(report.LedgerHeader, ",") {
				t.Fatalf("header %v", rows[0])
			}
			return rows[1:]
		}
		col := func(name string) int {
			for i, h := range report.LedgerHeader {
				if h == name {
					return i
				}
			}
			t.Fatalf("no column %s", name)
			return -1
		}
		// The leader: the whole county, masked.
		rows := read(e.leader, casework.CaseQuery{}, report.LedgerOptions{})
		if len(rows) != 3 {
			t.Fatalf("leader's ledger: %d rows, want 3", len(rows))
		}
		if rows[0][col("编号")] >= rows[2][col("编号")] {
			t.Errorf("not oldest first: %s then %s", rows[0][col("编号")], rows[2][col("编号")])
		}
		for _, r := range rows {
			if r[col("当事人")] != "张**；李**" || r[col("身份证件号码")] != "610831********0024；" || r[col("联系电话")] != "139****5678；138****5678" {
				t.Fatalf("leader's row not masked: %q %q %q", r[col("当事人")], r[col("身份证件号码")], r[col("联系电话")])
			}
		}
		// A leader may not ask for personal data in full; a dispatcher must
		// give a reason, and another person must approve (PI-3).
		var buf bytes.Buffer
		if _, err := e.svc.RequestLedger(as(e.leader), casework.CaseQuery{}, "x"); domain.ErrorCode(err) != domain.Forbidden {
			t.Fatalf("leader's request: %v", err)
		}
		if _, err := e.svc.RequestLedger(as(e.shy), casework.CaseQuery{}, " "); domain.ErrorCode(err) != domain.Invalid {
			t.Fatalf("request without a reason: %v", err)
		}
		// Masked by default, for a dispatcher too.
		if rows := read(e.shy, casework.CaseQuery{}, report.LedgerOptions{}); rows[0][col("当事人")] != "张**；李**" {
			t.Fatalf("dispatcher's default export not masked: %v", rows[0])
		}
		req, err := e.svc.RequestLedger(as(e.shy), casework.CaseQuery{}, "报送县司法局核对当事人信息")
		if err != nil {
			t.Fatal(err)
		}
		full := report.LedgerOptions{RequestID: req.ID}
		if _, err := e.svc.Ledger(as(e.shy), casework.CaseQuery{}, full, &buf, lang); domain.ErrorCode(err) != domain.Conflict {
			t.Fatalf("download before approval: %v", err)
		}
		if err := e.svc.ApproveLedger(as(e.shy), req.ID); domain.ErrorKey(err) != "four_eyes.self" {
			t.Fatalf("approved by the requester: %v", err)
		}
		outsider := jftest.MakeUser(t, e.svc, "disp102", "610831102", domain.RoleDispatcher)
		if err := e.svc.ApproveLedger(as(outsider), req.ID); domain.ErrorCode(err) != domain.Forbidden {
			t.Fatalf("approved from another township: %v", err)
		}
		if err := e.svc.ApproveLedger(as(e.leader), req.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Ledger(as(e.leader), casework.CaseQuery{}, full, &buf, lang); domain.ErrorCode(err) != domain.Forbidden {
			t.Fatalf("downloaded by the approver: %v", err)
		}
		// The requester, with the request's own filters: only their
		// township's matter, in full; once.
		rows = read(e.shy, casework.CaseQuery{OrgCode: "610831101"}, full)
		if len(rows) != 1 || rows[0][col("所属地")] == "" {
			t.Fatalf("township dispatcher's ledger: %v", rows)
		}
		if rows[0][col("当事人")] != "张建军；李保国" || !strings.HasPrefix(rows[0][col("身份证件号码")], testID) || rows[0][col("联系电话")] != "13912345678；13812345678" {
			t.Fatalf("dispatcher's row masked: %v", rows[0])
		}
		if _, err := e.svc.Ledger(as(e.shy), casework.CaseQuery{}, full, &buf, lang); domain.ErrorCode(err) != domain.Conflict {
			t.Fatalf("second download: %v", err)
		}
		mine, _, err := e.svc.ExportRequests(as(e.shy))
		if err != nil || len(mine) != 1 || mine[0].UsedAt.IsZero() || mine[0].ApproverName == "" {
			t.Fatalf("requests: %+v %v", mine, err)
		}
		// Filters apply: the county's land matters in township 101.
		if rows := read(e.disp, casework.CaseQuery{OrgCode: "610831101"}, report.LedgerOptions{}); len(rows) != 2 {
			t.Fatalf("filtered ledger: %d rows", len(rows))
		}
		// Audited, each export, with what left.
		for _, a := range []string{"ledger.request", "ledger.approve"} {
			if n, err := jftest.Count(st, `SELECT COUNT(*) FROM audit_log WHERE action = $1`, a); err != nil || n != 1 {
				t.Fatalf("%s audited %d times (%v)", a, n, err)
			}
		}
		n, err := jftest.Count(st, `SELECT COUNT(*) FROM audit_log WHERE action = 'ledger.export'`)
		if err != nil || n != 4 {
			t.Fatalf("ledger exports audited: %d (%v)", n, err)
		}
		n, err = jftest.Count(st, `SELECT COUNT(*) FROM audit_log WHERE action = 'ledger.export' AND detail LIKE '%personal data unmasked, reason: 报送县司法局核对当事人信息%'`)
		if err != nil || n != 1 {
			t.Fatalf("unmasked exports audited with their reason: %d (%v)", n, err)
		}
	})
}
