package api

import (
	"encoding/json"
	"jiefen/internal/assess"
	"jiefen/internal/service/casework"
	"jiefen/internal/service/registry"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"jiefen/internal/domain"
	"jiefen/internal/httpx"
)

type categoryJSON struct {
	Code     string         `json:"code"`
	Name     string         `json:"name"`
	Children []categoryJSON `json:"children,omitempty"`
}

func (a *API) listCategoriesHandler(w http.ResponseWriter, r *http.Request) error {
	cats, err := a.svc.Categories(r.Context())
	if err != nil {
		return err
	}
	var top []categoryJSON
	idx := map[string]int{}
	for _, c := range cats {
		if c.ParentCode == "" && c.Active {
			idx[c.Code] = len(top)
			top = append(top, categoryJSON{Code: c.Code, Name: c.Name})
		}
	}
	for _, c := range cats {
		if i, ok := idx[c.ParentCode]; ok && c.Active {
			top[i].Children = append(top[i].Children, categoryJSON{Code: c.Code, Name: c.Name})
		}
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": top})
	return nil
}

type partyIn struct {
	Kind       string `json:"kind"`
	Role       string `json:"role"`
	Name       string `json:"name"`
	IDType     string `json:"id_type"`
	IDNumber   string `json:"id_number"`
	NoIDReason string `json:"no_id_reason"`
	Phone      string `json:"phone"`
	Address    string `json:"address"`
	USCC       string `json:"uscc"`
}

type caseIn struct {
	Channel     string    `json:"channel"`
	Category    string    `json:"category"`
	Description string    `json:"description"`
	OrgCode     string    `json:"org_code"`
	Address     string    `json:"address"`
	Lat         *float64  `json:"lat"`
	Lng         *float64  `json:"lng"`
	Amount      float64   `json:"amount"`
	PeopleCount int       `json:"people_count"`
	ReferredTo  string    `json:"referred_to"`
	Parties     []partyIn `json:"parties"`
}

type partyJSON struct {
	ID         int64  `json:"id"`
	Kind       string `json:"kind"`
	Role       string `json:"role"`
	Name       string `json:"name"`
	IDType     string `json:"id_type"`
	IDNumber   string `json:"id_number,omitempty"` // masked
	NoIDReason string `json:"no_id_reason,omitempty"`
	Phone      string `json:"phone,omitempty"` // masked
	Address    string `json:"address,omitempty"`
	USCC       string `json:"uscc,omitempty"`
}

type eventJSON struct {
	At     string            `json:"at"`
	Actor  string            `json:"actor"`
	Action string            `json:"action"`
	From   string            `json:"from,omitempty"`
	To     string            `json:"to"`
	Note   string            `json:"note,omitempty"`
	Data   map[string]string `json:"data,omitempty"`
}

type caseJSON struct {
	ID           int64           `json:"id"`
	Number       string          `json:"number"`
	QueryCode    string          `json:"query_code,omitempty"`
	Status       string          `json:"status"`
	Risk         string          `json:"risk"`
	Channel      string          `json:"channel"`
	Category     string          `json:"category"`
	CategoryNm   string          `json:"category_name"`
	Description  string          `json:"description"`
	OrgCode      string          `json:"org_code"`
	OrgName      string          `json:"org_name"`
	Address      string          `json:"address"`
	Amount       float64         `json:"amount"`
	PeopleCount  int             `json:"people_count"`
	Outcome      string          `json:"outcome,omitempty"`
	Guidance     string          `json:"guidance,omitempty"`
	ReferredTo   string          `json:"referred_to,omitempty"`
	Assignee     string          `json:"assignee,omitempty"`
	StepDueAt    string          `json:"step_due_at,omitempty"`
	Overdue      bool            `json:"overdue"`
	Six          *domain.Six     `json:"six,omitempty"`
	SixMissing   []string        `json:"six_missing,omitempty"`
	Satisfaction string          `json:"satisfaction,omitempty"`
	CreatedAt    string          `json:"created_at"`
	Version      int64           `json:"version"`
	Parties      []partyJSON     `json:"parties,omitempty"`
	PartyNames   []string        `json:"party_names,omitempty"`
	CoHandlers   []coHandlerJSON `json:"co_handlers,omitempty"`
	LeadLeader   string          `json:"lead_leader,omitempty"` // the leader leading a graded matter
	RegradeDue   string          `json:"regrade_due_since,omitempty"`
	Timeline     []eventJSON     `json:"timeline,omitempty"`
}

type coHandlerJSON struct {
	Username string `json:"username"`
	Name     string `json:"name"`
	OrgName  string `json:"org_name"`
	Part     string `json:"part"`
	AddedAt  string `json:"added_at"`
}

func rfc(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(domain.CST).Format(time.RFC3339)
}

func toCaseJSON(c *domain.Case, now time.Time, full bool) caseJSON {
	j := caseJSON{ID: c.ID, Number: c.Number, Status: string(c.Status), Risk: string(c.Risk), Channel: string(c.Channel),
		Category: c.Category, CategoryNm: c.CategoryNm, Description: c.Description, OrgCode: c.OrgCode, OrgName: c.OrgName,
		Address: c.Address, Amount: float64(c.AmountCents) / 100, PeopleCount: c.PeopleCount, Outcome: string(c.Outcome),
		Guidance: c.Guidance, ReferredTo: c.ReferredTo, Assignee: c.AssigneeNm, StepDueAt: rfc(c.StepDueAt), Overdue: c.Overdue(now),
		Satisfaction: c.Satisfaction, CreatedAt: rfc(c.CreatedAt), Version: c.Version, LeadLeader: c.LeadName}
	if !c.RegradeAt.IsZero() {
		j.RegradeDue = rfc(c.RegradeAt)
	}
	if full {
		j.QueryCode = c.QueryCode
		six := c.Six
		j.Six, j.SixMissing = &six, six.Missing()
		for _, p := range c.Parties {
			j.Parties = append(j.Parties, partyJSON{p.ID, p.Kind, p.Role, p.Name, p.IDType, p.IDMasked, p.NoIDReason, p.PhoneMask, p.Address, p.USCC})
		}
		for _, h := range c.CoHandlers {
			j.CoHandlers = append(j.CoHandlers, coHandlerJSON{h.Username, h.Name, h.OrgName, h.Part, rfc(h.AddedAt)})
		}
		for _, e := range c.Timeline {
			j.Timeline = append(j.Timeline, eventJSON{rfc(e.At), e.ActorName, e.Action, string(e.FromStatus), string(e.ToStatus), e.Note, e.Data})
		}
	}
	return j
}

func (in caseIn) input() domain.CaseInput {
	ci := domain.CaseInput{Channel: in.Channel, Category: in.Category, Description: in.Description, OrgCode: in.OrgCode,
		Address: in.Address, Lat: in.Lat, Lng: in.Lng, AmountYuan: in.Amount, PeopleCount: in.PeopleCount, ReferredTo: in.ReferredTo}
	for _, p := range in.Parties {
		ci.Parties = append(ci.Parties, domain.Party{Kind: p.Kind, Role: p.Role, Name: p.Name, IDType: p.IDType, IDNumber: p.IDNumber,
			NoIDReason: p.NoIDReason, Phone: p.Phone, Address: p.Address, USCC: p.USCC})
	}
	return ci
}

// suggestHandler answers POST /api/v1/cases/suggest: the registration body
// in, the suggestions out, nothing saved.
func (a *API) suggestHandler(w http.ResponseWriter, r *http.Request) error {
	var in caseIn
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	sug, err := a.svc.Suggest(r.Context(), in.input())
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, suggestionJSON(sug))
	return nil
}

// caseSuggestionsHandler answers GET /api/v1/cases/{id}/suggestions.
func (a *API) caseSuggestionsHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathInt64(r, "caseID")
	if err != nil {
		return err
	}
	sug, err := a.svc.SuggestForCase(r.Context(), id)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, suggestionJSON(sug))
	return nil
}

func suggestionJSON(s *registry.Suggestion) map[string]any {
	return map[string]any{
		"category":       s.Category,
		"alternatives":   s.Alternatives,
		"risk":           s.Risk,
		"unit":           s.Unit,
		"mediation_org":  s.MediationOrg,
		"mediators":      s.Mediators,
		"related":        nonNilRelated(s.Related),
		"config_version": s.ConfigVersion,
		"learned_from":   s.Learned,
	}
}

func (a *API) getAssessRulesHandler(w http.ResponseWriter, r *http.Request) error {
	cfg, v, err := a.svc.AssessRules(r.Context())
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"version": v, "rules": cfg})
	return nil
}

type rulesIn struct {
	Version int64         `json:"version"`
	Note    string        `json:"note"`
	Rules   assess.Config `json:"rules"`
}

func (a *API) putAssessRulesHandler(w http.ResponseWriter, r *http.Request) error {
	var in rulesIn
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	v, err := a.svc.SaveAssessRules(r.Context(), in.Version, in.Rules, in.Note)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"version": v})
	return nil
}

func (a *API) createCaseHandler(w http.ResponseWriter, r *http.Request) error {
	var in caseIn
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	c, err := a.svc.RegisterCase(r.Context(), in.input())
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/cases/"+strconv.FormatInt(c.ID, 10))
	httpx.WriteJSON(w, http.StatusCreated, map[string]any{"id": c.ID, "number": c.Number, "status": c.Status, "query_code": c.QueryCode, "version": c.Version})
	return nil
}

func (a *API) listCasesHandler(w http.ResponseWriter, r *http.Request) error {
	cq, err := caseQuery(r)
	if err != nil {
		return err
	}
	switch r.URL.Path {
	case "/api/v1/cases/ledger.xlsx":
		return a.ledgerDownload(w, r, cq)
	case "/api/v1/exports":
		return a.exportRequest(w, r, cq)
	}
	rows, next, err := a.svc.Cases(r.Context(), cq)
	if err != nil {
		return err
	}
	now := time.Now()
	items := []caseJSON{}
	for _, row := range rows {
		j := toCaseJSON(row.Case, now, false)
		j.PartyNames = row.PartyNames
		items = append(items, j)
	}
	nc := ""
	if next > 0 {
		nc = strconv.FormatInt(next, 10)
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": items, "next_cursor": nc})
	return nil
}

// caseQuery reads a list request's filters (the list, the ledger and an
// export request share them).
func caseQuery(r *http.Request) (casework.CaseQuery, error) {
	q := r.URL.Query()
	flag := func(name string) bool { return q.Get(name) == "1" || q.Get(name) == "true" }
	cq := casework.CaseQuery{Q: q.Get("q"), Category: q.Get("category"), Risk: q.Get("risk"), Channel: q.Get("channel"),
		OrgCode: q.Get("org_code"), Mine: flag("mine"), CoHandled: flag("cohandled"),
		Leading: flag("lead"), Regrade: flag("regrade"), Overdue: flag("overdue")}
	if k := q.Get("overdue"); slices.Contains(casework.OverdueKinds, k) {
		cq.Overdue, cq.OverdueKind = true, k // in hand, or late in informing or visiting
	} else if !slices.Contains([]string{"", "1", "true", "0", "false"}, k) {
		return cq, &domain.Error{Code: domain.Invalid, Key: "filter.unknown", Fields: map[string]string{"overdue": "filter.unknown"}}
	}
	var err error
	if cq.Limit, cq.Cursor, err = pageParams(q, 1); err != nil {
		return cq, err
	}
	if cq.Limit > 200 {
		return cq, &domain.Error{Code: domain.Invalid, Key: "api.limit", Fields: map[string]string{"limit": "api.limit"}}
	}
	if s := q.Get("status"); s != "" {
		for part := range strings.SplitSeq(s, ",") {
			st := domain.Status(strings.TrimSpace(part))
			if st == "open" { // 在办: every status before closure
				cq.Statuses = append(cq.Statuses, domain.OpenStatuses...)
				continue
			}
			if !st.Valid() {
				return cq, &domain.Error{Code: domain.Invalid, Key: "case.status.invalid", Fields: map[string]string{"status": "case.status.invalid"}}
			}
			cq.Statuses = append(cq.Statuses, st)
		}
	}
	for name, dst := range map[string]*time.Time{"from": &cq.From, "to": &cq.To} {
		if v := q.Get(name); v != "" {
			t, err := domain.ParseDay(v)
			if err != nil {
				return cq, &domain.Error{Code: domain.Invalid, Key: "field.date", Fields: map[string]string{name: "field.date"}}
			}
			if name == "to" {
				t = t.AddDate(0, 0, 1)
			}
			*dst = t
		}
	}
	return cq, nil
}

func (a *API) getCaseHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathInt64(r, "caseID")
	if err != nil {
		return err
	}
	c, err := a.svc.Case(r.Context(), id)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, toCaseJSON(c, time.Now(), true))
	return nil
}

func (a *API) caseActionHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathInt64(r, "caseID")
	if err != nil {
		return err
	}
	var obj map[string]json.RawMessage
	if err := httpx.DecodeJSON(w, r, &obj); err != nil {
		return err
	}
	fields, err := casework.NewJSONFields(obj)
	if err != nil {
		return err
	}
	action := r.PathValue("action")
	ai, err := casework.DecodeAction(action, fields)
	if err != nil {
		return err
	}
	c, err := a.svc.Act(r.Context(), id, action, ai)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, toCaseJSON(c, time.Now(), true))
	return nil
}

func (a *API) revealPartyHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathInt64(r, "caseID")
	if err != nil {
		return err
	}
	pid, err := httpx.PathInt64(r, "partyID")
	if err != nil {
		return err
	}
	var in struct {
		Reason string `json:"reason"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	idn, phone, err := a.svc.RevealParty(r.Context(), id, pid, in.Reason)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]string{"id_number": idn, "phone": phone})
	return nil
}

func (a *API) listNotificationsHandler(w http.ResponseWriter, r *http.Request) error {
	items, unread, err := a.svc.Inbox(r.Context(), r.URL.Query().Get("unread") == "1")
	if err != nil {
		return err
	}
	type nJSON struct {
		ID        int64  `json:"id"`
		Kind      string `json:"kind"`
		Text      string `json:"text"`
		CaseID    int64  `json:"case_id,omitempty"`
		CaseNum   string `json:"case_number,omitempty"`
		CreatedAt string `json:"created_at"`
		Read      bool   `json:"read"`
	}
	out := []nJSON{}
	for _, n := range items {
		out = append(out, nJSON{n.ID, n.Kind, n.Text, n.CaseID, n.CaseNumber, rfc(n.CreatedAt), !n.ReadAt.IsZero()})
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": out, "unread": unread})
	return nil
}

func (a *API) trackHandler(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Number    string `json:"number"`
		QueryCode string `json:"query_code"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	t, err := a.svc.TrackCase(r.Context(), in.Number, in.QueryCode)
	if err != nil {
		return err
	}
	type step struct {
		At     string `json:"at"`
		Action string `json:"action"`
	}
	steps := []step{}
	for _, s := range t.Steps {
		steps = append(steps, step{rfc(s.At), s.Action})
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"number": t.Number, "status": t.Status, "category": t.Category,
		"created_at": rfc(t.CreatedAt), "step_due_at": rfc(t.StepDueAt), "outcome": t.Outcome, "steps": steps})
	return nil
}

// workHandler returns the caller's "my work" counts (the home page tiles):
// to sign, in hand, overdue, due soon, supervision to answer, co-handling,
// and for dispatchers and receptionists their area's queues.
func (a *API) workHandler(w http.ResponseWriter, r *http.Request) error {
	work, err := a.svc.WorkSummary(r.Context())
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, work)
	return nil
}

func nonNilRelated(r []domain.Related) []domain.Related {
	if r == nil {
		return []domain.Related{}
	}
	return r
}

// relatedHandler answers GET /api/v1/cases/{id}/related: possible related
// matters with reasons, and the links the matter has.
func (a *API) relatedHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathInt64(r, "caseID")
	if err != nil {
		return err
	}
	rel, links, err := a.svc.RelatedForCase(r.Context(), id)
	if err != nil {
		return err
	}
	ls := []map[string]any{}
	for _, l := range links {
		ls = append(ls, map[string]any{"id": l.OtherID, "number": l.Number, "status": l.Status, "kind": l.Kind, "note": l.Note, "at": rfc(l.At)})
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"candidates": nonNilRelated(rel), "links": ls})
	return nil
}
