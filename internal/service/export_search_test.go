package service_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"jiefen/internal/domain"
	"jiefen/internal/jftest"
	"jiefen/internal/service/casework"
	"jiefen/internal/service/report"
	"jiefen/internal/store"
)

// Issue 14, point 9: an export request made from a search by ID number
// (or by name) keeps the search text sealed in export_requests, as personal
// data is; the request still shows and exports what was asked for. A
// request recorded before, with the text in the clear, loses the text in
// migration 0032 and can no longer be approved.
func TestExportRequestSearchSealed(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newCaseEnv(t, st)
		for range 2 {
			if _, err := e.svc.RegisterCase(as(e.recep), landCase("610831101200")); err != nil {
				t.Fatal(err)
			}
		}
		other := landCase("610831101200")
		other.Parties[0] = domain.Party{Role: "applicant", Name: "王小明", IDType: "none", NoIDReason: "未带证件"}
		if _, err := e.svc.RegisterCase(as(e.recep), other); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{testID, "张建军"} {
			req, err := e.svc.RequestLedger(as(e.disp), casework.CaseQuery{Q: q}, "报送县司法局核对")
			if err != nil {
				t.Fatal(err)
			}
			if n, err := jftest.Count(st, `SELECT count(*) FROM export_requests WHERE id = $1 AND query LIKE $2`, req.ID, "%"+q+"%"); err != nil || n != 0 {
				t.Fatalf("the search %q is kept in the clear (%v)", q, err)
			}
			got, gone, err := e.svc.RequestQuery(req)
			if err != nil || gone || got.Q != q {
				t.Fatalf("the request's search reads back as %q (gone %v, %v)", got.Q, gone, err)
			}
		}
		mine, _, err := e.svc.ExportRequests(as(e.disp))
		if err != nil || len(mine) != 2 {
			t.Fatalf("requests: %d, %v", len(mine), err)
		}
		byID := mine[1] // the older one: the ID number
		if err := e.svc.ApproveLedger(as(e.leader), byID.ID); err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		n, err := e.svc.Ledger(as(e.disp), casework.CaseQuery{}, report.LedgerOptions{RequestID: byID.ID}, &buf, func(k string) string { return k })
		if err != nil || n != 2 {
			t.Fatalf("the export of the ID number's matters: %d, %v; want 2", n, err)
		}
		if k, err := jftest.Count(st, `SELECT count(*) FROM audit_log WHERE detail LIKE $1`, "%"+testID+"%"); err != nil || k != 0 {
			t.Fatalf("%d audit rows hold the ID number (%v)", k, err)
		}

		// Migration 0032 on a request recorded before: the text goes, the
		// other filters stay, and the request can no longer be approved.
		old := fmt.Sprintf(`INSERT INTO export_requests (requested_by, requested_at, org_path, query, reason)
			VALUES (%d, '2026-11-30T08:00:00Z', '/610831/', '{"Q":"%s","Risk":"red","Cursor":0}', '旧申请')`, e.disp.ID, testID)
		if err := jftest.Exec(st, old); err != nil {
			t.Fatal(err)
		}
		ms, err := store.Migrations(st.Engine())
		if err != nil {
			t.Fatal(err)
		}
		m := ms[len(ms)-1]
		if !strings.HasPrefix(m.Name, "0032_") {
			for _, x := range ms {
				if strings.HasPrefix(x.Name, "0032_") {
					m = x
				}
			}
		}
		if err := jftest.Exec(st, m.SQL); err != nil {
			t.Fatalf("%s: %v", m.Name, err)
		}
		if k, err := jftest.Count(st, `SELECT count(*) FROM export_requests WHERE query LIKE $1`, "%"+testID+"%"); err != nil || k != 0 {
			t.Fatalf("after %s, %d requests hold the ID number (%v)", m.Name, k, err)
		}
		mine, _, err = e.svc.ExportRequests(as(e.disp))
		if err != nil || len(mine) != 3 || mine[0].Reason != "旧申请" {
			t.Fatalf("requests: %d, %v", len(mine), err)
		}
		q, gone, err := e.svc.RequestQuery(mine[0])
		if err != nil || !gone || q.Q != "" || q.Risk != "red" {
			t.Fatalf("the old request reads as %+v, gone %v, %v", q, gone, err)
		}
		if err := e.svc.ApproveLedger(as(e.leader), mine[0].ID); domain.ErrorCode(err) != domain.Conflict {
			t.Fatalf("approving a request whose search is gone: %v", err)
		}
	})
}
