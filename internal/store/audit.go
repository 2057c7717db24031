package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"jiefen/internal/domain"
)

// AuditSealer seals audit entries and anchor lines: the keyring
// (crypto.Keyring) in production. The store asks it for the current audit
// key's ID and for seals; it never holds a key.
type AuditSealer interface {
	AuditKeyID() string
	AuditMAC(kid string, msg []byte) (string, error)
}

// errNoAuditKey: an entry is never written unsealed.
var errNoAuditKey = errors.New("store: no audit key to seal the entry with (the key file was not loaded)")

// auditHead is the chain's head: its last entry's seq, seal and key.
type auditHead struct {
	seq         int64
	hash, keyID string
}

// AppendAudit seals e under the current audit key and adds it to the chain:
// it locks the chain head, links e to the previous entry and stores it, all
// in the caller's transaction, so the state change and its audit row commit
// together or not at all. When the entries before it are unkeyed ones of
// old, it first appends the entry that seals them (domain.AuditReseal).
func (tx *Tx) AppendAudit(ctx context.Context, s AuditSealer, e *domain.AuditEntry) error {
	if s == nil {
		return errNoAuditKey
	}
	head, err := tx.lockAuditHead(ctx)
	if err != nil {
		return err
	}
	if head.seq > 0 && head.keyID == "" {
		if head, err = tx.appendSealed(ctx, s, head, resealEntry(head)); err != nil {
			return err
		}
	}
	_, err = tx.appendSealed(ctx, s, head, e)
	return err
}

// SealUnkeyedAudit seals the unkeyed chain of old, if the chain still ends
// with an unkeyed entry, by appending the domain.AuditReseal entry; it
// returns how many unkeyed entries that sealed (0: nothing to do, so it is
// safe to run at every start).
func (tx *Tx) SealUnkeyedAudit(ctx context.Context, s AuditSealer) (int64, error) {
	if s == nil {
		return 0, errNoAuditKey
	}
	head, err := tx.lockAuditHead(ctx)
	if err != nil || head.seq == 0 || head.keyID != "" {
		return 0, err
	}
	_, err = tx.appendSealed(ctx, s, head, resealEntry(head))
	return head.seq, err
}

// AuditHead reads the chain's head: the last entry's seq, seal and key.
func (tx *Tx) AuditHead(ctx context.Context) (seq int64, hash, keyID string, err error) {
	err = tx.queryRow(ctx, `SELECT seq, hash, key_id FROM audit_head WHERE id = 1`).Scan(&seq, &hash, &keyID)
	return seq, hash, keyID, tx.scanErr(err, "read audit head")
}

func (tx *Tx) lockAuditHead(ctx context.Context) (auditHead, error) {
	var h auditHead
	err := tx.queryRow(ctx, `SELECT seq, hash, key_id FROM audit_head WHERE id = 1`+tx.d.forUpdate()).Scan(&h.seq, &h.hash, &h.keyID)
	return h, tx.scanErr(err, "read audit head")
}

// resealEntry is the entry that seals the unkeyed chain ending at head.
func resealEntry(head auditHead) *domain.AuditEntry {
	return &domain.AuditEntry{Username: "(jiefen)", Action: domain.AuditReseal, ObjectType: "audit", ObjectID: strconv.FormatInt(head.seq, 10),
		Result: domain.ResultOK, Detail: fmt.Sprintf("entries 1 to %d were written before audit keys, with unkeyed SHA-256 hashes ending in %s;"+
			" this entry's seal under the audit key covers that hash, and through it every one of them", head.seq, head.hash)}
}

// appendSealed links e to head, seals it with the current audit key,
// stores it and moves the head on to it.
func (tx *Tx) appendSealed(ctx context.Context, s AuditSealer, head auditHead, e *domain.AuditEntry) (auditHead, error) {
	e.Seq, e.PrevHash, e.KeyID = head.seq+1, head.hash, s.AuditKeyID()
	if e.At.IsZero() {
		e.At = tx.Now
	}
	e.At = e.At.UTC().Truncate(time.Microsecond)
	var err error
	if e.Hash, err = s.AuditMAC(e.KeyID, e.SealInput()); err != nil {
		return head, fmt.Errorf("store: seal audit entry: %w", err)
	}
	_, err = tx.exec(ctx, `INSERT INTO audit_log (seq, at, user_id, username, roles, ip, request_id, action, object_type, object_id, org_path, result, detail, prev_hash, hash, key_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
		e.Seq, ts(e.At), e.UserID, e.Username, e.Roles, e.IP, e.RequestID, e.Action, e.ObjectType, e.ObjectID, e.OrgPath, e.Result, e.Detail, e.PrevHash, e.Hash, e.KeyID)
	if err != nil {
		return head, wrap(err, "append audit")
	}
	if _, err = tx.exec(ctx, `UPDATE audit_head SET seq = $1, hash = $2, key_id = $3 WHERE id = 1`, e.Seq, e.Hash, e.KeyID); err != nil {
		return head, wrap(err, "advance audit head")
	}
	return auditHead{e.Seq, e.Hash, e.KeyID}, nil
}

const auditCols = `seq, at, user_id, username, roles, ip, request_id, action, object_type, object_id, org_path, result, detail, prev_hash, hash, key_id`

func scanAudit(sc interface{ Scan(...any) error }, e *domain.AuditEntry) error {
	return sc.Scan(&e.Seq, nullTime{&e.At}, &e.UserID, &e.Username, &e.Roles, &e.IP, &e.RequestID, &e.Action,
		&e.ObjectType, &e.ObjectID, &e.OrgPath, &e.Result, &e.Detail, &e.PrevHash, &e.Hash, &e.KeyID)
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
		w.add(`action LIKE ? ESCAPE '\'`, escapeLike(f.Action)+"%") // user.reset_password is found by its whole name
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
