package web

import (
	"net/http"
	"net/url"
	"time"

	"jiefen/internal/domain"
	"jiefen/internal/service"
)

// showStatsPage shows the figures of a period with their definitions (as
// tooltips and in a list below), by a chosen breakdown.
func (s *Server) showStatsPage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	now := time.Now().In(domain.CST)
	from := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, domain.CST)
	to := now
	fields := map[string]string{}
	if v := q.Get("from"); v != "" {
		if t, err := time.ParseInLocation("2006-01-02", v, domain.CST); err == nil {
			from = t
		} else {
			fields["from"] = "field.date"
		}
	}
	if v := q.Get("to"); v != "" {
		if t, err := time.ParseInLocation("2006-01-02", v, domain.CST); err == nil {
			to = t
		} else {
			fields["to"] = "field.date"
		}
	}
	by := q.Get("by")
	st, err := s.svc.Statistics(r.Context(), service.StatsQuery{From: from.UTC(), To: to.AddDate(0, 0, 1).UTC(), OrgCode: q.Get("org_code"), By: by})
	msg := ""
	if err != nil {
		if c := domain.ErrorCode(err); c != domain.Invalid {
			return err
		}
		_, d := s.describe(r, err)
		msg = d.Message
		for k, v := range d.Fields {
			fields[k] = v
		}
		st, err = s.svc.Statistics(r.Context(), service.StatsQuery{From: from.UTC(), To: from.AddDate(0, 1, 0).UTC(), OrgCode: q.Get("org_code")})
		if err != nil {
			return err
		}
	}
	// The list behind "registered": the same period and place, merged
	// duplicates left out.
	regList := func(extra url.Values) string {
		v := url.Values{"from": {from.Format("2006-01-02")}, "to": {to.Format("2006-01-02")}, "org_code": {st.Place.Code}, "counted": {"1"}}
		for k, x := range extra {
			v[k] = x
		}
		return "/cases?" + v.Encode()
	}
	s.render(w, r, http.StatusOK, "stats", &page{Title: "stats.title", Error: msg, Errors: fields, Data: map[string]any{
		"S": st, "From": from.Format("2006-01-02"), "To": to.Format("2006-01-02"), "By": by, "Breakdowns": service.StatsBreakdowns,
		"Defs": service.Definitions, "RegList": regList,
	}})
	return nil
}
