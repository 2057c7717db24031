package service_test

import (
	"strings"
	"testing"
	"time"

	"jiefen/internal/domain"
	"jiefen/internal/jftest"
	"jiefen/internal/service/casework"
	"jiefen/internal/store"
)

// Three colours on both engines: grading sets the lead leader from the
// posts, tells them and puts the matter on their dashboard; re-grades are
// events with reasons; anyone may report deterioration, which asks the
// dispatchers for a re-grade; red matters get the tighter deadline and a
// daily progress reminder.
func TestThreeColours(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newCaseEnv(t, st)
		cli := jftest.CLI()
		sec := jftest.MakeUser(t, e.svc, "plcsec", "610831", domain.RoleLeader)
		dir := jftest.MakeUser(t, e.svc, "director", "610831", domain.RoleLeader)
		town := jftest.MakeUser(t, e.svc, "townsec", "610831101", domain.RoleLeader)
		for _, p := range [][3]string{{"plc_secretary", "610831", "plcsec"}, {"centre_director", "610831", "director"}, {"township_secretary", "610831101", "townsec"}} {
			if err := e.svc.SetPost(cli, p[0], p[1], p[2]); err != nil {
				t.Fatalf("post %v: %v", p, err)
			}
		}
		if err := e.svc.SetPost(cli, "township_secretary", "610831", "plcsec"); domain.ErrorCode(err) != domain.Invalid {
			t.Fatalf("township post at the county: %v", err)
		}
		if err := e.svc.SetPost(cli, "plc_secretary", "610831", "disp"); domain.ErrorCode(err) != domain.Invalid {
			t.Fatalf("a dispatcher as secretary: %v", err)
		}
		if err := e.svc.SetPost(as(e.disp), "plc_secretary", "610831", "plcsec"); domain.ErrorCode(err) != domain.Forbidden {
			t.Fatalf("a dispatcher set a post: %v", err)
		}

		c, err := e.svc.RegisterCase(as(e.recep), landCase("610831101200"))
		if err != nil {
			t.Fatal(err)
		}
		c = act(t, e, e.disp, c.ID, "assess", casework.ActionInput{Risk: "red"})
		if c.LeadID != sec.ID || !strings.Contains(c.Six.LeadLeader, "政法委书记") {
			t.Fatalf("red lead %d %q", c.LeadID, c.Six.LeadLeader)
		}
		work, _ := e.svc.WorkSummary(as(sec))
		if work["leading"] != 1 {
			t.Fatalf("secretary's dashboard %v", work)
		}
		rows, _, err := e.svc.Cases(as(sec), casework.CaseQuery{Leading: true})
		if err != nil || len(rows) != 1 || rows[0].ID != c.ID {
			t.Fatalf("leading list: %v %d", err, len(rows))
		}
		if n, _ := jftest.Count(st, `SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND kind = 'lead'`, sec.ID); n != 1 {
			t.Fatalf("secretary told %d times", n)
		}

		// Down to yellow, with a reason: the township secretary leads.
		if _, err := e.svc.Act(as(e.disp), c.ID, "regrade", casework.ActionInput{Risk: "yellow"}); domain.ErrorCode(err) != domain.Invalid {
			t.Fatalf("regrade without reason: %v", err)
		}
		if _, err := e.svc.Act(as(e.disp), c.ID, "regrade", casework.ActionInput{Risk: "red", Reason: "x"}); domain.ErrorCode(err) != domain.Invalid {
			t.Fatalf("regrade to the same colour: %v", err)
		}
		c = act(t, e, e.disp, c.ID, "regrade", casework.ActionInput{Risk: "yellow", Reason: "双方已同意调解，情绪平稳"})
		ev := c.Timeline[len(c.Timeline)-1]
		if c.Risk != "yellow" || c.LeadID != town.ID || ev.Data[domain.DataDirection] != "down" || ev.Data[domain.DataFromRisk] != "red" || !strings.Contains(ev.Note, "情绪平稳") {
			t.Fatalf("regrade: risk %s lead %d event %+v", c.Risk, c.LeadID, ev)
		}
		if work, err := e.svc.WorkSummary(as(sec)); err != nil || work["leading"] != 0 {
			t.Fatalf("secretary still leads %v", work)
		}
		// A leader may hand the lead to another leader, with a reason.
		c = act(t, e, e.leader, c.ID, "lead", casework.ActionInput{Assignee: "director", Reason: "涉及多个部门，由中心主任统筹"})
		if c.LeadID != dir.ID {
			t.Fatalf("lead changed to %d", c.LeadID)
		}

		// A grid worker reports it getting worse: the dispatchers are asked
		// to re-grade.
		grid := jftest.MakeUser(t, e.svc, "grid2", "610831101200", domain.RoleGridWorker)
		c = act(t, e, grid, c.ID, "deteriorate", casework.ActionInput{Note: "李家召集了二十多人，扬言明天去镇政府"})
		if c.RegradeAt.IsZero() {
			t.Fatal("no re-grade due after deterioration")
		}
		if work, _ := e.svc.WorkSummary(as(e.disp)); work["to_regrade"] != 1 {
			t.Fatalf("dispatcher's re-grade tile %v", work)
		}
		if n, _ := jftest.Count(st, `SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND kind = 'deteriorate'`, e.disp.ID); n != 1 {
			t.Fatalf("dispatcher told %d times", n)
		}
		c = act(t, e, e.disp, c.ID, "regrade", casework.ActionInput{Risk: "red", Reason: "网格员报告聚集风险"})
		if !c.RegradeAt.IsZero() || c.LeadID != sec.ID || c.Timeline[len(c.Timeline)-1].Data[domain.DataDirection] != "up" {
			t.Fatalf("after regrade: %v lead %d", c.RegradeAt, c.LeadID)
		}

		// Red in resolution: the tighter deadline, and a daily reminder.
		act(t, e, e.disp, c.ID, "dispatch", casework.ActionInput{Assignee: "med1"})
		c = act(t, e, e.med, c.ID, "sign", casework.ActionInput{})
		cal, err := e.svc.Calendar(cli)
		if err != nil {
			t.Fatal(err)
		}
		if want := cal.AddCalendarDays(c.Timeline[len(c.Timeline)-1].At, casework.RedResolutionDays); !c.StepDueAt.Equal(want.UTC()) {
			t.Fatalf("red deadline %v, want %v", c.StepDueAt, want)
		}
		// Tomorrow at 16:00 China time nothing was recorded that day.
		now := time.Now().In(domain.CST)
		st.SetClock(func() time.Time {
			return time.Date(now.Year(), now.Month(), now.Day()+1, 16, 0, 0, 0, domain.CST)
		})
		if _, err := e.svc.SweepDeadlines(cli); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.SweepDeadlines(cli); err != nil {
			t.Fatal(err)
		}
		if n, _ := jftest.Count(st, `SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND kind = 'red_daily'`, e.med.ID); n != 1 {
			t.Fatalf("red daily reminders %d, want exactly 1", n)
		}
	})
}
