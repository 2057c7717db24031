package api

import (
	"bytes"
	"net/http"
	"strconv"
	"time"

	"jiefen/internal/domain"
	"jiefen/internal/httpx"
	"jiefen/internal/i18n"
	"jiefen/internal/service/casework"
	"jiefen/internal/service/report"
)

// monthlyReportHandler answers GET /api/v1/reports/monthly?month=2026-11
// &org_code=…[&format=xlsx]: the month's figures by place and by
// category, with last month's total.
func (a *API) monthlyReportHandler(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	rep, err := a.svc.MonthlyReport(r.Context(), q.Get("month"), q.Get("org_code"))
	if err != nil {
		return err
	}
	if q.Get("format") == "xlsx" {
		var buf bytes.Buffer
		if err := a.svc.ExportReport(r.Context(), rep, a.centreName, &buf); err != nil {
			return err
		}
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		w.Header().Set("Content-Disposition", `attachment; filename="report.xlsx"`)
		w.Write(buf.Bytes())
		return nil
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"month": rep.Month, "org_code": rep.ByOrg.Place.Code, "org_name": rep.ByOrg.Place.Name,
		"total": rep.ByOrg.Total, "prev_total": rep.Prev, "by_org": rep.ByOrg.Groups, "by_category": rep.ByCat.Groups})
	return nil
}

// exportJSON is an export request as the API gives it.
func exportJSON(r *domain.ExportRequest) map[string]any {
	t := func(x time.Time) any {
		if x.IsZero() {
			return nil
		}
		return x.UTC().Format(time.RFC3339)
	}
	return map[string]any{"id": r.ID, "requested_by": r.RequesterName, "requested_at": t(r.RequestedAt), "reason": r.Reason,
		"approved_by": r.ApproverName, "approved_at": t(r.ApprovedAt), "used_at": t(r.UsedAt),
		"download": "/api/v1/cases/ledger.xlsx?request_id=" + strconv.FormatInt(r.ID, 10)}
}

// exportsHandler answers GET /api/v1/exports: the caller's export requests
// and those they may approve.
func (a *API) exportsHandler(w http.ResponseWriter, r *http.Request) error {
	mine, toApprove, err := a.svc.ExportRequests(r.Context())
	if err != nil {
		return err
	}
	list := func(rs []*domain.ExportRequest) []map[string]any {
		out := []map[string]any{}
		for _, x := range rs {
			out = append(out, exportJSON(x))
		}
		return out
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"mine": list(mine), "to_approve": list(toApprove)})
	return nil
}

// approveExportHandler answers POST /api/v1/exports/{id}/approve.
func (a *API) approveExportHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathInt64(r, "id")
	if err != nil {
		return err
	}
	if err := a.svc.ApproveLedger(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// ledgerDownload answers GET /api/v1/cases/ledger.xlsx: the ledger of a
// list request (masked, or in full with an approved request_id).
func (a *API) ledgerDownload(w http.ResponseWriter, r *http.Request, cq casework.CaseQuery) error {
	cq.Cursor = 0
	lang := i18n.Pick(r, domain.ActorFrom(r.Context()).User.Lang)
	var buf bytes.Buffer
	var opt report.LedgerOptions
	if v := r.URL.Query().Get("request_id"); v != "" {
		var err error
		if opt.RequestID, err = strconv.ParseInt(v, 10, 64); err != nil || opt.RequestID <= 0 {
			return &domain.Error{Code: domain.Invalid, Key: "error.invalid", Fields: map[string]string{"request_id": "error.invalid"}}
		}
	}
	if _, err := a.svc.Ledger(r.Context(), cq, opt, &buf, func(k string) string { return i18n.T(lang, k) }); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="ledger.xlsx"`)
	w.Write(buf.Bytes())
	return nil
}

// exportRequest answers POST /api/v1/exports: a request, with a purpose,
// to export a list request's ledger with personal data in full.
func (a *API) exportRequest(w http.ResponseWriter, r *http.Request, cq casework.CaseQuery) error {
	var in struct {
		Reason string `json:"reason"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	cq.Cursor, cq.Limit = 0, 0
	req, err := a.svc.RequestLedger(r.Context(), cq, in.Reason)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, exportJSON(req))
	return nil
}
