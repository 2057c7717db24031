package web

import (
	"net/http"

	"jiefen/internal/domain"
)

// roleDuty names, per role, the message key of what the role does here and
// the links that lead to it.
var roleDuty = map[domain.Role]string{
	domain.RoleReceptionist: "home.duty.receptionist",
	domain.RoleDispatcher:   "home.duty.dispatcher",
	domain.RoleHandler:      "home.duty.handler",
	domain.RoleMediator:     "home.duty.mediator",
	domain.RoleGridWorker:   "home.duty.grid_worker",
	domain.RoleLeader:       "home.duty.leader",
	domain.RoleReviewer:     "home.duty.reviewer",
	domain.RoleAdmin:        "home.duty.admin",
	domain.RoleCitizen:      "home.duty.citizen",
}

func (s *Server) showHomePage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	u := domain.ActorFrom(ctx).User
	org, err := s.svc.Org(ctx, u.OrgCode)
	if err != nil {
		return err
	}
	chain, err := s.svc.OrgAncestors(ctx, org)
	if err != nil {
		return err
	}
	counts, err := s.svc.OrgCounts(ctx, org.Path)
	if err != nil {
		return err
	}
	var duties []string
	for _, role := range u.Roles {
		duties = append(duties, roleDuty[role])
	}
	s.render(w, r, http.StatusOK, "home", &page{Title: "home.title", Data: map[string]any{
		"Org": org, "Chain": chain, "Counts": levelCounts(counts), "Duties": duties,
	}})
	return nil
}

// levelCounts keys counts by plain strings for the templates.
func levelCounts(m map[domain.Level]int) map[string]int {
	out := map[string]int{}
	for k, v := range m {
		out[string(k)] = v
	}
	return out
}
