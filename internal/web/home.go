package web

import (
	"net/http"
	"slices"
	"strings"

	"jiefen/internal/authz"
	"jiefen/internal/domain"
)

// roleDuty names, per role, the message key of what the role does here and
// the links that lead to it.
var roleDuty = map[domain.Role]string{
	domain.RoleReceptionist:  "home.duty.receptionist",
	domain.RoleDispatcher:    "home.duty.dispatcher",
	domain.RoleHandler:       "home.duty.handler",
	domain.RoleMediator:      "home.duty.mediator",
	domain.RoleGridWorker:    "home.duty.grid_worker",
	domain.RoleLeader:        "home.duty.leader",
	domain.RoleReviewer:      "home.duty.reviewer",
	domain.RoleAdmin:         "home.duty.admin",
	domain.RoleSecurityAdmin: "home.duty.security_admin",
	domain.RoleAuditAdmin:    "home.duty.audit_admin",
	domain.RoleCitizen:       "home.duty.citizen",
}

func (s *Server) showHomePage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	u := domain.ActorFrom(ctx).User
	var duties []string
	for _, role := range u.Roles {
		duties = append(duties, roleDuty[role])
	}
	if !authz.Allowed(u, authz.OrgView) {
		// The security and the audit administrator: their duty and its
		// page, no matters and no places.
		s.render(w, r, http.StatusOK, "home", &page{Title: "home.title", Data: map[string]any{"Duties": duties, "Org": domain.Org{Name: u.OrgName}}})
		return nil
	}
	org, err := s.svc.Org(ctx, u.OrgCode)
	if err != nil {
		return err
	}
	chain, err := s.svc.OrgAncestors(ctx, org)
	if err != nil {
		return err
	}
	work, err := s.svc.WorkSummary(ctx)
	if err != nil {
		return err
	}
	data := map[string]any{"Org": org, "Chain": chain, "Duties": duties, "Work": workTiles(work)}
	if !slices.ContainsFunc(taskRoles, u.Has) {
		// The places below: for the roles that oversee an area (a home
		// that opens on 我的任务 does not show them).
		counts, err := s.svc.OrgCounts(ctx, org.Path)
		if err != nil {
			return err
		}
		data["Counts"] = levelsBelow(org, counts)
	} else {
		tasks, err := s.svc.Tasks(ctx)
		if err != nil {
			return err
		}
		data["TaskHome"], data["TaskCount"] = true, len(tasks)
		if len(tasks) > tasksShown {
			data["TasksMore"], tasks = len(tasks)-tasksShown, tasks[:tasksShown]
		}
		data["Tasks"] = tasks
	}
	s.render(w, r, http.StatusOK, "home", &page{Title: "home.title", Data: data})
	return nil
}

// taskRoles are the roles given matters to work (or to watch): their home
// opens on 我的任务, the matters waiting for them, before any figure.
var taskRoles = []domain.Role{domain.RoleHandler, domain.RoleMediator, domain.RoleGridWorker}

// tasksShown is how many of them the home page lists; the rest are a link away.
const tasksShown = 30

// levelStat is one figure of the "what lies below" strip.
type levelStat struct {
	Level string
	N     int
}

// levelsBelow lists the counts of the levels under org (not org's own level).
func levelsBelow(org domain.Org, m map[domain.Level]int) []levelStat {
	var out []levelStat
	for _, l := range []domain.Level{domain.LevelTownship, domain.LevelVillage, domain.LevelGrid} {
		if l.Depth() > org.Level.Depth() {
			out = append(out, levelStat{string(l), m[l]})
		}
	}
	return out
}

// workTile is one "my work" figure with the list behind it, and for the
// overdue ones the line that defines them.
type workTile struct {
	Key, Href, Def string
	N              int
	Alert          bool
}

var workLinks = []struct{ key, href string }{
	{"leading", "/cases?lead=1"},
	{"to_regrade", "/cases?regrade=1"},
	{"to_assess", "/cases?status=registered"},
	{"to_dispatch", "/cases?status=assessed"},
	{"returned", "/cases?status=returned"},
	{"to_sign", "/cases?mine=1&status=dispatched"},
	{"in_hand", "/cases?mine=1&status=in_resolution"},
	{"to_visit", "/cases?status=informed"},
	{"due_soon", "/cases?mine=1&due_soon=1"},
	{"to_reply", "/cases?mine=1&to_reply=1"},
	{"cohandling", "/cases?cohandled=1"},
	{"mine_overdue", "/cases?mine=1&overdue=open"},
	{"mine_overdue_followup", "/cases?mine=1&overdue=followup"},
	{"area_overdue", "/cases?overdue=open"},
	{"area_overdue_followup", "/cases?overdue=followup"},
}

// workDefs are the overdue tiles' definitions (the board's).
var workDefs = map[string]string{
	"mine_overdue": "board.def.overdue", "mine_overdue_followup": "board.def.overdue_followup",
	"area_overdue": "board.def.overdue", "area_overdue_followup": "board.def.overdue_followup",
}

func workTiles(m map[string]int) []workTile {
	var out []workTile
	for _, l := range workLinks {
		if n, ok := m[l.key]; ok {
			alert := strings.Contains(l.key, "overdue") || l.key == "to_regrade"
			out = append(out, workTile{l.key, l.href, workDefs[l.key], n, alert && n > 0})
		}
	}
	return out
}
