package service_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"jiefen/internal/domain"
	"jiefen/internal/jftest"
	"jiefen/internal/service/casework"
	"jiefen/internal/store"
)

// Group matters on both engines: a household list comes in from CSV or
// .xlsx, all or nothing with every bad row named; ID numbers and phones are
// sealed and masked; households are confirmed by the people doing the
// rounds, a grid worker only in their own village; counts by status and
// village add up; co-units act with the lead unit.
func TestGroupMatters(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newCaseEnv(t, st)
		in := landCase("610831101")
		in.Description, in.PeopleCount = "何家集镇多个村的合作社社员反映2025年分红迟迟未发，涉及一千余户。", 1642
		c, err := e.svc.RegisterCase(as(e.recep), in)
		if err != nil {
			t.Fatal(err)
		}
		// Bad rows: nothing is imported, each error named by its line.
		bad := "姓名,村,身份证号,电话,金额\n张三,何家集村委会,,,100\n,何家集村委会,,,\n李四,月亮村,,,\n王五,何家集村委会,610831199003070025,123,abc\n赵六,何家集村委会,,,NaN\n"
		table, err := casework.ReadTable("list.csv", strings.NewReader(bad))
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.ImportMembers(as(e.disp), c.ID, table)
		de, ok := err.(*domain.Error)
		if !ok || de.Code != domain.Invalid {
			t.Fatalf("bad list: %v", err)
		}
		for _, f := range []string{"rows[3].name", "rows[4].village", "rows[5].id_number", "rows[5].phone", "rows[5].amount", "rows[6].amount"} {
			if de.Fields[f] == "" {
				t.Errorf("no error for %s: %v", f, de.Fields)
			}
		}
		if n, err := jftest.Count(st, `SELECT COUNT(*) FROM group_members`); err != nil || n != 0 {
			t.Fatalf("%d rows saved from a bad list (%v)", n, err)
		}
		if _, err := e.svc.ImportMembers(as(e.recep), c.ID, table); domain.ErrorCode(err) != domain.Forbidden {
			t.Fatalf("a receptionist imported: %v", err)
		}

		grid := jftest.MakeUser(t, e.svc, "gridhj", "610831101200001", domain.RoleGridWorker)
		// 2,000 households from an .xlsx file over two villages.
		f := excelize.NewFile()
		if err := f.SetSheetRow("Sheet1", "A1", &[]any{"户主", "村（社区）", "身份证号", "联系电话", "金额", "备注"}); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 2000; i++ {
			village := "何家集村委会"
			if i%4 == 0 {
				village = "610831101201"
			}
			phone := ""
			if i == 0 {
				phone = "13912345678"
			}
			id := ""
			if i == 1 {
				id = testID
			}
			if err := f.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i+2), &[]any{fmt.Sprintf("社员%04d", i), village, id, phone, 820.5, ""}); err != nil {
				t.Fatal(err)
			}
		}
		var buf bytes.Buffer
		if err := f.Write(&buf); err != nil {
			t.Fatal(err)
		}
		table, err = casework.ReadTable("分红名单.xlsx", &buf)
		if err != nil {
			t.Fatal(err)
		}
		n, err := e.svc.ImportMembers(as(e.disp), c.ID, table)
		if err != nil || n != 2000 {
			t.Fatalf("import: %d %v", n, err)
		}
		if k, err := jftest.Count(st, `SELECT COUNT(*) FROM group_members WHERE id_enc = '' AND id_masked <> ''`); err != nil || k != 0 {
			t.Fatalf("an ID number was stored in the clear: %d (%v)", k, err)
		}
		if k, err := jftest.Count(st, `SELECT COUNT(*) FROM group_members WHERE id_enc LIKE '%610831%' OR phone_enc LIKE '%13912345678%'`); err != nil || k != 0 {
			t.Fatalf("sealed fields hold the plain value: %d (%v)", k, err)
		}
		g, err := e.svc.Group(as(e.disp), c.ID, "", "", 0, 50)
		if err != nil || g.Total != 2000 || g.ByStatus["pending"] != 2000 || len(g.Villages) != 2 || len(g.Rows) != 50 || g.NextAfter != 50 {
			t.Fatalf("group view: %v total %d villages %d rows %d next %d", err, g.Total, len(g.Villages), len(g.Rows), g.NextAfter)
		}
		if g.Rows[0].PhoneMasked != "139****5678" || g.Rows[1].IDMasked != domain.MaskID(testID) {
			t.Fatalf("masking: %q %q", g.Rows[0].PhoneMasked, g.Rows[1].IDMasked)
		}

		// Rounds: a grid worker of 何家集村 sees and confirms only there.
		gv, err := e.svc.Group(as(grid), c.ID, "", "", 0, 5000)
		if err != nil || gv.Total != 1500 || gv.CanManage {
			t.Fatalf("grid worker's view: %v total %d manage %v", err, gv.Total, gv.CanManage)
		}
		for _, m := range gv.Rows {
			if m.VillageCode != "610831101200" {
				t.Fatalf("grid worker saw %s", m.VillageCode)
			}
		}
		if k, err := jftest.Count(st, `SELECT COUNT(*) FROM audit_log WHERE username = 'gridhj' AND action LIKE 'denied%'`); err != nil || k != 0 {
			t.Fatalf("the grid worker's rounds were audited as %d refusals", k)
		}
		m := gv.Rows[0]
		if err := e.svc.ConfirmMember(as(grid), c.ID, m.ID, "confirmed", "户主本人签字", m.Version); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.ConfirmMember(as(grid), c.ID, m.ID, "disputed", "", m.Version); domain.ErrorCode(err) != domain.Conflict {
			t.Fatalf("stale confirmation: %v", err)
		}
		other, _ := e.svc.Group(as(e.disp), c.ID, "610831101201", "", 0, 1)
		if err := e.svc.ConfirmMember(as(grid), c.ID, other.Rows[0].ID, "confirmed", "", 1); domain.ErrorCode(err) != domain.NotFound {
			t.Fatalf("grid worker confirmed another village: %v", err)
		}
		if err := e.svc.ConfirmMember(as(e.disp), c.ID, other.Rows[0].ID, "unreachable", "外出务工", 1); err != nil {
			t.Fatal(err)
		}
		g, _ = e.svc.Group(as(e.disp), c.ID, "", "", 0, 10)
		if g.ByStatus["confirmed"] != 1 || g.ByStatus["unreachable"] != 1 || g.ByStatus["pending"] != 1998 {
			t.Fatalf("counts %v", g.ByStatus)
		}
		page, _ := e.svc.Group(as(e.disp), c.ID, "", "confirmed", 0, 10)
		if len(page.Rows) != 1 || page.Rows[0].ConfirmedBy != grid.Name || page.Rows[0].StatusNote != "户主本人签字" {
			t.Fatalf("confirmed row %+v", page.Rows)
		}
		if k, _ := jftest.Count(st, `SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND kind = 'rounds'`, grid.ID); k != 1 {
			t.Fatalf("grid worker told %d times of the rounds", k)
		}
		// Co-units.
		if err := e.svc.AddCoUnit(as(e.disp), c.ID, "nosuch", "x"); domain.ErrorCode(err) != domain.Invalid {
			t.Fatalf("unknown unit: %v", err)
		}
	})
}

// Issue 14, point 9: each page of a household list that is read is
// audited with the rows it showed (AU-1: reading personal data), so paging
// through 50 at a time leaves one row per page; a print or batch download
// is one row of its own.
func TestHouseholdPagesAudited(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newCaseEnv(t, st)
		c, err := e.svc.RegisterCase(as(e.recep), landCase("610831101"))
		if err != nil {
			t.Fatal(err)
		}
		var csv strings.Builder
		csv.WriteString("姓名,村\n")
		for i := range 120 {
			fmt.Fprintf(&csv, "社员%03d,何家集村委会\n", i)
		}
		table, err := casework.ReadTable("list.csv", strings.NewReader(csv.String()))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.ImportMembers(as(e.disp), c.ID, table); err != nil {
			t.Fatal(err)
		}
		after := 0
		for {
			g, err := e.svc.Group(as(e.disp), c.ID, "", "", after, 50)
			if err != nil {
				t.Fatal(err)
			}
			if after = g.NextAfter; after == 0 {
				break
			}
		}
		if _, err := e.svc.Group(as(e.disp), c.ID, "", "confirmed", 0, 50); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.PrintGroup(as(e.disp), c.ID, "610831101200", "", 0, 5000); err != nil {
			t.Fatal(err)
		}
		es, err := e.svc.SearchAudit(jftest.CLI(), domain.AuditFilter{Action: "case.members_", Limit: 20})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for i := len(es) - 1; i >= 0; i-- {
			if es[i].Action == "case.members_import" {
				continue
			}
			if es[i].ObjectID != c.Number || es[i].Username != e.disp.Username {
				t.Fatalf("audit row %+v", es[i])
			}
			got = append(got, es[i].Action+": "+es[i].Detail)
		}
		want := []string{
			"case.members_view: rows 1–50 (50 households) of 120",
			"case.members_view: rows 51–100 (50 households) of 120",
			"case.members_view: rows 101–120 (20 households) of 120",
			"case.members_view: no households of 120 (status confirmed)",
			"case.members_print: rows 1–120 (120 households) of 120 (village 610831101200)",
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("audited reads:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
}
