package web

import (
	"net/http"
	"strconv"

	"jiefen/internal/authz"
	"jiefen/internal/domain"
	"jiefen/internal/httpx"
)

// permRow is one role's line of the permissions matrix.
type permRow struct {
	Role    domain.Role
	Allowed []bool // in authz.Actions' order
}

// permMatrix is who may do what, from the one policy (read-only: the
// policy is the release's, so no account can change it, AC-5).
func permMatrix() []permRow {
	var out []permRow
	for _, r := range domain.AllRoles {
		u := &domain.User{Roles: []domain.Role{r}}
		row := permRow{Role: r}
		for _, a := range authz.Actions {
			row.Allowed = append(row.Allowed, authz.Allowed(u, a))
		}
		out = append(out, row)
	}
	return out
}

// showSecurityPage is the security administrator's page: the alerts, who
// viewed personal data in full today, the policy and the permissions.
func (s *Server) showSecurityPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderSecurity(w, r, http.StatusOK, nil)
}

func (s *Server) renderSecurity(w http.ResponseWriter, r *http.Request, status int, errs map[string]string) error {
	rep, err := s.svc.SecurityReport(r.Context())
	if err != nil {
		return err
	}
	s.render(w, r, status, "security", &page{Title: "security.title", Errors: errs, Data: map[string]any{
		"R": rep, "Actions": authz.Actions, "Matrix": permMatrix(),
	}})
	return nil
}

// handleAlert marks an alert handled, with a note of what was done.
func (s *Server) handleAlert(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathInt64(r, "id")
	if err != nil {
		return err
	}
	if err := s.svc.HandleAlert(r.Context(), id, r.PostFormValue("note")); err != nil {
		if domain.ErrorCode(err) == domain.Invalid {
			_, d := s.describe(r, err)
			return s.renderSecurity(w, r, http.StatusUnprocessableEntity, map[string]string{"note" + strconv.FormatInt(id, 10): d.Message})
		}
		return err
	}
	s.setFlash(w, r, "flash.alert_handled")
	http.Redirect(w, r, "/admin/security", http.StatusSeeOther)
	return nil
}
