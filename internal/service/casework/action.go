package casework

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"jiefen/internal/app"
	"jiefen/internal/authz"
	"jiefen/internal/domain"
	"jiefen/internal/store"
)

// An action spec says everything about one workflow action in one place:
// its transition in domain.Workflow (the states it is taken from, the state
// it leads to, the roles that may take it, the fields it requires), whose
// hands it is in, when it is offered, which input fields it reads, what it
// changes, whom it tells and whether the citizen sees it. Each group of
// actions registers its specs in its own file (actions_*.go); how each
// action's line on the timeline reads is its template partial.
type actionSpec struct {
	name string
	t    domain.Transition
	// reads lists the input fields the action uses besides version, note
	// and reason (see inputFields).
	reads []string
	// hands says whose hands the action is in for u (nil: inPlace).
	hands func(u *domain.User) hands
	// coHandler: a co-handler of the matter may take it on their part.
	coHandler bool
	// available hides the action while its precondition on the matter is
	// not met, so the page offers only what would succeed (nil: always).
	available func(c *domain.Case) bool
	// apply changes the matter and fills the timeline entry (nil: nothing
	// beyond the status change and the note).
	apply func(s *Service, a *acting) error
	// notify tells the people the action concerns, in its transaction.
	notify func(s *Service, a *acting) error
	// public: the citizen's tracking page shows the entry.
	public bool
	// redDeadline: a red matter's resolution deadline is tightened after it.
	redDeadline bool
	// check: what the decoder checks of the input besides the fields'
	// types (a choice from a fixed list), for every surface alike.
	check func(in *ActionInput) error
	// noDeadline: the matter has no further step deadline after it.
	noDeadline bool
	// then is the action taken next in the same transaction when the
	// input names an assignee (研判并交办: assess, then dispatch).
	then string
}

// hands is whose hands an action is in.
type hands int

const (
	inPlace      hands = iota // the assignee, or staff whose jurisdiction holds the matter
	assigneeOnly              // the matter's assignee alone
	watcherOnly               // the watching grid worker alone
	placeOnly                 // staff whose jurisdiction holds the matter
)

// assigneeUnless keeps a step in the assignee's hands except for holders of
// the given roles, for whom it is inPlace.
func assigneeUnless(roles ...domain.Role) func(u *domain.User) hands {
	return func(u *domain.User) hands {
		if slices.ContainsFunc(roles, u.Has) {
			return inPlace
		}
		return assigneeOnly
	}
}

// acting is one action being taken: the transaction, the matter as it will
// be saved, the decoded input and the timeline entry being written.
type acting struct {
	ctx   context.Context
	tx    *store.Tx
	c     *domain.Case
	in    ActionInput
	ev    *domain.TimelineEntry
	note  string // the note, trimmed
	actor *domain.User
}

var specs = map[string]*actionSpec{}

// register adds the specs of one group; each names a transition of
// domain.Workflow, once.
func register(group ...actionSpec) {
	for _, sp := range group {
		t, ok := domain.TransitionFor(sp.name)
		if !ok {
			panic("casework: no transition for action " + sp.name)
		}
		if _, dup := specs[sp.name]; dup {
			panic("casework: action registered twice: " + sp.name)
		}
		sp.t = t
		specs[sp.name] = &sp
	}
}

// Spec lookups for other files of the package and the tests.
func specFor(action string) (*actionSpec, bool) { sp, ok := specs[action]; return sp, ok }

// IsPublic reports whether the citizen's tracking page shows an entry of
// this action ("register" is shown too).
func IsPublic(action string) bool {
	if action == "register" {
		return true
	}
	sp, ok := specs[action]
	return ok && sp.public
}

// Act performs one workflow action on a matter: it checks the action exists,
// the status allows it, the actor's role and jurisdiction (and, for the
// handling steps, that the actor is the assignee), the required fields and the
// version; then it changes the matter, sets the next step's deadline, appends
// to the timeline and audits — in one transaction.
func (s *Service) Act(ctx context.Context, id int64, action string, in ActionInput) (*domain.Case, error) {
	sp, ok := specFor(action)
	if !ok {
		return nil, &domain.Error{Code: domain.NotFound, Key: "case.action.unknown"}
	}
	cal, err := s.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	var out *domain.Case
	err = s.Update(ctx, func(tx *store.Tx) error {
		c, err := tx.Case(ctx, id)
		if err != nil {
			return err
		}
		a, err := s.begin(ctx, tx, c, sp, in)
		if err != nil {
			return err
		}
		if err := s.take(a, sp, cal); err != nil {
			return err
		}
		if err := s.takeThen(ctx, tx, id, sp, in, cal); err != nil {
			return err
		}
		// The actor sees the result of their own action even when it took
		// the matter out of their hands (a return, a transfer).
		out, err = tx.Case(ctx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// takeThen takes the action that follows sp in the same transaction when
// the input names an assignee: both happen or neither does, and a refusal
// of the second (a field error on the assignee) rolls back the first.
func (s *Service) takeThen(ctx context.Context, tx *store.Tx, id int64, sp *actionSpec, in ActionInput, cal *domain.Calendar) error {
	if sp.then == "" || in.Assignee == "" {
		return nil
	}
	next := specs[sp.then]
	c, err := tx.Case(ctx, id)
	if err != nil {
		return err
	}
	a, err := s.begin(ctx, tx, c, next, ActionInput{Assignee: in.Assignee})
	if err != nil {
		return err
	}
	return s.take(a, next, cal)
}

// begin checks that the actor may take the action on c now and that the
// input is fresh and complete enough, and starts its timeline entry.
func (s *Service) begin(ctx context.Context, tx *store.Tx, c *domain.Case, sp *actionSpec, in ActionInput) (*acting, error) {
	u := domain.ActorFrom(ctx).User
	if err := s.mayViewCase(ctx, c); err != nil {
		return nil, err
	}
	if err := s.mayAct(ctx, u, c, sp); err != nil {
		return nil, err
	}
	if !sp.t.Allows(c.Status) {
		return nil, &domain.Error{Code: domain.Conflict, Key: "case.action.status", Args: []any{domain.ActionName(sp.name), domain.StatusName(c.Status)}}
	}
	if in.Version != 0 && in.Version != c.Version {
		return nil, &domain.Error{Code: domain.Conflict, Key: "error.stale_version"}
	}
	ev := &domain.TimelineEntry{ActorID: u.ID, ActorName: u.Name, Action: sp.name, FromStatus: c.Status, Data: map[string]string{}}
	note, err := noteAndReason(sp.t, in, ev)
	if err != nil {
		return nil, err
	}
	return &acting{ctx: ctx, tx: tx, c: c, in: in, ev: ev, note: note, actor: u}, nil
}

// noteAndReason checks the note and reason every action may carry and
// writes them to the entry; it returns the note.
func noteAndReason(t domain.Transition, in ActionInput, ev *domain.TimelineEntry) (string, error) {
	note, ok := app.Text(in.Note, 2000)
	if !ok {
		return "", app.Required("note", "field.too_long")
	}
	reason, ok := app.Text(in.Reason, 500)
	if !ok {
		return "", app.Required("reason", "field.too_long")
	}
	ev.Note = note
	if slices.Contains(t.Requires, "reason") && reason == "" {
		return "", app.Required("reason", "field.required")
	}
	if reason != "" {
		ev.Note = strings.TrimSpace(reason + "\n" + note)
	}
	if slices.Contains(t.Requires, "note") && note == "" {
		return "", app.Required("note", "field.required")
	}
	return note, nil
}

// take applies the action, moves the matter to its next step with that
// step's deadline, and writes the matter, the entry, the notices and the
// audit row.
func (s *Service) take(a *acting, sp *actionSpec, cal *domain.Calendar) error {
	c, ev, tx, from := a.c, a.ev, a.tx, a.c.Status
	if sp.apply != nil {
		if err := sp.apply(s, a); err != nil {
			return err
		}
	}
	if t := sp.t; t.To != "" {
		// The step that ends keeps its deadline on the event (the
		// statistics' on-time rate); a paused clock had stopped.
		if due := c.StepDueAt; !due.IsZero() && t.To != from {
			if !c.PausedAt.IsZero() {
				due = due.Add(tx.Now.Sub(c.PausedAt))
			}
			ev.Data[domain.DataStepDue] = due.UTC().Format(time.RFC3339Nano)
		}
		// A new step starts with its own deadline: a paused clock or a
		// pending extension belonged to the step that just ended.
		c.Status = t.To
		c.StepDueAt = domain.DueForCase(cal, c.Status, tx.Now, c.Category == "petition")
		c.PausedAt, c.PausedUntil, c.ExtendDays = time.Time{}, time.Time{}, 0
		if sp.noDeadline {
			c.StepDueAt = time.Time{}
		}
	}
	// A red matter has less time in resolution (三色: red is the county's
	// own business).
	if before := c.StepDueAt; sp.redDeadline {
		tightenForRed(cal, c, tx.Now)
		if !c.StepDueAt.Equal(before) {
			ev.Data[domain.DataDue] = c.StepDueAt.Format(time.RFC3339)
			ev.Data[domain.DataRedDeadline] = "1"
		}
	}
	ev.ToStatus = c.Status
	if !c.StepDueAt.IsZero() && sp.t.To != "" {
		ev.Data[domain.DataDue] = c.StepDueAt.Format(time.RFC3339)
	}
	return s.record(a, sp, from)
}

// record writes the matter, its timeline entry, the notices and the audit.
func (s *Service) record(a *acting, sp *actionSpec, from domain.Status) error {
	ctx, tx, c, ev := a.ctx, a.tx, a.c, a.ev
	if err := tx.UpdateCase(ctx, c); err != nil {
		return err
	}
	if err := tx.AddEvent(ctx, c.ID, ev); err != nil {
		return err
	}
	if sp.notify != nil {
		if err := sp.notify(s, a); err != nil {
			return err
		}
	}
	detail, _ := json.Marshal(ev.Data)
	return s.Kernel.Audit(ctx, tx, "case."+sp.name, "case", c.Number, c.OrgPath, domain.ResultOK, string(from)+" → "+string(c.Status)+" "+string(detail))
}

// mayAct checks role, whose hands the action is in and jurisdiction for sp
// on c (not the status).
func (s *Service) mayAct(ctx context.Context, u *domain.User, c *domain.Case, sp *actionSpec) error {
	if u == nil || !slices.ContainsFunc(sp.t.Roles, u.Has) {
		return app.Refuse(domain.Forbidden, "case.action.role", "case."+sp.name, "case", c.Number, c.OrgPath)
	}
	h := inPlace
	if sp.hands != nil {
		h = sp.hands(u)
	}
	// A link counts only where the account is now (Link): one moved to
	// another place keeps no hands on the matters it was linked to.
	link := Link(u, c)
	if h == watcherOnly {
		if link != "watcher" {
			return app.Refuse(domain.Forbidden, "case.action.not_watcher", "case."+sp.name, "case", c.Number, c.OrgPath)
		}
		return nil
	}
	if sp.coHandler && link == "cohandler" {
		return nil // a co-handler records the work on their part
	}
	switch {
	case h == assigneeOnly && link != "assignee":
		return app.Refuse(domain.Forbidden, "case.action.not_assignee", "case."+sp.name, "case", c.Number, c.OrgPath)
	case h == assigneeOnly, h == inPlace && link == "assignee":
		return nil
	}
	return s.Check(ctx, authz.CaseAct, "case", c.Number, c.OrgPath)
}

// AllowedActions lists the actions the actor may take on c now, in
// workflow order (the buttons on the matter page).
func (s *Service) AllowedActions(ctx context.Context, c *domain.Case) []string {
	u := domain.ActorFrom(ctx).User
	var out []string
	for _, t := range domain.Workflow {
		sp := specs[t.Action]
		if t.Allows(c.Status) && (sp.available == nil || sp.available(c)) && s.mayAct(ctx, u, c, sp) == nil {
			out = append(out, t.Action)
		}
	}
	return out
}
