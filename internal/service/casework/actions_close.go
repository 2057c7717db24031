package casework

import (
	"slices"
	"strings"
	"time"

	"jiefen/internal/app"
	"jiefen/internal/domain"
)

// The end of a matter: closing with its outcome, informing the parties,
// the return visit, reopening and archiving.
func init() {
	register(
		actionSpec{name: "close", reads: []string{"outcome", "guidance", "referred_to"}, hands: assigneeOnlyFor, apply: applyClose, public: true},
		actionSpec{name: "inform", reads: []string{"method"}, hands: assigneeUnless(domain.RoleReceptionist), apply: applyInform, public: true,
			check: checkInformMethod},
		actionSpec{name: "visit", reads: []string{"satisfaction"}, apply: applyVisit, notify: notifyUnsatisfied, public: true},
		actionSpec{name: "reopen", apply: applyReopen, public: true},
		actionSpec{name: "archive", apply: applyArchive, public: true,
			available: func(c *domain.Case) bool { return c.Satisfaction != "unsatisfied" }},
	)
}

func applyClose(s *Service, a *acting) error {
	c, in, ev := a.c, a.in, a.ev
	o := domain.Outcome(in.Outcome)
	if !slices.Contains(domain.Outcomes, o) {
		return app.Required("outcome", "case.outcome.invalid")
	}
	if err := closeOutcome(c, o, in, ev); err != nil {
		return err
	}
	c.Outcome, c.ClosedAt = o, a.tx.Now
	ev.Data[domain.DataOutcome] = string(o)
	if len(c.CoHandlers) > 0 {
		// The matter is done: so is every part of it.
		if _, err := a.tx.EndCoHandlers(a.ctx, c.ID, 0); err != nil {
			return err
		}
		names := make([]string, len(c.CoHandlers))
		for i, h := range c.CoHandlers {
			names[i] = h.Name
		}
		ev.Data[domain.DataCohandlersEnded] = strings.Join(names, "、")
	}
	if o != domain.OutcomeResolved {
		return nil
	}
	// 人民调解法 第三十三条: the parties may ask a court to confirm the
	// agreement within 30 days of it taking effect.
	cal, err := s.Calendar(a.ctx)
	if err != nil {
		return err
	}
	return a.tx.AddMilestone(a.ctx, &domain.Milestone{CaseID: c.ID, Title: "提醒当事人：调解协议生效后 30 日内可申请司法确认",
		DueAt: cal.AddCalendarDays(a.tx.Now, 30).UTC(), Auto: "judicial_window"})
}

// closeOutcome checks what each outcome needs: a resolved matter its
// complete 六个一, an unresolved one the guidance given, a referred one
// where it went.
func closeOutcome(c *domain.Case, o domain.Outcome, in ActionInput, ev *domain.TimelineEntry) error {
	switch o {
	case domain.OutcomeResolved:
		if m := c.Six.Missing(); len(m) > 0 {
			return &domain.Error{Code: domain.Invalid, Key: "case.six.incomplete", Args: []any{len(m)}, Fields: map[string]string{"six": "case.six.incomplete_short"}}
		}
	case domain.OutcomeUnresolved:
		if !slices.Contains(domain.Guidance, in.Guidance) {
			return app.Required("guidance", "case.guidance.invalid")
		}
		c.Guidance = in.Guidance
		ev.Data[domain.DataGuidance] = in.Guidance
	case domain.OutcomeReferred:
		ref, ok := app.Text(in.ReferredTo, 100)
		if !ok || ref == "" {
			return app.Required("referred_to", "field.required")
		}
		c.ReferredTo = ref
		ev.Data[domain.DataReferredTo] = ref
	}
	return nil
}

// checkInformMethod: the method is one of domain.InformMethods (a code;
// the free text of older informs is only read, never written).
func checkInformMethod(in *ActionInput) error {
	in.Method = strings.TrimSpace(in.Method)
	switch {
	case in.Method == "":
		return app.Required("method", "case.method.required")
	case !domain.IsInformMethod(in.Method):
		return app.Required("method", "case.method.invalid")
	}
	return nil
}

func applyInform(s *Service, a *acting) error {
	if err := checkInformMethod(&a.in); err != nil {
		return err
	}
	a.ev.Data[domain.DataMethod] = a.in.Method
	return nil
}

func applyVisit(s *Service, a *acting) error {
	sat := a.in.Satisfaction
	if !slices.Contains(domain.Satisfactions, sat) {
		return app.Required("satisfaction", "case.satisfaction.invalid")
	}
	if sat == "unsatisfied" && a.note == "" {
		return app.Required("note", "case.visit.unsatisfied_note")
	}
	a.c.Satisfaction = sat
	a.ev.Data[domain.DataSatisfaction] = sat
	return nil
}

func notifyUnsatisfied(s *Service, a *acting) error {
	if a.c.Satisfaction != "unsatisfied" {
		return nil
	}
	return s.notifyDispatchers(a, "unsatisfied", "回访不满意")
}

func applyReopen(s *Service, a *acting) error {
	c := a.c
	c.Outcome, c.ClosedAt, c.Satisfaction, c.Assignee, c.Guidance, c.ReferredTo = "", time.Time{}, "", 0, "", ""
	return nil
}

func applyArchive(s *Service, a *acting) error {
	if a.c.Satisfaction == "unsatisfied" {
		return &domain.Error{Code: domain.Conflict, Key: "case.archive.unsatisfied"}
	}
	a.c.StepDueAt = time.Time{}
	return nil
}
