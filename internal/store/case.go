package store

import (
	"context"
	"encoding/json"
	"fmt"
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
	return wrap(tx.d.indexNewCase(ctx, tx, c.ID, tokens), "index case")
}

func (tx *Tx) setSearch(ctx context.Context, id int64, tokens string) error {
	return wrap(tx.d.reindexCase(ctx, tx, id, tokens), "index case")
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
func (tx *Tx) AddEvent(ctx context.Context, caseID int64, e *domain.TimelineEntry) error {
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
	var err error
	c.Parties, err = queryAll(ctx, tx, "list parties", func(row rowScanner) (domain.Party, error) {
		var p domain.Party
		err := row.Scan(&p.ID, &p.Kind, &p.Role, &p.Name, &p.IDType, &p.IDMasked, &p.NoIDReason, &p.PhoneMask, &p.Address, &p.USCC)
		return p, err
	}, `SELECT id, kind, role, name, id_type, id_masked, no_id_reason, phone_masked, address, uscc
		FROM parties WHERE case_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, err
	}
	if c.CoHandlers, err = tx.CoHandlers(ctx, id); err != nil {
		return nil, err
	}
	c.Timeline, err = queryAll(ctx, tx, "list events", func(row rowScanner) (domain.TimelineEntry, error) {
		var e domain.TimelineEntry
		var from, to, data string
		if err := row.Scan(&e.ID, nullTime{&e.At}, &e.ActorID, &e.ActorName, &e.Action, &from, &to, &e.Note, &data); err != nil {
			return e, err
		}
		e.FromStatus, e.ToStatus = domain.Status(from), domain.Status(to)
		_ = json.Unmarshal([]byte(data), &e.Data)
		return e, nil
	}, `SELECT id, at, actor_id, actor_name, action, from_status, to_status, note, data FROM case_events
		WHERE case_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// CaseByNumber reads a matter by its number.
func (tx *Tx) CaseByNumber(ctx context.Context, number string) (*domain.Case, error) {
	var id int64
	if err := tx.queryRow(ctx, `SELECT id FROM cases WHERE number = $1`, number).Scan(&id); err != nil {
		return nil, tx.scanErr(err, "case by number")
	}
	return tx.Case(ctx, id)
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
