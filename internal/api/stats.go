package api

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"jiefen/internal/domain"
	"jiefen/internal/httpx"
	"jiefen/internal/service/report"
)

// statsHandler answers GET /api/v1/stats?from=YYYY-MM-DD&to=YYYY-MM-DD
// &org_code=…&by=…: the figures of the period (to is inclusive), rates as
// fractions with numerator and denominator.
func (a *API) statsHandler(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	sq, err := statsQuery(q)
	if err != nil {
		return err
	}
	st, err := a.svc.Statistics(r.Context(), sq)
	if err != nil {
		return err
	}
	groups := st.Groups
	if groups == nil {
		groups = []report.Figures{}
	}
	defs := map[string]string{}
	for _, d := range report.Definitions {
		defs[d.Key] = d.Text
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{
		"from": q.Get("from"), "to": q.Get("to"), "org_code": st.Place.Code, "org_name": st.Place.Name, "by": st.By,
		"total": st.Total, "groups": groups, "definitions": defs,
		// Years the closed matters' working days fall in that the holiday
		// calendar lacks (counted as plain weeks); empty when none.
		"calendar_missing": append([]int{}, st.CalendarMissing...),
	})
	return nil
}

// statsQuery reads from, to (inclusive), org_code and by.
func statsQuery(q url.Values) (report.StatsQuery, error) {
	from, err1 := time.ParseInLocation("2006-01-02", q.Get("from"), domain.CST)
	to, err2 := time.ParseInLocation("2006-01-02", q.Get("to"), domain.CST)
	if err1 != nil || err2 != nil {
		return report.StatsQuery{}, &domain.Error{Code: domain.Invalid, Key: "error.invalid", Fields: map[string]string{"from": "field.date", "to": "field.date"}}
	}
	return report.StatsQuery{From: from.UTC(), To: to.AddDate(0, 0, 1).UTC(), OrgCode: q.Get("org_code"), By: q.Get("by")}, nil
}

// statsListHandler answers GET /api/v1/stats/list?…&figure=…&key=…
// &offset=…&limit=…: the matters (or events) behind one figure of one
// group; total equals the figure.
func (a *API) statsListHandler(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	sq, err := statsQuery(q)
	if err != nil {
		return err
	}
	offset, _ := strconv.Atoi(q.Get("offset"))
	limit, _ := strconv.Atoi(q.Get("limit"))
	l, err := a.svc.StatsMatters(r.Context(), sq, q.Get("figure"), q.Get("key"), offset, limit)
	if err != nil {
		return err
	}
	type item struct {
		ID       int64  `json:"id"`
		Number   string `json:"number"`
		At       string `json:"at"`
		Note     string `json:"note,omitempty"`
		Status   string `json:"status"`
		Category string `json:"category"`
		Risk     string `json:"risk"`
		OrgCode  string `json:"org_code"`
	}
	items := []item{}
	for _, it := range l.Items {
		i := item{ID: it.CaseID, At: it.At.UTC().Format(time.RFC3339), Note: it.Note}
		if c := it.Case; c != nil {
			i.Number, i.Status, i.Category, i.Risk, i.OrgCode = c.Number, string(c.Status), c.Category, string(c.Risk), c.OrgCode
		}
		items = append(items, i)
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"figure": l.Figure, "key": l.Key, "total": l.Total, "offset": l.Offset, "items": items})
	return nil
}
