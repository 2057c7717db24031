package casework

import (
	"context"
	"slices"
	"strings"

	"jiefen/internal/app"
	"jiefen/internal/authz"
	"jiefen/internal/domain"
	"jiefen/internal/service/registry"
	"jiefen/internal/store"
)

// The actions that name a person (交办, 转办, 协办, 牵头领导, 网格包联)
// take them by username. One rule per action says who may be named: the
// action itself applies it (personFor), and the pickers offer exactly the
// accounts it accepts (candidates), so a picker never offers someone the
// action would refuse.
type personRule struct {
	roles []domain.Role
	// below: the account's node may also lie inside the matter's place (a
	// grid worker of one of its cells watches it); otherwise it must be the
	// matter's place or above it (they will see the parties).
	below          bool
	invalid, place string // the field errors: wrong account, wrong place
	// exclude refuses, on this matter, someone otherwise eligible.
	exclude func(c *domain.Case, u *domain.User) string
	load    string // what Assignable.Load counts (store.Loads)
}

var handlerRoles = []domain.Role{domain.RoleHandler, domain.RoleMediator}

var personRules = map[string]personRule{
	"dispatch": {roles: handlerRoles, invalid: "case.assignee.invalid", place: "case.assignee.place", load: "assignee"},
	"transfer": {roles: handlerRoles, invalid: "case.assignee.invalid", place: "case.assignee.place", load: "assignee",
		exclude: func(c *domain.Case, u *domain.User) string { return when(u.ID == c.Assignee, "case.assignee.same") }},
	"cohandle": {roles: handlerRoles, invalid: "case.assignee.invalid", place: "case.assignee.place", load: "assignee",
		exclude: func(c *domain.Case, u *domain.User) string {
			return when(u.ID == c.Assignee || c.IsCoHandler(u.ID), "case.cohandler.already")
		}},
	"lead": {roles: []domain.Role{domain.RoleLeader}, invalid: "post.not_leader", place: "case.assignee.place", load: "lead",
		exclude: func(c *domain.Case, u *domain.User) string { return when(u.ID == c.LeadID, "case.assignee.same") }},
	"watch": {roles: []domain.Role{domain.RoleGridWorker}, below: true, invalid: "case.watcher.invalid", place: "case.watcher.place", load: "watch"},
}

// PersonActions are the actions whose input names a person.
var PersonActions = []string{"dispatch", "transfer", "cohandle", "lead", "watch"}

func when(cond bool, key string) string {
	if cond {
		return key
	}
	return ""
}

// inPlace: the rule's placement holds for u on c — the matter lies in u's
// jurisdiction, or (a watch) u's grid lies below the matter's place.
func (r personRule) inPlace(u *domain.User, c *domain.Case) bool {
	if u.OrgPath != "" && strings.HasPrefix(c.OrgPath, u.OrgPath) {
		return true
	}
	return r.below && c.OrgPath != "" && strings.HasPrefix(u.OrgPath, c.OrgPath)
}

// Link names how u is linked to c where the link still holds: the same
// placement rule that made it must hold where u is now, so an account moved
// to another place keeps no right over the matters it was linked to before
// (issue 14, point 3). "" when u is not linked there.
func Link(u *domain.User, c *domain.Case) string {
	switch {
	case u == nil:
		return ""
	case c.Assignee == u.ID && personRules["dispatch"].inPlace(u, c):
		return "assignee"
	case c.IsCoHandler(u.ID) && personRules["cohandle"].inPlace(u, c):
		return "cohandler"
	case c.LeadID == u.ID && personRules["lead"].inPlace(u, c):
		return "lead"
	case c.WatcherID == u.ID && personRules["watch"].inPlace(u, c):
		return "watcher"
	}
	return ""
}

// refusal says why u may not be named in the rule's action on c ("" may).
func (r personRule) refusal(u *domain.User, c *domain.Case) string {
	if u.Disabled || !slices.ContainsFunc(r.roles, u.Has) {
		return r.invalid
	}
	if !r.inPlace(u, c) {
		return r.place
	}
	if r.exclude != nil {
		return r.exclude(c, u)
	}
	return ""
}

// personFor reads the account the input names for the action and checks
// the action's rule on the matter.
func personFor(a *acting, action string) (*domain.User, error) {
	r := personRules[action]
	if a.in.Assignee == "" {
		return nil, app.Required("assignee", "field.required")
	}
	u, err := a.tx.UserByUsername(a.ctx, a.in.Assignee)
	if domain.ErrorCode(err) == domain.NotFound {
		return nil, app.Required("assignee", r.invalid)
	} else if err != nil {
		return nil, err
	}
	if key := r.refusal(u, a.c); key != "" {
		return nil, app.Required("assignee", key)
	}
	return u, nil
}

// Candidates lists whom the actor could name in a person-choosing action
// on matter id: exactly the accounts the action would accept now, each
// with their load; for a dispatch, the one the assessment's routing points
// at comes first, marked suggested. The status is not checked (the
// assessment form offers the dispatch before the matter is assessed); the
// actor's right to take the action is.
func (s *Service) Candidates(ctx context.Context, id int64, action string) ([]domain.Assignable, error) {
	sp, ok := specFor(action)
	if _, person := personRules[action]; !ok || !person {
		return nil, app.Required("action", "pick.action.invalid")
	}
	var out []domain.Assignable
	err := s.View(ctx, func(tx *store.Tx) error {
		c, err := tx.Case(ctx, id)
		if err != nil {
			return err
		}
		if err := s.mayViewCase(ctx, c); err != nil {
			return err
		}
		if err := s.mayAct(ctx, domain.ActorFrom(ctx).User, c, sp); err != nil {
			return err
		}
		var sug *registry.Suggestion
		if c.Status == domain.StatusRegistered && action == "dispatch" {
			if sug, err = s.suggestionFor(ctx, tx, c, false); err != nil {
				return err
			}
		}
		out, err = s.candidates(ctx, tx, c, action, sug)
		return err
	})
	return out, err
}

// DispatchCandidates lists whom the actor (a dispatcher) could dispatch
// every matter under a place to (code "": their own): the list page's bulk
// dispatch. It returns the place too.
func (s *Service) DispatchCandidates(ctx context.Context, code string) ([]domain.Assignable, domain.Org, error) {
	u := domain.ActorFrom(ctx).User
	var out []domain.Assignable
	var org domain.Org
	if u == nil || !u.Has(domain.RoleDispatcher) {
		return nil, org, s.Denied(ctx, app.Forbidden("case.dispatch", "case", "", ""))
	}
	if code == "" {
		code = u.OrgCode
	}
	err := s.View(ctx, func(tx *store.Tx) error {
		var err error
		if org, err = tx.Org(ctx, code); domain.ErrorCode(err) == domain.NotFound {
			return app.Required("org_code", "org.not_found")
		} else if err != nil {
			return err
		}
		if err := s.Check(ctx, authz.CaseAct, "case", "", org.Path); err != nil {
			return err
		}
		out, err = s.candidates(ctx, tx, &domain.Case{OrgCode: org.Code, OrgPath: org.Path}, "dispatch", nil)
		return err
	})
	return out, org, err
}

// candidates reads the accounts the action's rule accepts on c, with
// their loads, the suggested one (dispatch only) first, then the nearest
// to the matter's place, the least loaded, by name.
func (s *Service) candidates(ctx context.Context, tx *store.Tx, c *domain.Case, action string, sug *registry.Suggestion) ([]domain.Assignable, error) {
	staff, err := staffFor(ctx, tx, c, personRules[action])
	if err != nil {
		return nil, err
	}
	return rankCandidates(ctx, tx, c, action, sug, staff)
}

// staffFor reads the accounts of rule r's roles around c's place with
// their loads. The rules of 交办, 转办 and 协办 read the same (the same
// roles, places and load), so a page offering all three reads it once.
func staffFor(ctx context.Context, tx *store.Tx, c *domain.Case, r personRule) ([]domain.Assignable, error) {
	rows, err := tx.StaffAround(ctx, r.roles, c.OrgPath, r.below)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(rows))
	for i, a := range rows {
		ids[i] = a.ID
	}
	load, err := tx.Loads(ctx, r.load, ids)
	if err != nil {
		return nil, err
	}
	co := map[int64]int{}
	if r.load == "assignee" {
		if co, err = tx.Loads(ctx, "cohandle", ids); err != nil {
			return nil, err
		}
	}
	for i := range rows {
		rows[i].Load, rows[i].CoLoad = load[rows[i].ID], co[rows[i].ID]
	}
	return rows, nil
}

// rankCandidates keeps of staff (staffFor's, not changed) those the
// action's rule accepts on c and orders them.
func rankCandidates(ctx context.Context, tx *store.Tx, c *domain.Case, action string, sug *registry.Suggestion, staff []domain.Assignable) ([]domain.Assignable, error) {
	r := personRules[action]
	out := make([]domain.Assignable, 0, len(staff)) // [] in JSON when nobody
	for _, a := range staff {
		u := &domain.User{ID: a.ID, Roles: []domain.Role{a.Role}, OrgPath: a.OrgPath}
		if r.refusal(u, c) == "" {
			out = append(out, a)
		}
	}
	if action == "dispatch" && c.ID != 0 {
		if err := suggestAssignee(ctx, tx, c, out, sug); err != nil {
			return nil, err
		}
	}
	slices.SortStableFunc(out, func(a, b domain.Assignable) int {
		switch {
		case a.Suggested && !b.Suggested:
			return -1
		case b.Suggested && !a.Suggested:
			return 1
		case len(a.OrgPath) != len(b.OrgPath):
			return len(b.OrgPath) - len(a.OrgPath)
		case a.Load+a.CoLoad != b.Load+b.CoLoad:
			return a.Load + a.CoLoad - b.Load - b.CoLoad
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out, nil
}

// suggestAssignee marks whom a dispatch of c would go to by the
// assessment's routing: the chosen (or, before the assessment, the first
// suggested) mediator's own account, else the least loaded handler of the
// docking unit. Whoever last returned the matter is not suggested again.
func suggestAssignee(ctx context.Context, tx *store.Tx, c *domain.Case, cands []domain.Assignable, sug *registry.Suggestion) error {
	var returned int64
	for _, e := range c.Timeline {
		if e.Action == "return" {
			returned = e.ActorID
		}
	}
	var mediators []int64
	var unitID int64
	var unitCode string
	if sug != nil {
		for _, m := range sug.Mediators {
			mediators = append(mediators, m.ID)
		}
		if sug.Unit != nil {
			unitCode = sug.Unit.Code
		}
	} else {
		rt, err := tx.Routing(ctx, c.ID)
		if err != nil {
			return err
		}
		if rt.MediatorID != 0 {
			mediators = append(mediators, rt.MediatorID)
		}
		unitID = rt.UnitID
	}
	pick := func(ok func(a domain.Assignable) bool) bool {
		best := -1
		for i, a := range cands {
			if a.ID != returned && ok(a) && (best < 0 || a.Load+a.CoLoad < cands[best].Load+cands[best].CoLoad) {
				best = i
			}
		}
		if best >= 0 {
			cands[best].Suggested = true
		}
		return best >= 0
	}
	for _, m := range mediators {
		uid, err := tx.MediatorUser(ctx, m)
		if err != nil && domain.ErrorCode(err) != domain.NotFound {
			return err
		}
		if uid != 0 && pick(func(a domain.Assignable) bool { return a.ID == uid }) {
			return nil
		}
	}
	if unitID != 0 || unitCode != "" {
		pick(func(a domain.Assignable) bool {
			return a.Role == domain.RoleHandler && a.UnitID != 0 && (a.UnitID == unitID || a.UnitCode == unitCode)
		})
	}
	return nil
}
