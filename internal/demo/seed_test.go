package demo_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"jiefen/internal/demo"
	"jiefen/internal/domain"
	"jiefen/internal/jftest"
	"jiefen/internal/service/casework"
	"jiefen/internal/store"
)

// The bulk seeder's data must be as consistent as what the service writes:
// every matter has parties, numbers run without gaps (and go on from there
// on a second run), each status is where its timeline ends, no event lies in
// the future or out of order, the kept counts agree with the matters, search
// finds a two-character word, and the audit chain verifies.
func TestSeedIsConsistent(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		svc := jftest.Service(st)
		ctx := jftest.CLI()
		stats, err := demo.Seed(ctx, svc, demo.SeedOptions{Cases: 400, Persons: 60, Seed: 7, Batch: 150})
		if err != nil {
			t.Fatal(err)
		}
		if stats.Cases != 400 || stats.Parties < 800 || stats.Events < 400 {
			t.Fatalf("stats %+v", stats)
		}
		if _, err := demo.Seed(ctx, svc, demo.SeedOptions{Cases: 100, Seed: 8}); err != nil {
			t.Fatalf("second run: %v", err)
		}
		count := func(q string) int64 {
			t.Helper()
			n, err := jftest.Count(st, q)
			if err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			return n
		}
		checks := map[string]string{
			"matters":                            `SELECT COUNT(*) FROM cases`,
			"matters without parties":            `SELECT COUNT(*) FROM cases c WHERE NOT EXISTS (SELECT 1 FROM parties p WHERE p.case_id = c.id)`,
			"matters without timeline":           `SELECT COUNT(*) FROM cases c WHERE NOT EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.id)`,
			"status not where the timeline ends": `SELECT COUNT(*) FROM cases c WHERE c.status <> (SELECT e.to_status FROM case_events e WHERE e.case_id = c.id ORDER BY e.id DESC LIMIT 1)`,
			"events out of order":                `SELECT COUNT(*) FROM case_events a JOIN case_events b ON b.case_id = a.case_id AND b.id = a.id + 1 WHERE b.at < a.at`,
			"duplicate numbers":                  `SELECT COUNT(*) - COUNT(DISTINCT number) FROM cases`,
			"duplicate query codes":              `SELECT COUNT(*) - COUNT(DISTINCT query_code) FROM cases`,
			"sealed fields short as plain text":  `SELECT COUNT(*) FROM parties WHERE (id_enc <> '' AND length(id_enc) <= 18) OR (phone_enc <> '' AND length(phone_enc) <= 11) OR id_kid = ''`,
			"versions not one per event":         `SELECT COUNT(*) FROM cases c WHERE c.version <> (SELECT COUNT(*) FROM case_events e WHERE e.case_id = c.id)`,
			// The statistics' summary rows: one for each close, visit and
			// reopening and for each step that ended, with the matter's place.
			"counted events without their fact": `SELECT COUNT(*) FROM case_events e WHERE (e.action IN ('close', 'visit', 'reopen') OR (e.from_status <> e.to_status AND e.from_status <> '' AND e.data LIKE '%step_due%')) AND NOT EXISTS (SELECT 1 FROM case_facts f WHERE f.id = e.id)`,
			"facts without their event":         `SELECT COUNT(*) FROM case_facts f WHERE NOT EXISTS (SELECT 1 FROM case_events e WHERE e.id = f.id AND e.case_id = f.case_id)`,
			"facts in the wrong place":          `SELECT COUNT(*) FROM case_facts f JOIN cases c ON c.id = f.case_id WHERE f.org_path <> c.org_path OR f.risk <> c.risk`,
			"steps without a step":              `SELECT COUNT(*) FROM case_events e WHERE e.action IN ('assess', 'dispatch', 'sign', 'close', 'inform', 'visit') AND e.data NOT LIKE '%step_due%'`,
		}
		want := map[string]int64{"matters": 500}
		if n := count(`SELECT COUNT(*) FROM case_facts WHERE step <> ''`); n == 0 {
			t.Error("the seed recorded no steps")
		}
		for name, q := range checks {
			if got := count(q); got != want[name] {
				t.Errorf("%s: %d, want %d", name, got, want[name])
			}
		}
		// Numbers: per year 1…N without gaps, and the counter knows N.
		gaps := count(`SELECT COUNT(*) FROM case_numbers k WHERE k.last <> (SELECT COUNT(*) FROM cases c WHERE c.number LIKE k.prefix || CAST(k.year AS TEXT) || '%')`)
		if gaps != 0 {
			t.Errorf("%d years whose counter disagrees with their matters", gaps)
		}
		future := count(`SELECT COUNT(*) FROM case_events WHERE at > ` + map[bool]string{true: "now()", false: "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"}[store.IsPostgres(st.DSN())])
		if future != 0 {
			t.Errorf("%d events in the future", future)
		}
		if n, err := jftest.CountsDrift(st); err != nil || n != 0 {
			t.Errorf("kept counts off by %d groups (%v)", n, err)
		}
		rows, _, err := svc.Cases(ctx, casework.CaseQuery{Q: "工资", Limit: 5})
		if err != nil || len(rows) == 0 {
			t.Errorf("search 工资: %d rows, %v", len(rows), err)
		}
		if v, err := svc.VerifyAudit(context.Background(), ""); err != nil || v.BrokenAt != 0 {
			t.Errorf("audit chain: %+v %v", v, err)
		}
		// A registration through the service after a seed takes the next number.
		u := jftest.MakeUser(t, svc, "recep", "610831", domain.RoleReceptionist)
		c, err := svc.RegisterCase(jftest.As(u, "10.0.0.1"), domain.CaseInput{Channel: "visit", Category: "neighbour", OrgCode: "610831101",
			Address: "何家集村", Description: "邻居之间因排水沟发生纠纷，双方多次争吵。", Parties: []domain.Party{{Role: "applicant", Name: "张三", IDType: "none", NoIDReason: "未带身份证"}}})
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("ZZ%d", time.Now().In(domain.CST).Year()); c.Number[:6] != want {
			t.Fatalf("number %s", c.Number)
		}
		if n := count(`SELECT COUNT(*) FROM cases WHERE number = '` + c.Number + `'`); n != 1 {
			t.Fatalf("number %s given %d times", c.Number, n)
		}
		if n, err := jftest.CountsDrift(st); err != nil || n != 0 {
			t.Errorf("kept counts off by %d after a registration (%v)", n, err)
		}
	})
}

// The seeder gives deadlines by the service's rules (domain.StepDeadline):
// each matter's current deadline counted from the start of its step, each
// step's recorded deadline likewise, and a red matter 15 days in
// resolution, not the ordinary 30 (the seeded red matters once had 30–33).
func TestSeedDeadlinesFollowTheService(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		svc := jftest.Service(st)
		ctx := jftest.CLI()
		if _, err := demo.Seed(ctx, svc, demo.SeedOptions{Cases: 500, Persons: 80, Seed: 11, Years: 1, Batch: 200}); err != nil {
			t.Fatal(err)
		}
		cal, err := svc.Calendar(ctx)
		if err != nil {
			t.Fatal(err)
		}
		checked, red, steps := 0, 0, 0
		for id := int64(1); id <= 500; id++ {
			c, err := svc.Case(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			petition := c.Category == "petition"
			var start time.Time
			for _, e := range c.Timeline {
				if e.FromStatus != e.ToStatus && e.FromStatus != "" {
					risk := c.Risk
					if e.FromStatus == domain.StatusRegistered {
						risk = "none"
					}
					if due := e.Data[domain.DataStepDue]; due != "" {
						want := domain.StepDeadline(cal, e.FromStatus, start, petition, risk)
						if got, err := time.Parse(time.RFC3339, due); err != nil || !got.Equal(want) {
							t.Fatalf("%s: the %s step's deadline %s, the service's rule gives %v", c.Number, e.FromStatus, due, want.In(domain.CST))
						}
						steps++
					}
				}
				if e.FromStatus != e.ToStatus {
					start = e.At
				}
			}
			want := domain.StepDeadline(cal, c.Status, start, petition, c.Risk)
			if !c.StepDueAt.Equal(want) {
				t.Fatalf("%s (%s, %s): deadline %v, the service's rule gives %v", c.Number, c.Status, c.Risk, c.StepDueAt.In(domain.CST), want.In(domain.CST))
			}
			checked++
			if c.Risk == "red" && c.Status == domain.StatusInResolution {
				red++
				if d := c.StepDueAt.Sub(start); d > 16*24*time.Hour {
					t.Errorf("%s: a red matter %v in resolution", c.Number, d.Round(time.Hour))
				}
			}
		}
		if checked != 500 || steps == 0 || red == 0 {
			t.Errorf("checked %d matters, %d steps, %d red in resolution: the seed does not test the rule", checked, steps, red)
		}
	})
}
