package api

import (
	"net/http"
	"time"

	"jiefen/internal/domain"
	"jiefen/internal/httpx"
)

func grantJSON(g *domain.RevealGrant) map[string]any {
	return map[string]any{"id": g.ID, "username": g.Username, "name": g.UserName, "day": g.Day, "extra": g.Extra, "reason": g.Reason,
		"requested_at": rfc3339(g.RequestedAt), "approved_by": g.ApproverName, "approved_at": rfc3339(g.ApprovedAt)}
}

// revealGrantsHandler answers GET /api/v1/reveal-grants: today's requests
// for more full views, the caller's and those it may approve.
func (a *API) revealGrantsHandler(w http.ResponseWriter, r *http.Request) error {
	mine, toApprove, err := a.svc.RevealGrants(r.Context())
	if err != nil {
		return err
	}
	list := func(gs []*domain.RevealGrant) []map[string]any {
		out := []map[string]any{}
		for _, g := range gs {
			out = append(out, grantJSON(g))
		}
		return out
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"mine": list(mine), "to_approve": list(toApprove)})
	return nil
}

// requestRevealGrantHandler answers POST /api/v1/reveal-grants.
func (a *API) requestRevealGrantHandler(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Reason string `json:"reason"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	g, err := a.svc.RequestRevealGrant(r.Context(), in.Reason)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, grantJSON(g))
	return nil
}

// approveRevealGrantHandler answers POST /api/v1/reveal-grants/{id}/approve.
func (a *API) approveRevealGrantHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathInt64(r, "id")
	if err != nil {
		return err
	}
	if err := a.svc.ApproveRevealGrant(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// securityReportHandler answers GET /api/v1/security/report.
func (a *API) securityReportHandler(w http.ResponseWriter, r *http.Request) error {
	rep, err := a.svc.SecurityReport(r.Context())
	if err != nil {
		return err
	}
	alerts := []map[string]any{}
	for _, x := range rep.Alerts {
		alerts = append(alerts, map[string]any{"id": x.ID, "at": rfc3339(x.At), "kind": x.Kind, "username": x.Username, "name": x.UserName,
			"detail": x.Detail, "handled_by": x.HandlerName, "handled_at": rfc3339(x.HandledAt), "note": x.Note})
	}
	revealers := []map[string]any{}
	for _, x := range rep.Revealers {
		revealers = append(revealers, map[string]any{"username": x.Username, "name": x.Name, "views": x.N})
	}
	p := rep.Policy
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"at": rfc3339(rep.At), "alerts": alerts, "revealers_today": revealers,
		"policy": map[string]any{"lockout_failures": p.LockoutFailures, "lockout_window_minutes": int(p.LockoutWindow / time.Minute),
			"lockout_minutes": int(p.LockoutDuration / time.Minute), "idle_timeout_minutes": int(p.IdleTimeout / time.Minute),
			"absolute_timeout_minutes": int(p.AbsoluteTimeout / time.Minute), "password_max_age_days": int(p.PasswordMaxAge / (24 * time.Hour)),
			"password_history": p.PasswordHistory, "reveal_daily_cap": p.RevealDailyCap, "reveal_per_minute": p.RevealPerMinute,
			"second_factor": p.SecondFactor, "device_trust_days": int(p.DeviceTrust / (24 * time.Hour))}})
	return nil
}

// handleAlertHandler answers POST /api/v1/security/alerts/{id}/handle.
func (a *API) handleAlertHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathInt64(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Note string `json:"note"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	if err := a.svc.HandleAlert(r.Context(), id, in.Note); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
