package web

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"jiefen/internal/domain"
	"jiefen/internal/httpx"
	"jiefen/internal/i18n"
)

// auditFilter reads the audit search's fields, noting malformed dates.
func auditFilter(q url.Values, lang string) (domain.AuditFilter, map[string]string) {
	f := domain.AuditFilter{Username: strings.TrimSpace(q.Get("user")), Action: strings.TrimSpace(q.Get("action")),
		Result: q.Get("result"), ObjectID: strings.TrimSpace(q.Get("object")), Limit: 50}
	if f.Result != domain.ResultOK && f.Result != domain.ResultFail {
		f.Result = ""
	}
	errs := map[string]string{}
	if v := q.Get("from"); v != "" {
		t, err := domain.ParseDay(v)
		if err != nil {
			errs["from"] = i18n.T(lang, "field.date")
		}
		f.From = t
	}
	if v := q.Get("to"); v != "" {
		t, err := domain.ParseDay(v)
		if err != nil {
			errs["to"] = i18n.T(lang, "field.date")
		}
		f.To = t.AddDate(0, 0, 1)
	}
	if b, err := strconv.ParseInt(q.Get("before"), 10, 64); err == nil && b > 0 {
		f.BeforeSeq = b
	}
	return f, errs
}

func (s *Server) showAuditPage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	lang := i18n.Pick(r, domain.ActorFrom(r.Context()).User.Lang)
	f, errs := auditFilter(q, lang)
	var entries []*domain.AuditEntry
	if len(errs) == 0 {
		var err error
		if entries, err = s.svc.SearchAudit(r.Context(), f); err != nil {
			return err
		}
	}
	next := ""
	if len(entries) == f.Limit {
		nq := r.URL.Query()
		nq.Set("before", strconv.FormatInt(entries[len(entries)-1].Seq, 10))
		next = "/admin/audit?" + nq.Encode()
	}
	status := http.StatusOK
	if len(errs) > 0 {
		status = http.StatusUnprocessableEntity
	}
	s.render(w, r, status, "audit", &page{Title: "audit.title", Errors: errs, Data: map[string]any{
		"Entries": s.auditRows(r.Context(), lang, entries), "Q": q, "Next": next,
	}})
	return nil
}

func (s *Server) describe(r *http.Request, err error) (int, httpx.ErrorDetail) {
	pref := ""
	if u := domain.ActorFrom(r.Context()).User; u != nil {
		pref = u.Lang
	}
	return httpx.Describe(r, s.log, i18n.Pick(r, pref), err)
}

// auditRow is an audit entry as the page shows it: its action and object
// by name, and a matter's action with its states by name and the data it
// wrote in the timeline's words. The record as written is the API's and
// the command line's (GET /api/v1/audit, jiefen audit).
type auditRow struct {
	*domain.AuditEntry
	Name     string // the action's message key, "" when it has none
	ObjName  string // the object type's message key, or ""
	Step     string // a matter's action (case.assess: assess), "" for others
	From, To domain.Status
	Data     map[string]string
	Ledger   *ledgerLine // a ledger request, approval or export, read
}

// ledgerLine is a ledger action's audit detail in its parts, as
// report.Service writes it ("filter Q, reason: R", "requested by N, reason:
// R", "N matters, masked, filter Q").
type ledgerLine struct {
	Requester, Reason string
	Filter            []filterChip
	HasFilter         bool
	Rows              int // -1: not said
	Unmasked, Masked  bool
}

// auditRows names the entries' actions and reads a matter action's record
// ("registered → assessed {…}", as casework writes it) into its parts;
// a record that does not read so is shown as written.
func (s *Server) auditRows(ctx context.Context, lang string, entries []*domain.AuditEntry) []auditRow {
	var cats []domain.Category // read once, when a ledger line names a category
	out := make([]auditRow, len(entries))
	for i, e := range entries {
		row := auditRow{AuditEntry: e}
		if k := "audit.act." + e.Action; i18n.Has(lang, k) {
			row.Name = k
		} else if step, ok := strings.CutPrefix(e.Action, "case."); ok && i18n.Has(lang, "action."+step) {
			row.Name = "action." + step
			if from, to, data, ok := caseActionDetail(e.Detail); ok && e.Result == domain.ResultOK {
				row.Step, row.From, row.To, row.Data = step, from, to, data
			}
		}
		if strings.HasPrefix(e.Action, "ledger.") {
			if l, q, ok := readLedgerDetail(e.Detail); ok {
				if q.Get("category") != "" && cats == nil {
					cats, _ = s.svc.Categories(ctx) // without them the code is shown
				}
				l.Filter = s.filterChips(ctx, q, q, cats)
				row.Ledger = &l
			}
		}
		if k := "audit.obj." + e.ObjectType; i18n.Has(lang, k) {
			row.ObjName = k
		}
		out[i] = row
	}
	return out
}

// caseActionDetail reads a matter action's audit detail: the states before
// and after and the data the action wrote.
func caseActionDetail(detail string) (from, to domain.Status, data map[string]string, ok bool) {
	states, rest, found := strings.Cut(detail, " {")
	a, b, arrow := strings.Cut(states, " → ")
	from, to = domain.Status(a), domain.Status(b)
	if !found || !arrow || !from.Valid() || !to.Valid() {
		return "", "", nil, false
	}
	if err := json.Unmarshal([]byte("{"+rest), &data); err != nil {
		return "", "", nil, false
	}
	return from, to, data, true
}

// readLedgerDetail reads a ledger action's detail into its parts and the
// list parameters it names; a detail of another shape (an older record)
// is not read.
func readLedgerDetail(detail string) (ledgerLine, url.Values, bool) {
	l := ledgerLine{Rows: -1}
	var q url.Values
	head, reason, _ := strings.Cut(detail, ", reason: ")
	if i := strings.LastIndex(reason, ", filter "); i >= 0 { // an unmasked export: the reason, then the filter
		head, reason = head+reason[i:], reason[:i]
	}
	l.Reason = reason
	for part := range strings.SplitSeq(head, ", ") {
		switch {
		case part == "masked":
			l.Masked = true
		case part == "personal data unmasked":
			l.Unmasked = true
		case strings.HasPrefix(part, "requested by "):
			l.Requester = strings.TrimPrefix(part, "requested by ")
		case strings.HasPrefix(part, "filter "):
			f := strings.TrimPrefix(part, "filter ")
			if f == "-" {
				f = ""
			}
			v, err := url.ParseQuery(f)
			if err != nil || strings.Contains(f, " ") {
				return l, nil, false
			}
			q, l.HasFilter = v, true
		default:
			n, ok := strings.CutSuffix(part, " matters")
			rows, err := strconv.Atoi(n)
			if !ok || err != nil {
				return l, nil, false
			}
			l.Rows = rows
		}
	}
	return l, q, true
}

// exportAudit is the audit search as a CSV file (UTF-8 with a byte-order
// mark, so that a spreadsheet reads the Chinese), the records as written,
// at most 10,000 newest first; the export itself is audited.
func (s *Server) exportAudit(w http.ResponseWriter, r *http.Request) error {
	lang := i18n.Pick(r, domain.ActorFrom(r.Context()).User.Lang)
	f, errs := auditFilter(r.URL.Query(), lang)
	if len(errs) > 0 {
		return &domain.Error{Code: domain.Invalid, Key: "field.date", Fields: map[string]string{"from": "field.date"}}
	}
	entries, err := s.svc.ExportAudit(r.Context(), f)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="audit.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Write([]byte("\uFEFF"))
	cw := csv.NewWriter(w)
	cw.Write([]string{"seq", "time", "user", "roles", "ip", "request_id", "action", "object_type", "object_id", "place", "result", "detail"})
	for _, e := range entries {
		cw.Write(csvCells(strconv.FormatInt(e.Seq, 10), e.At.In(domain.CST).Format("2006-01-02 15:04:05"), e.Username, e.Roles, e.IP,
			e.RequestID, e.Action, e.ObjectType, e.ObjectID, e.OrgPath, e.Result, e.Detail))
	}
	cw.Flush()
	return cw.Error()
}

// csvCells is a CSV row's values through domain.CellText.
func csvCells(vs ...string) []string {
	for i, v := range vs {
		vs[i] = domain.CellText(v)
	}
	return vs
}
