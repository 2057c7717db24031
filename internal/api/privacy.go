package api

import (
	"bytes"
	"net/http"
	"strconv"
	"time"

	"jiefen/internal/authz"
	"jiefen/internal/domain"
	"jiefen/internal/httpx"
	"jiefen/internal/i18n"
	"jiefen/internal/service/privacy"
)

// registerPrivacy adds the routes of the people's rights over their data
// (PIPL 44–47). The person asked about travels in POST bodies only.
func (a *API) registerPrivacy(m *httpx.Mux) {
	m.Handle("POST /api/v1/privacy/find", authz.PrivacyHandle, a.wrap(a.findPersonHandler))
	m.Handle("GET /api/v1/privacy/requests", authz.PrivacyApprove, a.wrap(a.personCopyRequestsHandler))
	m.Handle("POST /api/v1/privacy/requests", authz.PrivacyHandle, a.wrap(a.requestPersonCopyHandler))
	m.Handle("POST /api/v1/privacy/requests/{id}/approve", authz.PrivacyApprove, a.wrap(a.approvePersonCopyHandler))
	m.Handle("GET /api/v1/privacy/requests/{id}/copy.xlsx", authz.PrivacyHandle, a.wrap(a.personCopyHandler))
	m.Handle("POST /api/v1/cases/{caseID}/parties/{partyID}/correct", authz.PrivacyHandle, a.wrap(a.correctPartyHandler))
	m.Handle("GET /api/v1/privacy/retention", authz.PrivacyRecord, a.wrap(a.retentionRulesHandler))
	m.Handle("PUT /api/v1/privacy/retention/{kind}", authz.PrivacyHandle, a.wrap(a.setRetentionHandler))
	m.Handle("POST /api/v1/privacy/retention/run", authz.PrivacyHandle, a.wrap(a.runRetentionHandler))
	m.Handle("GET /api/v1/privacy/record", authz.PrivacyRecord, a.wrap(a.processingRecordHandler))
	m.Handle("GET /api/v1/privacy/access", authz.AuditView, a.wrap(a.accessedPersonsHandler))
}

// personBody is a lawful request about a person: who, the reference and
// the reason.
type personBody struct {
	IDNumber string `json:"id_number"`
	Phone    string `json:"phone"`
	Name     string `json:"name"`
	OrgCode  string `json:"org_code"`
	Ref      string `json:"ref"`
	Reason   string `json:"reason"`
}

func (b personBody) query() domain.PersonQuery {
	return domain.PersonQuery{IDNumber: b.IDNumber, Phone: b.Phone, Name: b.Name, OrgCode: b.OrgCode}
}

func rfc3339(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(time.RFC3339)
}

// holdingsJSON is what is held about a person as the API gives it: the
// fields held, no values.
func holdingsJSON(h *domain.Holdings) map[string]any {
	parties := []map[string]any{}
	for _, p := range h.Parties {
		parties = append(parties, map[string]any{"case_id": p.CaseID, "case_number": p.CaseNumber, "org_name": p.OrgName, "status": p.Status,
			"registered_at": rfc3339(p.RegisteredAt), "anonymised": p.Anonymised, "party_id": p.Party.ID, "kind": p.Party.Kind, "role": p.Party.Role,
			"name": p.Party.Name, "fields": p.Fields, "matched_by": p.MatchedBy, "corrections": p.Corrections})
	}
	members := []map[string]any{}
	for _, m := range h.Members {
		members = append(members, map[string]any{"case_id": m.CaseID, "case_number": m.CaseNumber, "org_name": m.OrgName, "member_id": m.MemberID,
			"row_no": m.RowNo, "village": m.VillageName, "name": m.Name, "fields": m.Fields, "matched_by": m.MatchedBy})
	}
	return map[string]any{"query": h.Query, "matters": h.Matters(), "truncated": h.Truncated, "parties": parties, "members": members}
}

// findPersonHandler answers POST /api/v1/privacy/find.
func (a *API) findPersonHandler(w http.ResponseWriter, r *http.Request) error {
	var in personBody
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	h, err := a.svc.FindPerson(r.Context(), in.query(), in.Ref, in.Reason)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, holdingsJSON(h))
	return nil
}

func privacyRequestJSON(x *domain.PrivacyRequest) map[string]any {
	id := strconv.FormatInt(x.ID, 10)
	return map[string]any{"id": x.ID, "ref": x.Ref, "person": x.Subject, "reason": x.Reason, "requested_by": x.RequesterName,
		"requested_at": rfc3339(x.RequestedAt), "approved_by": x.ApproverName, "approved_at": rfc3339(x.ApprovedAt), "used_at": rfc3339(x.UsedAt),
		"copy": "/api/v1/privacy/requests/" + id + "/copy.xlsx"}
}

// personCopyRequestsHandler answers GET /api/v1/privacy/requests.
func (a *API) personCopyRequestsHandler(w http.ResponseWriter, r *http.Request) error {
	mine, toApprove, err := a.svc.PersonCopyRequests(r.Context())
	if err != nil {
		return err
	}
	list := func(rs []*domain.PrivacyRequest) []map[string]any {
		out := []map[string]any{}
		for _, x := range rs {
			out = append(out, privacyRequestJSON(x))
		}
		return out
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"mine": list(mine), "to_approve": list(toApprove)})
	return nil
}

// requestPersonCopyHandler answers POST /api/v1/privacy/requests.
func (a *API) requestPersonCopyHandler(w http.ResponseWriter, r *http.Request) error {
	var in personBody
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	x, err := a.svc.RequestPersonCopy(r.Context(), in.query(), in.Ref, in.Reason)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, privacyRequestJSON(x))
	return nil
}

// approvePersonCopyHandler answers POST /api/v1/privacy/requests/{id}/approve.
func (a *API) approvePersonCopyHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathInt64(r, "id")
	if err != nil {
		return err
	}
	if err := a.svc.ApprovePersonCopy(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// personCopyHandler answers GET /api/v1/privacy/requests/{id}/copy.xlsx.
func (a *API) personCopyHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathInt64(r, "id")
	if err != nil {
		return err
	}
	lang := i18n.Pick(r, domain.ActorFrom(r.Context()).User.Lang)
	var buf bytes.Buffer
	if _, err := a.svc.PersonCopy(r.Context(), id, &buf, func(k string) string { return i18n.T(lang, k) }); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="copy.xlsx"`)
	w.Write(buf.Bytes())
	return nil
}

// correctPartyHandler answers POST /api/v1/cases/{caseID}/parties/{partyID}/correct.
func (a *API) correctPartyHandler(w http.ResponseWriter, r *http.Request) error {
	caseID, err := httpx.PathInt64(r, "caseID")
	if err != nil {
		return err
	}
	partyID, err := httpx.PathInt64(r, "partyID")
	if err != nil {
		return err
	}
	var in domain.PartyCorrection
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	if err := a.svc.CorrectParty(r.Context(), caseID, partyID, in); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// retentionRulesHandler answers GET /api/v1/privacy/retention.
func (a *API) retentionRulesHandler(w http.ResponseWriter, r *http.Request) error {
	rules, err := a.svc.RetentionRules(r.Context())
	if err != nil {
		return err
	}
	out := []map[string]any{}
	for _, x := range rules {
		out = append(out, map[string]any{"kind": x.Kind, "keep_days": x.KeepDays, "min_days": x.MinDays, "action": x.Action,
			"changed_by": x.ChangedBy, "changed_at": rfc3339(x.ChangedAt)})
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"rules": out, "every_hours": int(privacy.RetentionEvery.Hours())})
	return nil
}

// setRetentionHandler answers PUT /api/v1/privacy/retention/{kind}.
func (a *API) setRetentionHandler(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		KeepDays int `json:"keep_days"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	if err := a.svc.SetRetentionRule(r.Context(), r.PathValue("kind"), in.KeepDays); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// runRetentionHandler answers POST /api/v1/privacy/retention/run.
func (a *API) runRetentionHandler(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		DryRun bool `json:"dry_run"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	rep, err := a.svc.RunRetention(r.Context(), in.DryRun)
	if err != nil {
		return err
	}
	matters := []map[string]any{}
	for _, m := range rep.Matters {
		matters = append(matters, map[string]any{"case_id": m.CaseID, "number": m.Number, "archived_at": rfc3339(m.ArchivedAt),
			"parties": m.Parties, "members": m.Members})
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"dry_run": rep.DryRun, "matters": rep.Cases, "parties": rep.Parties, "members": rep.Members,
		"parties_archived_before": rfc3339(rep.Cutoff[domain.RetainParties]), "members_archived_before": rfc3339(rep.Cutoff[domain.RetainMembers]),
		"listed": matters})
	return nil
}

// processingRecordHandler answers GET /api/v1/privacy/record.
func (a *API) processingRecordHandler(w http.ResponseWriter, r *http.Request) error {
	rec, err := a.svc.ProcessingRecord(r.Context())
	if err != nil {
		return err
	}
	items := []map[string]any{}
	for _, it := range rec {
		var rule any
		if it.Rule != nil {
			rule = map[string]any{"kind": it.Rule.Kind, "keep_days": it.Rule.KeepDays, "action": it.Rule.Action}
		}
		items = append(items, map[string]any{"record": it.Record, "field": it.Field, "sealed": it.Sealed, "masked": it.Masked,
			"sensitive": it.Sensitive, "purpose": it.Purpose, "basis": it.Basis, "retention": it.Retention, "rule": rule,
			"see_roles": orEmpty(it.SeeRoles), "full_roles": orEmpty(it.FullRoles)})
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": items})
	return nil
}

func orEmpty(rs []domain.Role) []domain.Role {
	if rs == nil {
		return []domain.Role{}
	}
	return rs
}

// accessedPersonsHandler answers GET /api/v1/privacy/access?user=U&from=D&to=D.
func (a *API) accessedPersonsHandler(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	from, ferr := domain.ParseDay(q.Get("from"))
	to, terr := domain.ParseDay(q.Get("to"))
	if ferr != nil || terr != nil {
		f := map[string]string{}
		if ferr != nil {
			f["from"] = "field.date"
		}
		if terr != nil {
			f["to"] = "field.date"
		}
		return &domain.Error{Code: domain.Invalid, Key: "error.invalid", Fields: f}
	}
	rep, err := a.svc.AccessedPersons(r.Context(), q.Get("user"), from, to.AddDate(0, 0, 1))
	if err != nil {
		return err
	}
	views := []map[string]any{}
	for _, x := range rep.Accesses {
		views = append(views, map[string]any{"seq": x.Seq, "at": rfc3339(x.At), "action": x.Action, "object_id": x.ObjectID, "detail": x.Detail,
			"persons": x.Persons})
	}
	persons := []map[string]any{}
	for _, p := range rep.Persons {
		persons = append(persons, map[string]any{"name": p.Name, "id_number": p.IDMasked, "phone": p.PhoneMasked, "records": p.Records, "seqs": p.Seqs})
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"user": rep.Username, "truncated": rep.Truncated, "views": views, "persons": persons})
	return nil
}
