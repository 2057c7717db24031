package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"jiefen/internal/domain"
)

// AppendAudit adds e to the hash chain: it locks the chain head, links e to
// the previous entry and stores it, all in the caller's transaction, so the
// state change and its audit row commit together or not at all.
func (tx *Tx) AppendAudit(ctx context.Context, e *domain.AuditEntry) error {
	var seq int64
	var prev string
	if err := tx.queryRow(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`+tx.d.forUpdate()).Scan(&seq, &prev); err != nil {
		return tx.scanErr(err, "read audit head")
	}
	e.Seq = seq + 1
	e.PrevHash = prev
	if e.At.IsZero() {
		e.At = tx.Now
	}
	e.At = e.At.UTC().Truncate(time.Microsecond)
	e.Hash = e.ComputeHash()
	_, err := tx.exec(ctx, `INSERT INTO audit_log (seq, at, user_id, username, roles, ip, request_id, action, object_type, object_id, org_path, result, detail, prev_hash, hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
		e.Seq, ts(e.At), e.UserID, e.Username, e.Roles, e.IP, e.RequestID, e.Action, e.ObjectType, e.ObjectID, e.OrgPath, e.Result, e.Detail, e.PrevHash, e.Hash)
	if err != nil {
		return wrap(err, "append audit")
	}
	_, err = tx.exec(ctx, `UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1`, e.Seq, e.Hash)
	return wrap(err, "advance audit head")
}

const auditCols = `seq, at, user_id, username, roles, ip, request_id, action, object_type, object_id, org_path, result, detail, prev_hash, hash`

func scanAudit(sc interface{ Scan(...any) error }, e *domain.AuditEntry) error {
	return sc.Scan(&e.Seq, nullTime{&e.At}, &e.UserID, &e.Username, &e.Roles, &e.IP, &e.RequestID, &e.Action,
		&e.ObjectType, &e.ObjectID, &e.OrgPath, &e.Result, &e.Detail, &e.PrevHash, &e.Hash)
}

// Audit lists entries newest first, keyset-paginated by seq.
func (tx *Tx) Audit(ctx context.Context, f domain.AuditFilter) ([]*domain.AuditEntry, error) {
	w := where{}
	if f.Path != "" && f.Placeless {
		w.add("(org_path = '' OR org_path LIKE ?)", stripLike(f.Path)+"%")
	} else if f.Path != "" {
		w.add("org_path LIKE ?", stripLike(f.Path)+"%")
	}
	if f.Username != "" {
		w.add("username = ?", domain.NormalizeUsername(f.Username))
	}
	if f.Action != "" {
		w.add("action LIKE ?", stripLike(f.Action)+"%")
	}
	if f.Result != "" {
		w.add("result = ?", f.Result)
	}
	if f.ObjectID != "" {
		w.add("object_id = ?", f.ObjectID)
	}
	if !f.From.IsZero() {
		w.add("at >= ?", ts(f.From))
	}
	if !f.To.IsZero() {
		w.add("at < ?", ts(f.To))
	}
	if f.BeforeSeq > 0 {
		w.add("seq < ?", f.BeforeSeq)
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	return queryAll(ctx, tx, "search audit", func(row rowScanner) (*domain.AuditEntry, error) {
		e := &domain.AuditEntry{}
		if err := scanAudit(row, e); err != nil {
			return e, fmt.Errorf("store: scan audit: %w", err)
		}
		return e, nil
	}, `SELECT `+auditCols+` FROM audit_log`+w.sql()+` ORDER BY seq DESC LIMIT `+strconv.Itoa(f.Limit), w.args...)
}

// VerifyAudit walks the whole chain in seq order and checks that the numbers
// run without gaps, each entry's prev_hash is the hash before it, each hash
// matches its contents, and the head matches the last entry.
func (s *Store) VerifyAudit(ctx context.Context) (domain.VerifyResult, error) {
	var res domain.VerifyResult
	rows, err := s.read.QueryContext(ctx, `SELECT `+auditCols+` FROM audit_log ORDER BY seq`)
	if err != nil {
		return res, wrap(s.dialect.mapErr(err), "verify audit")
	}
	defer rows.Close()
	prev, want := domain.GenesisHash, int64(1)
	for rows.Next() {
		e := &domain.AuditEntry{}
		if err := scanAudit(rows, e); err != nil {
			return res, fmt.Errorf("store: scan audit: %w", err)
		}
		res.Checked++
		switch {
		case e.Seq != want:
			return fail(res, want, fmt.Sprintf("entry %d is missing (next present is %d)", want, e.Seq)), nil
		case e.PrevHash != prev:
			return fail(res, e.Seq, "prev_hash does not match the entry before it"), nil
		case e.ComputeHash() != e.Hash:
			return fail(res, e.Seq, "contents do not match the stored hash (edited)"), nil
		}
		prev, want = e.Hash, e.Seq+1
	}
	if err := rows.Err(); err != nil {
		return res, err
	}
	var headSeq int64
	var headHash string
	if err := s.read.QueryRowContext(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&headSeq, &headHash); err != nil {
		return res, wrap(s.dialect.mapErr(err), "read audit head")
	}
	if headSeq != want-1 || headHash != prev {
		return fail(res, want, fmt.Sprintf("the chain ends at %d but its head says %d (entries removed from the end)", want-1, headSeq)), nil
	}
	return res, nil
}

func fail(res domain.VerifyResult, seq int64, why string) domain.VerifyResult {
	res.BrokenAt, res.Reason = seq, why
	return res
}
