package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"jiefen/internal/domain"
	"jiefen/internal/service/casework"
)

// The pickers: places by name (发生地, the 区划 filters; partial
// place/select) and people by name, unit and load (the matter page's
// person fields, partial actionfield/person; the list's bulk dispatch).

// placeOpt is one place of a place picker, indented under its parent.
type placeOpt struct{ Code, Parent, Level, Label string }

// placeOptions turns the places (in tree order, the jurisdiction's own
// node first) into the picker's options.
func placeOptions(orgs []domain.Org) []placeOpt {
	out := make([]placeOpt, 0, len(orgs))
	if len(orgs) == 0 {
		return out
	}
	top := strings.Count(orgs[0].Path, "/")
	for _, o := range orgs {
		depth := max(strings.Count(o.Path, "/")-top, 0)
		out = append(out, placeOpt{Code: o.Code, Parent: o.ParentCode, Level: string(o.Level), Label: strings.Repeat("　", depth) + o.Name})
	}
	return out
}

// placePicker adds to data what partial place/select needs: the places of
// the user's jurisdiction (keep, a chosen grid cell, among them) and
// whether grid cells were left out.
func (s *Server) placePicker(r *http.Request, data map[string]any, keep string) error {
	orgs, cut, err := s.svc.Places(r.Context(), keep)
	if err != nil {
		return err
	}
	data["Places"], data["PlacesLazy"] = placeOptions(orgs), cut
	return nil
}

// bulkLine is one matter's result of a bulk dispatch as the list shows it.
type bulkLine struct {
	ID       int64
	Number   string
	OK       bool
	Assignee string // the name it went to
	Message  string // why not
}

// bulkView is the bulk dispatch's outcome above the list.
type bulkView struct {
	Lines    []bulkLine
	Done     int
	Failed   int
	Assignee string
}

// saveBulkDispatch dispatches the ticked matters of the list to one
// person (POST /cases/bulk/dispatch): each matter succeeds or fails on its
// own, and the list is shown again with a line per matter above it.
func (s *Server) saveBulkDispatch(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return &domain.Error{Code: domain.Invalid, Key: "error.invalid"}
	}
	back, _ := url.ParseQuery(r.PostForm.Get("back"))
	back.Del("cursor")
	var ids []int64
	for _, v := range r.PostForm["case"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil && id > 0 {
			ids = append(ids, id)
		}
	}
	in, err := casework.DecodeAction("dispatch", casework.FormFields(r.PostForm))
	var res []casework.BulkResult
	if err == nil {
		res, err = s.svc.BulkAct(r.Context(), "dispatch", ids, in)
	}
	if err != nil {
		if domain.ErrorCode(err) != domain.Invalid {
			return err
		}
		// The alert says what is wrong (the list may show no form to
		// mark); the person field keeps its mark beside it.
		status, d := s.describe(r, err)
		msg := d.Message
		for _, m := range d.Fields {
			msg = m
		}
		return s.renderCases(w, r, back, status, msg, d.Fields, nil)
	}
	v := &bulkView{}
	for _, x := range res {
		l := bulkLine{ID: x.ID, Number: x.Number, OK: x.Err == nil}
		if l.Number == "" {
			l.Number = "#" + strconv.FormatInt(x.ID, 10)
		}
		if x.Err != nil {
			_, d := s.describe(r, x.Err)
			l.Message = d.Message
			for _, m := range d.Fields {
				l.Message = m // the field's own sentence says more than "please check the form"
			}
			v.Failed++
		} else {
			l.Assignee = assigneeName(x.Case)
			v.Assignee = l.Assignee
			v.Done++
		}
		v.Lines = append(v.Lines, l)
	}
	return s.renderCases(w, r, back, http.StatusOK, "", nil, v)
}

// assigneeName is whom a dispatched matter went to, from its timeline.
func assigneeName(c *domain.Case) string {
	for i := len(c.Timeline) - 1; i >= 0; i-- {
		if e := c.Timeline[i]; e.Action == "dispatch" {
			return e.Data[domain.DataAssigneeName]
		}
	}
	return ""
}

// bulkPicker adds the list's bulk dispatch to data when the user is a
// dispatcher and the list shows a matter waiting for dispatch: the people
// who may receive every matter under the filtered place (or the user's
// own).
func (s *Server) bulkPicker(r *http.Request, data map[string]any, rows []casework.CaseRow, orgCode string) error {
	u := domain.ActorFrom(r.Context()).User
	if u == nil || !u.Has(domain.RoleDispatcher) || !slices.ContainsFunc(rows, waitsForDispatch) {
		return nil
	}
	list, org, err := s.svc.DispatchCandidates(r.Context(), orgCode)
	if err != nil {
		if c := domain.ErrorCode(err); c == domain.Invalid || c == domain.Forbidden {
			return nil // the filter's own error says it
		}
		return err
	}
	data["Bulk"], data["BulkPlace"] = true, org.Name
	data["Candidates"] = map[string][]domain.Assignable{"dispatch": list}
	return nil
}

// waitsForDispatch: the matter can be dispatched now (assessed, or
// returned by its handler).
func waitsForDispatch(c casework.CaseRow) bool {
	return c.Status == domain.StatusAssessed || c.Status == domain.StatusReturned
}
