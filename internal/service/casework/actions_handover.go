package casework

import (
	"fmt"
	"slices"

	"jiefen/internal/app"
	"jiefen/internal/domain"
)

// Handing a matter over: dispatch and transfer to a handler or mediator,
// sharing parts of it with co-handlers (联合办理), signing for it or
// returning it.
func init() {
	register(
		actionSpec{name: "dispatch", reads: []string{"assignee"}, apply: applyAssign, notify: notifyAssignee, public: true},
		actionSpec{name: "transfer", reads: []string{"assignee"}, hands: assigneeUnless(domain.RoleDispatcher),
			apply: applyAssign, notify: notifyAssignee, public: true},
		actionSpec{name: "cohandle", reads: []string{"assignee"}, hands: leadOrDispatcher, apply: applyCohandle,
			notify: notifyCohandler("%s 请您协办（%s）：%s")},
		actionSpec{name: "cohandle_end", reads: []string{"assignee"}, hands: leadOrDispatcher, apply: applyCohandleEnd,
			notify: notifyCohandler("%s 协办结束（%s）：%s")},
		actionSpec{name: "sign", hands: assigneeOnlyFor, apply: applySign, public: true, redDeadline: true},
		actionSpec{name: "return", hands: assigneeOnlyFor, apply: applyReturn, notify: notifyReturned},
	)
}

// assigneeOnlyFor keeps a handling step in the assignee's hands.
func assigneeOnlyFor(*domain.User) hands { return assigneeOnly }

// leadOrDispatcher: the dispatcher of the place or the matter's lead
// shares a matter out.
func leadOrDispatcher(u *domain.User) hands {
	if u.Has(domain.RoleDispatcher) {
		return placeOnly
	}
	return assigneeOnly
}

func applyAssign(s *Service, a *acting) error {
	c, ev := a.c, a.ev
	// The one rule the pickers offer by (candidates.go): a handler or
	// mediator whose jurisdiction holds the matter's place, since they will
	// see its parties.
	u, err := personFor(a, ev.Action)
	if err != nil {
		return err
	}
	c.Assignee = u.ID
	ev.Data[domain.DataAssignee] = u.Username
	ev.Data[domain.DataAssigneeName] = u.Name
	if c.IsCoHandler(u.ID) {
		// The new lead no longer works only a part.
		if _, err := a.tx.EndCoHandlers(a.ctx, c.ID, u.ID); err != nil {
			return err
		}
	}
	return nil
}

func notifyAssignee(s *Service, a *acting) error {
	c := a.c
	return s.notify(a.ctx, a.tx, []int64{c.Assignee}, c.ID, "assignment", fmt.Sprintf("%s 交办给您：%s", c.Number, truncateRunes(c.Description, 40)))
}

func applyCohandle(s *Service, a *acting) error {
	c, ev := a.c, a.ev
	u, err := personFor(a, "cohandle")
	if err != nil {
		return err
	}
	if len(c.CoHandlers) >= 10 {
		return app.Required("assignee", "case.cohandler.too_many")
	}
	if err := a.tx.AddCoHandler(a.ctx, c.ID, u.ID, a.note, a.actor.ID); err != nil {
		return err
	}
	ev.Data[domain.DataCohandler], ev.Data[domain.DataCohandlerName] = u.Username, u.Name
	return nil
}

func applyCohandleEnd(s *Service, a *acting) error {
	c, ev := a.c, a.ev
	u, err := a.tx.UserByUsername(a.ctx, a.in.Assignee)
	if err != nil || !c.IsCoHandler(u.ID) {
		return app.Required("assignee", "case.cohandler.not")
	}
	if _, err := a.tx.EndCoHandlers(a.ctx, c.ID, u.ID); err != nil {
		return err
	}
	ev.Data[domain.DataCohandler], ev.Data[domain.DataCohandlerName] = u.Username, u.Name
	return nil
}

func notifyCohandler(format string) func(s *Service, a *acting) error {
	return func(s *Service, a *acting) error {
		c, ev := a.c, a.ev
		to := []int64{idOf(a.ctx, a.tx, ev.Data[domain.DataCohandler])}
		return s.notify(a.ctx, a.tx, to, c.ID, "cohandle", fmt.Sprintf(format, c.Number, a.actor.Name, truncateRunes(ev.Note, 60)))
	}
}

func applySign(s *Service, a *acting) error {
	ctx, tx, c := a.ctx, a.tx, a.c
	cal, err := s.Calendar(ctx)
	if err != nil {
		return err
	}
	ms, err := tx.Milestones(ctx, c.ID)
	if err != nil || slices.ContainsFunc(ms, func(m domain.Milestone) bool { return m.Auto == "first_contact" }) {
		return err // first contact is counted once, on the first sign-for
	}
	return tx.AddMilestone(ctx, &domain.Milestone{CaseID: c.ID, Title: "首次联系双方当事人", DueAt: cal.AddWorkingDays(tx.Now, 3).UTC(), Auto: "first_contact"})
}

func applyReturn(s *Service, a *acting) error {
	a.c.Assignee = 0
	return nil
}

// notifyDispatchers tells the dispatchers over the matter's place.
func (s *Service) notifyDispatchers(a *acting, kind, what string) error {
	ds, err := a.tx.UsersWithRoleOver(a.ctx, domain.RoleDispatcher, a.c.OrgPath)
	if err != nil {
		return err
	}
	text := fmt.Sprintf("%s %s（%s）：%s", a.c.Number, what, a.actor.Name, truncateRunes(a.ev.Note, 60))
	return s.notify(a.ctx, a.tx, ds, a.c.ID, kind, text)
}

func notifyReturned(s *Service, a *acting) error {
	return s.notifyDispatchers(a, "returned", "被退回")
}
