package store

import (
	"context"
	"jiefen/internal/domain"
)

// AddAttachment records a stored file.
func (tx *Tx) AddAttachment(ctx context.Context, a *domain.Attachment) error {
	err := tx.queryRow(ctx, `INSERT INTO attachments (case_id, kind, name, stored_name, mime, size, sha256, uploaded_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		a.CaseID, a.Kind, a.Name, a.StoredName, a.MIME, a.Size, a.SHA256, a.UploadedBy, ts(tx.Now)).Scan(&a.ID)
	a.CreatedAt = tx.Now
	return tx.scanErr(err, "add attachment")
}

// Attachments lists a matter's files.
func (tx *Tx) Attachments(ctx context.Context, caseID int64) ([]domain.Attachment, error) {
	return queryAll(ctx, tx, "list attachments", func(row rowScanner) (domain.Attachment, error) {
		var a domain.Attachment
		err := row.Scan(&a.ID, &a.CaseID, &a.Kind, &a.Name, &a.StoredName, &a.MIME, &a.Size, &a.SHA256, &a.UploadedBy, nullTime{&a.CreatedAt})
		return a, err
	}, `SELECT id, case_id, kind, name, stored_name, mime, size, sha256, uploaded_by, created_at
		FROM attachments WHERE case_id = $1 ORDER BY id`, caseID)
}
