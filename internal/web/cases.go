package web

import (
	"errors"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"jiefen/internal/domain"
	"jiefen/internal/httpx"
	"jiefen/internal/i18n"
	"jiefen/internal/service/casework"
)

// casesQuery reads the list's filters (the list page and the ledger
// export share them), noting malformed ones in fields.
func casesQuery(q url.Values) (casework.CaseQuery, map[string]string) {
	cq := casework.CaseQuery{Q: strings.TrimSpace(q.Get("q")), Category: q.Get("category"), Risk: q.Get("risk"),
		Channel: q.Get("channel"), OrgCode: strings.TrimSpace(q.Get("org_code")),
		Mine: q.Get("mine") == "1", CoHandled: q.Get("cohandled") == "1", Leading: q.Get("lead") == "1", Regrade: q.Get("regrade") == "1", Counted: q.Get("counted") == "1", Overdue: q.Get("overdue") == "1", DueSoon: q.Get("due_soon") == "1", ToReply: q.Get("to_reply") == "1", Limit: 50}
	fields := map[string]string{}
	for name, dst := range map[string]*time.Time{"from": &cq.From, "to": &cq.To} {
		if v := q.Get(name); v != "" {
			t, err := domain.ParseDay(v)
			if err != nil {
				fields[name] = "field.date"
				continue
			}
			if name == "to" {
				t = t.AddDate(0, 0, 1)
			}
			*dst = t
		}
	}
	if cq.OrgCode != "" && !domain.ValidCode(cq.OrgCode) {
		fields["org_code"] = "org.code.invalid"
		cq.OrgCode = ""
	}
	if st := domain.Status(q.Get("status")); st.Valid() {
		cq.Statuses = []domain.Status{st}
	} else if st == "open" { // 在办: not yet closed
		cq.Statuses = domain.OpenStatuses
	} else if st != "" {
		fields["status"] = "filter.unknown"
	}
	if k := q.Get("overdue"); slices.Contains(casework.OverdueKinds, k) {
		cq.Overdue, cq.OverdueKind = true, k
	} else if k != "" && k != "1" {
		fields["overdue"] = "filter.unknown"
	}
	if c, err := strconv.ParseInt(q.Get("cursor"), 10, 64); err == nil && c > 0 {
		cq.Cursor = c
	}
	return cq, fields
}

func (s *Server) showCasesPage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	if domain.IdentifyingSearch(q.Get("q")) {
		// An ID number or a phone typed into the address: the list's
		// address holds its reference instead.
		_, link, _, err := s.searchValues(r.Context(), q)
		if err != nil {
			return err
		}
		http.Redirect(w, r, listAddress(link), http.StatusSeeOther)
		return nil
	}
	return s.renderCases(w, r, q, http.StatusOK, "", nil, nil)
}

// renderCases shows the list for the filters q, with a message and field
// errors from a failed submission and a bulk dispatch's results.
func (s *Server) renderCases(w http.ResponseWriter, r *http.Request, addr url.Values, status int, msg string, errs map[string]string, bulk *bulkView) error {
	q, link, sfields, err := s.searchValues(r.Context(), addr)
	if err != nil {
		return err
	}
	cq, fields := casesQuery(q)
	maps.Copy(fields, sfields)
	rows, next, err := s.svc.Cases(r.Context(), cq)
	if de, ok := errors.AsType[*domain.Error](err); ok && de.Code == domain.Invalid && len(de.Fields) > 0 {
		// A filter that is none of the choices: said beside it, and the
		// list is shown without it.
		maps.Copy(fields, de.Fields)
		for name, v := range map[string]*string{"risk": &cq.Risk, "channel": &cq.Channel, "category": &cq.Category} {
			if de.Fields[name] != "" {
				*v = ""
			}
		}
		rows, next, err = s.svc.Cases(r.Context(), cq)
	}
	if domain.ErrorCode(err) == domain.NotFound && cq.OrgCode != "" {
		fields["org_code"] = "org.not_found"
		cq.OrgCode = ""
		rows, next, err = s.svc.Cases(r.Context(), cq)
	}
	if err != nil {
		return err
	}
	cats, err := s.svc.Categories(r.Context())
	if err != nil {
		return err
	}
	nextURL := ""
	if next > 0 {
		nq := cloneValues(link)
		nq.Set("cursor", strconv.FormatInt(next, 10))
		nextURL = listAddress(nq)
	}
	if len(fields) > 0 {
		status = http.StatusUnprocessableEntity
		_, d := s.describe(r, &domain.Error{Code: domain.Invalid, Key: "error.invalid", Fields: fields})
		fields = d.Fields
	}
	for k, v := range errs {
		fields[k] = v
	}
	data := map[string]any{
		"Rows": rows, "Q": q, "Link": link, "Next": nextURL, "Categories": cats, "Statuses": domain.Statuses, "Risks": domain.Risks,
		"Channels": domain.Channels, "Now": time.Now(), "Chips": s.filterChips(r.Context(), q, link, cats), "HiddenFlags": hiddenFlags, "BulkResult": bulk,
	}
	if err := s.placePicker(r, data, cq.OrgCode); err != nil {
		return err
	}
	if err := s.bulkPicker(r, data, rows, cq.OrgCode); err != nil {
		return err
	}
	s.render(w, r, status, "cases", &page{Title: "cases.title", Error: msg, Errors: fields, Data: data})
	return nil
}

// caseForm is the registration form as posted (three party rows).
type caseForm struct {
	domain.CaseInput
	Amount, People string
}

func (s *Server) showCaseNewPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderCaseNew(w, r, http.StatusOK, caseForm{CaseInput: domain.CaseInput{Channel: "visit",
		OrgCode: domain.ActorFrom(r.Context()).User.OrgCode, Parties: make([]domain.Party, 3)}}, nil, "")
}

func (s *Server) renderCaseNew(w http.ResponseWriter, r *http.Request, status int, f caseForm, fields map[string]string, msg string) error {
	cats, err := s.svc.Categories(r.Context())
	if err != nil {
		return err
	}
	for len(f.Parties) < 3 {
		f.Parties = append(f.Parties, domain.Party{})
	}
	data := map[string]any{
		"Form": f, "Categories": cats, "Channels": domain.Channels, "PartyRoles": domain.PartyRoles, "Risks": domain.Risks,
		"RelatedWhy": domain.RelatedKinds,
	}
	if err := s.placePicker(r, data, f.OrgCode); err != nil {
		return err
	}
	s.render(w, r, status, "case_new", &page{Title: "cases.new", Errors: fields, Error: msg, Data: data})
	return nil
}

func (s *Server) saveCase(w http.ResponseWriter, r *http.Request) error {
	f := caseForm{CaseInput: domain.CaseInput{Channel: r.PostFormValue("channel"), Category: r.PostFormValue("category"),
		Description: r.PostFormValue("description"), OrgCode: strings.TrimSpace(r.PostFormValue("org_code")),
		Address: r.PostFormValue("address"), ReferredTo: strings.TrimSpace(r.PostFormValue("referred_to"))},
		Amount: strings.TrimSpace(r.PostFormValue("amount")), People: strings.TrimSpace(r.PostFormValue("people_count"))}
	fields := map[string]string{}
	if f.Amount != "" {
		v, err := strconv.ParseFloat(f.Amount, 64)
		if err != nil {
			fields["amount"] = "case.amount.invalid"
		}
		f.AmountYuan = v
	}
	if f.People != "" {
		v, err := strconv.Atoi(f.People)
		if err != nil {
			fields["people_count"] = "case.people.invalid"
		}
		f.PeopleCount = v
	}
	var rowIndex []int               // form row of each submitted party
	typed := make([]domain.Party, 3) // every row as typed, re-shown on an error
	for i := range 3 {
		p := domain.Party{Name: r.PostFormValue("p" + strconv.Itoa(i) + "_name"), Role: r.PostFormValue("p" + strconv.Itoa(i) + "_role"),
			Kind: r.PostFormValue("p" + strconv.Itoa(i) + "_kind"), IDNumber: strings.TrimSpace(r.PostFormValue("p" + strconv.Itoa(i) + "_id")),
			NoIDReason: r.PostFormValue("p" + strconv.Itoa(i) + "_noid"), Phone: r.PostFormValue("p" + strconv.Itoa(i) + "_phone"),
			Address: r.PostFormValue("p" + strconv.Itoa(i) + "_address"), USCC: r.PostFormValue("p" + strconv.Itoa(i) + "_uscc")}
		typed[i] = p
		if p.Kind == "person" && p.IDNumber == "" {
			p.IDType = "none"
		}
		if strings.TrimSpace(p.Name) == "" {
			continue
		}
		f.Parties = append(f.Parties, p)
		rowIndex = append(rowIndex, i)
	}
	var c *domain.Case
	var err error
	if len(fields) == 0 {
		c, err = s.svc.RegisterCase(r.Context(), f.CaseInput)
	} else if err = s.checkCaseWith(r, f.CaseInput, fields); err != nil && domain.ErrorCode(err) == domain.Internal {
		return err
	}
	if err != nil {
		if domain.ErrorCode(err) != domain.Invalid {
			return err
		}
		// Map parties[k].x back to the form row p{row}_x.
		if de, ok := err.(*domain.Error); ok {
			for k, v := range de.Fields {
				if strings.HasPrefix(k, "parties[") {
					end := strings.Index(k, "]")
					n, _ := strconv.Atoi(k[len("parties["):end])
					if n < len(rowIndex) {
						delete(de.Fields, k)
						de.Fields["p"+strconv.Itoa(rowIndex[n])+"_"+k[end+2:]] = v
					}
				}
			}
		}
		_, d := s.describe(r, err)
		// Re-show every row as it was typed, ID numbers and phones too, so
		// the receptionist corrects only the bad field. They travel only in
		// this response's form (the page is no-store), never in a URL or log.
		f.Parties = typed
		return s.renderCaseNew(w, r, http.StatusUnprocessableEntity, f, d.Fields, d.Message)
	}
	s.setFlash(w, r, "flash.case_registered")
	http.Redirect(w, r, "/cases/"+strconv.FormatInt(c.ID, 10), http.StatusSeeOther)
	return nil
}

// checkCaseWith returns the form's own field errors (a bad amount or
// number of people) together with every other one of the registration
// (the place's too), so the receptionist sees them all at once.
func (s *Server) checkCaseWith(r *http.Request, in domain.CaseInput, fields map[string]string) error {
	err := s.svc.CheckCase(r.Context(), in)
	de, ok := errors.AsType[*domain.Error](err)
	switch {
	case ok && de.Code == domain.Invalid && de.Fields != nil:
		for k, v := range fields {
			de.Fields[k] = v
		}
		return de
	case err != nil && !ok:
		return err // internal
	}
	// Fine otherwise, or refused: the form's errors first.
	return &domain.Error{Code: domain.Invalid, Key: "error.invalid", Fields: fields}
}

func (s *Server) showCasePage(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathInt64(r, "caseID")
	if err != nil {
		return err
	}
	return s.renderCase(w, r, id, http.StatusOK, "", nil, nil, nil)
}

// renderCase shows the matter page; msg and fields are a refused form's
// outside the actions (the co-unit form), failed a refused action (its
// form open, its errors and values inside it).
func (s *Server) renderCase(w http.ResponseWriter, r *http.Request, id int64, status int, msg string, fields map[string]string, revealed map[string]string,
	failed *actionFailure) error {
	p, err := s.svc.Page(r.Context(), id)
	if err != nil {
		return err
	}
	c, actions := p.Case, p.Actions
	lang := i18n.Pick(r, domain.ActorFrom(r.Context()).User.Lang)
	forms := actionForms(actions, failed, lang)
	pg := &page{Title: "cases.title", Error: msg, Errors: fields, FlashLink: s.nextAfterAction(r, id, status, lang)}
	if failed != nil {
		pg.Error = failed.Alert
		if failed.Panel {
			pg.ErrorLink = "#act-" + failed.Action
		}
	}
	pg.Data = map[string]any{
		"Group": p.Group, "CaseUnits": p.CaseUnits, "AllUnits": p.AllUnits, "MemberStatuses": casework.MemberStatuses,
		"Related": p.Related, "Links": p.Links, "PartyCounts": p.PartyCounts,
		"CanLink": slices.Contains(actions, "link"), "CanMerge": slices.Contains(actions, "merge"),
		"Suggestion": p.Suggestion, "Registries": p.Registries, "AssessCategory": p.AssessCategory, "AssessRisk": p.AssessRisk,
		"Attachments": p.Attachments, "Milestones": p.Milestones, "AttachmentKinds": casework.AttachmentKinds, "CanAttach": p.CanAttach,
		"Case": c, "Actions": actions, "Missing": c.Six.Missing(), "Now": time.Now(),
		"Categories": p.Categories, "Revealed": revealed, "Outcomes": domain.Outcomes, "Guidance": domain.Guidance,
		"Satisfactions": domain.Satisfactions, "Risks": domain.Risks, "Judicial": domain.JudicialResults, "Basis": basis(c),
		"Mediator": domain.ActorFrom(r.Context()).User.Has(domain.RoleMediator), "Candidates": p.Candidates,
		"Forms": forms,
	}
	s.render(w, r, status, "case", pg)
	return nil
}

func (s *Server) saveCaseAction(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathInt64(r, "caseID")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return &domain.Error{Code: domain.Invalid, Key: "error.invalid"}
	}
	action := r.PathValue("action")
	in, err := casework.DecodeAction(action, casework.FormFields(r.PostForm))
	if err == nil {
		_, err = s.svc.Act(r.Context(), id, action, in)
	}
	if err != nil {
		switch domain.ErrorCode(err) {
		case domain.Invalid, domain.Conflict, domain.Forbidden:
			status, d := s.describe(r, err)
			f := newActionFailure(action, d, err, r.PostForm, i18n.Pick(r, domain.ActorFrom(r.Context()).User.Lang))
			return s.renderCase(w, r, id, status, d.Message, nil, nil, f)
		}
		return err
	}
	s.setFlash(w, r, "flash.case_updated")
	http.Redirect(w, r, "/cases/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
	return nil
}

func (s *Server) revealParty(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathInt64(r, "caseID")
	if err != nil {
		return err
	}
	pid, err := httpx.PathInt64(r, "partyID")
	if err != nil {
		return err
	}
	idn, phone, err := s.svc.RevealParty(r.Context(), id, pid, r.PostFormValue("reason"))
	if err != nil {
		if domain.ErrorCode(err) == domain.Invalid || revealRefused(err) {
			status, d := s.describe(r, err)
			return s.renderCase(w, r, id, status, d.Message, nil, nil, nil)
		}
		return err
	}
	return s.renderCase(w, r, id, http.StatusOK, "", nil, map[string]string{"party": strconv.FormatInt(pid, 10), "id_number": idn, "phone": phone}, nil)
}

func (s *Server) saveAttachment(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathInt64(r, "caseID")
	if err != nil {
		return err
	}
	file, hdr, err := r.FormFile("file")
	if err != nil {
		_, d := s.describe(r, &domain.Error{Code: domain.Invalid, Key: "attachment.missing"})
		return s.renderCase(w, r, id, http.StatusUnprocessableEntity, d.Message, nil, nil, nil)
	}
	defer file.Close()
	if _, err := s.svc.Attach(r.Context(), id, r.FormValue("kind"), hdr.Filename, file); err != nil {
		if c := domain.ErrorCode(err); c == domain.Invalid || c == domain.Unavailable {
			status, d := s.describe(r, err)
			msg := d.Message
			for _, m := range d.Fields {
				msg = m
			}
			return s.renderCase(w, r, id, status, msg, nil, nil, nil)
		}
		return err
	}
	s.setFlash(w, r, "flash.attached")
	http.Redirect(w, r, "/cases/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
	return nil
}

func (s *Server) downloadAttachment(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathInt64(r, "caseID")
	if err != nil {
		return err
	}
	aid, err := httpx.PathInt64(r, "attID")
	if err != nil {
		return err
	}
	a, b, err := s.svc.OpenAttachment(r.Context(), id, aid)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", a.MIME)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": a.Name}))
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.Write(b)
	return nil
}

func basis(c *domain.Case) string {
	r, _ := domain.RuleFor(c.Status, c.Category == "petition")
	return r.Basis
}

// revealRefused: the reveal budget refused a full view (the page says why
// and where to ask for more, instead of an error page).
func revealRefused(err error) bool {
	k := domain.ErrorKey(err)
	return k == "reveal.budget" || k == "reveal.too_fast"
}
