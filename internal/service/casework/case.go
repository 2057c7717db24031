package casework

import (
	"cmp"
	"context"
	"crypto/rand"
	"fmt"
	"jiefen/internal/app"
	"math/big"
	"net/url"
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
	c, err := s.checkCase(ctx, &in)
	if err != nil {
		return nil, err
	}
	cal, err := s.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	parties, text, err := s.sealParties(in)
	if err != nil {
		return nil, err
	}
	err = s.Update(ctx, func(tx *store.Tx) error {
		return s.insertCase(ctx, tx, c, in, cal, parties, text)
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

// sealParties seals the parties' ID numbers and phones, and gathers the
// text the matter is found by (its description, address and parties).
func (s *Service) sealParties(in domain.CaseInput) ([]store.PartyRow, string, error) {
	var err error
	parties := make([]store.PartyRow, len(in.Parties))
	var text strings.Builder
	text.WriteString(in.Description + " " + in.Address)
	for i, p := range in.Parties {
		row := store.PartyRow{Party: p}
		if p.IDNumber != "" {
			row.IDMasked = domain.MaskID(p.IDNumber)
			row.IDBidx = s.Keys().BlindIndex("id", p.IDNumber)
			if row.IDKid, row.IDEnc, err = s.Keys().Encrypt(p.IDNumber, "party.id_number"); err != nil {
				return nil, "", err
			}
		}
		if p.Phone != "" {
			row.PhoneMask = domain.MaskPhone(p.Phone)
			row.PhoneBidx = s.Keys().BlindIndex("phone", p.Phone)
			if row.PhoneKid, row.PhoneEnc, err = s.Keys().Encrypt(p.Phone, "party.phone"); err != nil {
				return nil, "", err
			}
		}
		row.Party.IDNumber, row.Party.Phone = "", ""
		parties[i] = row
		text.WriteString(" " + p.Name + " " + p.Address)
	}
	return parties, text.String(), nil
}

// insertCase numbers and writes the matter with its registration (and,
// when referred elsewhere, its closing) on the timeline, then publishes
// and audits it.
func (s *Service) insertCase(ctx context.Context, tx *store.Tx, c *domain.Case, in domain.CaseInput, cal *domain.Calendar, parties []store.PartyRow, text string) error {
	a := domain.ActorFrom(ctx)
	referred := strings.TrimSpace(in.ReferredTo) != ""
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
	if err := tx.InsertCase(ctx, c, parties, strings.Join(domain.SearchTokens(text), " ")); err != nil {
		return err
	}
	ev := &domain.TimelineEntry{ActorID: a.User.ID, ActorName: a.User.Name, Action: "register", ToStatus: domain.StatusRegistered,
		Data: map[string]string{"channel": in.Channel, "parties": fmt.Sprint(len(parties))}}
	if err := tx.AddEvent(ctx, c.ID, ev); err != nil {
		return err
	}
	c.Timeline = append(c.Timeline, *ev)
	if referred {
		ev := &domain.TimelineEntry{ActorID: a.User.ID, ActorName: a.User.Name, Action: "close", FromStatus: domain.StatusRegistered,
			ToStatus: domain.StatusClosed, Note: c.ReferredTo, Data: map[string]string{"outcome": string(domain.OutcomeReferred)}}
		if err := tx.AddEvent(ctx, c.ID, ev); err != nil {
			return err
		}
		c.Timeline = append(c.Timeline, *ev)
	}
	if err := s.publish(ctx, tx, Broadcast{Kind: BroadcastCaseRegistered, CaseID: c.ID, Number: c.Number, OrgPath: c.OrgPath}); err != nil {
		return err
	}
	return s.Kernel.Audit(ctx, tx, "case.register", "case", c.Number, c.OrgPath, domain.ResultOK, fmt.Sprintf("%d parties", len(parties)))
}

// mayViewCase: staff whose jurisdiction holds the matter, or who are linked
// to it (assignee, co-handler, lead, watcher) where they are now (Link).
func (s *Service) mayViewCase(ctx context.Context, c *domain.Case) error {
	u := domain.ActorFrom(ctx).User
	if Link(u, c) != "" && authz.Allowed(u, authz.CaseView) {
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
	if err := s.id.CheckRevealBudget(ctx); err != nil {
		return "", "", err
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
	// OverdueKind narrows Overdue: OverdueInHand (not yet closed) or
	// OverdueFollowUp (closed, informing or visit late); "" both.
	OverdueKind string
	From, To    time.Time
	Cursor      int64
	Limit       int
}

// Values is the list request as the list's address parameters, without
// paging: the web's list reads them back into the same request. An export
// request's filters are recorded so and shown as the list's chips.
func (cq CaseQuery) Values() url.Values {
	q := url.Values{}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	set("q", cq.Q)
	set("category", cq.Category)
	set("risk", cq.Risk)
	set("channel", cq.Channel)
	set("org_code", cq.OrgCode)
	if slices.Equal(cq.Statuses, domain.OpenStatuses) {
		q.Set("status", "open")
	} else if len(cq.Statuses) == 1 {
		q.Set("status", string(cq.Statuses[0]))
	}
	if !cq.From.IsZero() {
		q.Set("from", cq.From.In(domain.CST).Format("2006-01-02"))
	}
	if !cq.To.IsZero() {
		q.Set("to", cq.To.In(domain.CST).AddDate(0, 0, -1).Format("2006-01-02"))
	}
	if cq.Overdue {
		q.Set("overdue", cmp.Or(cq.OverdueKind, "1"))
	}
	for name, on := range map[string]bool{"mine": cq.Mine, "cohandled": cq.CoHandled, "lead": cq.Leading, "regrade": cq.Regrade,
		"counted": cq.Counted, "due_soon": cq.DueSoon, "to_reply": cq.ToReply} {
		if on {
			q.Set(name, "1")
		}
	}
	return q
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
	if err := s.checkChoices(ctx, q); err != nil {
		return domain.CaseFilter{}, nil, err
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
	// "Assigned to me" (or shared with me, or led by me) within the
	// jurisdiction: a link outside it no longer holds (Link).
	if q.Mine {
		f.AssigneeID, f.Path = u.ID, u.OrgPath
	}
	if q.CoHandled {
		f.CoHandlerID, f.Path = u.ID, u.OrgPath
	}
	if q.Leading {
		f.LeadID, f.Path = u.ID, u.OrgPath
		if len(f.Statuses) == 0 {
			f.Statuses = domain.OpenStatuses
		}
	}
	f.Regrade, f.NotMerged = q.Regrade, q.Counted
	if q.Overdue && q.OverdueKind != "" {
		f.Statuses = overdueStatuses(f.Statuses, q.OverdueKind)
	}
	if q := strings.TrimSpace(strings.ToValidUTF8(q.Q, "")); q != "" {
		if utf8.RuneCountInString(q) > 100 {
			return domain.CaseFilter{}, nil, &domain.Error{Code: domain.Invalid, Key: "search.too_long", Fields: map[string]string{"q": "search.too_long"}}
		}
		switch {
		case domain.CheckResidentID(domain.NormalizeIDNumber(q), s.Store().Now()) == nil:
			f.IDBidx = s.Keys().BlindIndex("id", domain.NormalizeIDNumber(q))
		case isPhone(q):
			p, _ := domain.NormalizePhone(q)
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

func isPhone(s string) bool { _, ok := domain.NormalizePhone(s); return ok }

// resume restarts a paused clock: the deadline moves by the time paused.
func resume(c *domain.Case, now time.Time, ev *domain.TimelineEntry) {
	if !c.StepDueAt.IsZero() {
		c.StepDueAt = c.StepDueAt.Add(now.Sub(c.PausedAt))
		ev.Data[domain.DataDue] = c.StepDueAt.Format(time.RFC3339)
	}
	ev.Data[domain.DataPausedDays] = fmt.Sprintf("%.1f", now.Sub(c.PausedAt).Hours()/24)
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
			ev := &domain.TimelineEntry{ActorName: "系统", Action: "resume", FromStatus: c.Status, ToStatus: c.Status, Data: map[string]string{"auto": "1"}}
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
