package store_test

import (
	"testing"

	"jiefen/internal/domain"
	"jiefen/internal/jftest"
	"jiefen/internal/service/casework"
	"jiefen/internal/store"
)

// Search pages newest first on both engines, whatever path the engine takes:
// on PostgreSQL a rare word is found by widening the window of newest ids
// (made tiny here so a few matters need several windows), and the cursor
// continues where a page ended without skipping or repeating.
func TestSearchPagesAcrossWindows(t *testing.T) {
	defer store.SetSearchWindow(2)()
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		svc := jftest.Service(st)
		jftest.SeedTree(t, svc)
		u := jftest.MakeUser(t, svc, "recep", "610831", domain.RoleReceptionist, domain.RoleDispatcher)
		ctx := jftest.As(u, "10.0.0.1")
		var rare []int64
		for i := range 23 {
			desc := "邻居之间因房后排水沟发生纠纷，双方多次争吵。"
			if i%5 == 0 {
				desc = "山林权属争议，双方均持有林权证，砍伐林木引发冲突。"
			}
			c, err := svc.RegisterCase(ctx, domain.CaseInput{Channel: "visit", Category: "neighbour", OrgCode: "610831101", Address: "三组",
				Description: desc, Parties: []domain.Party{{Role: "applicant", Name: "张三", IDType: "none", NoIDReason: "未带证件"}}})
			if err != nil {
				t.Fatal(err)
			}
			if i%5 == 0 {
				rare = append([]int64{c.ID}, rare...) // newest first
			}
		}
		var got []int64
		cursor := int64(0)
		for page := 0; page < 5; page++ {
			rows, next, err := svc.Cases(ctx, casework.CaseQuery{Q: "林权", Limit: 2, Cursor: cursor})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rows {
				got = append(got, r.ID)
			}
			if next == 0 {
				break
			}
			cursor = next
		}
		if len(got) != len(rare) {
			t.Fatalf("found %v, want %v", got, rare)
		}
		for i := range rare {
			if got[i] != rare[i] {
				t.Fatalf("found %v, want %v (newest first)", got, rare)
			}
		}
		if rows, _, err := svc.Cases(ctx, casework.CaseQuery{Q: "宅基", Limit: 10}); err != nil || len(rows) != 0 {
			t.Fatalf("a word that never occurs: %d rows, %v", len(rows), err)
		}
	})
}
