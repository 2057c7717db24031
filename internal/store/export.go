package store

import (
	"context"
	"jiefen/internal/domain"
	"time"
)

// AddExportRequest records a request.
func (tx *Tx) AddExportRequest(ctx context.Context, r *domain.ExportRequest) error {
	r.RequestedAt = tx.Now
	err := tx.queryRow(ctx, `INSERT INTO export_requests (requested_by, requested_at, org_path, query, reason) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		r.RequestedBy, ts(tx.Now), r.OrgPath, r.Query, r.Reason).Scan(&r.ID)
	return tx.scanErr(err, "add export request")
}

const exportCols = `r.id, r.requested_by, ru.name, r.requested_at, r.org_path, r.query, r.reason, COALESCE(r.approved_by, 0), COALESCE(au.name, ''), r.approved_at, r.used_at
	FROM export_requests r JOIN users ru ON ru.id = r.requested_by LEFT JOIN users au ON au.id = r.approved_by`

func scanExport(sc interface{ Scan(...any) error }, r *domain.ExportRequest) error {
	return sc.Scan(&r.ID, &r.RequestedBy, &r.RequesterName, nullTime{&r.RequestedAt}, &r.OrgPath, &r.Query, &r.Reason, &r.ApprovedBy, &r.ApproverName,
		nullTime{&r.ApprovedAt}, nullTime{&r.UsedAt})
}

// domain.ExportRequest reads one request.
func (tx *Tx) ExportRequest(ctx context.Context, id int64) (*domain.ExportRequest, error) {
	var r domain.ExportRequest
	if err := scanExport(tx.queryRow(ctx, `SELECT `+exportCols+` WHERE r.id = $1`, id), &r); err != nil {
		return nil, tx.scanErr(err, "get export request")
	}
	return &r, nil
}

// ExportRequests lists the requests made since since, by user (0: anyone)
// or under path, newest first.
func (tx *Tx) ExportRequests(ctx context.Context, since time.Time, user int64, path string) ([]*domain.ExportRequest, error) {
	lo, hi := pathRange(path)
	return queryAll(ctx, tx, "export requests", func(row rowScanner) (*domain.ExportRequest, error) {
		var r domain.ExportRequest
		err := scanExport(row, &r)
		return &r, err
	}, `SELECT `+exportCols+` WHERE r.requested_at >= $1 AND (r.requested_by = $2 OR ($2 = 0 AND r.org_path >= $3 AND r.org_path < $4))
		ORDER BY r.id DESC LIMIT 100`, ts(since), user, lo, hi)
}

// ApproveExportRequest records the approval (once).
func (tx *Tx) ApproveExportRequest(ctx context.Context, id, approver int64) (bool, error) {
	return tx.execOnce(ctx, "approve export request", `UPDATE export_requests SET approved_by = $2, approved_at = $3 WHERE id = $1 AND approved_at IS NULL`, id, approver, ts(tx.Now))
}

// UseExportRequest marks an approved request used (once).
func (tx *Tx) UseExportRequest(ctx context.Context, id int64) (bool, error) {
	return tx.execOnce(ctx, "use export request", `UPDATE export_requests SET used_at = $2 WHERE id = $1 AND approved_at IS NOT NULL AND used_at IS NULL`, id, ts(tx.Now))
}
