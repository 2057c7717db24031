package store

import (
	"context"
	"jiefen/internal/domain"
)

// AddMilestone adds a line to the schedule.
func (tx *Tx) AddMilestone(ctx context.Context, m *domain.Milestone) error {
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
func (tx *Tx) Milestones(ctx context.Context, caseID int64) ([]domain.Milestone, error) {
	return queryAll(ctx, tx, "list milestones", func(row rowScanner) (domain.Milestone, error) {
		var m domain.Milestone
		err := row.Scan(&m.ID, &m.CaseID, &m.Title, nullTime{&m.DueAt}, nullTime{&m.DoneAt}, &m.Auto)
		return m, err
	}, `SELECT id, case_id, title, due_at, done_at, auto FROM milestones WHERE case_id = $1 ORDER BY due_at, id`, caseID)
}
