package store

import (
	"context"
	"fmt"
	"slices"

	"jiefen/internal/domain"
)

// VerifyAudit walks the whole chain in seq order and checks that the numbers
// run without gaps; that each entry's seal matches its contents under the
// key it names (or, for the unkeyed entries of old, which may only begin the
// chain, their SHA-256); that each links to the entry before it; that the
// head matches the last entry; and that every anchor (lines of the anchor
// file, read and checked by the caller, in seq order) names an entry that is
// there with the seal it recorded. With a nil sealer the seals under keys
// are not checked (counted in Unsealed), the rest is.
func (s *Store) VerifyAudit(ctx context.Context, sealer AuditSealer, anchors []domain.AuditAnchor) (domain.VerifyResult, error) {
	var res domain.VerifyResult
	// The head first: the entries up to it are committed with it, and any
	// written after it (on a live server) are checked like the rest.
	var head auditHead
	if err := s.read.QueryRowContext(ctx, `SELECT seq, hash, key_id FROM audit_head WHERE id = 1`).Scan(&head.seq, &head.hash, &head.keyID); err != nil {
		return res, wrap(s.dialect.mapErr(err), "read audit head")
	}
	rows, err := s.read.QueryContext(ctx, `SELECT `+auditCols+` FROM audit_log ORDER BY seq`)
	if err != nil {
		return res, wrap(s.dialect.mapErr(err), "verify audit")
	}
	defer rows.Close()
	w := chainWalk{sealer: sealer, res: &res, prev: domain.GenesisHash, want: 1, anchors: anchors}
	for rows.Next() {
		e := &domain.AuditEntry{}
		if err := scanAudit(rows, e); err != nil {
			return res, fmt.Errorf("store: scan audit: %w", err)
		}
		res.Checked++
		if seq, why := w.step(e); why != "" {
			return fail(res, seq, why), nil
		}
		if e.Seq == head.seq && (e.Hash != head.hash || e.KeyID != head.keyID) {
			return fail(res, e.Seq, "it is not the entry the chain's head records"), nil
		}
	}
	if err := rows.Err(); err != nil {
		return res, err
	}
	last := w.want - 1
	if last < head.seq {
		return fail(res, w.want, fmt.Sprintf("the chain ends at %d but its head says %d (entries removed from the end)", last, head.seq)), nil
	}
	if w.next < len(anchors) {
		a := anchors[w.next]
		return fail(res, last+1, fmt.Sprintf("the chain ends at entry %d, but anchor line %d recorded entry %d at %s: entries were removed from the end after it",
			last, a.Line, a.Seq, a.At.In(domain.CST).Format("2006-01-02 15:04:05"))), nil
	}
	res.Resealed = res.Unkeyed > 0 && res.Checked > res.Unkeyed
	return res, nil
}

// chainWalk is VerifyAudit's state between entries.
type chainWalk struct {
	sealer        AuditSealer
	res           *domain.VerifyResult
	prev, prevKey string // the last entry's seal and key
	want          int64  // the next seq expected
	anchors       []domain.AuditAnchor
	next          int // the first anchor not yet matched
}

// step checks one entry; it returns the seq at fault and why, or "".
func (w *chainWalk) step(e *domain.AuditEntry) (int64, string) {
	if e.Seq != w.want {
		return w.want, fmt.Sprintf("entry %d is missing (next present is %d)", w.want, e.Seq)
	}
	if e.KeyID == "" {
		switch {
		case w.prevKey != "":
			return e.Seq, "it has no key seal, yet the entries before it are sealed (an unkeyed entry was put in)"
		case e.PrevHash != w.prev:
			return e.Seq, "prev_hash does not match the entry before it"
		case e.ComputeHash() != e.Hash:
			return e.Seq, "contents do not match the stored hash (edited)"
		}
		w.res.Unkeyed++
	} else {
		if why := w.checkSeal(e); why != "" {
			return e.Seq, why
		}
		if e.PrevHash != w.prev {
			return e.Seq, fmt.Sprintf("its seal covers a different entry %d from the one stored: entry %d, or an unkeyed one before it, was rewritten", e.Seq-1, e.Seq-1)
		}
		if !slices.Contains(w.res.KeyIDs, e.KeyID) {
			w.res.KeyIDs = append(w.res.KeyIDs, e.KeyID)
		}
	}
	for ; w.next < len(w.anchors) && w.anchors[w.next].Seq == e.Seq; w.next++ {
		a := w.anchors[w.next]
		if a.Hash != e.Hash || a.KeyID != e.KeyID {
			return e.Seq, fmt.Sprintf("it differs from what anchor line %d recorded at %s: the database was rewritten after that anchor",
				a.Line, a.At.In(domain.CST).Format("2006-01-02 15:04:05"))
		}
	}
	w.prev, w.prevKey, w.want = e.Hash, e.KeyID, e.Seq+1
	return 0, ""
}

// checkSeal checks a sealed entry's seal under its key ("" when it holds).
func (w *chainWalk) checkSeal(e *domain.AuditEntry) string {
	if w.sealer == nil {
		w.res.Unsealed++
		return ""
	}
	mac, err := w.sealer.AuditMAC(e.KeyID, e.SealInput())
	switch {
	case err != nil:
		return fmt.Sprintf("it is sealed with audit key %s, which the key file does not hold", e.KeyID)
	case mac != e.Hash:
		return fmt.Sprintf("its contents do not match its seal under audit key %s: it was edited (or this is not the key file that sealed it)", e.KeyID)
	}
	return ""
}

func fail(res domain.VerifyResult, seq int64, why string) domain.VerifyResult {
	res.BrokenAt, res.Reason = seq, why
	return res
}
