package casework

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"jiefen/internal/app"
	"jiefen/internal/service/registry"
	"math/big"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"jiefen/internal/authz"
	"jiefen/internal/domain"
	"jiefen/internal/store"
)

// CasePrefix is the prefix of matter numbers: 子洲 + year + sequence.
const CasePrefix = "ZZ"

func queryCode() string {
	const alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ" // no 0/O, 1/I
	b := make([]byte, 10)
	for i := range b {
		n, _ := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		b[i] = alphabet[n.Int64()]
	}
	return string(b[:5]) + "-" + string(b[5:])
}

// RegisterCase registers a matter (登记受理). Out-of-remit matters are
// registered too and closed at once as referred, naming the body the citizen
// was sent to. Party ID numbers and phones are sealed before they are stored.
func (s *Service) RegisterCase(ctx context.Context, in domain.CaseInput) (*domain.Case, error) {
	a := domain.ActorFrom(ctx)
	if err := authz.Check(a.User, authz.CaseRegister, ""); err != nil {
		return nil, s.Denied(ctx, app.Forbidden("case.register", "case", "", ""))
	}
	if s.Keys() == nil {
		return nil, fmt.Errorf("service: no keyring configured")
	}
	now := s.Store().Now()
	if err := in.Validate(now.In(domain.CST)); err != nil {
		return nil, err
	}
	cal, err := s.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	parties := make([]store.PartyRow, len(in.Parties))
	var text strings.Builder
	text.WriteString(in.Description + " " + in.Address)
	for i, p := range in.Parties {
		row := store.PartyRow{Party: p}
		if p.IDNumber != "" {
			row.IDMasked = domain.MaskID(p.IDNumber)
			row.IDBidx = s.Keys().BlindIndex("id", p.IDNumber)
			if row.IDKid, row.IDEnc, err = s.Keys().Encrypt(p.IDNumber, "party.id_number"); err != nil {
				return nil, err
			}
		}
		if p.Phone != "" {
			row.PhoneMask = domain.MaskPhone(p.Phone)
			row.PhoneBidx = s.Keys().BlindIndex("phone", p.Phone)
			if row.PhoneKid, row.PhoneEnc, err = s.Keys().Encrypt(p.Phone, "party.phone"); err != nil {
				return nil, err
			}
		}
		row.Party.IDNumber, row.Party.Phone = "", ""
		parties[i] = row
		text.WriteString(" " + p.Name + " " + p.Address)
	}
	c := &domain.Case{Channel: domain.Channel(in.Channel), Category: in.Category, Description: in.Description, OrgCode: strings.TrimSpace(in.OrgCode),
		Address: in.Address, Lat: in.Lat, Lng: in.Lng, AmountCents: int64(in.AmountYuan*100 + 0.5), PeopleCount: in.PeopleCount,
		Status: domain.StatusRegistered, Risk: "none", CreatedBy: a.User.ID, QueryCode: queryCode()}
	referred := strings.TrimSpace(in.ReferredTo) != ""
	// The place and the category are read before the write: on SQLite
	// readers run side by side while there is one writer, so the writer's
	// transaction holds only what it writes. Neither is ever deleted (the
	// foreign keys hold them), and a category retired in between only means
	// the registration came first.
	err = s.View(ctx, func(tx *store.Tx) error {
		org, err := tx.Org(ctx, c.OrgCode)
		if domain.ErrorCode(err) == domain.NotFound {
			return &domain.Error{Code: domain.Invalid, Key: "error.invalid", Fields: map[string]string{"org_code": "org.not_found"}}
		} else if err != nil {
			return err
		}
		if err := s.Check(ctx, authz.CaseRegister, "case", "", org.Path); err != nil {
			return err
		}
		cats, err := tx.Categories(ctx)
		if err != nil {
			return err
		}
		if i := slices.IndexFunc(cats, func(x domain.Category) bool { return x.Code == c.Category && x.Active }); i < 0 {
			return &domain.Error{Code: domain.Invalid, Key: "error.invalid", Fields: map[string]string{"category": "case.category.unknown"}}
		} else {
			c.CategoryNm = cats[i].Name
		}
		c.OrgPath, c.OrgName = org.Path, org.Name
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = s.Update(ctx, func(tx *store.Tx) error {
		year := tx.Now.In(domain.CST).Year()
		n, err := tx.NextCaseNumber(ctx, CasePrefix, year)
		if err != nil {
			return err
		}
		c.Number = fmt.Sprintf("%s%d%06d", CasePrefix, year, n)
		c.StepDueAt = domain.DueForCase(cal, c.Status, tx.Now, c.Category == "petition")
		if referred {
			c.Status, c.Outcome, c.ReferredTo, c.ClosedAt = domain.StatusClosed, domain.OutcomeReferred, strings.TrimSpace(in.ReferredTo), tx.Now
			c.StepDueAt = domain.DueFor(cal, domain.StatusClosed, tx.Now)
		}
		if err := tx.InsertCase(ctx, c, parties, strings.Join(domain.SearchTokens(text.String()), " ")); err != nil {
			return err
		}
		ev := &domain.Event{ActorID: a.User.ID, ActorName: a.User.Name, Action: "register", ToStatus: domain.StatusRegistered,
			Data: map[string]string{"channel": in.Channel, "parties": fmt.Sprint(len(parties))}}
		if err := tx.AddEvent(ctx, c.ID, ev); err != nil {
			return err
		}
		c.Timeline = append(c.Timeline, *ev)
		if referred {
			ev := &domain.Event{ActorID: a.User.ID, ActorName: a.User.Name, Action: "close", FromStatus: domain.StatusRegistered,
				ToStatus: domain.StatusClosed, Note: c.ReferredTo, Data: map[string]string{"outcome": string(domain.OutcomeReferred)}}
			if err := tx.AddEvent(ctx, c.ID, ev); err != nil {
				return err
			}
			c.Timeline = append(c.Timeline, *ev)
		}
		if err := s.publish(ctx, tx, Event{Kind: EventCaseRegistered, CaseID: c.ID, Number: c.Number, OrgPath: c.OrgPath}); err != nil {
			return err
		}
		return s.Kernel.Audit(ctx, tx, "case.register", "case", c.Number, c.OrgPath, domain.ResultOK, fmt.Sprintf("%d parties", len(parties)))
	})
	if err != nil {
		return nil, err
	}
	// What was written is what the caller gets: the registration is not
	// read back (under load that second read cost a fifth of the time).
	for _, p := range parties {
		c.Parties = append(c.Parties, p.Party)
	}
	return c, nil
}

// mayViewCase: staff whose jurisdiction holds the matter, or its assignee.
func (s *Service) mayViewCase(ctx context.Context, c *domain.Case) error {
	u := domain.ActorFrom(ctx).User
	if u != nil && (c.Assignee == u.ID || c.WatcherID == u.ID || c.LeadID == u.ID || c.IsCoHandler(u.ID)) && authz.Allowed(u, authz.CaseView) {
		return nil
	}
	if err := authz.Check(domain.ActorFrom(ctx).Principal(), authz.CaseView, c.OrgPath); err != nil {
		// Outside the jurisdiction the matter does not exist (AC-3); the
		// denial is audited by update/view/denied once the transaction ends.
		return app.Refuse(domain.NotFound, "error.not_found", "case.view", "case", c.Number, c.OrgPath)
	}
	return nil
}

// Case reads one matter with its parties (masked) and timeline.
func (s *Service) Case(ctx context.Context, id int64) (*domain.Case, error) {
	var c *domain.Case
	err := s.View(ctx, func(tx *store.Tx) error {
		var err error
		c, err = tx.Case(ctx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := s.mayViewCase(ctx, c); err != nil {
		return nil, s.Denied(ctx, err)
	}
	return c, nil
}

// RevealParty returns a party's full ID number and phone to a role that may
// see personal data; every reveal is audited (PI-3, AU-1).
func (s *Service) RevealParty(ctx context.Context, caseID, partyID int64, reason string) (idNumber, phone string, err error) {
	c, err := s.Case(ctx, caseID)
	if err != nil {
		return "", "", err
	}
	if err := s.Denied(ctx, s.Check(ctx, authz.PersonalReveal, "party", fmt.Sprint(partyID), c.OrgPath)); err != nil {
		return "", "", err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > 200 {
		return "", "", &domain.Error{Code: domain.Invalid, Key: "error.invalid", Fields: map[string]string{"reason": "reveal.reason"}}
	}
	err = s.Update(ctx, func(tx *store.Tx) error {
		p, err := tx.PartySecret(ctx, caseID, partyID)
		if err != nil {
			return err
		}
		if idNumber, err = s.Keys().Decrypt(p.IDKid, p.IDEnc, "party.id_number"); err != nil {
			return err
		}
		if phone, err = s.Keys().Decrypt(p.PhoneKid, p.PhoneEnc, "party.phone"); err != nil {
			return err
		}
		return s.Kernel.Audit(ctx, tx, "personal.reveal", "party", fmt.Sprintf("%s/%d", c.Number, partyID), c.OrgPath, domain.ResultOK, "reason: "+reason)
	})
	return idNumber, phone, err
}

// CaseQuery is a list request from a page, the API or the CLI.
type CaseQuery struct {
	Q         string
	Statuses  []domain.Status
	Category  string
	Risk      string
	Channel   string
	OrgCode   string
	Mine      bool
	CoHandled bool // matters the actor works a part of
	Leading   bool // graded matters the actor leads (open ones)
	Regrade   bool // matters reported getting worse, awaiting a re-grade
	Counted   bool // leave out merged duplicates (as the statistics do)
	DueSoon   bool
	ToReply   bool
	Overdue   bool
	From, To  time.Time
	Cursor    int64
	Limit     int
}

// CaseRow is a list row: the matter and its party names (masked unless the
// role may see personal data).
type CaseRow struct {
	*domain.Case
	PartyNames []string
}

// ListFilter turns a list request into the store's filter, within the
// actor's jurisdiction (the operator's CLI: the whole tree).
func (s *Service) ListFilter(ctx context.Context, q CaseQuery) (domain.CaseFilter, *domain.User, error) {
	u := domain.ActorFrom(ctx).Principal() // the operator: the whole tree, masked like everyone else
	if !authz.Allowed(u, authz.CaseView) {
		return domain.CaseFilter{}, nil, s.Denied(ctx, app.Forbidden("case.view", "case", "", ""))
	}
	for name, t := range map[string]time.Time{"from": q.From, "to": q.To} {
		if !t.IsZero() && !app.PlausibleDay(t) {
			return domain.CaseFilter{}, nil, app.Required(name, "field.date")
		}
	}
	f := domain.CaseFilter{Path: u.OrgPath, Statuses: q.Statuses, Category: q.Category, Risk: q.Risk, Channel: q.Channel,
		Overdue: q.Overdue, DueSoon: q.DueSoon, ToReply: q.ToReply, Now: s.Store().Now(), From: q.From, To: q.To, BeforeID: q.Cursor, Limit: q.Limit}
	if q.OrgCode != "" {
		o, err := s.id.Org(ctx, q.OrgCode)
		if err != nil {
			return domain.CaseFilter{}, nil, err
		}
		if strings.HasPrefix(o.Path, u.OrgPath) {
			f.Path = o.Path
		}
	}
	if q.Mine {
		// "Assigned to me", wherever the matter is.
		f.AssigneeID, f.Path = u.ID, "/"
	}
	if q.CoHandled {
		f.CoHandlerID, f.Path = u.ID, "/"
	}
	if q.Leading {
		f.LeadID, f.Path = u.ID, "/"
		if len(f.Statuses) == 0 {
			f.Statuses = domain.OpenStatuses
		}
	}
	f.Regrade, f.NotMerged = q.Regrade, q.Counted
	if q := strings.TrimSpace(strings.ToValidUTF8(q.Q, "")); q != "" {
		if utf8.RuneCountInString(q) > 100 {
			return domain.CaseFilter{}, nil, &domain.Error{Code: domain.Invalid, Key: "search.too_long", Fields: map[string]string{"q": "search.too_long"}}
		}
		switch {
		case domain.CheckResidentID(domain.NormalizeIDNumber(q), s.Store().Now()) == nil:
			f.IDBidx = s.Keys().BlindIndex("id", domain.NormalizeIDNumber(q))
		case isMobile(q):
			p, _ := domain.NormalizeMobile(q)
			f.PhoneBidx = s.Keys().BlindIndex("phone", p)
		default:
			if toks := domain.QueryTokens(q); len(toks) > 0 {
				f.Tokens = toks
			} else {
				f.Like = q // a single character: plain substring match
			}
		}
	}
	return f, u, nil
}

// Cases lists matters in the actor's jurisdiction (and those assigned to
// them), newest first; a query that is an ID number or a phone searches the
// blind index, otherwise full text over CJK bigrams.
func (s *Service) Cases(ctx context.Context, q CaseQuery) ([]CaseRow, int64, error) {
	f, _, err := s.ListFilter(ctx, q)
	if err != nil {
		return nil, 0, err
	}
	if q.Limit <= 0 || q.Limit > 200 {
		f.Limit = 50
	}
	var rows []CaseRow
	err = s.View(ctx, func(tx *store.Tx) error {
		cs, err := tx.Cases(ctx, f)
		if err != nil {
			return err
		}
		ids := make([]int64, len(cs))
		for i, c := range cs {
			ids[i] = c.ID
		}
		names, err := tx.PartyNames(ctx, ids)
		if err != nil {
			return err
		}
		for _, c := range cs {
			ns := names[c.ID]
			for i := range ns {
				ns[i] = domain.MaskName(ns[i])
			}
			rows = append(rows, CaseRow{c, ns})
		}
		return nil
	})
	var next int64
	if len(rows) == f.Limit {
		next = rows[len(rows)-1].ID
	}
	return rows, next, err
}

func isMobile(s string) bool { _, ok := domain.NormalizeMobile(s); return ok }

// ActionInput carries the fields an action may need (see domain.Workflow).
type ActionInput struct {
	Version      int64
	Risk         string
	Category     string
	Assignee     string // username
	Reason       string
	Note         string
	Outcome      string
	Guidance     string
	ReferredTo   string
	Method       string
	Satisfaction string
	Due          time.Time // supervision deadline; resume date of a pause
	Date         time.Time // date of a mediation session
	Place        string
	Participants string
	Result       string // judicial confirmation
	Days         int    // extension requested
	PartiesAgree bool   // extend_request in people's mediation: both parties agreed to go on
	// assess: the docking unit and mediation organisation (codes) and the
	// mediator (id) chosen; "" / 0 chooses none.
	Unit         string
	MediationOrg string
	Mediator     int64
	Target       string // link, merge: the other matter's number
	Six          *domain.Six
	Milestone    int64 // milestone_done: which line
	// correct: the registration fields to fix (nil leaves a field alone).
	Description *string
	Address     *string
	MoveTo      *string // the village (or other node) the matter belongs to
}

// Act performs one workflow action on a matter: it checks the action exists,
// the status allows it, the actor's role and jurisdiction (and, for the
// handling steps, that the actor is the assignee), the required fields and the
// version; then it changes the matter, sets the next step's deadline, appends
// to the timeline and audits — in one transaction.
func (s *Service) Act(ctx context.Context, id int64, action string, in ActionInput) (*domain.Case, error) {
	a := domain.ActorFrom(ctx)
	t, ok := domain.TransitionFor(action)
	if !ok {
		return nil, &domain.Error{Code: domain.NotFound, Key: "case.action.unknown"}
	}
	cal, err := s.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	var out *domain.Case
	err = s.Update(ctx, func(tx *store.Tx) error {
		c, err := tx.Case(ctx, id)
		if err != nil {
			return err
		}
		if err := s.mayViewCase(ctx, c); err != nil {
			return err
		}
		if err := s.mayAct(ctx, a.User, c, t); err != nil {
			return err
		}
		if !t.Allows(c.Status) {
			return &domain.Error{Code: domain.Conflict, Key: "case.action.status", Args: []any{action, string(c.Status)}}
		}
		if in.Version != 0 && in.Version != c.Version {
			return &domain.Error{Code: domain.Conflict, Key: "error.stale_version"}
		}
		from := c.Status
		ev := &domain.Event{ActorID: a.User.ID, ActorName: a.User.Name, Action: action, FromStatus: from, Data: map[string]string{}}
		if err := s.apply(ctx, tx, c, t, in, ev); err != nil {
			return err
		}
		if t.To != "" {
			// The step that ends keeps its deadline on the event (the
			// statistics' on-time rate); a paused clock had stopped.
			if due := c.StepDueAt; !due.IsZero() && t.To != from {
				if !c.PausedAt.IsZero() {
					due = due.Add(tx.Now.Sub(c.PausedAt))
				}
				ev.Data["step_due"] = due.UTC().Format(time.RFC3339Nano)
			}
			// A new step starts with its own deadline: a paused clock or a
			// pending extension belonged to the step that just ended.
			c.Status = t.To
			c.StepDueAt = domain.DueForCase(cal, c.Status, tx.Now, c.Category == "petition")
			c.PausedAt, c.PausedUntil, c.ExtendDays = time.Time{}, time.Time{}, 0
			if action == "merge" {
				c.StepDueAt = time.Time{} // the original is informed and visited, not the duplicate
			}
		}
		// A red matter has less time in resolution (三色: red is the
		// county's own business).
		if before := c.StepDueAt; action == "sign" || action == "regrade" {
			tightenForRed(cal, c, tx.Now)
			if !c.StepDueAt.Equal(before) {
				ev.Data["due"] = c.StepDueAt.Format(time.RFC3339)
				ev.Data["red_deadline"] = "1"
			}
		}
		ev.ToStatus = c.Status
		if !c.StepDueAt.IsZero() && t.To != "" {
			ev.Data["due"] = c.StepDueAt.Format(time.RFC3339)
		}
		if err := tx.UpdateCase(ctx, c); err != nil {
			return err
		}
		if err := tx.AddEvent(ctx, c.ID, ev); err != nil {
			return err
		}
		if err := s.notifyForAction(ctx, tx, c, action, ev); err != nil {
			return err
		}
		detail, _ := json.Marshal(ev.Data)
		if err := s.Kernel.Audit(ctx, tx, "case."+action, "case", c.Number, c.OrgPath, domain.ResultOK, string(from)+" → "+string(c.Status)+" "+string(detail)); err != nil {
			return err
		}
		// The actor sees the result of their own action even when it took
		// the matter out of their hands (a return, a transfer).
		out, err = tx.Case(ctx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func riskLevel(r domain.Risk) int {
	return map[domain.Risk]int{"none": 0, "blue": 1, "yellow": 2, "red": 3}[r]
}

// apply changes c for one action and fills the event.
func (s *Service) apply(ctx context.Context, tx *store.Tx, c *domain.Case, t domain.Transition, in ActionInput, ev *domain.Event) error {
	note, ok := app.Text(in.Note, 2000)
	if !ok {
		return app.Required("note", "field.too_long")
	}
	reason, ok := app.Text(in.Reason, 500)
	if !ok {
		return app.Required("reason", "field.too_long")
	}
	ev.Note = note
	if slices.Contains(t.Requires, "reason") && reason == "" {
		return app.Required("reason", "field.required")
	}
	if reason != "" {
		ev.Note = strings.TrimSpace(reason + "\n" + note)
	}
	if slices.Contains(t.Requires, "note") && note == "" {
		return app.Required("note", "field.required")
	}
	switch t.Action {
	case "assess":
		if !slices.Contains(domain.Risks, domain.Risk(in.Risk)) {
			return app.Required("risk", "case.risk.invalid")
		}
		if in.Category != "" && in.Category != c.Category {
			if ok, err := s.reg.CategoryExists(ctx, tx, in.Category); err != nil {
				return err
			} else if !ok {
				return app.Required("category", "case.category.unknown")
			}
			ev.Data["category"] = c.Category + " → " + in.Category
			c.Category = in.Category
		}
		c.Risk = domain.Risk(in.Risk)
		ev.Data["risk"] = in.Risk
		// What the suggestions said, and whether the dispatcher followed
		// them, goes on the timeline (and so into the figures of how well
		// the rules serve).
		sug, err := s.suggestionFor(ctx, tx, c, false)
		if err != nil {
			return err
		}
		ev.Data["suggested_category"], ev.Data["suggested_category_name"], ev.Data["suggested_risk"] = sug.Category.Code, sug.Category.Name, sug.Risk.Color
		cats, err := tx.Categories(ctx)
		if err != nil {
			return err
		}
		ev.Data["category_choice"], ev.Data["risk_choice"] = "overridden", app.Choice(in.Risk, sug.Risk.Color)
		if registry.InCategory(cats, c.Category, sug.Category.Code) {
			ev.Data["category_choice"] = "accepted"
		}
		if err := s.applyRouting(ctx, tx, c, in, sug, ev); err != nil {
			return err
		}
		c.RegradeAt = time.Time{}
		if err := s.setLead(ctx, tx, c, ev); err != nil {
			return err
		}
	case "regrade":
		if !slices.Contains(domain.Risks, domain.Risk(in.Risk)) {
			return app.Required("risk", "case.risk.invalid")
		}
		if domain.Risk(in.Risk) == c.Risk {
			return app.Required("risk", "case.risk.same")
		}
		ev.Data["from_risk"], ev.Data["risk"] = string(c.Risk), in.Risk
		ev.Data["direction"] = "down"
		if riskLevel(domain.Risk(in.Risk)) > riskLevel(c.Risk) {
			ev.Data["direction"] = "up"
		}
		c.Risk, c.RegradeAt = domain.Risk(in.Risk), time.Time{}
		if err := s.setLead(ctx, tx, c, ev); err != nil {
			return err
		}
	case "lead":
		u, err := tx.UserByUsername(ctx, in.Assignee)
		if err != nil || u.Disabled || !u.Has(domain.RoleLeader) {
			return app.Required("assignee", "post.not_leader")
		}
		if u.OrgPath == "" || !strings.HasPrefix(c.OrgPath, u.OrgPath) {
			return app.Required("assignee", "case.assignee.place")
		}
		if u.ID == c.LeadID {
			return app.Required("assignee", "case.assignee.same")
		}
		c.LeadID, c.Six.LeadLeader = u.ID, u.Name
		ev.Data["lead_name"] = u.Name
		if err := s.notify(ctx, tx, []int64{u.ID}, c.ID, "lead", fmt.Sprintf("%s 由您牵头（%s）：%s", c.Number, domain.ActorFrom(ctx).User.Name, truncateRunes(ev.Note, 60))); err != nil {
			return err
		}
	case "link", "merge":
		if err := s.applyLink(ctx, tx, c, t.Action, in, ev); err != nil {
			return err
		}
	case "deteriorate":
		c.RegradeAt = tx.Now
		ds, err := tx.UsersWithRoleOver(ctx, domain.RoleDispatcher, c.OrgPath)
		if err != nil {
			return err
		}
		if err := s.notify(ctx, tx, ds, c.ID, "deteriorate", fmt.Sprintf("%s 情况恶化，请重新研判（%s）：%s", c.Number, domain.ActorFrom(ctx).User.Name, truncateRunes(ev.Note, 60))); err != nil {
			return err
		}
	case "dispatch", "transfer":
		if in.Assignee == "" {
			return app.Required("assignee", "field.required")
		}
		u, err := tx.UserByUsername(ctx, in.Assignee)
		if err != nil || u.Disabled || !(u.Has(domain.RoleHandler) || u.Has(domain.RoleMediator)) {
			return app.Required("assignee", "case.assignee.invalid")
		}
		if u.OrgPath == "" || !strings.HasPrefix(c.OrgPath, u.OrgPath) {
			// The assignee sees the parties' personal data: only someone whose
			// jurisdiction holds the matter's place may receive it.
			return app.Required("assignee", "case.assignee.place")
		}
		if u.ID == c.Assignee && t.Action == "transfer" {
			return app.Required("assignee", "case.assignee.same")
		}
		c.Assignee = u.ID
		ev.Data["assignee"] = u.Username
		ev.Data["assignee_name"] = u.Name
		if c.IsCoHandler(u.ID) {
			// The new lead no longer works only a part.
			if _, err := tx.EndCoHandlers(ctx, c.ID, u.ID); err != nil {
				return err
			}
		}
	case "cohandle", "cohandle_end":
		u, err := tx.UserByUsername(ctx, in.Assignee)
		if t.Action == "cohandle_end" {
			if err != nil || !c.IsCoHandler(u.ID) {
				return app.Required("assignee", "case.cohandler.not")
			}
			if _, err := tx.EndCoHandlers(ctx, c.ID, u.ID); err != nil {
				return err
			}
			ev.Data["cohandler"], ev.Data["cohandler_name"] = u.Username, u.Name
			return nil
		}
		if err != nil || u.Disabled || !(u.Has(domain.RoleHandler) || u.Has(domain.RoleMediator)) {
			return app.Required("assignee", "case.assignee.invalid")
		}
		if u.OrgPath == "" || !strings.HasPrefix(c.OrgPath, u.OrgPath) {
			return app.Required("assignee", "case.assignee.place")
		}
		if u.ID == c.Assignee || c.IsCoHandler(u.ID) {
			return app.Required("assignee", "case.cohandler.already")
		}
		if len(c.CoHandlers) >= 10 {
			return app.Required("assignee", "case.cohandler.too_many")
		}
		if err := tx.AddCoHandler(ctx, c.ID, u.ID, note, domain.ActorFrom(ctx).User.ID); err != nil {
			return err
		}
		ev.Data["cohandler"], ev.Data["cohandler_name"] = u.Username, u.Name
	case "sign":
		cal, err := s.Calendar(ctx)
		if err != nil {
			return err
		}
		ms, err := tx.Milestones(ctx, c.ID)
		if err != nil || slices.ContainsFunc(ms, func(m domain.Milestone) bool { return m.Auto == "first_contact" }) {
			return err // first contact is counted once, on the first sign-for
		}
		return tx.AddMilestone(ctx, &domain.Milestone{CaseID: c.ID, Title: "首次联系双方当事人", DueAt: cal.AddWorkingDays(tx.Now, 3).UTC(), Auto: "first_contact"})
	case "return":
		c.Assignee = 0
	case "six":
		if in.Six == nil {
			return app.Required("six", "field.required")
		}
		six := *in.Six
		for _, v := range []*string{&six.LeadLeader, &six.MediationOrg, &six.DockingUnit, &six.GuidanceAdviser} {
			if *v, ok = app.Text(*v, 100); !ok {
				return app.Required("six", "field.too_long")
			}
		}
		for _, v := range []*string{&six.Plan, &six.Schedule, &six.GuidanceText} {
			if *v, ok = app.Text(*v, 4000); !ok {
				return app.Required("six", "field.too_long")
			}
		}
		c.Six = six
		ev.Data["missing"] = strings.Join(six.Missing(), ",")
	case "close":
		o := domain.Outcome(in.Outcome)
		if !slices.Contains(domain.Outcomes, o) {
			return app.Required("outcome", "case.outcome.invalid")
		}
		switch o {
		case domain.OutcomeResolved:
			if m := c.Six.Missing(); len(m) > 0 {
				return &domain.Error{Code: domain.Invalid, Key: "case.six.incomplete", Args: []any{len(m)}, Fields: map[string]string{"six": "case.six.incomplete_short"}}
			}
		case domain.OutcomeUnresolved:
			if !slices.Contains(domain.Guidance, in.Guidance) {
				return app.Required("guidance", "case.guidance.invalid")
			}
			c.Guidance = in.Guidance
			ev.Data["guidance"] = in.Guidance
		case domain.OutcomeReferred:
			ref, ok := app.Text(in.ReferredTo, 100)
			if !ok || ref == "" {
				return app.Required("referred_to", "field.required")
			}
			c.ReferredTo = ref
			ev.Data["referred_to"] = ref
		}
		c.Outcome, c.ClosedAt = o, tx.Now
		ev.Data["outcome"] = string(o)
		if len(c.CoHandlers) > 0 {
			// The matter is done: so is every part of it.
			if _, err := tx.EndCoHandlers(ctx, c.ID, 0); err != nil {
				return err
			}
			names := make([]string, len(c.CoHandlers))
			for i, h := range c.CoHandlers {
				names[i] = h.Name
			}
			ev.Data["cohandlers_ended"] = strings.Join(names, "、")
		}
		if o == domain.OutcomeResolved {
			// 人民调解法 第三十三条: the parties may ask a court to confirm the
			// agreement within 30 days of it taking effect.
			cal, err := s.Calendar(ctx)
			if err != nil {
				return err
			}
			if err := tx.AddMilestone(ctx, &domain.Milestone{CaseID: c.ID, Title: "提醒当事人：调解协议生效后 30 日内可申请司法确认",
				DueAt: cal.AddCalendarDays(tx.Now, 30).UTC(), Auto: "judicial_window"}); err != nil {
				return err
			}
		}
	case "inform":
		m, ok := app.Text(in.Method, 50)
		if !ok || m == "" {
			return app.Required("method", "field.required")
		}
		ev.Data["method"] = m
	case "visit":
		if !slices.Contains(domain.Satisfactions, in.Satisfaction) {
			return app.Required("satisfaction", "case.satisfaction.invalid")
		}
		if in.Satisfaction == "unsatisfied" && note == "" {
			return app.Required("note", "case.visit.unsatisfied_note")
		}
		c.Satisfaction = in.Satisfaction
		ev.Data["satisfaction"] = in.Satisfaction
	case "reopen":
		c.Outcome, c.ClosedAt, c.Satisfaction, c.Assignee, c.Guidance, c.ReferredTo = "", time.Time{}, "", 0, "", ""
	case "archive":
		if c.Satisfaction == "unsatisfied" {
			return &domain.Error{Code: domain.Conflict, Key: "case.archive.unsatisfied"}
		}
		c.StepDueAt = time.Time{}
	case "remind":
		ev.Data["to"] = fmt.Sprint(c.Assignee)
	case "supervise":
		if in.Due.IsZero() || !in.Due.After(tx.Now) {
			return app.Required("due", "case.supervise.due")
		}
		ev.Data["due"] = in.Due.UTC().Format(time.RFC3339)
		if err := tx.AddSupervision(ctx, c.ID, domain.ActorFrom(ctx).User.ID, in.Due); err != nil {
			return err
		}
	case "milestone":
		if in.Due.IsZero() || in.Due.Before(tx.Now.Add(-24*time.Hour)) {
			return app.Required("due", "field.date")
		}
		m := &domain.Milestone{CaseID: c.ID, Title: truncateRunes(note, 200), DueAt: in.Due}
		if err := tx.AddMilestone(ctx, m); err != nil {
			return err
		}
		ev.Data["due"] = in.Due.UTC().Format(time.RFC3339)
	case "milestone_done":
		ok, err := tx.DoneMilestone(ctx, c.ID, in.Milestone, domain.ActorFrom(ctx).User.ID)
		if err != nil {
			return err
		}
		if !ok {
			return app.Required("milestone", "case.milestone.invalid")
		}
		ev.Data["milestone"] = fmt.Sprint(in.Milestone)
	case "correct":
		changed := 0
		if in.Description != nil {
			d, ok := app.Text(*in.Description, 5000)
			if !ok || utf8.RuneCountInString(d) < 10 {
				return app.Required("description", "case.description.short")
			}
			if d != c.Description {
				ev.Data["description_before"], c.Description = c.Description, d
				changed++
			}
		}
		if in.Address != nil {
			d, ok := app.Text(*in.Address, 200)
			if !ok || d == "" {
				return app.Required("address", "field.required")
			}
			if d != c.Address {
				ev.Data["address_before"], c.Address = c.Address, d
				changed++
			}
		}
		if in.MoveTo != nil && strings.TrimSpace(*in.MoveTo) != c.OrgCode {
			// Registered to the wrong place: the matter moves, and from now
			// on counts where it is (the statistics count the place now).
			org, err := tx.Org(ctx, strings.TrimSpace(*in.MoveTo))
			if err != nil {
				return app.Required("move_to", "org.not_found")
			}
			// Both places must be the corrector's: a matter is neither
			// pulled in from nor pushed out to a place they do not govern.
			for _, path := range []string{c.OrgPath, org.Path} {
				if err := s.Check(ctx, authz.CaseRegister, "case", c.Number, path); err != nil {
					e := app.Refuse(domain.Forbidden, "case.correct.place_outside", "case.move", "case", c.Number, path) // audited by Update
					e.Fields = map[string]string{"move_to": "case.correct.place_outside"}
					return e
				}
			}
			ev.Data["path_before"] = c.OrgPath
			ev.Data["place_before"], ev.Data["place"] = c.OrgCode, org.Code
			ev.Data["place_name"] = org.Name
			c.OrgCode, c.OrgPath = org.Code, org.Path
			changed++
		}
		if changed == 0 {
			return app.Required("description", "case.correct.nothing")
		}
		tokens, err := tx.CaseSearchText(ctx, c.ID)
		if err != nil {
			return err
		}
		return tx.SetCaseText(ctx, c.ID, c.Description, c.Address, strings.Join(domain.SearchTokens(c.Description+" "+c.Address+" "+tokens), " "))
	case "watch":
		w, err := tx.UserByUsername(ctx, in.Assignee)
		if err != nil || w.Disabled || !w.Has(domain.RoleGridWorker) {
			return app.Required("assignee", "case.watcher.invalid")
		}
		if !strings.HasPrefix(c.OrgPath, w.OrgPath) && !strings.HasPrefix(w.OrgPath, c.OrgPath) {
			return app.Required("assignee", "case.watcher.place")
		}
		if in.Days < 1 || in.Days > 90 {
			return app.Required("days", "case.watch.days")
		}
		c.WatcherID, c.WatchEvery = w.ID, in.Days
		cal, err := s.Calendar(ctx)
		if err != nil {
			return err
		}
		c.NextCheckin = cal.AddCalendarDays(tx.Now, in.Days).UTC()
		ev.Data["watcher"], ev.Data["watcher_name"], ev.Data["days"] = w.Username, w.Name, fmt.Sprint(in.Days)
		return s.notify(ctx, tx, []int64{w.ID}, c.ID, "watch", fmt.Sprintf("%s 纳入网格管控，请每 %d 天走访一次：%s", c.Number, in.Days, truncateRunes(c.Description, 40)))
	case "checkin":
		cal, err := s.Calendar(ctx)
		if err != nil {
			return err
		}
		c.NextCheckin = cal.AddCalendarDays(tx.Now, c.WatchEvery).UTC()
		ev.Data["next"] = c.NextCheckin.Format(time.RFC3339)
	case "unwatch":
		if c.WatcherID == 0 {
			return &domain.Error{Code: domain.Conflict, Key: "case.watch.none"}
		}
		c.WatcherID, c.WatchEvery, c.NextCheckin = 0, 0, time.Time{}
	case "session":
		place, ok1 := app.Text(in.Place, 100)
		people, ok2 := app.Text(in.Participants, 500)
		switch {
		case in.Date.IsZero() || in.Date.After(tx.Now.Add(366*24*time.Hour)):
			return app.Required("date", "field.date")
		case !ok1 || place == "":
			return app.Required("place", "field.required")
		case !ok2 || people == "":
			return app.Required("participants", "field.required")
		}
		ev.Data["date"] = in.Date.In(domain.CST).Format("2006-01-02")
		ev.Data["place"], ev.Data["participants"] = place, people
	case "judicial":
		if !slices.Contains(domain.JudicialResults, in.Result) {
			return app.Required("result", "case.judicial.invalid")
		}
		ev.Data["result"] = in.Result
	case "pause":
		if !c.PausedAt.IsZero() {
			return &domain.Error{Code: domain.Conflict, Key: "case.pause.already"}
		}
		if in.Due.IsZero() || !in.Due.After(tx.Now) || in.Due.After(tx.Now.Add(366*24*time.Hour)) {
			return app.Required("due", "case.pause.until")
		}
		c.PausedAt, c.PausedUntil = tx.Now, in.Due
		ev.Data["until"] = in.Due.UTC().Format(time.RFC3339)
	case "resume":
		if c.PausedAt.IsZero() {
			return &domain.Error{Code: domain.Conflict, Key: "case.pause.not_paused"}
		}
		resume(c, tx.Now, ev)
	case "extend_request":
		if c.ExtendDays > 0 {
			return &domain.Error{Code: domain.Conflict, Key: "case.extend.pending"}
		}
		if in.Days < 1 || in.Days > 30 {
			return app.Required("days", "case.extend.days")
		}
		if c.Category == "petition" {
			// 信访: handling may be extended by at most 30 days in all.
			used := 0
			for _, e := range c.Timeline {
				if e.Action == "extend_approve" {
					var d int
					fmt.Sscan(e.Data["days"], &d)
					used += d
				}
			}
			if used+in.Days > 30 {
				return app.Required("days", "case.extend.petition_cap")
			}
		}
		if domain.ActorFrom(ctx).User.Has(domain.RoleMediator) && !in.PartiesAgree {
			// People's mediation goes on past its month only if both
			// parties agree; the mediator records that they did.
			return app.Required("parties_agree", "case.extend.parties_agree")
		}
		if in.PartiesAgree {
			ev.Data["parties_agree"] = "yes"
		}
		c.ExtendDays = in.Days
		ev.Data["days"] = fmt.Sprint(in.Days)
	case "extend_approve", "extend_reject":
		if c.ExtendDays == 0 {
			return &domain.Error{Code: domain.Conflict, Key: "case.extend.none"}
		}
		ev.Data["days"] = fmt.Sprint(c.ExtendDays)
		if t.Action == "extend_approve" {
			m, ok := app.Text(in.Method, 50)
			if !ok || m == "" {
				return app.Required("method", "case.extend.method")
			}
			cal, err := s.Calendar(ctx)
			if err != nil {
				return err
			}
			c.StepDueAt = cal.AddCalendarDays(c.StepDueAt, c.ExtendDays).UTC()
			ev.Data["due"] = c.StepDueAt.Format(time.RFC3339)
			ev.Data["method"] = m
		}
		c.ExtendDays = 0
	}
	return nil
}

// resume restarts a paused clock: the deadline moves by the time paused.
func resume(c *domain.Case, now time.Time, ev *domain.Event) {
	if !c.StepDueAt.IsZero() {
		c.StepDueAt = c.StepDueAt.Add(now.Sub(c.PausedAt))
		ev.Data["due"] = c.StepDueAt.Format(time.RFC3339)
	}
	ev.Data["paused_days"] = fmt.Sprintf("%.1f", now.Sub(c.PausedAt).Hours()/24)
	c.PausedAt, c.PausedUntil = time.Time{}, time.Time{}
}

// ResumeDuePauses restarts the clocks whose resume date has come (the
// deadline job calls it); each one is an event on the matter's timeline.
func (s *Service) ResumeDuePauses(ctx context.Context) (int, error) {
	var ids []int64
	if err := s.Store().View(ctx, func(tx *store.Tx) error {
		var err error
		ids, err = tx.PausesToResume(ctx, tx.Now, 500)
		return err
	}); err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		err := s.Store().Update(ctx, func(tx *store.Tx) error {
			c, err := tx.Case(ctx, id)
			if err != nil || c.PausedAt.IsZero() || c.PausedUntil.After(tx.Now) {
				return err // resumed meanwhile (by hand or another instance)
			}
			ev := &domain.Event{ActorName: "系统", Action: "resume", FromStatus: c.Status, ToStatus: c.Status, Data: map[string]string{"auto": "1"}}
			resume(c, tx.Now, ev)
			if err := tx.UpdateCase(ctx, c); err != nil {
				return err
			}
			if err := tx.AddEvent(ctx, c.ID, ev); err != nil {
				return err
			}
			if err := s.Kernel.Audit(ctx, tx, "case.resume", "case", c.Number, c.OrgPath, domain.ResultOK, "automatic, due "+c.StepDueAt.Format(time.RFC3339)); err != nil {
				return err
			}
			n++
			return s.notify(ctx, tx, []int64{c.Assignee}, c.ID, "resumed", c.Number+" 暂停期满，时限已恢复计算")
		})
		if err != nil && domain.ErrorCode(err) != domain.Conflict {
			return n, err
		}
	}
	return n, nil
}

// Idempotency of POST requests: the first request with a key reserves it,
// acts, and stores its response; a retry gets the stored response.

// ReserveIdempotency returns (stored, false) for a key seen before, or
// (_, true) when this request now owns the key.
func (s *Service) ReserveIdempotency(ctx context.Context, key, method, path string) (domain.Idempotent, bool, error) {
	u := domain.ActorFrom(ctx).User
	var r domain.Idempotent
	var fresh bool
	err := s.Store().Update(ctx, func(tx *store.Tx) error {
		var err error
		r, fresh, err = tx.ReserveIdempotencyKey(ctx, u.ID, key, method, path)
		return err
	})
	if domain.ErrorCode(err) == domain.Conflict { // a concurrent twin reserved it first
		return domain.Idempotent{Method: method, Path: path}, false, nil
	}
	return r, fresh, err
}

// CompleteIdempotency stores the response for a reserved key; a server-side
// failure (status ≥ 500) releases the key instead.
func (s *Service) CompleteIdempotency(ctx context.Context, key string, status int, body string) error {
	u := domain.ActorFrom(ctx).User
	return s.Store().Update(context.WithoutCancel(ctx), func(tx *store.Tx) error {
		if status >= 500 {
			return tx.ReleaseIdempotencyKey(ctx, u.ID, key)
		}
		return tx.CompleteIdempotencyKey(ctx, u.ID, key, status, body)
	})
}

// mayAct checks role, assignee and jurisdiction for action t on c (not the status).
func (s *Service) mayAct(ctx context.Context, u *domain.User, c *domain.Case, t domain.Transition) error {
	if u == nil || !slices.ContainsFunc(t.Roles, u.Has) {
		return app.Refuse(domain.Forbidden, "case.action.role", "case."+t.Action, "case", c.Number, c.OrgPath)
	}
	if t.Action == "checkin" {
		if c.WatcherID != u.ID {
			return app.Refuse(domain.Forbidden, "case.action.not_watcher", "case.checkin", "case", c.Number, c.OrgPath)
		}
		return nil
	}
	assigneeStep := slices.Contains([]string{"sign", "return", "progress", "close", "session", "judicial", "pause", "extend_request", "reply", "milestone", "milestone_done"}, t.Action) ||
		(t.Action == "resume" && !u.Has(domain.RoleDispatcher)) ||
		(t.Action == "transfer" && !u.Has(domain.RoleDispatcher)) ||
		(t.Action == "six" && !u.Has(domain.RoleDispatcher) && !u.Has(domain.RoleLeader)) || (t.Action == "inform" && !u.Has(domain.RoleReceptionist))
	if c.IsCoHandler(u.ID) && slices.Contains([]string{"progress", "session", "note"}, t.Action) {
		return nil // a co-handler records the work on their part
	}
	if t.Action == "cohandle" || t.Action == "cohandle_end" {
		if u.Has(domain.RoleDispatcher) {
			return s.Check(ctx, authz.CaseAct, "case", c.Number, c.OrgPath)
		}
		assigneeStep = true // only the lead of the matter shares it out
	}
	if assigneeStep {
		if c.Assignee != u.ID {
			return app.Refuse(domain.Forbidden, "case.action.not_assignee", "case."+t.Action, "case", c.Number, c.OrgPath)
		}
		return nil
	}
	if c.Assignee == u.ID {
		return nil
	}
	return s.Check(ctx, authz.CaseAct, "case", c.Number, c.OrgPath)
}

// AllowedActions lists the actions the actor may take on c now, in
// workflow order (the buttons on the matter page).
func (s *Service) AllowedActions(ctx context.Context, c *domain.Case) []string {
	u := domain.ActorFrom(ctx).User
	var out []string
	for _, t := range domain.Workflow {
		if t.Allows(c.Status) && available(c, t.Action) && s.mayAct(ctx, u, c, t) == nil {
			out = append(out, t.Action)
		}
	}
	return out
}

// available hides actions whose precondition on the matter is not met, so the
// page offers only what would succeed.
func available(c *domain.Case, action string) bool {
	switch action {
	case "pause", "extend_request":
		return c.PausedAt.IsZero() && c.ExtendDays == 0
	case "resume":
		return !c.PausedAt.IsZero()
	case "extend_approve", "extend_reject":
		return c.ExtendDays > 0
	case "unwatch", "checkin":
		return c.WatcherID != 0
	case "watch":
		return c.WatcherID == 0
	case "archive":
		return c.Satisfaction != "unsatisfied"
	case "reply":
		return slices.ContainsFunc(c.Timeline, func(e domain.Event) bool { return e.Action == "supervise" })
	}
	return true
}

// Milestones lists a matter's schedule.
func (s *Service) Milestones(ctx context.Context, caseID int64) ([]domain.Milestone, error) {
	if _, err := s.Case(ctx, caseID); err != nil {
		return nil, err
	}
	var out []domain.Milestone
	err := s.View(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.Milestones(ctx, caseID)
		return err
	})
	return out, err
}

// CasesAsOperator lists matters for the CLI (whole tree, masked).
func (s *Service) CasesAsOperator(ctx context.Context, q CaseQuery) ([]CaseRow, int64, error) {
	if authz.Check(domain.ActorFrom(ctx).Principal(), authz.Operate, "") != nil {
		return nil, 0, domain.ErrForbidden
	}
	return s.Cases(ctx, q)
}
