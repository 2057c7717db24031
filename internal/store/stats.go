package store

import (
	"context"
	"encoding/json"
	"strconv"
	"time"
)

// StatRow is one matter or one event the statistics count, with the
// matter's attributes the figures are broken down by.
type StatRow struct {
	CaseID    int64
	Action    string // "" for a registration row
	At        time.Time
	Data      map[string]string
	Category  string // top-level category
	OrgPath   string
	Channel   string
	Risk      string
	Outcome   string // the matter's outcome now
	CreatedAt time.Time
	UnitID    int64  // the docking unit chosen at assessment (0: none)
	From      string // an event's status before and after
	To        string
}

const statCols = `c.id, COALESCE(k.parent_code, c.category_code), c.org_path, c.channel, c.risk, c.outcome, c.created_at, COALESCE(c.unit_id, 0)`

// StatsRegistered lists the matters registered in [from, to) under path.
func (tx *Tx) StatsRegistered(ctx context.Context, from, to time.Time, path string) ([]StatRow, error) {
	lo, hi := pathRange(path)
	// The period leads (cases_created): the place's index would walk all
	// of a county's matters. On SQLite a unary + keeps org_path's indexes
	// out of the plan.
	op := "c.org_path"
	if tx.d.name() != "postgres" {
		op = "+c.org_path"
	}
	rows, err := tx.query(ctx, `SELECT `+statCols+` FROM cases c JOIN categories k ON k.code = c.category_code
		WHERE c.created_at >= $1 AND c.created_at < $2 AND `+op+` >= $3 AND `+op+` < $4`, ts(from), ts(to), lo, hi)
	if err != nil {
		return nil, wrap(err, "stats registered")
	}
	defer rows.Close()
	var out []StatRow
	for rows.Next() {
		var r StatRow
		if err := rows.Scan(&r.CaseID, &r.Category, &r.OrgPath, &r.Channel, &r.Risk, &r.Outcome, nullTime{&r.CreatedAt}, &r.UnitID); err != nil {
			return nil, err
		}
		r.At = r.CreatedAt
		out = append(out, r)
	}
	return out, rows.Err()
}

// StatsEvents lists the timeline events of the given actions in [from, to)
// of matters under path, oldest first.
func (tx *Tx) StatsEvents(ctx context.Context, from, to time.Time, path string, actions ...string) ([]StatRow, error) {
	args := []any{}
	in := ""
	for i, a := range actions {
		if i > 0 {
			in += ", "
		}
		args = append(args, a)
		in += "$" + strconv.Itoa(len(args)+4)
	}
	return tx.statsEvents(ctx, from, to, path, "e.action IN ("+in+")", args...)
}

// StatsStepEnds lists the events in [from, to) that ended a step of a
// matter under path (the status changed), oldest first.
func (tx *Tx) StatsStepEnds(ctx context.Context, from, to time.Time, path string) ([]StatRow, error) {
	return tx.statsEvents(ctx, from, to, path, "e.from_status <> '' AND e.from_status <> e.to_status")
}

func (tx *Tx) statsEvents(ctx context.Context, from, to time.Time, path, cond string, more ...any) ([]StatRow, error) {
	lo, hi := pathRange(path)
	args := append([]any{ts(from), ts(to), lo, hi}, more...)
	// The period's events lead (an index range on their time); walking the
	// place's matters instead would visit every matter of a county. SQLite
	// keeps the order of a CROSS JOIN; PostgreSQL plans it as a join.
	rows, err := tx.query(ctx, `SELECT `+statCols+`, e.action, e.at, e.data, e.from_status, e.to_status FROM case_events e CROSS JOIN cases c
		JOIN categories k ON k.code = c.category_code
		WHERE c.id = e.case_id AND e.at >= $1 AND e.at < $2 AND c.org_path >= $3 AND c.org_path < $4 AND `+cond+` ORDER BY e.at, e.id`, args...)
	if err != nil {
		return nil, wrap(err, "stats events")
	}
	defer rows.Close()
	var out []StatRow
	for rows.Next() {
		var r StatRow
		var data string
		if err := rows.Scan(&r.CaseID, &r.Category, &r.OrgPath, &r.Channel, &r.Risk, &r.Outcome, nullTime{&r.CreatedAt}, &r.UnitID, &r.Action, nullTime{&r.At}, &data, &r.From, &r.To); err != nil {
			return nil, err
		}
		_ = json.Unmarshal([]byte(data), &r.Data)
		out = append(out, r)
	}
	return out, rows.Err()
}

// StatsVisitedAfter reports which of the matters have a return visit at or
// after since (a matter closed in one month is often visited in the next).
func (tx *Tx) StatsVisitedAfter(ctx context.Context, ids []int64, since time.Time) (map[int64]bool, error) {
	out := map[int64]bool{}
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		args := []any{ts(since)}
		in := ""
		for i, id := range chunk {
			if i > 0 {
				in += ", "
			}
			args = append(args, id)
			in += "$" + strconv.Itoa(len(args))
		}
		got, err := tx.ids(ctx, `SELECT DISTINCT case_id FROM case_events WHERE action = 'visit' AND at >= $1 AND case_id IN (`+in+`)`, args)
		if err != nil {
			return nil, wrap(err, "stats visited")
		}
		for _, id := range got {
			out[id] = true
		}
	}
	return out, nil
}

// StatsOverdue lists the open matters under path whose step is overdue at
// now (a paused clock is not overdue).
func (tx *Tx) StatsOverdue(ctx context.Context, now time.Time, path string) ([]StatRow, error) {
	lo, hi := pathRange(path)
	rows, err := tx.query(ctx, `SELECT `+statCols+` FROM cases c JOIN categories k ON k.code = c.category_code
		WHERE c.step_due_at < $1 AND c.paused_at IS NULL AND c.status IN ('registered', 'assessed', 'dispatched', 'returned', 'in_resolution', 'closed', 'informed')
		AND c.org_path >= $2 AND c.org_path < $3`, ts(now), lo, hi)
	if err != nil {
		return nil, wrap(err, "stats overdue")
	}
	defer rows.Close()
	var out []StatRow
	for rows.Next() {
		var r StatRow
		if err := rows.Scan(&r.CaseID, &r.Category, &r.OrgPath, &r.Channel, &r.Risk, &r.Outcome, nullTime{&r.CreatedAt}, &r.UnitID); err != nil {
			return nil, err
		}
		r.At = now
		out = append(out, r)
	}
	return out, rows.Err()
}
