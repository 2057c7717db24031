package web

import (
	"net/http"
	"net/url"
	"strings"

	"jiefen/internal/domain"
)

func (s *Server) showOrgsPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	u := domain.ActorFrom(ctx).User
	code := r.URL.Query().Get("code")
	if code == "" {
		code = u.OrgCode
	}
	org, err := s.svc.Org(ctx, code)
	if err != nil {
		return err
	}
	return s.renderOrgs(w, r, http.StatusOK, org, "", nil)
}

func (s *Server) renderOrgs(w http.ResponseWriter, r *http.Request, status int, org domain.Org, errMsg string, fields map[string]string) error {
	ctx := r.Context()
	chain, err := s.svc.OrgAncestors(ctx, org)
	if err != nil {
		return err
	}
	children, err := s.svc.OrgChildren(ctx, org.Code)
	if err != nil {
		return err
	}
	counts, err := s.svc.OrgCounts(ctx, org.Path)
	if err != nil {
		return err
	}
	u := domain.ActorFrom(ctx).User
	s.render(w, r, status, "orgs", &page{Title: "orgs.title", Error: errMsg, Errors: fields, Data: map[string]any{
		"Org": org, "Chain": chain, "Children": children, "Counts": levelsBelow(org, counts),
		"InScope": u.OrgPath != "" && strings.HasPrefix(org.Path, u.OrgPath),
	}})
	return nil
}

func (s *Server) saveGridCell(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	code := r.PathValue("code")
	cell, err := s.svc.CreateGridCell(ctx, code, r.PostFormValue("name"))
	if err != nil {
		if domain.ErrorCode(err) != domain.Invalid {
			return err
		}
		org, gerr := s.svc.Org(ctx, code)
		if gerr != nil {
			return gerr
		}
		_, d := s.describe(r, err)
		return s.renderOrgs(w, r, http.StatusUnprocessableEntity, org, d.Message, d.Fields)
	}
	s.setFlash(w, r, "flash.grid_created")
	http.Redirect(w, r, "/orgs?code="+url.QueryEscape(cell.ParentCode), http.StatusSeeOther)
	return nil
}
