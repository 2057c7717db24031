package store

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"jiefen/internal/domain"
)

// PartyRow is a party as stored: personal data sealed, with blind indexes
// and masked forms for lists.
type PartyRow struct {
	domain.Party
	IDKid, IDEnc, IDBidx          string
	PhoneKid, PhoneEnc, PhoneBidx string
}

// NextCaseNumber takes the next number of a prefix and year. The counter row
// is locked until the transaction ends, so numbers have no gaps and no
// duplicates under concurrency (a rolled-back registration gives its number back).
func (tx *Tx) NextCaseNumber(ctx context.Context, prefix string, year int) (int64, error) {
	var n int64
	err := tx.queryRow(ctx, `INSERT INTO case_numbers (prefix, year, last) VALUES ($1, $2, 1)
		ON CONFLICT (prefix, year) DO UPDATE SET last = case_numbers.last + 1 RETURNING last`, prefix, year).Scan(&n)
	return n, tx.scanErr(err, "next case number")
}

// InsertCase stores a new matter with its parties and search tokens.
func (tx *Tx) InsertCase(ctx context.Context, c *domain.Case, parties []PartyRow, tokens string) error {
	six, _ := json.Marshal(c.Six)
	var assignee any
	if c.Assignee != 0 {
		assignee = c.Assignee
	}
	err := tx.queryRow(ctx, `INSERT INTO cases (number, query_code, channel, category_code, description, org_code, org_path, address,
		lat, lng, amount_cents, people_count, status, outcome, guidance, referred_to, risk, assignee_id, step_due_at, six,
		created_by, created_at, updated_at, closed_at, version)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $22, $23, 1) RETURNING id`,
		c.Number, c.QueryCode, string(c.Channel), c.Category, c.Description, c.OrgCode, c.OrgPath, c.Address,
		c.Lat, c.Lng, c.AmountCents, c.PeopleCount, string(c.Status), string(c.Outcome), c.Guidance, c.ReferredTo, string(c.Risk),
		assignee, ts(c.StepDueAt), string(six), c.CreatedBy, ts(tx.Now), ts(c.ClosedAt)).Scan(&c.ID)
	if err != nil {
		return fmt.Errorf("store: insert case: %w", tx.d.mapErr(err))
	}
	c.Version, c.CreatedAt, c.UpdatedAt = 1, tx.Now, tx.Now
	if !c.StepDueAt.IsZero() && !c.StepDueAt.After(tx.Now) {
		tx.dueChanged() // born overdue (a deadline already past)
	}
	if err := tx.bumpCount(ctx, c.Status, c.OrgPath, c.Assignee, 1); err != nil {
		return err
	}
	for i := range parties {
		p := &parties[i]
		err := tx.queryRow(ctx, `INSERT INTO parties (case_id, kind, role, name, id_type, id_kid, id_enc, id_bidx, id_masked, no_id_reason,
			phone_kid, phone_enc, phone_bidx, phone_masked, address, uscc)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id`,
			c.ID, p.Kind, p.Role, p.Name, p.IDType, p.IDKid, p.IDEnc, p.IDBidx, p.IDMasked, p.NoIDReason,
			p.PhoneKid, p.PhoneEnc, p.PhoneBidx, p.PhoneMask, p.Address, p.USCC).Scan(&p.ID)
		if err != nil {
			return fmt.Errorf("store: insert party: %w", tx.d.mapErr(err))
		}
	}
	if tx.d.name() != "postgres" { // a new matter: nothing to replace in the index
		_, err := tx.exec(ctx, `INSERT INTO case_fts (rowid, tokens) VALUES ($1, $2)`, c.ID, tokens)
		return wrap(err, "index case")
	}
	return tx.setSearch(ctx, c.ID, tokens)
}

func (tx *Tx) setSearch(ctx context.Context, id int64, tokens string) error {
	var err error
	if tx.d.name() == "postgres" {
		_, err = tx.exec(ctx, `UPDATE cases SET search = to_tsvector('simple', $1) WHERE id = $2`, tokens, id)
	} else {
		if _, err = tx.exec(ctx, `DELETE FROM case_fts WHERE rowid = $1`, id); err == nil {
			_, err = tx.exec(ctx, `INSERT INTO case_fts (rowid, tokens) VALUES ($1, $2)`, id, tokens)
		}
	}
	return wrap(err, "index case")
}

// UpdateCase saves the mutable fields of a matter if its version is still
// c.Version (optimistic locking), then bumps the version.
func (tx *Tx) UpdateCase(ctx context.Context, c *domain.Case) error {
	var oldStatus, path, oldCategory, oldRisk, oldOutcome string
	var oldAssignee int64
	var oldDue, oldPaused time.Time
	if err := tx.queryRow(ctx, `SELECT status, org_path, COALESCE(assignee_id, 0), step_due_at, paused_at, category_code, risk, outcome FROM cases WHERE id = $1`, c.ID).
		Scan(&oldStatus, &path, &oldAssignee, nullTime{&oldDue}, nullTime{&oldPaused}, &oldCategory, &oldRisk, &oldOutcome); err != nil {
		return tx.scanErr(err, fmt.Sprintf("update case %d", c.ID))
	}
	if !oldDue.Equal(c.StepDueAt) || oldPaused.IsZero() != c.PausedAt.IsZero() || oldAssignee != c.Assignee {
		tx.dueChanged()
	}
	six, _ := json.Marshal(c.Six)
	var assignee any
	if c.Assignee != 0 {
		assignee = c.Assignee
	}
	r, err := tx.exec(ctx, `UPDATE cases SET category_code = $1, status = $2, outcome = $3, guidance = $4, referred_to = $5, risk = $6,
		assignee_id = $7, step_due_at = $8, six = $9, satisfaction = $10, closed_at = $11, updated_at = $12, version = version + 1,
		paused_at = $15, paused_until = $16, extend_days = $17, watcher_id = $18, watch_every_days = $19, next_checkin_at = $20,
		lead_id = $21, regrade_at = $22, org_code = $23, org_path = $24
		WHERE id = $13 AND version = $14`,
		c.Category, string(c.Status), string(c.Outcome), c.Guidance, c.ReferredTo, string(c.Risk), assignee, ts(c.StepDueAt),
		string(six), c.Satisfaction, ts(c.ClosedAt), ts(tx.Now), c.ID, c.Version, ts(c.PausedAt), ts(c.PausedUntil), c.ExtendDays, nullID(c.WatcherID), c.WatchEvery, ts(c.NextCheckin),
		nullID(c.LeadID), ts(c.RegradeAt), c.OrgCode, c.OrgPath)
	if err != nil {
		return fmt.Errorf("store: update case %d: %w", c.ID, err)
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return &domain.Error{Code: domain.Conflict, Key: "error.stale_version"}
	}
	if path != c.OrgPath || oldCategory != c.Category || oldRisk != string(c.Risk) || (oldOutcome == "merged") != (c.Outcome == domain.OutcomeMerged) {
		if err := tx.syncFacts(ctx, c.ID); err != nil {
			return err
		}
	}
	if domain.Status(oldStatus) != c.Status || oldAssignee != c.Assignee || path != c.OrgPath {
		// Two count rows change; taking their locks in one fixed order keeps
		// two transactions moving matters opposite ways (a return and a
		// re-dispatch in one village) from deadlocking on PostgreSQL.
		type move struct {
			status   domain.Status
			path     string
			assignee int64
			delta    int
		}
		ms := []move{{domain.Status(oldStatus), path, oldAssignee, -1}, {c.Status, c.OrgPath, c.Assignee, 1}}
		a, b := ms[0], ms[1]
		if b.status < a.status || (b.status == a.status && (b.path < a.path || (b.path == a.path && b.assignee < a.assignee))) {
			ms[0], ms[1] = ms[1], ms[0]
		}
		for _, m := range ms {
			if err := tx.bumpCount(ctx, m.status, m.path, m.assignee, m.delta); err != nil {
				return err
			}
		}
	}
	c.Version++
	c.UpdatedAt = tx.Now
	return nil
}

// AddEvent appends to a matter's timeline.
func (tx *Tx) AddEvent(ctx context.Context, caseID int64, e *domain.Event) error {
	data, _ := json.Marshal(e.Data)
	if e.Data == nil {
		data = []byte("{}")
	}
	e.At = tx.Now
	err := tx.queryRow(ctx, `INSERT INTO case_events (case_id, at, actor_id, actor_name, action, from_status, to_status, note, data)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		caseID, ts(tx.Now), e.ActorID, e.ActorName, e.Action, string(e.FromStatus), string(e.ToStatus), e.Note, string(data)).Scan(&e.ID)
	if err != nil {
		return tx.scanErr(err, "add event")
	}
	return tx.addFact(ctx, e.ID)
}

const caseCols = `c.id, c.number, c.query_code, c.channel, c.category_code, COALESCE(cat.name, c.category_code), c.description,
	c.org_code, o.name, c.org_path, c.address, c.lat, c.lng, c.amount_cents, c.people_count, c.status, c.outcome, c.guidance,
	c.referred_to, c.risk, COALESCE(c.assignee_id, 0), COALESCE(u.name, ''), c.step_due_at, c.six, c.satisfaction,
	c.created_by, c.created_at, c.updated_at, c.closed_at, c.version, c.paused_at, c.paused_until, c.extend_days,
	COALESCE(c.watcher_id, 0), COALESCE(wu.name, ''), c.watch_every_days, c.next_checkin_at,
	COALESCE(c.lead_id, 0), COALESCE(lu.name, ''), c.regrade_at`

const caseFrom = ` FROM cases c JOIN orgs o ON o.code = c.org_code LEFT JOIN categories cat ON cat.code = c.category_code
	LEFT JOIN users u ON u.id = c.assignee_id LEFT JOIN users wu ON wu.id = c.watcher_id LEFT JOIN users lu ON lu.id = c.lead_id`

func scanCase(sc interface{ Scan(...any) error }, c *domain.Case) error {
	var ch, st, out, risk, six string
	err := sc.Scan(&c.ID, &c.Number, &c.QueryCode, &ch, &c.Category, &c.CategoryNm, &c.Description, &c.OrgCode, &c.OrgName, &c.OrgPath,
		&c.Address, &c.Lat, &c.Lng, &c.AmountCents, &c.PeopleCount, &st, &out, &c.Guidance, &c.ReferredTo, &risk, &c.Assignee,
		&c.AssigneeNm, nullTime{&c.StepDueAt}, &six, &c.Satisfaction, &c.CreatedBy, nullTime{&c.CreatedAt}, nullTime{&c.UpdatedAt},
		nullTime{&c.ClosedAt}, &c.Version, nullTime{&c.PausedAt}, nullTime{&c.PausedUntil}, &c.ExtendDays,
		&c.WatcherID, &c.WatcherNm, &c.WatchEvery, nullTime{&c.NextCheckin},
		&c.LeadID, &c.LeadName, nullTime{&c.RegradeAt})
	if err != nil {
		return err
	}
	c.Channel, c.Status, c.Outcome, c.Risk = domain.Channel(ch), domain.Status(st), domain.Outcome(out), domain.Risk(risk)
	_ = json.Unmarshal([]byte(six), &c.Six)
	return nil
}

// CaseNumber reads a matter's number alone.
func (tx *Tx) CaseNumber(ctx context.Context, id int64) (string, error) {
	var n string
	err := tx.queryRow(ctx, `SELECT number FROM cases WHERE id = $1`, id).Scan(&n)
	return n, tx.scanErr(err, fmt.Sprintf("case number %d", id))
}

// Case reads a matter with its parties (masked) and timeline.
func (tx *Tx) Case(ctx context.Context, id int64) (*domain.Case, error) {
	c := &domain.Case{}
	if err := scanCase(tx.queryRow(ctx, `SELECT `+caseCols+caseFrom+` WHERE c.id = $1`, id), c); err != nil {
		return nil, tx.scanErr(err, fmt.Sprintf("get case %d", id))
	}
	rows, err := tx.query(ctx, `SELECT id, kind, role, name, id_type, id_masked, no_id_reason, phone_masked, address, uscc
		FROM parties WHERE case_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, wrap(err, "list parties")
	}
	for rows.Next() {
		var p domain.Party
		if err := rows.Scan(&p.ID, &p.Kind, &p.Role, &p.Name, &p.IDType, &p.IDMasked, &p.NoIDReason, &p.PhoneMask, &p.Address, &p.USCC); err != nil {
			rows.Close()
			return nil, err
		}
		c.Parties = append(c.Parties, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if c.CoHandlers, err = tx.CoHandlers(ctx, id); err != nil {
		return nil, err
	}
	ev, err := tx.query(ctx, `SELECT id, at, actor_id, actor_name, action, from_status, to_status, note, data FROM case_events
		WHERE case_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, wrap(err, "list events")
	}
	defer ev.Close()
	for ev.Next() {
		var e domain.Event
		var from, to, data string
		if err := ev.Scan(&e.ID, nullTime{&e.At}, &e.ActorID, &e.ActorName, &e.Action, &from, &to, &e.Note, &data); err != nil {
			return nil, err
		}
		e.FromStatus, e.ToStatus = domain.Status(from), domain.Status(to)
		_ = json.Unmarshal([]byte(data), &e.Data)
		c.Timeline = append(c.Timeline, e)
	}
	return c, ev.Err()
}

// PartySecret returns a party's sealed ID number and phone for an audited reveal.
func (tx *Tx) PartySecret(ctx context.Context, caseID, partyID int64) (PartyRow, error) {
	var p PartyRow
	err := tx.queryRow(ctx, `SELECT id, name, id_kid, id_enc, phone_kid, phone_enc FROM parties WHERE id = $1 AND case_id = $2`, partyID, caseID).
		Scan(&p.ID, &p.Name, &p.IDKid, &p.IDEnc, &p.PhoneKid, &p.PhoneEnc)
	return p, tx.scanErr(err, "get party")
}

// CaseFilter selects matters for lists.
type CaseFilter struct {
	Path        string // subtree (required by the service)
	Statuses    []domain.Status
	Category    string
	Risk        string
	Channel     string
	AssigneeID  int64
	CoHandlerID int64   // matters this user co-handles now
	LeadID      int64   // matters this leader leads (三色)
	Regrade     bool    // someone reported the matter getting worse: re-grade due
	NotMerged   bool    // leave out merged duplicates
	IDs         []int64 // only these matters (a page of a statistic's list)
	Overdue     bool
	DueSoon     bool // due within a day, not yet overdue
	ToReply     bool // a supervision order awaits the assignee\'s reply
	Now         time.Time
	From, To    time.Time // registered in [From, To)
	Tokens      []string  // full-text tokens (AND)
	Like        string    // single-character fallback
	IDBidx      string    // party ID number (blind index)
	PhoneBidx   string    // party phone (blind index)
	BeforeID    int64     // keyset: id < BeforeID
	Limit       int
}

// usesFTS reports whether the filter searches SQLite's FTS5 table, which
// the query then joins as f.
func usesFTS(tx *Tx, f CaseFilter) bool { return len(f.Tokens) > 0 && tx.d.name() != "postgres" }

// caseWhere builds the WHERE clause of a case filter.
func caseWhere(tx *Tx, f CaseFilter) where {
	w := where{}
	if f.Path != "/" && f.Path != "" { // the whole tree needs no condition (and no table reads for it)
		w.add("c.org_path LIKE ?", stripLike(f.Path)+"%")
	}
	if f.LeadID != 0 {
		w.add("c.lead_id = ?", f.LeadID)
	}
	if f.Regrade {
		w.add("c.regrade_at IS NOT NULL")
	}
	if f.NotMerged {
		w.add("c.outcome <> 'merged'")
	}
	if len(f.IDs) > 0 {
		w.addIDs("c.id", f.IDs)
	}
	if len(f.Statuses) > 0 {
		ph := make([]string, len(f.Statuses))
		args := make([]any, len(f.Statuses))
		for i, s := range f.Statuses {
			ph[i], args[i] = "?", string(s)
		}
		w.add("c.status IN ("+strings.Join(ph, ", ")+")", args...)
	}
	if f.Category != "" {
		w.add("c.category_code = ?", f.Category)
	}
	if f.Risk != "" {
		w.add("c.risk = ?", f.Risk)
	}
	if f.Channel != "" {
		w.add("c.channel = ?", f.Channel)
	}
	if f.AssigneeID != 0 {
		w.add("c.assignee_id = ?", f.AssigneeID)
	}
	if f.CoHandlerID != 0 {
		w.add("c.id IN (SELECT case_id FROM case_cohandlers WHERE user_id = ? AND ended_at IS NULL)", f.CoHandlerID)
	}
	if f.Overdue {
		w.add("c.step_due_at < ? AND c.paused_at IS NULL", ts(f.Now))
	}
	if f.DueSoon {
		w.add("c.step_due_at >= ? AND c.step_due_at < ? AND c.paused_at IS NULL", ts(f.Now), ts(f.Now.Add(24*time.Hour)))
	}
	if f.ToReply {
		w.add(`c.id IN (SELECT case_id FROM supervisions WHERE replied_at IS NULL)`)
	}
	if !f.From.IsZero() {
		w.add("c.created_at >= ?", ts(f.From))
	}
	if !f.To.IsZero() {
		w.add("c.created_at < ?", ts(f.To))
	}
	if len(f.Tokens) > 0 {
		if tx.d.name() == "postgres" {
			w.add("c.search @@ plainto_tsquery('simple', ?)", strings.Join(f.Tokens, " "))
		} else {
			q := make([]string, len(f.Tokens))
			for i, t := range f.Tokens {
				q[i] = `"` + t + `"`
			}
			// Cases joins case_fts f for this (see caseFrom): the index is
			// walked newest first and the walk stops at the page's last row.
			w.add("f.case_fts MATCH ?", strings.Join(q, " "))
		}
	}
	if f.Like != "" {
		l := "%" + stripLike(f.Like) + "%"
		op := tx.d.ilike()
		w.add("(c.description "+op+" ? OR c.address "+op+" ? OR c.id IN (SELECT case_id FROM parties WHERE name "+op+" ?))", l, l, l)
	}
	if f.IDBidx != "" {
		w.add("c.id IN (SELECT case_id FROM parties WHERE id_bidx = ?)", f.IDBidx)
	}
	if f.PhoneBidx != "" {
		w.add("c.id IN (SELECT case_id FROM parties WHERE phone_bidx = ?)", f.PhoneBidx)
	}
	if f.BeforeID > 0 {
		w.add("c.id < ?", f.BeforeID)
	}
	return w
}

// Cases lists matters newest first with keyset pagination.
func (tx *Tx) Cases(ctx context.Context, f CaseFilter) ([]*domain.Case, error) {
	w := caseWhere(tx, f)
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	from, order := caseFrom, "c.id"
	if usesFTS(tx, f) {
		from, order = strings.Replace(caseFrom, " FROM cases c ", " FROM case_fts f JOIN cases c ON c.id = f.rowid ", 1), "f.rowid"
	}
	if tx.d.name() == "postgres" {
		// The page's ids first, from the cases table alone: PostgreSQL then
		// answers from an index (the status index carries the place), where
		// with the joins it walked the primary key through every newer
		// matter (the newest are never archived, say, but the planner
		// assumes statuses are spread evenly over time). Then the rows.
		var ids []int64
		var err error
		if len(f.Tokens) > 0 {
			ids, err = tx.searchIDsPostgres(ctx, w.sql(), w.args, f.BeforeID, f.Limit)
		} else {
			ids, err = tx.ids(ctx, `SELECT c.id FROM cases c`+w.sql()+` ORDER BY c.id DESC LIMIT `+strconv.Itoa(f.Limit), w.args)
		}
		if err != nil || len(ids) == 0 {
			return nil, wrap(err, "list cases")
		}
		w = where{}
		w.addIDs("c.id", ids)
	}
	rows, err := tx.query(ctx, `SELECT `+caseCols+from+w.sql()+` ORDER BY `+order+` DESC LIMIT `+strconv.Itoa(f.Limit), w.args...)
	if err != nil {
		return nil, wrap(err, "list cases")
	}
	defer rows.Close()
	var out []*domain.Case
	for rows.Next() {
		c := &domain.Case{}
		if err := scanCase(rows, c); err != nil {
			return nil, fmt.Errorf("store: scan case: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// PartyNames returns the party names of matters (for list rows).
func (tx *Tx) PartyNames(ctx context.Context, ids []int64) (map[int64][]string, error) {
	out := map[int64][]string{}
	if len(ids) == 0 {
		return out, nil
	}
	in, args := idsIn(ids, 1)
	rows, err := tx.query(ctx, `SELECT case_id, name FROM parties WHERE case_id IN (`+in+`) ORDER BY id`, args...)
	if err != nil {
		return nil, wrap(err, "party names")
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var n string
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = append(out[id], n)
	}
	return out, rows.Err()
}

// Category is a catalogue entry.
type Category struct {
	Code, Name, ParentCode string
	Sort                   int
	Active                 bool
}

// UpsertCategory adds or renames a catalogue entry.
func (tx *Tx) UpsertCategory(ctx context.Context, c Category) error {
	var oldParent string
	moved := tx.queryRow(ctx, `SELECT COALESCE(parent_code, '') FROM categories WHERE code = $1`, c.Code).Scan(&oldParent) == nil && oldParent != c.ParentCode
	var parent any
	if c.ParentCode != "" {
		parent = c.ParentCode
	}
	_, err := tx.exec(ctx, `INSERT INTO categories (code, name, parent_code, sort, active) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (code) DO UPDATE SET name = excluded.name, parent_code = excluded.parent_code, sort = excluded.sort, active = excluded.active`,
		c.Code, c.Name, parent, c.Sort, c.Active)
	if err != nil || !moved {
		return wrap(err, "upsert category")
	}
	// The statistics' facts carry the top-level category: a category moved
	// under another parent moves its matters' facts with it.
	_, err = tx.exec(ctx, `UPDATE case_facts SET category = $2 WHERE case_id IN (SELECT id FROM cases WHERE category_code = $1) AND category <> $2`,
		c.Code, cmp.Or(c.ParentCode, c.Code))
	return wrap(err, "case facts category")
}

// Categories lists the catalogue in display order.
func (tx *Tx) Categories(ctx context.Context) ([]Category, error) {
	rows, err := tx.query(ctx, `SELECT code, name, COALESCE(parent_code, ''), sort, active FROM categories ORDER BY sort, code`)
	if err != nil {
		return nil, wrap(err, "list categories")
	}
	defer rows.Close()
	var out []Category
	for rows.Next() {
		var c Category
		if err := rows.Scan(&c.Code, &c.Name, &c.ParentCode, &c.Sort, &c.Active); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// UpsertCalendarDay records a holiday or a 调休 working day.
func (tx *Tx) UpsertCalendarDay(ctx context.Context, day, kind, name string) error {
	_, err := tx.exec(ctx, `INSERT INTO calendar_days (day, kind, name) VALUES ($1, $2, $3)
		ON CONFLICT (day) DO UPDATE SET kind = excluded.kind, name = excluded.name`, day, kind, name)
	return wrap(err, "upsert calendar day")
}

// CalendarDays lists every recorded day.
func (tx *Tx) CalendarDays(ctx context.Context) ([][3]string, error) {
	rows, err := tx.query(ctx, `SELECT day, kind, name FROM calendar_days ORDER BY day`)
	if err != nil {
		return nil, wrap(err, "calendar")
	}
	defer rows.Close()
	var out [][3]string
	for rows.Next() {
		var d [3]string
		if err := rows.Scan(&d[0], &d[1], &d[2]); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// Idempotent is a stored response to a POST with an Idempotency-Key.
type Idempotent struct {
	Method, Path string
	Status       int
	Body         string
	CreatedAt    time.Time
}

// IdempotentResponse returns the stored response for (user, key), or not_found.
func (tx *Tx) IdempotentResponse(ctx context.Context, userID int64, key string) (Idempotent, error) {
	var r Idempotent
	err := tx.queryRow(ctx, `SELECT method, path, status, body, created_at FROM idempotency_keys WHERE user_id = $1 AND key = $2`, userID, key).
		Scan(&r.Method, &r.Path, &r.Status, &r.Body, nullTime{&r.CreatedAt})
	return r, tx.scanErr(err, "idempotency key")
}

// SaveIdempotentResponse stores a response; a concurrent duplicate is a conflict.
func (tx *Tx) SaveIdempotentResponse(ctx context.Context, userID int64, key string, r Idempotent) error {
	_, err := tx.exec(ctx, `INSERT INTO idempotency_keys (user_id, key, method, path, status, body, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		userID, key, r.Method, r.Path, r.Status, r.Body, ts(tx.Now))
	return wrap(err, "save idempotency key")
}

// ReserveIdempotencyKey claims (user, key) for a request in progress
// (status 0). It returns the stored response and false when the key exists.
func (tx *Tx) ReserveIdempotencyKey(ctx context.Context, userID int64, key, method, path string) (Idempotent, bool, error) {
	r, err := tx.IdempotentResponse(ctx, userID, key)
	if err == nil && r.Status == 0 && tx.Now.Sub(r.CreatedAt) > 5*time.Minute && r.Method == method && r.Path == path {
		// A reservation whose request never finished (a crash): take it over.
		_, err := tx.exec(ctx, `UPDATE idempotency_keys SET created_at = $1 WHERE user_id = $2 AND key = $3 AND status = 0`, ts(tx.Now), userID, key)
		return Idempotent{}, err == nil, wrap(err, "take over idempotency key")
	}
	if err == nil {
		return r, false, nil
	}
	if domain.ErrorCode(err) != domain.NotFound {
		return r, false, err
	}
	return Idempotent{}, true, tx.SaveIdempotentResponse(ctx, userID, key, Idempotent{Method: method, Path: path})
}

// CompleteIdempotencyKey stores the response of a reserved key.
func (tx *Tx) CompleteIdempotencyKey(ctx context.Context, userID int64, key string, status int, body string) error {
	_, err := tx.exec(ctx, `UPDATE idempotency_keys SET status = $1, body = $2 WHERE user_id = $3 AND key = $4`, status, body, userID, key)
	return wrap(err, "complete idempotency key")
}

// ReleaseIdempotencyKey forgets a reservation whose request failed on the
// server's side, so that a retry can try again.
func (tx *Tx) ReleaseIdempotencyKey(ctx context.Context, userID int64, key string) error {
	_, err := tx.exec(ctx, `DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND status = 0`, userID, key)
	return wrap(err, "release idempotency key")
}

// Attachment is a file attached to a matter.
type Attachment struct {
	ID         int64
	CaseID     int64
	Kind       string
	Name       string
	StoredName string
	MIME       string
	Size       int64
	SHA256     string
	UploadedBy int64
	CreatedAt  time.Time
}

// AddAttachment records a stored file.
func (tx *Tx) AddAttachment(ctx context.Context, a *Attachment) error {
	err := tx.queryRow(ctx, `INSERT INTO attachments (case_id, kind, name, stored_name, mime, size, sha256, uploaded_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		a.CaseID, a.Kind, a.Name, a.StoredName, a.MIME, a.Size, a.SHA256, a.UploadedBy, ts(tx.Now)).Scan(&a.ID)
	a.CreatedAt = tx.Now
	return tx.scanErr(err, "add attachment")
}

// Attachments lists a matter's files.
func (tx *Tx) Attachments(ctx context.Context, caseID int64) ([]Attachment, error) {
	rows, err := tx.query(ctx, `SELECT id, case_id, kind, name, stored_name, mime, size, sha256, uploaded_by, created_at
		FROM attachments WHERE case_id = $1 ORDER BY id`, caseID)
	if err != nil {
		return nil, wrap(err, "list attachments")
	}
	defer rows.Close()
	var out []Attachment
	for rows.Next() {
		var a Attachment
		if err := rows.Scan(&a.ID, &a.CaseID, &a.Kind, &a.Name, &a.StoredName, &a.MIME, &a.Size, &a.SHA256, &a.UploadedBy, nullTime{&a.CreatedAt}); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// CaseSearchText returns the party names and addresses that the search
// index holds besides the description and address.
func (tx *Tx) CaseSearchText(ctx context.Context, id int64) (string, error) {
	rows, err := tx.query(ctx, `SELECT name, address FROM parties WHERE case_id = $1`, id)
	if err != nil {
		return "", wrap(err, "party text")
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var n, a string
		if err := rows.Scan(&n, &a); err != nil {
			return "", err
		}
		b.WriteString(" " + n + " " + a)
	}
	return b.String(), rows.Err()
}

// SetCaseText corrects a matter's description and address and re-indexes it.
// (The old values stay on the timeline.)
func (tx *Tx) SetCaseText(ctx context.Context, id int64, description, address, tokens string) error {
	if _, err := tx.exec(ctx, `UPDATE cases SET description = $1, address = $2 WHERE id = $3`, description, address, id); err != nil {
		return wrap(err, "correct case")
	}
	return tx.setSearch(ctx, id, tokens)
}

// Milestone is one line of a matter's schedule.
type Milestone struct {
	ID     int64
	CaseID int64
	Title  string
	DueAt  time.Time
	DoneAt time.Time
	Auto   string // "first_contact", "judicial_window" for those the workflow creates
}

// AddMilestone adds a line to the schedule.
func (tx *Tx) AddMilestone(ctx context.Context, m *Milestone) error {
	err := tx.queryRow(ctx, `INSERT INTO milestones (case_id, title, due_at, auto, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		m.CaseID, m.Title, ts(m.DueAt), m.Auto, ts(tx.Now)).Scan(&m.ID)
	return tx.scanErr(err, "add milestone")
}

// DoneMilestone marks a line done (once).
func (tx *Tx) DoneMilestone(ctx context.Context, caseID, id, userID int64) (bool, error) {
	r, err := tx.exec(ctx, `UPDATE milestones SET done_at = $1, done_by = $2 WHERE id = $3 AND case_id = $4 AND done_at IS NULL`, ts(tx.Now), userID, id, caseID)
	if err != nil {
		return false, wrap(err, "milestone done")
	}
	n, _ := r.RowsAffected()
	return n == 1, nil
}

// Milestones lists a matter's schedule by due date.
func (tx *Tx) Milestones(ctx context.Context, caseID int64) ([]Milestone, error) {
	rows, err := tx.query(ctx, `SELECT id, case_id, title, due_at, done_at, auto FROM milestones WHERE case_id = $1 ORDER BY due_at, id`, caseID)
	if err != nil {
		return nil, wrap(err, "list milestones")
	}
	defer rows.Close()
	var out []Milestone
	for rows.Next() {
		var m Milestone
		if err := rows.Scan(&m.ID, &m.CaseID, &m.Title, nullTime{&m.DueAt}, nullTime{&m.DoneAt}, &m.Auto); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// CaseByNumber reads a matter by its number.
func (tx *Tx) CaseByNumber(ctx context.Context, number string) (*domain.Case, error) {
	var id int64
	if err := tx.queryRow(ctx, `SELECT id FROM cases WHERE number = $1`, number).Scan(&id); err != nil {
		return nil, tx.scanErr(err, "case by number")
	}
	return tx.Case(ctx, id)
}

// CoHandlers lists the people working a part of a matter now.
func (tx *Tx) CoHandlers(ctx context.Context, caseID int64) ([]domain.CoHandler, error) {
	rows, err := tx.query(ctx, `SELECT h.user_id, u.username, u.name, COALESCE(o.name, ''), h.part, h.added_at
		FROM case_cohandlers h JOIN users u ON u.id = h.user_id LEFT JOIN orgs o ON o.code = u.org_code
		WHERE h.case_id = $1 AND h.ended_at IS NULL ORDER BY h.id`, caseID)
	if err != nil {
		return nil, wrap(err, "list co-handlers")
	}
	defer rows.Close()
	var out []domain.CoHandler
	for rows.Next() {
		var h domain.CoHandler
		if err := rows.Scan(&h.UserID, &h.Username, &h.Name, &h.OrgName, &h.Part, nullTime{&h.AddedAt}); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// AddCoHandler gives a user a part of a matter; a user already working on
// it is a conflict.
func (tx *Tx) AddCoHandler(ctx context.Context, caseID, userID int64, part string, by int64) error {
	_, err := tx.exec(ctx, `INSERT INTO case_cohandlers (case_id, user_id, part, added_by, added_at) VALUES ($1, $2, $3, $4, $5)`,
		caseID, userID, part, by, ts(tx.Now))
	return tx.scanErr(err, "add co-handler")
}

// EndCoHandlers ends the parts of the given users (all of them when userID
// is 0) and reports how many ended. The rows stay.
func (tx *Tx) EndCoHandlers(ctx context.Context, caseID, userID int64) (int64, error) {
	q, args := `UPDATE case_cohandlers SET ended_at = $1 WHERE case_id = $2 AND ended_at IS NULL`, []any{ts(tx.Now), caseID}
	if userID != 0 {
		q, args = q+` AND user_id = $3`, append(args, userID)
	}
	r, err := tx.exec(ctx, q, args...)
	if err != nil {
		return 0, wrap(err, "end co-handlers")
	}
	return r.RowsAffected()
}

// searchWindow is the first window of newest ids a PostgreSQL search looks
// in (a common word fills a page there).
var searchWindow int64 = 2000

// searchIDsPostgres finds the ids of the newest matches of a full-text
// query on PostgreSQL. Walking the primary key newest first is quick for a
// common word and reads the whole table for a rare one; the GIN index is
// quick for a rare word and fetches every match of a common one to sort
// them; and the planner cannot tell which case it is in (a bigram that
// never occurs is estimated at thousands of rows). So the search looks in
// a window of the newest ids that widens tenfold until the page is full:
// the first, small window is read along the primary key (a common word
// fills the page there); the wider ones through the GIN index ANDed with the
// id range (a rare word costs a few cheap index probes, never a walk of the
// whole table).
func (tx *Tx) searchIDsPostgres(ctx context.Context, where string, args []any, top int64, limit int) ([]int64, error) {
	if top <= 0 {
		if err := tx.queryRow(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM cases`).Scan(&top); err != nil {
			return nil, tx.scanErr(err, "newest case")
		}
	}
	defer tx.exec(ctx, `SET LOCAL enable_indexscan = DEFAULT`)
	for window := searchWindow; ; window *= 10 {
		if window > searchWindow {
			if _, err := tx.exec(ctx, `SET LOCAL enable_indexscan = off`); err != nil {
				return nil, err
			}
		}
		q, a := `SELECT c.id FROM cases c`+where, args
		lo := top - window
		if lo > 0 {
			a = append(append([]any{}, args...), lo)
			q += ` AND c.id >= $` + strconv.Itoa(len(a))
		}
		out, err := tx.ids(ctx, q+` ORDER BY c.id DESC LIMIT `+strconv.Itoa(limit), a)
		if err != nil {
			return nil, err
		}
		if len(out) >= limit || lo <= 0 {
			return out, nil
		}
	}
}

// ids runs a query of one id column.
func (tx *Tx) ids(ctx context.Context, q string, args []any) ([]int64, error) {
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
