package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"jiefen/internal/chart"
	"jiefen/internal/domain"
	"jiefen/internal/i18n"
	"jiefen/internal/service/report"
)

// statsPeriod reads from and to (inclusive; default this month so far),
// noting a malformed date in fields.
func statsPeriod(q url.Values, fields map[string]string) (from, to time.Time) {
	now := time.Now().In(domain.CST)
	from = time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, domain.CST)
	to = time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, domain.CST)
	for name, t := range map[string]*time.Time{"from": &from, "to": &to} {
		if v := q.Get(name); v != "" {
			if d, err := time.ParseInLocation("2006-01-02", v, domain.CST); err == nil {
				*t = d
			} else {
				fields[name] = "field.date"
			}
		}
	}
	return from, to
}

// showStatsPage shows the figures of a period with their definitions (as
// tooltips and in a list below), by a chosen breakdown; every figure links
// to the list behind it.
func (s *Server) showStatsPage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	fields := map[string]string{}
	from, to := statsPeriod(q, fields)
	by := q.Get("by")
	st, err := s.svc.Statistics(r.Context(), report.StatsQuery{From: from.UTC(), To: to.AddDate(0, 0, 1).UTC(), OrgCode: q.Get("org_code"), By: by})
	msg := ""
	if err != nil {
		code := domain.ErrorCode(err)
		if code == domain.Forbidden && q.Get("org_code") != "" {
			// A place outside the jurisdiction is the field's error, the
			// page shown again for the user's own place.
			err = &domain.Error{Code: domain.Invalid, Key: "error.invalid", Fields: map[string]string{"org_code": "stats.place.outside"}}
		} else if code != domain.Invalid {
			return err
		}
		_, d := s.describe(r, err)
		msg = d.Message
		for k, v := range d.Fields {
			fields[k] = v
		}
		place := q.Get("org_code")
		if _, bad := fields["org_code"]; bad {
			place = ""
		}
		by = ""
		now := time.Now().In(domain.CST)
		from = time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, domain.CST) // what is shown instead
		to = time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, domain.CST)
		st, err = s.svc.Statistics(r.Context(), report.StatsQuery{From: from.UTC(), To: to.AddDate(0, 0, 1).UTC(), OrgCode: place})
		if err != nil {
			return err
		}
	}
	base := url.Values{"from": {from.Format("2006-01-02")}, "to": {to.Format("2006-01-02")}, "org_code": {st.Place.Code}}
	drill := func(figure, key string) string {
		v := url.Values{"figure": {figure}}
		for k, x := range base {
			v[k] = x
		}
		if key != "" {
			v.Set("by", by)
			v.Set("key", key)
		}
		return "/stats/list?" + v.Encode()
	}
	// A node of the tree opens its own children (county → township →
	// village).
	node := func(code string) string {
		v := url.Values{"from": base["from"], "to": base["to"], "org_code": {code}, "by": {"org"}}
		return "/stats?" + v.Encode()
	}
	lang := i18n.Pick(r, domain.ActorFrom(r.Context()).User.Lang)
	var ch template.HTML
	if len(st.Groups) > 0 {
		items := make([]chart.Item, 0, len(st.Groups))
		for _, g := range st.Groups {
			items = append(items, chart.Item{Label: groupName(lang, by, g), Value: float64(g.Registered), Href: drill("registered", g.Key)})
		}
		ch = chart.Bars("stats-by", i18n.T(lang, "stats.chart.by", i18n.T(lang, "stats.by."+by)), items)
	}
	data := map[string]any{
		"S": st, "From": from.Format("2006-01-02"), "To": to.Format("2006-01-02"), "By": by, "Breakdowns": report.StatsBreakdowns,
		"Defs": defsByKey(), "DefList": report.Definitions, "Drill": drill, "Node": node, "Chart": ch, "Steps": domain.Steps,
		"Place": st.Place.Code,
	}
	if err := s.placePicker(r, data, st.Place.Code); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "stats", &page{Title: "stats.title", Error: msg, Errors: fields, Data: data})
	return nil
}

// groupName is how a group is named to the reader.
func groupName(lang, by string, g report.Figures) string {
	switch by {
	case "risk":
		return i18n.T(lang, "risk."+g.Key)
	case "channel":
		return i18n.T(lang, "channel."+g.Key)
	}
	if g.Name != "" {
		return g.Name
	}
	return g.Key
}

func defsByKey() map[string]report.Definition {
	m := map[string]report.Definition{}
	for _, d := range report.Definitions {
		m[d.Key] = d
	}
	return m
}

// showStatsList shows the matters (or events) behind one figure, 100 to a
// page; the count on the page equals the figure.
func (s *Server) showStatsList(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	fields := map[string]string{}
	from, to := statsPeriod(q, fields)
	if len(fields) > 0 {
		return &domain.Error{Code: domain.Invalid, Key: "error.invalid", Fields: fields}
	}
	offset, _ := strconv.Atoi(q.Get("offset"))
	sq := report.StatsQuery{From: from.UTC(), To: to.AddDate(0, 0, 1).UTC(), OrgCode: q.Get("org_code"), By: q.Get("by")}
	l, err := s.svc.StatsMatters(r.Context(), sq, q.Get("figure"), q.Get("key"), offset, 100)
	if err != nil {
		return err
	}
	more := func(off int) string {
		v := url.Values{}
		for k, x := range q {
			v[k] = x
		}
		v.Set("offset", strconv.Itoa(off))
		return "/stats/list?" + v.Encode()
	}
	back := url.Values{"from": {from.Format("2006-01-02")}, "to": {to.Format("2006-01-02")}, "org_code": {l.Stats.Place.Code}, "by": {sq.By}}
	s.render(w, r, http.StatusOK, "stats_list", &page{Title: "stats.list.title", Data: map[string]any{
		"L": l, "From": from.Format("2006-01-02"), "To": to.Format("2006-01-02"), "Back": "/stats?" + back.Encode(),
		"Prev": more(max(offset-100, 0)), "Next": more(offset + 100), "HasPrev": offset > 0, "HasNext": offset+100 < l.Total,
		"Range": fmt.Sprintf("%d–%d", min(offset+1, l.Total), min(offset+100, l.Total)),
	}})
	return nil
}
