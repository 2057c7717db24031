package casework

import (
	"context"
	"fmt"
	"slices"
	"time"

	"jiefen/internal/app"
	"jiefen/internal/domain"
	"jiefen/internal/store"
)

// Task is a matter waiting for the actor, and what it waits for: a row of
// the home page's 我的任务.
type Task struct {
	ID                     int64
	Number, Title, OrgName string
	Status                 domain.Status
	Risk                   domain.Risk
	// Kind is what the actor is to do: to_sign, to_resolve, to_reply
	// (a supervision order awaits the reply), to_inform, cohandling,
	// checkin (a watched matter's visit is due within a day or past) or
	// watched (under the actor's grid watch, the visit later).
	Kind string
	Due  time.Time // the step's deadline, or the next check-in of a watched matter
	// Urgency: 0 the date has passed, 1 it comes within 24 hours, 2 later
	// or none (and while the clock is paused).
	Urgency int
	Paused  bool
}

// Late and Soon name the urgencies for the templates.
func (t Task) Late() bool { return t.Urgency == 0 }

// Soon reports a date within the next 24 hours.
func (t Task) Soon() bool { return t.Urgency == 1 }

// TaskLimit is how many matters the work list reads at most.
const TaskLimit = 200

// kindRank orders tasks of the same urgency: what blocks others first.
var kindRank = map[string]int{"to_sign": 0, "to_reply": 1, "checkin": 2, "to_inform": 3, "to_resolve": 4, "cohandling": 5, "watched": 6}

// Tasks lists the matters waiting for the actor (assigned, co-handled or
// under their grid watch), in one query: the late ones first, then those
// due within a day, then the rest; within each, what blocks others first
// (to sign for, a supervision to answer, a visit due), then by date.
func (s *Service) Tasks(ctx context.Context) ([]Task, error) {
	u := domain.ActorFrom(ctx).User
	if u == nil {
		return nil, app.ErrNoSession
	}
	var out []Task
	err := s.Store().View(ctx, func(tx *store.Tx) error {
		cases, toReply, err := tx.WorkOf(ctx, u.ID, TaskLimit)
		if err != nil {
			return err
		}
		for _, c := range cases {
			if worksHere(u, c) {
				out = append(out, taskOf(c, u.ID, toReply[c.ID], tx.Now))
			}
		}
		return nil
	})
	slices.SortStableFunc(out, func(a, b Task) int {
		if a.Urgency != b.Urgency {
			return a.Urgency - b.Urgency
		}
		return kindRank[a.Kind] - kindRank[b.Kind]
	})
	return out, err
}

// taskOf says what matter c waits for from user uid at now.
func taskOf(c *domain.Case, uid int64, toReply bool, now time.Time) Task {
	t := Task{ID: c.ID, Number: c.Number, Title: truncateRunes(c.Description, 60), OrgName: c.OrgName, Status: c.Status,
		Risk: c.Risk, Due: c.StepDueAt, Paused: !c.PausedAt.IsZero()}
	switch {
	case c.Assignee == uid && c.Status == domain.StatusDispatched:
		t.Kind = "to_sign"
	case c.Assignee == uid && c.Status == domain.StatusClosed:
		t.Kind = "to_inform"
	case c.Assignee == uid && toReply:
		t.Kind = "to_reply"
	case c.Assignee == uid:
		t.Kind = "to_resolve"
	case c.WatcherID == uid:
		t.Kind, t.Due, t.Paused = "watched", c.NextCheckin, false
	default:
		t.Kind = "cohandling"
	}
	t.Urgency = 2
	if !t.Due.IsZero() && !t.Paused {
		switch {
		case now.After(t.Due):
			t.Urgency = 0
		case t.Due.Before(now.Add(24 * time.Hour)):
			t.Urgency = 1
		}
	}
	if t.Kind == "watched" && t.Urgency < 2 {
		t.Kind = "checkin"
	}
	return t
}

// afterMove runs when account u has moved to another place: its rights
// over the matters it was linked to outside the new place ended with the
// move (Link), so the dispatchers over each such open matter are told to
// hand it to someone else. It returns how many there are.
func (s *Service) afterMove(ctx context.Context, tx *store.Tx, u *domain.User) (int, error) {
	cases, _, err := tx.WorkOf(ctx, u.ID, TaskLimit)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, c := range cases {
		if worksHere(u, c) {
			continue
		}
		disp, err := tx.UsersWithRoleOver(ctx, domain.RoleDispatcher, c.OrgPath)
		if err != nil {
			return n, err
		}
		text := fmt.Sprintf("%s 的经办人%s已调至%s，不能再办理此事项，请改派：%s", c.Number, u.Name, u.OrgName, truncateRunes(c.Description, 40))
		if err := s.notify(ctx, tx, disp, c.ID, "handover", text); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// worksHere: matter c of u's work list (assigned, shared or watched) is
// still u's where u is now — within u's jurisdiction, or a watch from a
// grid below the matter's place (Link's rules, for the list's rows, which
// carry no co-handler list).
func worksHere(u *domain.User, c *domain.Case) bool {
	return personRules["dispatch"].inPlace(u, c) || c.WatcherID == u.ID && personRules["watch"].inPlace(u, c)
}
