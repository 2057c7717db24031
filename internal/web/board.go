package web

import (
	"html/template"
	"net/http"
	"net/url"
	"time"

	"jiefen/internal/chart"
	"jiefen/internal/domain"
	"jiefen/internal/i18n"
	"jiefen/internal/service/report"
)

// boardCharts draws the board's charts: the trend of registrations by
// month, the place's children compared, the categories' shares, the
// on-time rate of each step this month.
func boardCharts(lang string, b *report.Board, top int) map[string]template.HTML {
	p := b.Slow
	var trend, towns, cats, steps []chart.Item
	for _, m := range p.Trend {
		trend = append(trend, chart.Item{Label: m.Month[2:], Value: float64(m.N)})
	}
	for _, g := range p.Towns {
		if g.Key == b.Place.Code {
			continue
		}
		towns = append(towns, chart.Item{Label: g.Name, Value: float64(g.Registered)})
	}
	total := max(p.Month.Registered, 1)
	for _, g := range p.Categories {
		if g.Registered > 0 {
			cats = append(cats, chart.Item{Label: g.Name, Value: float64(g.Registered), Text: i18n.T(lang, "board.share", g.Registered, 100*g.Registered/total)})
		}
	}
	for _, st := range domain.Steps {
		r := p.Month.OnTimeByStep[st]
		txt := "—"
		if r.Denominator > 0 {
			txt = i18n.T(lang, "board.pct", 100*r.Value)
		}
		steps = append(steps, chart.Item{Label: i18n.T(lang, "stats.step."+st), Value: 100 * r.Value, Text: txt})
	}
	return map[string]template.HTML{
		"trend": chart.Columns("ch-trend", i18n.T(lang, "board.chart.trend"), trend),
		"towns": chart.Bars("ch-towns", i18n.T(lang, "board.chart.towns"), chart.Top(towns, top)),
		"cats":  chart.Bars("ch-cats", i18n.T(lang, "board.chart.cats"), chart.Top(cats, top)),
		"steps": chart.Bars("ch-steps", i18n.T(lang, "board.chart.steps"), steps),
	}
}

// showBoard is the command centre's big screen (1920×1080, dark): it
// follows the event stream and refreshes itself without a reload.
func (s *Server) showBoard(w http.ResponseWriter, r *http.Request) error {
	return s.boardPage(w, r, "board")
}

// showDashboard is the personal dashboard: the board of the user's
// jurisdiction, with the matters a leader leads and their supervision
// orders.
func (s *Server) showDashboard(w http.ResponseWriter, r *http.Request) error {
	return s.boardPage(w, r, "dashboard")
}

func (s *Server) boardPage(w http.ResponseWriter, r *http.Request, name string) error {
	b, err := s.svc.Board(r.Context(), r.URL.Query().Get("org_code"))
	if err != nil {
		return err
	}
	lang := i18n.Pick(r, domain.ActorFrom(r.Context()).User.Lang)
	s.render(w, r, http.StatusOK, name, &page{Title: "board." + name, Data: map[string]any{
		"B": b, "Charts": boardCharts(lang, b, map[string]int{"board": 7, "dashboard": 20}[name]), "API": "/api/v1/board?" + url.Values{"org_code": {b.Place.Code}}.Encode(),
		"Risks": []string{"red", "yellow", "blue", "none"}, "Periods": boardPeriods(b),
	}})
	return nil
}

// boardPeriods names the two periods the board compares (this month so
// far, the same days of the month before) and links their statistics and
// the list behind their registrations.
func boardPeriods(b *report.Board) map[string]string {
	p := b.Slow
	days := func(from, to time.Time) string { return from.Format("01-02") + " — " + to.Format("01-02") }
	link := func(path string, from, to time.Time, figure string) string {
		v := url.Values{"from": {from.Format("2006-01-02")}, "to": {to.Format("2006-01-02")}, "org_code": {b.Place.Code}}
		if figure != "" {
			v.Set("figure", figure)
		}
		return path + "?" + v.Encode()
	}
	return map[string]string{
		"Month": days(p.MonthFrom, p.MonthTo), "Prev": days(p.PrevFrom, p.PrevTo),
		"MonthStats": link("/stats", p.MonthFrom, p.MonthTo, ""), "PrevStats": link("/stats", p.PrevFrom, p.PrevTo, ""),
		"MonthList": link("/stats/list", p.MonthFrom, p.MonthTo, "registered"), "PrevList": link("/stats/list", p.PrevFrom, p.PrevTo, "registered"),
	}
}
