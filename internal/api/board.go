package api

import (
	"net/http"
	"time"

	"jiefen/internal/domain"
	"jiefen/internal/httpx"
	"jiefen/internal/i18n"
)

// boardHandler answers GET /api/v1/board?org_code=…: what the command
// centre's big screen shows (no personal data: numbers, categories,
// places, colours, lead leaders).
func (a *API) boardHandler(w http.ResponseWriter, r *http.Request) error {
	b, err := a.svc.Board(r.Context(), r.URL.Query().Get("org_code"))
	if err != nil {
		return err
	}
	lang := i18n.Pick(r, domain.ActorFrom(r.Context()).User.Lang)
	type item struct {
		ID           int64  `json:"id"`
		Number       string `json:"number"`
		Risk         string `json:"risk"`
		RiskName     string `json:"risk_name"`
		Category     string `json:"category_name"`
		Org          string `json:"org_name"`
		Status       string `json:"status"`
		Registered   string `json:"registered"`
		LeadName     string `json:"lead_name,omitempty"`
		RegisteredAt string `json:"registered_at"`
	}
	items := func(cs []*domain.Case) []item {
		out := []item{}
		for _, c := range cs {
			out = append(out, item{c.ID, c.Number, string(c.Risk), i18n.T(lang, "risk."+string(c.Risk)), c.CategoryNm, c.OrgName, string(c.Status),
				c.CreatedAt.In(domain.CST).Format("01-02 15:04"), c.LeadName, c.CreatedAt.UTC().Format(time.RFC3339)})
		}
		return out
	}
	units := []string{}
	for _, u := range b.Units {
		units = append(units, u.Name)
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{
		"org_code": b.Place.Code, "org_name": b.Place.Name, "now": b.Now.UTC().Format(time.RFC3339),
		"open": b.Open, "by_risk": b.ByRisk, "overdue": b.Overdue, "overdue_followup": b.OverdueFollowUp, "due_soon": b.DueSoon,
		"today_registered": b.TodayRegistered, "today_visits": b.TodayVisits,
		"latest": items(b.Latest), "red": items(b.Red), "units_today": units,
		"rates_at": b.Slow.At.UTC().Format(time.RFC3339), "this_month": b.Slow.Month, "prev_month": b.Slow.Prev, "trend": b.Slow.Trend,
		// The two periods compared: this month so far, the same days of the last.
		"this_month_days": [2]string{day(b.Slow.MonthFrom), day(b.Slow.MonthTo)}, "prev_month_days": [2]string{day(b.Slow.PrevFrom), day(b.Slow.PrevTo)},
	})
	return nil
}

// day is a date of China time as YYYY-MM-DD.
func day(t time.Time) string { return t.In(domain.CST).Format("2006-01-02") }
