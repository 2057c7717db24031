package web

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"jiefen/internal/domain"
	"jiefen/internal/httpx"
	"jiefen/internal/service/casework"
)

// memberPage is how many households one page of the list shows (a grid
// worker scrolls it on a phone).
const memberPage = 30

func (s *Server) showMembersPage(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathInt64(r, "caseID")
	if err != nil {
		return err
	}
	return s.renderMembers(w, r, id, http.StatusOK, "", nil)
}

func (s *Server) renderMembers(w http.ResponseWriter, r *http.Request, id int64, status int, msg string, fields map[string]string) error {
	q := r.URL.Query()
	after, _ := strconv.Atoi(q.Get("after"))
	g, err := s.svc.Group(r.Context(), id, q.Get("village"), q.Get("status"), after, memberPage)
	if err != nil {
		if domain.ErrorCode(err) != domain.Invalid {
			return err
		}
		g, err = s.svc.Group(r.Context(), id, q.Get("village"), "", after, memberPage)
		if err != nil {
			return err
		}
	}
	c := g.Case
	next := ""
	if g.NextAfter > 0 {
		v := url.Values{"village": {q.Get("village")}, "status": {q.Get("status")}, "after": {strconv.Itoa(g.NextAfter)}}
		next = "/cases/" + strconv.FormatInt(id, 10) + "/members?" + v.Encode()
	}
	// Row errors of an import, in file order: "rows[12].village" → line 12.
	type rowErr struct {
		Line       int
		Field, Msg string
	}
	var rowErrs []rowErr
	for k, v := range fields {
		var line int
		var field string
		if n, _ := fmt.Sscanf(strings.ReplaceAll(strings.ReplaceAll(k, "[", " "), "].", " "), "rows %d %s", &line, &field); n == 2 {
			rowErrs = append(rowErrs, rowErr{line, field, v})
		}
	}
	sort.Slice(rowErrs, func(i, j int) bool {
		if rowErrs[i].Line != rowErrs[j].Line {
			return rowErrs[i].Line < rowErrs[j].Line
		}
		return rowErrs[i].Field < rowErrs[j].Field
	})
	s.render(w, r, status, "members", &page{Title: "group.title", Error: msg, Errors: fields, Data: map[string]any{
		"RowErrors": rowErrs,
		"Case":      c, "G": g, "Village": q.Get("village"), "Status": q.Get("status"), "Statuses": casework.MemberStatuses, "Next": next,
		"Back": r.URL.RequestURI(),
	}})
	return nil
}

func (s *Server) printMembers(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathInt64(r, "caseID")
	if err != nil {
		return err
	}
	village := r.URL.Query().Get("village")
	g, err := s.svc.PrintGroup(r.Context(), id, village, "", 0, 5000)
	if err != nil {
		return err
	}
	c := g.Case
	name := ""
	for _, v := range g.Villages {
		if v.Code == village {
			name = v.Name
		}
	}
	s.render(w, r, http.StatusOK, "members_print", &page{Title: "group.print.title", Data: map[string]any{"Case": c, "G": g, "VillageName": name}})
	return nil
}

func (s *Server) importMembers(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathInt64(r, "caseID")
	if err != nil {
		return err
	}
	file, hdr, err := r.FormFile("file")
	if err != nil {
		_, d := s.describe(r, &domain.Error{Code: domain.Invalid, Key: "group.file.empty"})
		return s.renderMembers(w, r, id, http.StatusUnprocessableEntity, d.Message, nil)
	}
	defer file.Close()
	table, err := casework.ReadTable(hdr.Filename, file)
	if err == nil {
		_, err = s.svc.ImportMembers(r.Context(), id, table)
	}
	if err != nil {
		if domain.ErrorCode(err) == domain.Invalid {
			status, d := s.describe(r, err)
			return s.renderMembers(w, r, id, status, d.Message, d.Fields)
		}
		return err
	}
	s.setFlash(w, r, "flash.members_imported")
	http.Redirect(w, r, "/cases/"+strconv.FormatInt(id, 10)+"/members", http.StatusSeeOther)
	return nil
}

func (s *Server) confirmMember(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathInt64(r, "caseID")
	if err != nil {
		return err
	}
	mid, err := httpx.PathInt64(r, "memberID")
	if err != nil {
		return err
	}
	version, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	back := r.PostFormValue("back")
	if !strings.HasPrefix(back, "/cases/"+strconv.FormatInt(id, 10)+"/members") {
		back = "/cases/" + strconv.FormatInt(id, 10) + "/members"
	}
	if err := s.svc.ConfirmMember(r.Context(), id, mid, r.PostFormValue("status"), r.PostFormValue("note"), version); err != nil {
		if c := domain.ErrorCode(err); c == domain.Invalid || c == domain.Conflict {
			status, d := s.describe(r, err)
			return s.renderMembers(w, r, id, status, d.Message, d.Fields)
		}
		return err
	}
	s.setFlash(w, r, "flash.member_confirmed")
	http.Redirect(w, r, back+"#m"+strconv.FormatInt(mid, 10), http.StatusSeeOther)
	return nil
}

func (s *Server) saveCoUnit(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathInt64(r, "caseID")
	if err != nil {
		return err
	}
	if err := s.svc.AddCoUnit(r.Context(), id, r.PostFormValue("unit"), r.PostFormValue("part")); err != nil {
		if domain.ErrorCode(err) == domain.Invalid {
			status, d := s.describe(r, err)
			return s.renderCase(w, r, id, status, d.Message, d.Fields, nil, nil)
		}
		return err
	}
	s.setFlash(w, r, "flash.case_updated")
	http.Redirect(w, r, "/cases/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
	return nil
}
