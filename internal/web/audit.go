package web

import (
	"net/http"
	"strconv"
	"strings"

	"jiefen/internal/domain"
	"jiefen/internal/httpx"
	"jiefen/internal/i18n"
)

func (s *Server) showAuditPage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := domain.AuditFilter{Username: strings.TrimSpace(q.Get("user")), Action: strings.TrimSpace(q.Get("action")),
		Result: q.Get("result"), ObjectID: strings.TrimSpace(q.Get("object")), Limit: 50}
	if f.Result != domain.ResultOK && f.Result != domain.ResultFail {
		f.Result = ""
	}
	errs := map[string]string{}
	lang := i18n.Pick(r, domain.ActorFrom(r.Context()).User.Lang)
	if v := q.Get("from"); v != "" {
		t, err := domain.ParseDay(v)
		if err != nil {
			errs["from"] = i18n.T(lang, "field.date")
		}
		f.From = t
	}
	if v := q.Get("to"); v != "" {
		t, err := domain.ParseDay(v)
		if err != nil {
			errs["to"] = i18n.T(lang, "field.date")
		}
		f.To = t.AddDate(0, 0, 1)
	}
	if b, err := strconv.ParseInt(q.Get("before"), 10, 64); err == nil && b > 0 {
		f.BeforeSeq = b
	}
	var entries []*domain.AuditEntry
	if len(errs) == 0 {
		var err error
		if entries, err = s.svc.SearchAudit(r.Context(), f); err != nil {
			return err
		}
	}
	next := ""
	if len(entries) == f.Limit {
		nq := r.URL.Query()
		nq.Set("before", strconv.FormatInt(entries[len(entries)-1].Seq, 10))
		next = "/admin/audit?" + nq.Encode()
	}
	status := http.StatusOK
	if len(errs) > 0 {
		status = http.StatusUnprocessableEntity
	}
	s.render(w, r, status, "audit", &page{Title: "audit.title", Errors: errs, Data: map[string]any{
		"Entries": entries, "Q": q, "Next": next,
	}})
	return nil
}

func (s *Server) describe(r *http.Request, err error) (int, httpx.ErrorDetail) {
	pref := ""
	if u := domain.ActorFrom(r.Context()).User; u != nil {
		pref = u.Lang
	}
	return httpx.Describe(r, s.log, i18n.Pick(r, pref), err)
}
