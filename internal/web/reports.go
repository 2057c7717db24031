package web

import (
	"bytes"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"time"

	"jiefen/internal/domain"
	"jiefen/internal/httpx"
	"jiefen/internal/i18n"
	"jiefen/internal/service/casework"
	"jiefen/internal/service/report"
)

// xlsxType is the media type of an .xlsx file.
const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// sendFile writes a finished download (built in memory first, so an error
// never leaves half a file).
func sendFile(w http.ResponseWriter, name string, b []byte) {
	w.Header().Set("Content-Type", xlsxType)
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q; filename*=UTF-8''%s", "jiefen.xlsx", url.PathEscape(name)))
	w.Header().Set("Cache-Control", "no-store")
	w.Write(b)
}

// exportLedger sends the matter ledger (台账) of the list's filters as
// .xlsx (masked unless the role may export personal data; audited).
// A GET exports it masked. A POST from the list's form (dispatchers, with
// a purpose) asks for it with names, ID numbers and phones in full: a
// second person approves the request on /exports, then the requester
// downloads it there, once.
func (s *Server) exportLedger(w http.ResponseWriter, r *http.Request) error {
	q, _, sfields, err := s.searchValues(r.Context(), r.URL.Query())
	if err != nil {
		return err
	}
	cq, fields := casesQuery(q)
	maps.Copy(fields, sfields)
	if len(fields) > 0 {
		return &domain.Error{Code: domain.Invalid, Key: "error.invalid", Fields: fields}
	}
	cq.Cursor = 0
	if r.Method == http.MethodPost {
		if _, err := s.svc.RequestLedger(r.Context(), cq, r.PostFormValue("reason")); err != nil {
			return err
		}
		s.setFlash(w, r, "flash.export_requested")
		http.Redirect(w, r, "/exports", http.StatusSeeOther)
		return nil
	}
	return s.sendLedger(w, r, cq, report.LedgerOptions{})
}

// sendLedger builds the ledger and sends it.
func (s *Server) sendLedger(w http.ResponseWriter, r *http.Request, cq casework.CaseQuery, opt report.LedgerOptions) error {
	lang := i18n.Pick(r, domain.ActorFrom(r.Context()).User.Lang)
	var buf bytes.Buffer
	if _, err := s.svc.Ledger(r.Context(), cq, opt, &buf, func(k string) string { return i18n.T(lang, k) }); err != nil {
		return err
	}
	sendFile(w, "矛盾纠纷台账-"+time.Now().In(domain.CST).Format("20060102")+".xlsx", buf.Bytes())
	return nil
}

// showMonthlyReport is the monthly report (月报): an A4 page to print, and
// the same as .xlsx.
func (s *Server) showMonthlyReport(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	month := q.Get("month")
	if month == "" {
		month = time.Now().In(domain.CST).Format("2006-01")
	}
	rep, err := s.svc.MonthlyReport(r.Context(), month, q.Get("org_code"))
	if err != nil {
		return err
	}
	if r.URL.Path == "/reports/monthly.xlsx" {
		var buf bytes.Buffer
		if err := s.svc.ExportReport(r.Context(), rep, s.cfg.CentreName, &buf); err != nil {
			return err
		}
		sendFile(w, rep.ByOrg.Place.Name+"月报-"+month+".xlsx", buf.Bytes())
		return nil
	}
	m, _ := time.ParseInLocation("2006-01", month, domain.CST)
	s.render(w, r, http.StatusOK, "report", &page{Title: "report.monthly", Data: map[string]any{
		"R": rep, "Cols": report.ReportColumns, "Defs": defsByKey(), "Value": report.ReportValue,
		"Prev": m.AddDate(0, -1, 0).Format("2006-01"), "Next": m.AddDate(0, 1, 0).Format("2006-01"),
		"XLSX": "/reports/monthly.xlsx?" + url.Values{"month": {month}, "org_code": {rep.ByOrg.Place.Code}}.Encode(),
	}})
	return nil
}

// showExports lists the user's requests to export personal data and those
// they may approve.
func (s *Server) showExports(w http.ResponseWriter, r *http.Request) error {
	return s.renderExports(w, r, http.StatusOK, nil)
}

// renderExports is the approvals page: export requests and requests for
// more full views today (the reveal budget), the user's and those to approve.
func (s *Server) renderExports(w http.ResponseWriter, r *http.Request, status int, errs map[string]string) error {
	mine, toApprove, err := s.svc.ExportRequests(r.Context())
	if err != nil {
		return err
	}
	myGrants, grantsToApprove, err := s.svc.RevealGrants(r.Context())
	if err != nil {
		return err
	}
	now := time.Now()
	usable := func(x *domain.ExportRequest) bool {
		return !x.ApprovedAt.IsZero() && x.UsedAt.IsZero() && now.Sub(x.ApprovedAt) <= report.ExportRequestTTL
	}
	cats, err := s.svc.Categories(r.Context())
	if err != nil {
		return err
	}
	filters := map[int64][]filterChip{} // each request's filters, as the list's chips name them
	for _, x := range slices.Concat(mine, toApprove) {
		cq, gone, err := s.svc.RequestQuery(x)
		if err != nil {
			continue // shown without its filters, as before
		}
		filters[x.ID] = s.filterChips(r.Context(), cq.Values(), cq.Values(), cats)
		if gone {
			filters[x.ID] = append(filters[x.ID], filterChip{Label: "cases.search", ValueKey: "export.search_gone_chip"})
		}
	}
	s.render(w, r, status, "exports", &page{Title: "export.title", Errors: errs, Data: map[string]any{"Mine": mine, "ToApprove": toApprove,
		"Usable": usable, "Filters": filters, "MyGrants": myGrants, "GrantsToApprove": grantsToApprove}})
	return nil
}

// approveExport approves another user's request.
func (s *Server) approveExport(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathInt64(r, "id")
	if err != nil {
		return err
	}
	if err := s.svc.ApproveLedger(r.Context(), id); err != nil {
		return err
	}
	s.setFlash(w, r, "flash.export_approved")
	http.Redirect(w, r, "/exports", http.StatusSeeOther)
	return nil
}

// downloadExport sends an approved request's ledger, once: a POST with the
// form's token, since it uses the approval up (a GET from a link on another
// site could spend it).
func (s *Server) downloadExport(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathInt64(r, "id")
	if err != nil {
		return err
	}
	return s.sendLedger(w, r, casework.CaseQuery{}, report.LedgerOptions{RequestID: id})
}

// requestRevealGrant asks for more full views of personal data today.
func (s *Server) requestRevealGrant(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.svc.RequestRevealGrant(r.Context(), r.PostFormValue("reason")); err != nil {
		if domain.ErrorCode(err) == domain.Invalid {
			_, d := s.describe(r, err)
			return s.renderExports(w, r, http.StatusUnprocessableEntity, map[string]string{"reason": d.Message})
		}
		return err
	}
	s.setFlash(w, r, "flash.grant_requested")
	http.Redirect(w, r, "/exports", http.StatusSeeOther)
	return nil
}

// approveRevealGrant approves another person's request for more views today.
func (s *Server) approveRevealGrant(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathInt64(r, "id")
	if err != nil {
		return err
	}
	if err := s.svc.ApproveRevealGrant(r.Context(), id); err != nil {
		return err
	}
	s.setFlash(w, r, "flash.grant_approved")
	http.Redirect(w, r, "/exports", http.StatusSeeOther)
	return nil
}
