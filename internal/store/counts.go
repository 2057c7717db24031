package store

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"time"

	"jiefen/internal/domain"
)

// bumpCount adds delta to the count of matters in a status at a place with
// an assignee (0: none), in the caller's transaction.
func (tx *Tx) bumpCount(ctx context.Context, status domain.Status, path string, assignee int64, delta int) error {
	_, err := tx.exec(ctx, `INSERT INTO case_counts (status, org_path, assignee_id, n) VALUES ($1, $2, $3, $4)
		ON CONFLICT (status, org_path, assignee_id) DO UPDATE SET n = case_counts.n + excluded.n`, string(status), path, assignee, delta)
	return wrap(err, "case counts")
}

// CountByStatus adds up the matters in the statuses under a part of the
// tree ("/" or "": everywhere), and of one assignee when assignee is not 0,
// from the counts kept with every change.
func (tx *Tx) CountByStatus(ctx context.Context, path string, assignee int64, statuses ...domain.Status) (int, error) {
	w := where{}
	ph := make([]string, len(statuses))
	args := make([]any, len(statuses))
	for i, s := range statuses {
		ph[i], args[i] = "?", string(s)
	}
	w.add("status IN ("+strings.Join(ph, ", ")+")", args...)
	if path != "/" && path != "" {
		w.add("org_path LIKE ?", stripLike(path)+"%")
	}
	if assignee != 0 {
		w.add("assignee_id = ?", assignee)
	}
	var n int
	err := tx.queryRow(ctx, `SELECT COALESCE(SUM(n), 0) FROM case_counts`+w.sql(), w.args...).Scan(&n)
	return n, tx.scanErr(err, "count by status")
}

// byStatusOnly reports whether a filter selects by status, place and
// assignee alone, which the kept counts answer. (Any other field set, today
// or added later, sends the count to the matters themselves.)
func byStatusOnly(f domain.CaseFilter) bool {
	f.Path, f.Statuses, f.AssigneeID, f.Now, f.Limit = "", nil, 0, time.Time{}, 0
	return reflect.ValueOf(f).IsZero()
}

// The overdue counts of the work queues read one index entry per overdue
// matter. On SQLite (one process owns the file) their results are kept and
// reused while they are exact: until a committed change could alter which
// matters are overdue (any change of deadline, pause or status bumps
// Store.dueGen after its commit) and until the clock passes the next
// deadline. PostgreSQL, where other instances write too, always counts.
type overdueEntry struct {
	n          int
	gen        int64
	validUntil time.Time
}

type overdueKey struct {
	path     string
	assignee int64
	statuses string // in hand or in follow-up ("" any)
}

// countOverdue answers an overdue-only filter, from the kept result when it
// is still exact.
func (tx *Tx) countOverdue(ctx context.Context, f domain.CaseFilter, count func() (int, error)) (int, error) {
	if !tx.d.soleOwner() {
		return count()
	}
	k := overdueKey{f.Path, f.AssigneeID, fmt.Sprint(f.Statuses)}
	if v, ok := tx.s.overdue.Load(k); ok {
		e := v.(overdueEntry)
		if e.gen == tx.s.dueGen.Load() && f.Now.Before(e.validUntil) {
			return e.n, nil
		}
	}
	n, err := count()
	if err != nil {
		return 0, err
	}
	if !tx.ro {
		return n, nil // a write transaction may see changes that never commit
	}
	var next time.Time
	if err := tx.queryRow(ctx, `SELECT MIN(step_due_at) FROM cases WHERE step_due_at IS NOT NULL AND step_due_at >= $1`, ts(f.Now)).Scan(nullTime{&next}); err != nil {
		return n, nil // the count stands; it is just not kept
	}
	if next.IsZero() {
		next = f.Now.Add(time.Hour) // no deadline ahead: only a change can alter the count
	}
	tx.s.overdue.Store(k, overdueEntry{n: n, gen: tx.gen, validUntil: next})
	return n, nil
}

// isOverdueOnly reports whether a filter asks only for the overdue matters
// of a place or an assignee (in some statuses: in hand, or in follow-up).
func isOverdueOnly(f domain.CaseFilter) bool {
	f.Path, f.AssigneeID, f.Now, f.Limit, f.Overdue, f.Statuses = "", 0, time.Time{}, 0, false, nil
	return reflect.ValueOf(f).IsZero()
}
