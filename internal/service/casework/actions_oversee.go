package casework

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"jiefen/internal/app"
	"jiefen/internal/authz"
	"jiefen/internal/domain"
)

// Oversight and care around a matter: notes, reminders (催办), supervision
// orders (督办) and their replies, corrections to the registration, and
// the grid worker's long-term watch after it is closed.
func init() {
	register(
		actionSpec{name: "note", coHandler: true},
		actionSpec{name: "remind", apply: applyRemind, notify: notifyRemind},
		actionSpec{name: "supervise", reads: []string{"due"}, apply: applySupervise, notify: notifySupervise},
		actionSpec{name: "reply", hands: assigneeOnlyFor, apply: applyReply, notify: notifyReply, available: func(c *domain.Case) bool {
			return slices.ContainsFunc(c.Timeline, func(e domain.TimelineEntry) bool { return e.Action == "supervise" })
		}},
		actionSpec{name: "correct", reads: []string{"description", "address", "move_to"}, apply: applyCorrect},
		actionSpec{name: "watch", reads: []string{"assignee", "days"}, apply: applyWatch,
			available: func(c *domain.Case) bool { return c.WatcherID == 0 }},
		actionSpec{name: "checkin", hands: func(*domain.User) hands { return watcherOnly }, apply: applyCheckin, available: watched},
		actionSpec{name: "unwatch", apply: applyUnwatch, available: watched},
	)
}

func watched(c *domain.Case) bool { return c.WatcherID != 0 }

func applyRemind(s *Service, a *acting) error {
	a.ev.Data[domain.DataTo] = fmt.Sprint(a.c.Assignee)
	return nil
}

func notifyRemind(s *Service, a *acting) error {
	c := a.c
	text := fmt.Sprintf("%s 催办（%s）：%s", c.Number, a.actor.Name, truncateRunes(a.ev.Note, 60))
	return s.notify(a.ctx, a.tx, []int64{c.Assignee}, c.ID, "reminder", text)
}

// applySupervise: a supervision is another person's oversight (the
// four-eyes rule): a leader who also handles matters cannot supervise one
// in their own hands.
func applySupervise(s *Service, a *acting) error {
	if a.c.Assignee != 0 {
		if err := app.FourEyes(a.ctx, a.tx, a.c.Assignee, a.actor, "case.supervise", "case", a.c.Number, a.c.OrgPath); err != nil {
			return err
		}
	}
	due := a.in.Due
	if due.IsZero() || !due.After(a.tx.Now) {
		return app.Required("due", "case.supervise.due")
	}
	a.ev.Data[domain.DataDue] = due.UTC().Format(time.RFC3339)
	return a.tx.AddSupervision(a.ctx, a.c.ID, a.actor.ID, due)
}

func notifySupervise(s *Service, a *acting) error {
	c, ev := a.c, a.ev
	due, _ := time.Parse(time.RFC3339, ev.Data[domain.DataDue])
	text := fmt.Sprintf("%s 督办（%s），%s 前回复：%s", c.Number, a.actor.Name, due.In(domain.CST).Format("01-02"), truncateRunes(ev.Note, 60))
	return s.notify(a.ctx, a.tx, []int64{c.Assignee}, c.ID, "supervision", text)
}

// applyReply: nobody answers their own supervision order (the matter may
// have come into the leader's hands since it was given).
func applyReply(s *Service, a *acting) error {
	leaders, err := a.tx.OpenSupervisionLeaders(a.ctx, a.c.ID)
	if err != nil {
		return err
	}
	for _, l := range leaders {
		if err := app.FourEyes(a.ctx, a.tx, l, a.actor, "case.reply", "case", a.c.Number, a.c.OrgPath); err != nil {
			return err
		}
	}
	return nil
}

func notifyReply(s *Service, a *acting) error {
	leaders, err := a.tx.ReplySupervisions(a.ctx, a.c.ID)
	if err != nil {
		return err
	}
	text := fmt.Sprintf("%s 督办回复（%s）：%s", a.c.Number, a.actor.Name, truncateRunes(a.ev.Note, 60))
	return s.notify(a.ctx, a.tx, leaders, a.c.ID, "reply", text)
}

func applyCorrect(s *Service, a *acting) error {
	c, in, ev := a.c, a.in, a.ev
	changed := 0
	if in.Description != nil {
		d, ok := app.Text(*in.Description, 5000)
		if !ok || utf8.RuneCountInString(d) < 10 {
			return app.Required("description", "case.description.short")
		}
		if d != c.Description {
			ev.Data[domain.DataDescriptionBefore], c.Description = c.Description, d
			changed++
		}
	}
	if in.Address != nil {
		d, ok := app.Text(*in.Address, 200)
		if !ok || d == "" {
			return app.Required("address", "field.required")
		}
		if d != c.Address {
			ev.Data[domain.DataAddressBefore], c.Address = c.Address, d
			changed++
		}
	}
	if in.MoveTo != nil && strings.TrimSpace(*in.MoveTo) != c.OrgCode {
		if err := s.moveCase(a, strings.TrimSpace(*in.MoveTo)); err != nil {
			return err
		}
		changed++
	}
	if changed == 0 {
		return app.Required("description", "case.correct.nothing")
	}
	tokens, err := a.tx.CaseSearchText(a.ctx, c.ID)
	if err != nil {
		return err
	}
	return a.tx.SetCaseText(a.ctx, c.ID, c.Description, c.Address, strings.Join(domain.SearchTokens(c.Description+" "+c.Address+" "+tokens), " "))
}

// moveCase moves a matter registered to the wrong place; from now on it
// counts where it is (the statistics count the place now). Both places
// must be the corrector's: a matter is neither pulled in from nor pushed
// out to a place they do not govern.
func (s *Service) moveCase(a *acting, code string) error {
	c, ev := a.c, a.ev
	org, err := a.tx.Org(a.ctx, code)
	if err != nil {
		return app.Required("move_to", "org.not_found")
	}
	for _, path := range []string{c.OrgPath, org.Path} {
		if err := s.Check(a.ctx, authz.CaseRegister, "case", c.Number, path); err != nil {
			e := app.Refuse(domain.Forbidden, "case.correct.place_outside", "case.move", "case", c.Number, path) // audited by Update
			e.Fields = map[string]string{"move_to": "case.correct.place_outside"}
			return e
		}
	}
	ev.Data[domain.DataPathBefore] = c.OrgPath
	ev.Data[domain.DataPlaceBefore], ev.Data[domain.DataPlace] = c.OrgCode, org.Code
	ev.Data[domain.DataPlaceName] = org.Name
	c.OrgCode, c.OrgPath = org.Code, org.Path
	return nil
}

func applyWatch(s *Service, a *acting) error {
	c, in, ev := a.c, a.in, a.ev
	w, err := personFor(a, "watch")
	if err != nil {
		return err
	}
	if in.Days < 1 || in.Days > 90 {
		return app.Required("days", "case.watch.days")
	}
	c.WatcherID, c.WatchEvery = w.ID, in.Days
	cal, err := s.Calendar(a.ctx)
	if err != nil {
		return err
	}
	c.NextCheckin = cal.AddCalendarDays(a.tx.Now, in.Days).UTC()
	ev.Data[domain.DataWatcher], ev.Data[domain.DataWatcherName], ev.Data[domain.DataDays] = w.Username, w.Name, fmt.Sprint(in.Days)
	text := fmt.Sprintf("%s 纳入网格管控，请每 %d 天走访一次：%s", c.Number, in.Days, truncateRunes(c.Description, 40))
	return s.notify(a.ctx, a.tx, []int64{w.ID}, c.ID, "watch", text)
}

func applyCheckin(s *Service, a *acting) error {
	cal, err := s.Calendar(a.ctx)
	if err != nil {
		return err
	}
	a.c.NextCheckin = cal.AddCalendarDays(a.tx.Now, a.c.WatchEvery).UTC()
	a.ev.Data[domain.DataNext] = a.c.NextCheckin.Format(time.RFC3339)
	return nil
}

func applyUnwatch(s *Service, a *acting) error {
	c := a.c
	if c.WatcherID == 0 {
		return &domain.Error{Code: domain.Conflict, Key: "case.watch.none"}
	}
	c.WatcherID, c.WatchEvery, c.NextCheckin = 0, 0, time.Time{}
	return nil
}
