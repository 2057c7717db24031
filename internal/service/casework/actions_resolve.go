package casework

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"jiefen/internal/app"
	"jiefen/internal/domain"
)

// Resolution (化解): the 六个一, progress, mediation sessions, judicial
// confirmation, pausing the clock, extensions, and the matter's schedule.
func init() {
	register(
		actionSpec{name: "six", reads: []string{"six"}, hands: assigneeUnless(domain.RoleDispatcher, domain.RoleLeader), apply: applySix},
		actionSpec{name: "progress", hands: assigneeOnlyFor, coHandler: true},
		actionSpec{name: "session", reads: []string{"date", "place", "participants"}, hands: assigneeOnlyFor, coHandler: true,
			apply: applySession, public: true},
		actionSpec{name: "judicial", reads: []string{"result"}, hands: assigneeOnlyFor, apply: applyJudicial},
		actionSpec{name: "pause", reads: []string{"due"}, hands: assigneeOnlyFor, available: noPauseOrExtension, apply: applyPause},
		actionSpec{name: "resume", hands: assigneeUnless(domain.RoleDispatcher), apply: applyResume,
			available: func(c *domain.Case) bool { return !c.PausedAt.IsZero() }},
		actionSpec{name: "extend_request", reads: []string{"days", "parties_agree"}, hands: assigneeOnlyFor,
			available: noPauseOrExtension, apply: applyExtendRequest, notify: notifyLeadersOfExtension},
		actionSpec{name: "extend_approve", reads: []string{"method"}, available: extensionPending, apply: applyExtendAnswer,
			notify: notifyExtensionAnswer("延期已批准")},
		actionSpec{name: "extend_reject", available: extensionPending, apply: applyExtendAnswer,
			notify: notifyExtensionAnswer("延期未批准")},
		actionSpec{name: "milestone", reads: []string{"due"}, hands: assigneeOnlyFor, apply: applyMilestone},
		actionSpec{name: "milestone_done", reads: []string{"milestone"}, hands: assigneeOnlyFor, apply: applyMilestoneDone},
	)
}

func noPauseOrExtension(c *domain.Case) bool { return c.PausedAt.IsZero() && c.ExtendDays == 0 }

func extensionPending(c *domain.Case) bool { return c.ExtendDays > 0 }

func applySix(s *Service, a *acting) error {
	if a.in.Six == nil {
		return app.Required("six", "field.required")
	}
	six := *a.in.Six
	var ok bool
	for _, v := range []*string{&six.LeadLeader, &six.MediationOrg, &six.DockingUnit, &six.GuidanceAdviser} {
		if *v, ok = app.Text(*v, 100); !ok {
			return app.Required("six", "field.too_long")
		}
	}
	for _, v := range []*string{&six.Plan, &six.Schedule, &six.GuidanceText} {
		if *v, ok = app.Text(*v, 4000); !ok {
			return app.Required("six", "field.too_long")
		}
	}
	a.c.Six = six
	a.ev.Data[domain.DataMissing] = strings.Join(six.Missing(), ",")
	return nil
}

func applySession(s *Service, a *acting) error {
	in, now := a.in, a.tx.Now
	place, ok1 := app.Text(in.Place, 100)
	people, ok2 := app.Text(in.Participants, 500)
	// Every missing field at once, so the form is corrected in one go.
	f := domain.FieldErrors{}
	switch {
	case in.Date.IsZero():
		f.Add("date", "field.required")
	case in.Date.After(now.Add(366 * 24 * time.Hour)):
		f.Add("date", "field.date")
	}
	if !ok1 || place == "" {
		f.Add("place", "field.required")
	}
	if !ok2 || people == "" {
		f.Add("participants", "field.required")
	}
	if err := f.Err(); err != nil {
		return err
	}
	a.ev.Data[domain.DataDate] = in.Date.In(domain.CST).Format("2006-01-02")
	a.ev.Data[domain.DataPlace], a.ev.Data[domain.DataParticipants] = place, people
	return nil
}

func applyJudicial(s *Service, a *acting) error {
	if !slices.Contains(domain.JudicialResults, a.in.Result) {
		return app.Required("result", "case.judicial.invalid")
	}
	a.ev.Data[domain.DataResult] = a.in.Result
	return nil
}

func applyPause(s *Service, a *acting) error {
	c, due, now := a.c, a.in.Due, a.tx.Now
	if !c.PausedAt.IsZero() {
		return &domain.Error{Code: domain.Conflict, Key: "case.pause.already"}
	}
	if due.IsZero() || !due.After(now) || due.After(now.Add(366*24*time.Hour)) {
		return app.Required("due", "case.pause.until")
	}
	c.PausedAt, c.PausedUntil = now, due
	a.ev.Data[domain.DataUntil] = due.UTC().Format(time.RFC3339)
	return nil
}

func applyResume(s *Service, a *acting) error {
	if a.c.PausedAt.IsZero() {
		return &domain.Error{Code: domain.Conflict, Key: "case.pause.not_paused"}
	}
	resume(a.c, a.tx.Now, a.ev)
	return nil
}

func applyExtendRequest(s *Service, a *acting) error {
	c, in := a.c, a.in
	if c.ExtendDays > 0 {
		return &domain.Error{Code: domain.Conflict, Key: "case.extend.pending"}
	}
	if in.Days < 1 || in.Days > 30 {
		return app.Required("days", "case.extend.days")
	}
	if c.Category == "petition" && extendedDays(c)+in.Days > 30 {
		// 信访: handling may be extended by at most 30 days in all.
		return app.Required("days", "case.extend.petition_cap")
	}
	if a.actor.Has(domain.RoleMediator) && !in.PartiesAgree {
		// People's mediation goes on past its month only if both parties
		// agree; the mediator records that they did.
		return app.Required("parties_agree", "case.extend.parties_agree")
	}
	if in.PartiesAgree {
		a.ev.Data[domain.DataPartiesAgree] = "yes"
	}
	c.ExtendDays = in.Days
	a.ev.Data[domain.DataDays] = fmt.Sprint(in.Days)
	return nil
}

// extendedDays adds up the extensions already approved.
func extendedDays(c *domain.Case) int {
	used := 0
	for _, e := range c.Timeline {
		if e.Action == "extend_approve" {
			var d int
			fmt.Sscan(e.Data[domain.DataDays], &d)
			used += d
		}
	}
	return used
}

func notifyLeadersOfExtension(s *Service, a *acting) error {
	c, ev := a.c, a.ev
	ls, err := a.tx.UsersWithRoleOver(a.ctx, domain.RoleLeader, c.OrgPath)
	if err != nil {
		return err
	}
	text := fmt.Sprintf("%s 申请延期 %s 天（%s）：%s", c.Number, ev.Data[domain.DataDays], a.actor.Name, truncateRunes(ev.Note, 60))
	return s.notify(a.ctx, a.tx, ls, c.ID, "extension", text)
}

// applyExtendAnswer approves or refuses the pending extension: another
// person's answer to the request (the four-eyes rule).
func applyExtendAnswer(s *Service, a *acting) error {
	c, ev := a.c, a.ev
	if c.ExtendDays == 0 {
		return &domain.Error{Code: domain.Conflict, Key: "case.extend.none"}
	}
	if req := latest(c, "extend_request"); req != nil {
		if err := app.FourEyes(a.ctx, a.tx, req.ActorID, a.actor, "case."+ev.Action, "case", c.Number, c.OrgPath); err != nil {
			return err
		}
	}
	ev.Data[domain.DataDays] = fmt.Sprint(c.ExtendDays)
	if ev.Action == "extend_approve" {
		m, ok := app.Text(a.in.Method, 50)
		if !ok || m == "" {
			return app.Required("method", "case.extend.method")
		}
		cal, err := s.Calendar(a.ctx)
		if err != nil {
			return err
		}
		c.StepDueAt = cal.AddCalendarDays(c.StepDueAt, c.ExtendDays).UTC()
		ev.Data[domain.DataDue] = c.StepDueAt.Format(time.RFC3339)
		ev.Data[domain.DataMethod] = m
	}
	c.ExtendDays = 0
	return nil
}

func notifyExtensionAnswer(verdict string) func(s *Service, a *acting) error {
	return func(s *Service, a *acting) error {
		c := a.c
		return s.notify(a.ctx, a.tx, []int64{c.Assignee}, c.ID, "extension", fmt.Sprintf("%s %s（%s）", c.Number, verdict, a.actor.Name))
	}
}

func applyMilestone(s *Service, a *acting) error {
	due := a.in.Due
	if due.IsZero() || due.Before(a.tx.Now.Add(-24*time.Hour)) {
		return app.Required("due", "field.date")
	}
	m := &domain.Milestone{CaseID: a.c.ID, Title: truncateRunes(a.note, 200), DueAt: due}
	if err := a.tx.AddMilestone(a.ctx, m); err != nil {
		return err
	}
	a.ev.Data[domain.DataDue] = due.UTC().Format(time.RFC3339)
	return nil
}

func applyMilestoneDone(s *Service, a *acting) error {
	ok, err := a.tx.DoneMilestone(a.ctx, a.c.ID, a.in.Milestone, a.actor.ID)
	if err != nil {
		return err
	}
	if !ok {
		return app.Required("milestone", "case.milestone.invalid")
	}
	a.ev.Data[domain.DataMilestone] = fmt.Sprint(a.in.Milestone)
	return nil
}

// latest is the matter's most recent timeline entry of action, or nil.
func latest(c *domain.Case, action string) *domain.TimelineEntry {
	var out *domain.TimelineEntry
	for i := range c.Timeline {
		if e := &c.Timeline[i]; e.Action == action && (out == nil || e.ID > out.ID) {
			out = e
		}
	}
	return out
}
