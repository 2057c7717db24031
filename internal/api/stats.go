package api

import (
	"net/http"
	"time"

	"jiefen/internal/domain"
	"jiefen/internal/httpx"
	"jiefen/internal/service"
)

// statsHandler answers GET /api/v1/stats?from=YYYY-MM-DD&to=YYYY-MM-DD
// &org_code=…&by=…: the figures of the period (to is inclusive), rates as
// fractions with numerator and denominator.
func (a *API) statsHandler(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	from, err1 := time.ParseInLocation("2006-01-02", q.Get("from"), domain.CST)
	to, err2 := time.ParseInLocation("2006-01-02", q.Get("to"), domain.CST)
	if err1 != nil || err2 != nil {
		return &domain.Error{Code: domain.Invalid, Key: "error.invalid", Fields: map[string]string{"from": "field.date", "to": "field.date"}}
	}
	st, err := a.svc.Statistics(r.Context(), service.StatsQuery{From: from.UTC(), To: to.AddDate(0, 0, 1).UTC(), OrgCode: q.Get("org_code"), By: q.Get("by")})
	if err != nil {
		return err
	}
	groups := st.Groups
	if groups == nil {
		groups = []service.Figures{}
	}
	defs := map[string]string{}
	for _, d := range service.Definitions {
		defs[d.Key] = d.Text
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{
		"from": q.Get("from"), "to": q.Get("to"), "org_code": st.Place.Code, "org_name": st.Place.Name, "by": st.By,
		"total": st.Total, "groups": groups, "definitions": defs,
	})
	return nil
}
