package store

import (
	"context"
	"jiefen/internal/domain"
	"time"
)

const statCols = `c.id, COALESCE(k.parent_code, c.category_code), c.org_path, c.channel, c.risk, c.outcome, c.created_at, COALESCE(c.unit_id, 0)`

// StatsRegistered lists the matters registered in [from, to) under path.
func (tx *Tx) StatsRegistered(ctx context.Context, from, to time.Time, path string) ([]domain.StatRow, error) {
	lo, hi := pathRange(path)
	// The period leads (cases_created): the place's index would walk all
	// of a county's matters. On SQLite a unary + keeps org_path's indexes
	// out of the plan.
	op := tx.d.unindexed("c.org_path")
	return queryAll(ctx, tx, "stats registered", func(row rowScanner) (domain.StatRow, error) {
		var r domain.StatRow
		if err := row.Scan(&r.CaseID, &r.Category, &r.OrgPath, &r.Channel, &r.Risk, &r.Outcome, nullTime{&r.CreatedAt}, &r.UnitID); err != nil {
			return r, err
		}
		r.At = r.CreatedAt
		return r, nil
	}, `SELECT `+statCols+` FROM cases c JOIN categories k ON k.code = c.category_code
		WHERE c.created_at >= $1 AND c.created_at < $2 AND `+op+` >= $3 AND `+op+` < $4`, ts(from), ts(to), lo, hi)
}

// StatsLastVisits returns, for those of the matters visited at or after
// since, the time of their last return visit (a matter closed in one month
// is often visited in the next).
func (tx *Tx) StatsLastVisits(ctx context.Context, ids []int64, since time.Time) (map[int64]time.Time, error) {
	out := map[int64]time.Time{}
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		in, ids := idsIn(chunk, 2)
		args := append([]any{ts(since)}, ids...)
		err := queryEach(ctx, tx, "stats visits", func(row rowScanner) error {
			var id int64
			var at time.Time
			if err := row.Scan(&id, nullTime{&at}); err != nil {
				return err
			}
			out[id] = at
			return nil
		}, `SELECT case_id, MAX(at) FROM case_events WHERE action = 'visit' AND at >= $1 AND case_id IN (`+in+`) GROUP BY case_id`, args...)
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// StatsOverdue lists the matters under path whose step is overdue at now
// (a paused clock is not overdue), with the status they are in: not yet
// closed, or closed and waiting to be informed or visited.
func (tx *Tx) StatsOverdue(ctx context.Context, now time.Time, path string) ([]domain.StatRow, error) {
	lo, hi := pathRange(path)
	return queryAll(ctx, tx, "stats overdue", func(row rowScanner) (domain.StatRow, error) {
		var r domain.StatRow
		if err := row.Scan(&r.CaseID, &r.Category, &r.OrgPath, &r.Channel, &r.Risk, &r.Outcome, nullTime{&r.CreatedAt}, &r.UnitID, &r.Status); err != nil {
			return r, err
		}
		r.At = now
		return r, nil
	}, `SELECT `+statCols+`, c.status FROM cases c JOIN categories k ON k.code = c.category_code
		WHERE c.step_due_at < $1 AND c.paused_at IS NULL AND c.status IN ('registered', 'assessed', 'dispatched', 'returned', 'in_resolution', 'closed', 'informed')
		AND c.org_path >= $2 AND c.org_path < $3`, ts(now), lo, hi)
}
