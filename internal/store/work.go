package store

import (
	"context"
	"fmt"
	"strconv"

	"jiefen/internal/domain"
)

// WorkOf lists the matters waiting for user id, in one query: assigned to
// them in a step they act in (to sign, in resolution, to inform), co-handled
// by them while open, or under their grid watch (管控). It reports too which of them a
// supervision order awaits a reply on. The soonest date first (the step's
// deadline, or the next check-in of a watched matter), at most limit.
func (tx *Tx) WorkOf(ctx context.Context, id int64, limit int) ([]*domain.Case, map[int64]bool, error) {
	due := `(CASE WHEN c.assignee_id = $1 OR c.watcher_id IS NULL OR c.watcher_id <> $1 THEN c.step_due_at ELSE c.next_checkin_at END)`
	toReply := map[int64]bool{}
	cases, err := queryAll(ctx, tx, "work of", func(row rowScanner) (*domain.Case, error) {
		c := &domain.Case{}
		var reply bool
		if err := scanCase(withExtra{row, []any{&reply}}, c); err != nil {
			return c, fmt.Errorf("store: scan case: %w", err)
		}
		if reply {
			toReply[c.ID] = true
		}
		return c, nil
	}, `SELECT `+caseCols+`, EXISTS (SELECT 1 FROM supervisions s WHERE s.case_id = c.id AND s.replied_at IS NULL)`+caseFrom+`
		WHERE c.id IN (SELECT id FROM cases WHERE assignee_id = $1 AND status IN ($2, $3, $4)
			UNION SELECT id FROM cases WHERE watcher_id = $1 AND next_checkin_at IS NOT NULL
			UNION SELECT h.case_id FROM case_cohandlers h JOIN cases k ON k.id = h.case_id
				WHERE h.user_id = $1 AND h.ended_at IS NULL AND k.status IN ($2, $3))
		ORDER BY `+due+` IS NULL, `+due+`, c.id LIMIT `+strconv.Itoa(limit),
		id, string(domain.StatusDispatched), string(domain.StatusInResolution), string(domain.StatusClosed))
	return cases, toReply, err
}

// withExtra scans the columns a query adds after a known list into extra.
type withExtra struct {
	row   interface{ Scan(...any) error }
	extra []any
}

func (w withExtra) Scan(dest ...any) error { return w.row.Scan(append(dest, w.extra...)...) }
