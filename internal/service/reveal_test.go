package service_test

import (
	"slices"
	"testing"
	"time"

	"jiefen/internal/domain"
	"jiefen/internal/jftest"
	"jiefen/internal/store"
)

// The reveal budget (issue 14, point 5): full views of personal data are
// capped per account per day and per minute; past either the view is
// refused, the security administrator over the account is told once, and
// the security report shows it; another person may grant more for the day
// (not the viewer itself).
func TestRevealBudget(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		p := jftest.FastPolicy()
		p.RevealDailyCap, p.RevealPerMinute = 3, 100
		svc := jftest.ServiceWith(st, p)
		jftest.SeedTree(t, svc)
		clock := time.Date(2026, 11, 2, 10, 0, 0, 0, domain.CST)
		st.SetClock(func() time.Time { return clock })
		recep := jftest.MakeUser(t, svc, "recep", "610831", domain.RoleReceptionist, domain.RoleDispatcher)
		lead := jftest.MakeUser(t, svc, "lead", "610831", domain.RoleLeader)
		sec := jftest.MakeUser(t, svc, "sec", "610831", domain.RoleSecurityAdmin)
		c, err := svc.RegisterCase(as(recep), landCase("610831101"))
		if err != nil {
			t.Fatal(err)
		}
		party := c.Parties[0].ID
		reveal := func() error {
			clock = clock.Add(10 * time.Second)
			_, _, err := svc.RevealParty(as(recep), c.ID, party, "核对身份")
			return err
		}
		for i := range 3 {
			if err := reveal(); err != nil {
				t.Fatalf("reveal %d: %v", i+1, err)
			}
		}
		// The fourth is refused, twice: one alert, one notice.
		for range 2 {
			if err := reveal(); domain.ErrorKey(err) != "reveal.budget" {
				t.Fatalf("past the cap: %v", err)
			}
		}
		items, _, _ := svc.Inbox(as(sec), false)
		if n := len(slices.DeleteFunc(items, func(n domain.Notification) bool { return n.Kind != "security" })); n != 1 {
			t.Errorf("the security admin was told %d times, want 1", n)
		}
		r, err := svc.SecurityReport(as(sec))
		if err != nil || len(r.Alerts) != 1 || r.Alerts[0].Kind != domain.AlertRevealBudget || len(r.Revealers) != 1 || r.Revealers[0].N != 3 {
			t.Fatalf("report: %+v %v", r, err)
		}
		if _, err := svc.SecurityReport(as(lead)); domain.ErrorCode(err) != domain.Forbidden {
			t.Errorf("a leader read the security report: %v", err)
		}
		// More for today: asked by the viewer, approved by another person.
		g, err := svc.RequestRevealGrant(as(recep), "今日集中核对群体事项当事人身份")
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.ApproveRevealGrant(as(recep), g.ID); domain.ErrorKey(err) != "four_eyes.self" {
			t.Errorf("the viewer approved its own grant: %v", err)
		}
		if err := reveal(); domain.ErrorKey(err) != "reveal.budget" {
			t.Errorf("before the approval: %v", err)
		}
		if err := svc.ApproveRevealGrant(as(lead), g.ID); err != nil {
			t.Fatal(err)
		}
		if err := reveal(); err != nil {
			t.Errorf("after the approval: %v", err)
		}
		// Too fast: the rate.
		p.RevealPerMinute = 2
		fast := jftest.ServiceWith(st, p)
		if _, _, err := fast.RevealParty(as(recep), c.ID, party, "核对身份"); domain.ErrorKey(err) != "reveal.too_fast" {
			t.Errorf("too fast: %v", err)
		}
		if err := svc.HandleAlert(as(sec), r.Alerts[0].ID, "已电话核实，系集中核对"); err != nil {
			t.Fatal(err)
		}
		if r, _ := svc.SecurityReport(as(sec)); len(r.Alerts) != 2 || r.Alerts[1].HandledAt.IsZero() {
			t.Errorf("alerts after handling: %+v", r.Alerts)
		}
		// The next day starts afresh.
		clock = clock.Add(24 * time.Hour)
		if err := reveal(); err != nil {
			t.Errorf("the next day: %v", err)
		}
	})
}
