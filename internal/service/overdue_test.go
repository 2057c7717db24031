package service_test

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"jiefen/internal/domain"
	"jiefen/internal/jftest"
	"jiefen/internal/service/casework"
	"jiefen/internal/service/report"
	"jiefen/internal/store"
)

// One digest a day per person instead of one notice per overdue matter:
// the handler with three overdue matters gets one entry listing them, the
// dispatcher one for the unassigned matter of their area, the mediator who
// asked for a notice per matter one per matter and no digest; two sweeps at
// once send each digest once; the next day's digest replaces the unread
// one; a changed setting is followed from the next sweep on.
func TestOverdueDigest(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newCaseEnv(t, st)
		clock := time.Date(2026, 11, 2, 9, 0, 0, 0, domain.CST) // a Monday
		st.SetClock(func() time.Time { return clock })
		if _, err := e.svc.SetOwnOverdueNotices(as(e.med2), domain.NoticeEach); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.SetOwnOverdueNotices(as(e.med2), "weekly"); domain.ErrorCode(err) != domain.Invalid {
			t.Fatalf("an unknown setting: %v", err)
		}
		var mine []string
		for range 3 {
			mine = append(mine, e.path("none").Matter(t, landCase("610831101"), jftest.Dispatched).Number)
		}
		p2 := e.path("none")
		p2.Med = e.med2
		for range 2 {
			p2.Matter(t, landCase("610831101"), jftest.Dispatched)
		}
		unassigned := e.path("none").Matter(t, landCase("610831101"), jftest.Registered)
		count := func(u *domain.User, kind string, unread bool) (n int, last domain.Notification) {
			t.Helper()
			items, _, err := e.svc.Inbox(as(u), unread)
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range items {
				if it.Kind == kind {
					if n == 0 {
						last = it
					}
					n++
				}
			}
			return n, last
		}
		sweep := func() int {
			t.Helper()
			n, err := e.svc.SweepDeadlines(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		// Wednesday before 8: the deadlines (Tuesday) have passed. Only the
		// mediator who asked for them gets notices, one per matter.
		clock = time.Date(2026, 11, 4, 7, 0, 0, 0, domain.CST)
		sweep()
		if n, _ := count(e.med2, "overdue", false); n != 2 {
			t.Errorf("med2 (a notice per matter): %d overdue notices, want 2", n)
		}
		for _, u := range []*domain.User{e.med, e.disp} {
			if n, _ := count(u, "overdue", false); n != 0 {
				t.Errorf("%s got %d notices per matter, want none (the digest)", u.Username, n)
			}
			if n, _ := count(u, casework.DigestKind, false); n != 0 {
				t.Errorf("%s got a digest before %d o'clock", u.Username, casework.DigestHour)
			}
		}
		// From 8: one digest each, even with two sweeps at once.
		clock = time.Date(2026, 11, 4, 8, 30, 0, 0, domain.CST)
		var wg sync.WaitGroup
		for range 2 {
			wg.Go(func() {
				if _, err := e.svc.SweepDeadlines(context.Background()); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		sweep()
		n, d := count(e.med, casework.DigestKind, false)
		if n != 1 || d.CaseID != 0 || !strings.Contains(d.Text, "3 件事项已过期限（在办超期 3 件，告知/回访超期 0 件）") {
			t.Fatalf("med1's digests: %d, %+v", n, d)
		}
		for _, num := range mine {
			if !strings.Contains(d.Text, num) {
				t.Errorf("the digest does not name %s: %s", num, d.Text)
			}
		}
		if n, d := count(e.disp, casework.DigestKind, false); n != 1 || !strings.Contains(d.Text, unassigned.Number) || strings.Contains(d.Text, mine[0]) {
			t.Errorf("the dispatcher's digest (their area's unassigned matter only): %d %+v", n, d)
		}
		if n, _ := count(e.med2, casework.DigestKind, false); n != 0 {
			t.Errorf("med2 asked for a notice per matter, got %d digests", n)
		}
		if n, _ := count(e.shy, casework.DigestKind, false); n != 0 {
			t.Errorf("a dispatcher of another township got a digest of this one's matters")
		}
		// The next day: a new digest, yesterday's marked read.
		clock = time.Date(2026, 11, 5, 9, 0, 0, 0, domain.CST)
		sweep()
		if n, _ := count(e.med, casework.DigestKind, false); n != 2 {
			t.Errorf("after two days %d digests, want 2", n)
		}
		if n, _ := count(e.med, casework.DigestKind, true); n != 1 {
			t.Errorf("%d unread digests, want 1 (the new one replaces the old)", n)
		}
		if got := e.svc.UnreadCount(as(e.med)); got > 4 { // the 3 assignments and today's digest
			t.Errorf("med1 has %d unread entries", got)
		}
		// med1 turns to a notice per matter: no digest the day after, and
		// the deadlines already announced are not announced again.
		if _, err := e.svc.SetOwnOverdueNotices(as(e.med), domain.NoticeEach); err != nil {
			t.Fatal(err)
		}
		clock = time.Date(2026, 11, 6, 9, 0, 0, 0, domain.CST)
		sweep()
		if n, _ := count(e.med, casework.DigestKind, false); n != 2 {
			t.Errorf("a digest after choosing notices per matter (%d)", n)
		}
		if u, err := e.svc.User(jftest.CLI(), e.med.ID); err != nil || u.OverdueNotices != domain.NoticeEach {
			t.Errorf("the setting kept: %+v %v", u, err)
		}
	})
}

// The calendar the service reckons with (migrated into the database) is
// the one kept in cn-holidays.csv, 2024 included, on both engines.
func TestCalendarMigratedMatchesCSV(t *testing.T) {
	f, err := os.Open("../demo/data/cn-holidays.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	days, err := domain.ParseCalendarCSV(f)
	if err != nil {
		t.Fatal(err)
	}
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		svc := jftest.Service(st)
		cal, err := svc.Calendar(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range days {
			if cal.IsWorkingDay(d.Date) != (d.Kind == domain.DayWorkday) {
				t.Errorf("%s is %s in the CSV but not in the database", d.Date.Format("2006-01-02"), d.Kind)
			}
		}
		if got := cal.Years(); len(got) != 4 || got[0] != 2023 || got[3] != 2026 {
			t.Errorf("the database covers %v, want 2023–2026", got)
		}
	})
}

// A deadline set in 2024 over 春节 counts its working days: a matter
// assessed on Friday 9 February 2024 (the eve) is due for dispatch on
// Sunday the 18th, a 调休 working day, not on Monday the 12th as a plain
// week would have it. A statistic over a year the calendar lacks says so.
func TestDeadline2024SpringFestival(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newCaseEnv(t, st)
		clock := time.Date(2024, 2, 8, 10, 0, 0, 0, domain.CST) // a Thursday
		st.SetClock(func() time.Time { return clock })
		c, err := e.svc.RegisterCase(as(e.recep), landCase("610831101"))
		if err != nil {
			t.Fatal(err)
		}
		if got := c.StepDueAt.In(domain.CST).Format("2006-01-02"); got != "2024-02-09" {
			t.Errorf("assessment due %s, want 2024-02-09", got)
		}
		clock = time.Date(2024, 2, 9, 15, 0, 0, 0, domain.CST)
		c = act(t, e, e.disp, c.ID, "assess", casework.ActionInput{Risk: "none"})
		if got := c.StepDueAt.In(domain.CST).Format("2006-01-02"); got != "2024-02-18" {
			t.Errorf("dispatch due %s, want 2024-02-18 (the 调休 Sunday after 春节)", got)
		}
		// Working days to close over 春节: registered Thu 8 Feb, closed Tue
		// 20 Feb: 9th, 18th, 19th, 20th = 4 (a plain week: 8).
		clock = time.Date(2024, 2, 20, 10, 0, 0, 0, domain.CST)
		e.path("none").To(t, c, jftest.Closed)
		s, err := e.svc.Statistics(as(e.disp), report.StatsQuery{From: time.Date(2024, 2, 1, 0, 0, 0, 0, domain.CST), To: time.Date(2024, 3, 1, 0, 0, 0, 0, domain.CST)})
		if err != nil {
			t.Fatal(err)
		}
		if s.Total.ClosedAccepted != 1 || s.Total.AvgDaysToClose != 4 || len(s.CalendarMissing) != 0 {
			t.Errorf("February 2024: closed %d in %v working days (want 1 in 4), calendar missing %v", s.Total.ClosedAccepted, s.Total.AvgDaysToClose, s.CalendarMissing)
		}
		// A matter of 2022, a year the calendar lacks: its figures say so.
		clock = time.Date(2022, 12, 20, 10, 0, 0, 0, domain.CST)
		old := e.path("none").Matter(t, landCase("610831101"), jftest.Signed)
		clock = time.Date(2023, 1, 5, 10, 0, 0, 0, domain.CST)
		e.path("none").To(t, old, jftest.Closed)
		s, err = e.svc.Statistics(as(e.disp), report.StatsQuery{From: time.Date(2023, 1, 1, 0, 0, 0, 0, domain.CST), To: time.Date(2023, 2, 1, 0, 0, 0, 0, domain.CST)})
		if err != nil {
			t.Fatal(err)
		}
		if len(s.CalendarMissing) != 1 || s.CalendarMissing[0] != 2022 {
			t.Errorf("January 2023 over a matter of 2022: calendar missing %v, want [2022]", s.CalendarMissing)
		}
		// Deadlines set now reaching a year not imported are reported.
		clock = time.Date(2026, 12, 3, 10, 0, 0, 0, domain.CST)
		if gaps, err := e.svc.CalendarGaps(context.Background()); err != nil || len(gaps) != 1 || gaps[0] != 2027 {
			t.Errorf("gaps on 3 December 2026: %v %v, want [2027]", gaps, err)
		}
	})
}

// The board's tiles are honest: in-hand overdue is a part of the open
// matters and the list its tile links to is as long as it; the closed
// matters late in their follow-up are counted apart (a referral at the
// window not yet informed among them); this month so far is compared with
// the same days of the month before; the dashboard lists a leader's red
// matters once.
func TestBoardHonestTiles(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newCaseEnv(t, st)
		if err := e.svc.SetPost(jftest.CLI(), "plc_secretary", "610831", "lead"); err != nil {
			t.Fatal(err)
		}
		clock := time.Date(2026, 11, 2, 10, 0, 0, 0, domain.CST) // a Monday
		st.SetClock(func() time.Time { return clock })
		e.path("none").Matter(t, landCase("610831101"), jftest.Registered)   // overdue in hand
		e.path("none").Matter(t, landCase("610831101"), jftest.Closed)       // informing late
		red := e.path("red").Matter(t, landCase("610831101"), jftest.Signed) // in hand: 15 days, late since the 17th
		referred := landCase("610831101")
		referred.ReferredTo = "子洲县人民法院"
		if _, err := e.svc.RegisterCase(as(e.recep), referred); err != nil { // follow-up late
			t.Fatal(err)
		}
		clock = time.Date(2026, 11, 20, 10, 0, 0, 0, domain.CST)
		e.path("none").Matter(t, landCase("610831101"), jftest.Visited) // after 3 December's "same days"
		clock = time.Date(2026, 12, 2, 10, 0, 0, 0, domain.CST)
		e.path("none").Matter(t, landCase("610831101"), jftest.Assessed) // this month; due today
		clock = time.Date(2026, 12, 3, 10, 0, 0, 0, domain.CST)

		b, err := e.svc.Board(as(e.leader), "")
		if err != nil {
			t.Fatal(err)
		}
		// Open: the unassessed one, the red one (both late) and December's
		// (due for dispatch today); late in follow-up: the closed one and the
		// referral.
		if b.Open != 3 || b.Overdue != 2 || b.OverdueFollowUp != 2 || b.Overdue > b.Open {
			t.Errorf("open %d, overdue in hand %d, follow-up late %d; want 3, 2, 2", b.Open, b.Overdue, b.OverdueFollowUp)
		}
		for kind, want := range map[string]int{casework.OverdueInHand: b.Overdue, casework.OverdueFollowUp: b.OverdueFollowUp} {
			rows, _, err := e.svc.Cases(as(e.leader), casework.CaseQuery{Overdue: true, OverdueKind: kind, Limit: 200})
			if err != nil || len(rows) != want {
				t.Errorf("the list behind overdue=%s: %d rows, the tile says %d (%v)", kind, len(rows), want, err)
			}
		}
		rows, _, err := e.svc.Cases(as(e.leader), casework.CaseQuery{Statuses: domain.OpenStatuses, Limit: 200})
		if err != nil || len(rows) != b.Open {
			t.Errorf("the list behind 在办: %d rows, the tile says %d", len(rows), b.Open)
		}
		// The statistics agree with the tiles.
		s, err := e.svc.Statistics(as(e.leader), report.StatsQuery{From: b.Slow.MonthFrom.UTC(), To: b.Slow.MonthTo.AddDate(0, 0, 1).UTC()})
		if err != nil || s.Total.Overdue != b.Overdue || s.Total.OverdueFollowUp != b.OverdueFollowUp {
			t.Errorf("statistics %d and %d, board %d and %d (%v)", s.Total.Overdue, s.Total.OverdueFollowUp, b.Overdue, b.OverdueFollowUp, err)
		}
		// 1–3 December against 1–3 November: one registered against the four
		// of 2 November (the one of 20 November is not in the same days).
		p := b.Slow
		if p.MonthFrom.Format("01-02") != "12-01" || p.MonthTo.Format("01-02") != "12-03" || p.PrevFrom.Format("01-02") != "11-01" ||
			p.PrevTo.Format("01-02") != "11-03" {
			t.Errorf("periods %s–%s and %s–%s", p.MonthFrom.Format("01-02"), p.MonthTo.Format("01-02"), p.PrevFrom.Format("01-02"), p.PrevTo.Format("01-02"))
		}
		if p.Month.Registered != 1 || p.Prev.Registered != 4 {
			t.Errorf("this month %d, same days last month %d; want 1 and 4", p.Month.Registered, p.Prev.Registered)
		}
		// The leader leads the red matter: listed under "led by me" only.
		if len(b.Leading) != 1 || b.Leading[0].ID != red.ID || len(b.Red) != 1 || len(b.RedOthers()) != 0 {
			t.Errorf("leading %d, red %d, red others %d; want 1, 1, 0", len(b.Leading), len(b.Red), len(b.RedOthers()))
		}
		db, err := e.svc.Board(as(e.disp), "")
		if err != nil || len(db.RedOthers()) != 1 {
			t.Errorf("a dispatcher's red matters: %v", err)
		}
	})
}
