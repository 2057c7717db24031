package api

import (
	"bytes"
	"net/http"
	"strconv"
	"time"

	"jiefen/internal/domain"
	"jiefen/internal/httpx"
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
