package service_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"jiefen/internal/domain"
	"jiefen/internal/jftest"
	"jiefen/internal/service/casework"
	"jiefen/internal/service/report"
	"jiefen/internal/store"
)

// The statistics against figures worked out by hand from what the test
// did, on both engines: a matter closed in October and visited in
// November, one closed unresolved, visited unsatisfied, reopened and
// resolved in November, one referred out of remit at registration, a
// duplicate merged in November, an overdue one.
func TestStatisticsAgainstHandCounts(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newCaseEnv(t, st)
		clock := time.Date(2026, 10, 10, 10, 0, 0, 0, domain.CST)
		st.SetClock(func() time.Time { return clock })
		at := func(month time.Month, day int) { clock = time.Date(2026, month, day, 10, 0, 0, 0, domain.CST) }
		six := &domain.Six{LeadLeader: "a", MediationOrg: "b", DockingUnit: "c", Plan: "d", Schedule: "e", GuidanceText: "f"}
		reg := func(cat string) *domain.Case {
			t.Helper()
			in := landCase("610831101200")
			in.Category = cat
			c, err := e.svc.RegisterCase(as(e.recep), in)
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		toResolution := func(id int64) {
			act(t, e, e.disp, id, "assess", casework.ActionInput{Risk: "none"})
			act(t, e, e.disp, id, "dispatch", casework.ActionInput{Assignee: "med1"})
			act(t, e, e.med, id, "sign", casework.ActionInput{})
			act(t, e, e.med, id, "six", casework.ActionInput{Six: six})
		}
		// A: land, closed resolved 20 Oct, informed 21 Oct, visited satisfied 3 Nov.
		a := reg("land")
		toResolution(a.ID)
		at(10, 20)
		act(t, e, e.med, a.ID, "close", casework.ActionInput{Outcome: "resolved"})
		at(10, 21)
		act(t, e, e.med, a.ID, "inform", casework.ActionInput{Method: "phone"})
		// B: labour, closed unresolved 25 Oct, visited unsatisfied 28 Oct,
		// reopened 29 Oct, resolved 5 Nov, visited basically satisfied 8 Nov.
		at(10, 12)
		b := reg("labour")
		toResolution(b.ID)
		at(10, 25)
		act(t, e, e.med, b.ID, "close", casework.ActionInput{Outcome: "unresolved", Guidance: domain.Guidance[0]})
		act(t, e, e.med, b.ID, "inform", casework.ActionInput{Method: "phone"})
		at(10, 28)
		act(t, e, e.recep, b.ID, "visit", casework.ActionInput{Satisfaction: "unsatisfied", Note: "没解决"})
		at(10, 29)
		act(t, e, e.disp, b.ID, "reopen", casework.ActionInput{Reason: "回访不满意"})
		act(t, e, e.disp, b.ID, "dispatch", casework.ActionInput{Assignee: "med1"})
		act(t, e, e.med, b.ID, "sign", casework.ActionInput{})
		// C: contract, referred out of remit at registration, 15 Oct.
		at(10, 15)
		in := landCase("610831101200")
		in.Category, in.ReferredTo = "contract", "子洲县人民法院"
		if _, err := e.svc.RegisterCase(as(e.recep), in); err != nil {
			t.Fatal(err)
		}
		// November.
		at(11, 2)
		d := reg("neighbour")
		at(11, 3)
		act(t, e, e.recep, a.ID, "visit", casework.ActionInput{Satisfaction: "satisfied"})
		act(t, e, e.disp, d.ID, "merge", casework.ActionInput{Target: a.Number, Reason: "重复登记"})
		at(11, 4)
		reg("marriage") // E: never assessed: overdue by the 20th
		at(11, 5)
		act(t, e, e.med, b.ID, "close", casework.ActionInput{Outcome: "resolved"})
		act(t, e, e.med, b.ID, "inform", casework.ActionInput{Method: "in_person"})
		at(11, 8)
		act(t, e, e.recep, b.ID, "visit", casework.ActionInput{Satisfaction: "basically_satisfied"})
		at(11, 20)

		stats := func(from, to time.Time, by string) *report.Stats {
			t.Helper()
			s, err := e.svc.Statistics(as(e.disp), report.StatsQuery{From: from.UTC(), To: to.UTC(), By: by})
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		oct := stats(time.Date(2026, 10, 1, 0, 0, 0, 0, domain.CST), time.Date(2026, 11, 1, 0, 0, 0, 0, domain.CST), "")
		nov := stats(time.Date(2026, 11, 1, 0, 0, 0, 0, domain.CST), time.Date(2026, 12, 1, 0, 0, 0, 0, domain.CST), "")
		type want struct {
			registered, referred, accepted, closed, closedAccepted, resolved, visits, satisfied, closedVisited, reopened, merged, overdue, followUp int
		}
		check := func(name string, f report.Figures, w want) {
			t.Helper()
			got := want{f.Registered, f.Referred, f.Accepted, f.Closed, f.ClosedAccepted, f.Resolved, f.Visits, f.SatisfactionRate.Numerator, f.VisitRate.Numerator,
				f.Reopened, f.Merged, f.Overdue, f.OverdueFollowUp}
			if got != w {
				t.Errorf("%s:\n got  %+v\n want %+v", name, got, w)
			}
			// The success rate leaves out what was referred elsewhere; the
			// visit rate does not.
			if f.SuccessRate.Denominator != f.ClosedAccepted || f.SatisfactionRate.Denominator != f.Visits || f.VisitRate.Denominator != f.Closed {
				t.Errorf("%s: rate denominators %+v %+v %+v", name, f.SuccessRate, f.SatisfactionRate, f.VisitRate)
			}
		}
		// October: A, B, C registered (C referred); A, B, C closed (C at
		// registration), only A resolved, and only A and B count for the
		// success rate; one visit (B, unsatisfied); of the closed, A (in
		// November) and B were visited; B reopened. Overdue now: E in hand
		// (not assessed), and C in follow-up (referred, not yet informed).
		check("October", oct.Total, want{3, 1, 2, 3, 2, 1, 1, 0, 2, 1, 0, 1, 1})
		// November: E registered, D merged (counted nowhere else); B closed
		// resolved; A and B visited, both satisfied; B visited after closing.
		check("November", nov.Total, want{1, 0, 1, 1, 1, 1, 2, 2, 1, 0, 1, 1, 1})
		// The referral at registration ended no assessment step: October's
		// assessments are A's and B's.
		if r := oct.Total.OnTimeByStep["assess"]; r.Denominator != 2 {
			t.Errorf("October assessments %+v, want 2 (C was referred at the window, never assessed)", r)
		}
		// Informs by method: A and B by phone in October, B in person in
		// November; the methods add up to the informs.
		if m := oct.Total.InformByMethod; m["phone"] != 2 || len(m) != 1 || oct.Total.InformOnTimeRate.Denominator != 2 {
			t.Errorf("October informs by method %v", m)
		}
		if m := nov.Total.InformByMethod; m["in_person"] != 1 || len(m) != 1 {
			t.Errorf("November informs by method %v", m)
		}
		// The list behind "registered" (the stats page links it) holds as
		// many matters as the figure.
		for _, p := range []*report.Stats{oct, nov} {
			rows, _, err := e.svc.Cases(as(e.disp), casework.CaseQuery{From: p.From, To: p.To, Counted: true, Limit: 200})
			if err != nil || len(rows) != p.Total.Registered {
				t.Errorf("list behind registered: %d rows, figure %d (%v)", len(rows), p.Total.Registered, err)
			}
		}
		if oct.Total.SuccessRate.Value != 0.5 {
			t.Errorf("October success rate %v", oct.Total.SuccessRate)
		}
		// By category in October: land is A alone.
		byCat := stats(time.Date(2026, 10, 1, 0, 0, 0, 0, domain.CST), time.Date(2026, 11, 1, 0, 0, 0, 0, domain.CST), "category")
		for _, g := range byCat.Groups {
			if g.Key == "land" {
				check("October land", g, want{1, 0, 1, 1, 1, 1, 0, 0, 1, 0, 0, 0, 0})
			}
		}
		// By month over both months, the groups add up to the months alone.
		both := stats(time.Date(2026, 10, 1, 0, 0, 0, 0, domain.CST), time.Date(2026, 12, 1, 0, 0, 0, 0, domain.CST), "month")
		if len(both.Groups) != 2 || both.Groups[0].Key != "2026-10" || both.Groups[0].Registered != 3 || both.Groups[1].Registered != 1 || both.Groups[1].Merged != 1 {
			t.Fatalf("by month %+v", both.Groups)
		}
		if both.Total.Closed != 3 { // A, B (last close in November), C: each matter once
			t.Errorf("closed over both months %d, want 3", both.Total.Closed)
		}
		// Outside the jurisdiction: refused.
		if _, err := e.svc.Statistics(as(e.shy), report.StatsQuery{From: oct.From, To: oct.To, OrgCode: "610831101"}); domain.ErrorCode(err) != domain.Forbidden {
			t.Fatalf("another township's figures: %v", err)
		}
		if _, err := e.svc.Statistics(as(e.disp), report.StatsQuery{From: oct.To, To: oct.From}); domain.ErrorCode(err) != domain.Invalid {
			t.Fatalf("backwards period: %v", err)
		}
	})
}

// docs/STATISTICS.md gives every definition, word for word.
func TestStatisticsDocInStep(t *testing.T) {
	b, err := os.ReadFile("../../docs/STATISTICS.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range report.Definitions {
		if !strings.Contains(string(b), "| `"+d.Key+"` | "+d.Name+" | "+d.Text+" |") {
			t.Errorf("docs/STATISTICS.md lacks the definition of %s", d.Key)
		}
	}
}

// Step deadlines, days to close, the unit breakdown, a matter moved
// between townships and the lists behind every figure, on both engines,
// in two plain November weeks (no holidays): each expected figure is worked
// out by hand below.
func TestStatisticsStepsAndMoves(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newCaseEnv(t, st)
		jftest.DemoCentre(t, e.svc, 2)
		clock := time.Date(2026, 11, 9, 10, 0, 0, 0, domain.CST) // a Monday
		st.SetClock(func() time.Time { return clock })
		at := func(day int) { clock = time.Date(2026, 11, day, 10, 0, 0, 0, domain.CST) }
		six := &domain.Six{LeadLeader: "a", MediationOrg: "b", DockingUnit: "c", Plan: "d", Schedule: "e", GuidanceText: "f"}
		reg := func(org string) *domain.Case {
			t.Helper()
			c, err := e.svc.RegisterCase(as(e.recep), landCase(org))
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		// M1: every step the day it may (all six on time); unit women.
		m1 := reg("610831101200")
		act(t, e, e.disp, m1.ID, "assess", casework.ActionInput{Risk: "none", Unit: "women"})
		act(t, e, e.disp, m1.ID, "dispatch", casework.ActionInput{Assignee: "med1"})
		act(t, e, e.med, m1.ID, "sign", casework.ActionInput{})
		act(t, e, e.med, m1.ID, "six", casework.ActionInput{Six: six})
		// M2: assessed a week late (due Tue 10th), informed late (closed
		// Tue 17th, due three working days later, Fri 20th).
		m2 := reg("610831101200")
		// M3: registered in the wrong township and assessed there (on
		// time), moved on the 11th: its step counts where it is now.
		m3 := reg("610831101200")
		act(t, e, e.disp, m3.ID, "assess", casework.ActionInput{Risk: "none"})
		at(11)
		act(t, e, e.disp, m3.ID, "correct", casework.ActionInput{MoveTo: ptr("610831001200"), Reason: "登记时选错了乡镇"})
		if _, err := e.svc.Act(as(e.disp), m3.ID, "correct", casework.ActionInput{MoveTo: ptr("999999"), Reason: "x"}); domain.ErrorCode(err) != domain.Invalid {
			t.Fatalf("moved to nowhere: %v", err)
		}
		if _, err := e.svc.Act(as(e.shy), m2.ID, "correct", casework.ActionInput{MoveTo: ptr("610831001200"), Reason: "x"}); domain.ErrorCode(err) != domain.NotFound {
			t.Fatalf("a dispatcher of another township pulled a matter in: %v", err)
		}
		if _, err := e.svc.Act(as(e.shy), m3.ID, "correct", casework.ActionInput{MoveTo: ptr("610831101200"), Reason: "x"}); domain.ErrorCode(err) != domain.Forbidden {
			t.Fatalf("a township's dispatcher pushed a matter out of their township: %v", err)
		}
		if n, err := jftest.Count(st, `SELECT COUNT(*) FROM audit_log WHERE action = 'denied.case.move'`); err != nil || n != 1 {
			t.Fatalf("the refused move audited: %d (%v)", n, err)
		}
		at(12)
		act(t, e, e.med, m1.ID, "close", casework.ActionInput{Outcome: "resolved"})
		at(13)
		act(t, e, e.med, m1.ID, "inform", casework.ActionInput{Method: "phone"})
		at(16)
		act(t, e, e.recep, m1.ID, "visit", casework.ActionInput{Satisfaction: "satisfied"})
		// M1 is reopened the same day (something new came up), handled
		// again and closed on Friday the 20th, not visited since: its visit
		// came before its last close, so it is not "visited".
		act(t, e, e.disp, m1.ID, "reopen", casework.ActionInput{Reason: "当事人反映对方未按协议履行"})
		act(t, e, e.disp, m1.ID, "dispatch", casework.ActionInput{Assignee: "med1"})
		act(t, e, e.med, m1.ID, "sign", casework.ActionInput{})
		m2 = e.path("none").To(t, m2, jftest.Signed)
		act(t, e, e.med, m2.ID, "six", casework.ActionInput{Six: six})
		at(17)
		act(t, e, e.med, m2.ID, "close", casework.ActionInput{Outcome: "resolved"})
		at(20)
		act(t, e, e.med, m1.ID, "close", casework.ActionInput{Outcome: "resolved"})
		at(25)
		act(t, e, e.med, m2.ID, "inform", casework.ActionInput{Method: "phone"})
		at(26)

		q := report.StatsQuery{From: time.Date(2026, 11, 1, 0, 0, 0, 0, domain.CST), To: time.Date(2026, 12, 1, 0, 0, 0, 0, domain.CST)}
		s, err := e.svc.Statistics(as(e.disp), q)
		if err != nil {
			t.Fatal(err)
		}
		f := s.Total
		// Steps ended in November: M1 nine (six, then dispatch, sign and
		// resolve again), all on time; M2 five (assess, dispatch, sign,
		// resolve, inform), assess and inform late; M3's assessment, on time.
		if f.OnTimeRate.Numerator != 13 || f.OnTimeRate.Denominator != 15 {
			t.Errorf("on-time %+v, want 13/15", f.OnTimeRate)
		}
		// Closed: M1 (last on the 20th) and M2; M1's only visit was before
		// its last close, M2 was never visited.
		if f.Closed != 2 || f.VisitRate.Numerator != 0 || f.Visits != 1 || f.Reopened != 1 {
			t.Errorf("closed %d, visited after closing %d, visits %d, reopened %d; want 2, 0, 1, 1", f.Closed, f.VisitRate.Numerator, f.Visits, f.Reopened)
		}
		if r := f.OnTimeByStep["assess"]; r.Numerator != 2 || r.Denominator != 3 {
			t.Errorf("assess on time %+v, want 2/3", r)
		}
		if r := f.OnTimeByStep["visit"]; r.Numerator != 1 || r.Denominator != 1 {
			t.Errorf("visit on time %+v, want 1/1", r)
		}
		if r := f.InformOnTimeRate; r.Numerator != 1 || r.Denominator != 2 {
			t.Errorf("inform on time %+v, want 1/2", r)
		}
		// Working days from registration (Mon 9th) to the last close: M1
		// Fri 20th = 9, M2 Tue 17th = 6; average 7.5, 90th percentile 9.
		if f.AvgDaysToClose != 7.5 || f.P90DaysToClose != 9 {
			t.Errorf("days to close avg %v p90 %v, want 7.5 and 9", f.AvgDaysToClose, f.P90DaysToClose)
		}
		// By township: M3 counts where it is now (乡镇 001), not where it was
		// registered.
		byOrg, err := e.svc.Statistics(as(e.disp), report.StatsQuery{From: q.From, To: q.To, By: "org"})
		if err != nil {
			t.Fatal(err)
		}
		got, steps := map[string]int{}, map[string]int{}
		for _, g := range byOrg.Groups {
			got[g.Key], steps[g.Key] = g.Registered, g.OnTimeRate.Denominator
		}
		if got["610831101"] != 2 || got["610831001"] != 1 {
			t.Errorf("registered by township %v, want 101: 2 and 001: 1", got)
		}
		if steps["610831101"] != 14 || steps["610831001"] != 1 {
			t.Errorf("steps by township %v, want 101: 14 and 001: 1 (M3's assessment moved with it)", steps)
		}
		// By unit: M1 under women, M2 and M3 under none.
		byUnit, err := e.svc.Statistics(as(e.disp), report.StatsQuery{From: q.From, To: q.To, By: "unit"})
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range byUnit.Groups {
			want := map[string]int{"women": 1, "-": 2}[g.Key]
			if g.Registered != want {
				t.Errorf("unit %s: %d registered, want %d", g.Key, g.Registered, want)
			}
		}
		// The township's own dispatcher sees the moved matter; its old
		// township no longer counts it.
		own, err := e.svc.Statistics(as(e.shy), report.StatsQuery{From: q.From, To: q.To})
		if err != nil || own.Total.Registered != 1 {
			t.Fatalf("township 001's own figures: %+v %v", own, err)
		}
		// Every figure's list is as long as the figure, for the total and
		// for a group.
		checkLists(t, e, as(e.disp), q, "", &f)
		for _, g := range byOrg.Groups {
			if g.Key == "610831101" {
				q.By = "org"
				checkLists(t, e, as(e.disp), q, g.Key, &g)
			}
		}
		if _, err := e.svc.StatsMatters(as(e.disp), q, "nosuch", "", 0, 10); domain.ErrorCode(err) != domain.Invalid {
			t.Fatalf("unknown figure: %v", err)
		}
	})
}

func ptr[T any](v T) *T { return &v }

// checkLists compares each figure with the length of the list behind it.
func checkLists(t *testing.T, e *caseEnv, ctx context.Context, q report.StatsQuery, key string, f *report.Figures) {
	t.Helper()
	want := map[string]int{"registered": f.Registered, "referred": f.Referred, "accepted": f.Accepted, "closed": f.Closed,
		"closed_accepted": f.ClosedAccepted, "resolved": f.Resolved, "visits": f.Visits, "satisfied": f.SatisfactionRate.Numerator,
		"closed_visited": f.VisitRate.Numerator, "reopened": f.Reopened, "merged": f.Merged, "overdue": f.Overdue,
		"overdue_followup": f.OverdueFollowUp, "steps_due": f.OnTimeRate.Denominator, "steps_on_time": f.OnTimeRate.Numerator,
		"inform_due": f.InformOnTimeRate.Denominator, "inform_on_time": f.InformOnTimeRate.Numerator}
	for _, m := range domain.InformMethods {
		want[report.InformFigure(m)] = f.InformByMethod[m]
	}
	if len(want) != len(report.DrillFigures) {
		t.Fatalf("the test knows %d figures, the service lists %d", len(want), len(report.DrillFigures))
	}
	for _, fig := range report.DrillFigures {
		l, err := e.svc.StatsMatters(ctx, q, fig, key, 0, 2)
		if err != nil {
			t.Fatal(err)
		}
		if l.Total != want[fig] {
			t.Errorf("%s %q: list of %d, figure %d", fig, key, l.Total, want[fig])
		}
		if len(l.Items) != min(2, want[fig]) {
			t.Errorf("%s %q: first page of %d", fig, key, len(l.Items))
		}
		for _, it := range l.Items {
			if it.Case == nil || it.Case.Number == "" {
				t.Errorf("%s: line without its matter", fig)
			}
		}
	}
}
