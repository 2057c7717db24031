package service_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"jiefen/internal/demo"
	"jiefen/internal/domain"
	"jiefen/internal/jftest"
	"jiefen/internal/service/registry"
	"jiefen/internal/store"
)

// The registries on both engines: Zizhou's set-up imports (twice, without
// duplicating), today's units, the roster, edits by county administrators
// only, and routing suggestions that follow the duty lists (a township's
// own entry first), the organisations and the mediators' load.
func TestRegistriesAndRouting(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newCaseEnv(t, st)
		cli := jftest.CLI()
		var setup registry.CentreSetup
		if err := json.Unmarshal(demo.CentreJSON, &setup); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if _, err := e.svc.ImportCentre(cli, setup, 2); err != nil {
				t.Fatal(err)
			}
		}
		reg, err := e.svc.Centre(as(e.disp))
		if err != nil {
			t.Fatal(err)
		}
		windows := 0
		for _, z := range reg.Zones {
			windows += len(z.Windows)
		}
		if len(reg.Units) != 17 || len(reg.Zones) != 10 || windows != 14 || len(reg.Orgs) != 26 || len(reg.Mediators) != 54 {
			t.Fatalf("registries: %d units, %d zones, %d windows, %d orgs, %d mediators", len(reg.Units), len(reg.Zones), windows, len(reg.Orgs), len(reg.Mediators))
		}
		residents := 0
		for _, u := range reg.Today {
			if u.Kind == "resident" {
				residents++
			}
		}
		if residents != 6 {
			t.Fatalf("resident units today: %d", residents)
		}
		if _, err := e.svc.ImportCentre(as(e.disp), setup, 1); domain.ErrorCode(err) != domain.Forbidden {
			t.Fatalf("a dispatcher imported: %v", err)
		}
		day := time.Date(2026, 12, 7, 0, 0, 0, 0, domain.CST) // a Monday
		if err := e.svc.SetRosterDay(cli, "women", day, true); err != nil {
			t.Fatal(err)
		}
		r, _ := e.svc.RosterMonth(as(e.disp), day)
		found := false
		for _, id := range r["2026-12-07"] {
			for _, u := range reg.Units {
				found = found || (u.ID == id && u.Code == "women")
			}
		}
		if !found {
			t.Fatalf("women not on the roster: %v", r["2026-12-07"])
		}
		if err := e.svc.SetRosterDay(cli, "nosuch", day, true); domain.ErrorCode(err) != domain.Invalid {
			t.Fatalf("unknown unit on the roster: %v", err)
		}
		// A stale edit of a unit is a conflict.
		u := reg.Units[0]
		u.Contacts = "新电话"
		if err := e.svc.SaveUnit(cli, u, u.Version+5); domain.ErrorCode(err) != domain.Conflict {
			t.Fatalf("stale unit edit: %v", err)
		}
		if err := e.svc.SetWindowUnit(as(e.disp), "W01", "women"); domain.ErrorCode(err) != domain.Forbidden {
			t.Fatalf("a dispatcher staffed a window: %v", err)
		}

		// Routing: wage arrears go to the human-resources bureau; land in
		// 马岔镇 to natural resources by the township's own entry.
		in := landCase("610831101200")
		in.Description = "十二名工人被老板拖欠工资三个月，共计八万元。"
		sug, err := e.svc.Suggest(as(e.recep), in)
		if err != nil {
			t.Fatal(err)
		}
		if sug.Unit == nil || sug.Unit.Code != "hrss" || !strings.Contains(sug.Unit.Reasons[0].Text, "职责清单") {
			t.Fatalf("labour unit %+v", sug.Unit)
		}
		if sug.MediationOrg == nil || len(sug.Mediators) == 0 || len(sug.Mediators) > 3 {
			t.Fatalf("org %+v mediators %d", sug.MediationOrg, len(sug.Mediators))
		}
		for i := 1; i < len(sug.Mediators); i++ {
			if sug.Mediators[i].Load < sug.Mediators[i-1].Load {
				t.Fatalf("mediators not by load: %+v", sug.Mediators)
			}
		}
		in.OrgCode, in.Description = "610831111200", "煤矿采空区塌陷，村民承包地出现裂缝，要求核查补偿。"
		sug, _ = e.svc.Suggest(as(e.recep), in)
		if sug.Category.Code != "land" || sug.Unit == nil || sug.Unit.Code != "natural_resources" || !strings.Contains(sug.Unit.Reasons[0].Text, "本乡镇") {
			t.Fatalf("township duty: %s %+v", sug.Category.Code, sug.Unit)
		}
	})
}
