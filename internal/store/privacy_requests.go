package store

import (
	"context"
	"time"

	"jiefen/internal/domain"
)

// AddPrivacyRequest records a request for a person's copy.
func (tx *Tx) AddPrivacyRequest(ctx context.Context, r *domain.PrivacyRequest) error {
	r.RequestedAt = tx.Now
	err := tx.queryRow(ctx, `INSERT INTO privacy_requests (ref, subject_kid, subject_enc, subject_masked, org_path, reason, requested_by, requested_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		r.Ref, r.SubjectKid, r.SubjectEnc, r.Subject, r.OrgPath, r.Reason, r.RequestedBy, ts(tx.Now)).Scan(&r.ID)
	return tx.scanErr(err, "add privacy request")
}

const privacyCols = `r.id, r.ref, r.subject_kid, r.subject_enc, r.subject_masked, r.org_path, r.reason, r.requested_by, ru.name, r.requested_at,
	COALESCE(r.approved_by, 0), COALESCE(au.name, ''), r.approved_at, r.used_at
	FROM privacy_requests r JOIN users ru ON ru.id = r.requested_by LEFT JOIN users au ON au.id = r.approved_by`

func scanPrivacy(sc rowScanner) (*domain.PrivacyRequest, error) {
	var r domain.PrivacyRequest
	err := sc.Scan(&r.ID, &r.Ref, &r.SubjectKid, &r.SubjectEnc, &r.Subject, &r.OrgPath, &r.Reason, &r.RequestedBy, &r.RequesterName,
		nullTime{&r.RequestedAt}, &r.ApprovedBy, &r.ApproverName, nullTime{&r.ApprovedAt}, nullTime{&r.UsedAt})
	return &r, err
}

// PrivacyRequest reads one request.
func (tx *Tx) PrivacyRequest(ctx context.Context, id int64) (*domain.PrivacyRequest, error) {
	r, err := scanPrivacy(tx.queryRow(ctx, `SELECT `+privacyCols+` WHERE r.id = $1`, id))
	if err != nil {
		return nil, tx.scanErr(err, "get privacy request")
	}
	return r, nil
}

// PrivacyRequests lists the requests made since since by user (0: anyone
// under path), newest first.
func (tx *Tx) PrivacyRequests(ctx context.Context, since time.Time, user int64, path string) ([]*domain.PrivacyRequest, error) {
	lo, hi := pathRange(path)
	return queryAll(ctx, tx, "privacy requests", scanPrivacy,
		`SELECT `+privacyCols+` WHERE r.requested_at >= $1 AND (r.requested_by = $2 OR ($2 = 0 AND r.org_path >= $3 AND r.org_path < $4))
		ORDER BY r.id DESC LIMIT 100`, ts(since), user, lo, hi)
}

// ApprovePrivacyRequest records the approval (once).
func (tx *Tx) ApprovePrivacyRequest(ctx context.Context, id, approver int64) (bool, error) {
	return tx.once(ctx, "approve privacy request", `UPDATE privacy_requests SET approved_by = $2, approved_at = $3 WHERE id = $1 AND approved_at IS NULL`,
		id, approver, ts(tx.Now))
}

// UsePrivacyRequest marks an approved request used (once).
func (tx *Tx) UsePrivacyRequest(ctx context.Context, id int64) (bool, error) {
	return tx.once(ctx, "use privacy request", `UPDATE privacy_requests SET used_at = $2 WHERE id = $1 AND approved_at IS NOT NULL AND used_at IS NULL`,
		id, ts(tx.Now))
}

// once runs an update meant for one row and reports whether it changed it.
func (tx *Tx) once(ctx context.Context, what, q string, args ...any) (bool, error) {
	res, err := tx.exec(ctx, q, args...)
	if err != nil {
		return false, wrap(err, what)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}
