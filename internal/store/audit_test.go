package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"jiefen/internal/crypto"
	"jiefen/internal/domain"
	"jiefen/internal/jftest"
	"jiefen/internal/store"
)

// appendN seals n entries under keys.
func appendN(t *testing.T, st *store.Store, keys store.AuditSealer, n int, action string) {
	t.Helper()
	ctx := context.Background()
	for i := range n {
		err := st.Update(ctx, func(tx *store.Tx) error {
			return tx.AppendAudit(ctx, keys, &domain.AuditEntry{Username: "clerk", Roles: "receptionist", IP: "10.0.0.7", Action: action,
				ObjectType: "case", ObjectID: fmt.Sprint(i + 1), OrgPath: "/610831/", Result: domain.ResultOK, Detail: fmt.Sprintf("第%d条", i+1)})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// chain reads the whole log in seq order.
func chain(t *testing.T, st *store.Store) []*domain.AuditEntry {
	t.Helper()
	list, err := st.AuditForTest(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(list)
	return list
}

// legacyVerify is the check `jiefen audit verify` made before audit keys:
// numbers without gaps, links, and each hash the unkeyed SHA-256 of its
// entry.
func legacyVerify(list []*domain.AuditEntry) bool {
	prev := domain.GenesisHash
	for i, e := range list {
		if e.Seq != int64(i+1) || e.PrevHash != prev || e.ComputeHash() != e.Hash {
			return false
		}
		prev = e.Hash
	}
	return true
}

// The finding (issue 14, point 8): whoever can write the database rewrote an
// entry and recomputed every hash and the head, and the unkeyed check still
// passed. Under the audit key it no longer does, whichever way the hashes
// are recomputed.
func TestAuditRewriteRecomputedFails(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		keys := jftest.Keyring(t)
		appendN(t, st, keys, 6, "case.register")
		if res, err := st.VerifyAudit(ctx, keys, nil); err != nil || !res.Intact() || res.Checked != 6 || !slices.Equal(res.KeyIDs, []string{"a1"}) {
			t.Fatalf("intact chain: %+v %v", res, err)
		}
		jftest.DropAuditGuard(t, st)
		hide := func(e *domain.AuditEntry) {
			if e.Seq == 3 {
				e.Username, e.Detail = "someone", "nothing happened"
			}
		}
		// Recomputed from the edited entry on, keeping the key IDs: the seal
		// of the edited entry does not match.
		jftest.RechainAudit(t, st, 3, false, hide)
		res, err := st.VerifyAudit(ctx, keys, nil)
		if err != nil || res.BrokenAt != 3 || !strings.Contains(res.Reason, "do not match its seal under audit key a1") {
			t.Fatalf("rewritten entry 3: %+v %v", res, err)
		}
		// Recomputed whole as an unkeyed chain of old: it verifies as
		// unkeyed only, never as sealed (the CLI refuses such a chain: NOT
		// SEALED; an anchor catches it too).
		// (This is the finding: the old, unkeyed check passes this chain.)
		if !legacyVerify(jftest.RechainAudit(t, st, 1, true, hide)) {
			t.Fatal("the unkeyed rewrite should pass the old check")
		}
		res, err = st.VerifyAudit(ctx, keys, nil)
		if err != nil || res.Unkeyed != res.Checked || res.Resealed || len(res.KeyIDs) != 0 {
			t.Fatalf("unkeyed rewrite: %+v %v", res, err)
		}
		// Sealed again with a key of the attacker's own: it does not match.
		other := jftest.Keyring(t)
		list := chain(t, st)
		prev := domain.GenesisHash
		for _, e := range list {
			e.KeyID, e.PrevHash = "a1", prev
			e.Hash, _ = other.AuditMAC("a1", e.SealInput())
			prev = e.Hash
			if err := jftest.Exec(st, `UPDATE audit_log SET prev_hash = $1, hash = $2, key_id = $3 WHERE seq = $4`, e.PrevHash, e.Hash, e.KeyID, e.Seq); err != nil {
				t.Fatal(err)
			}
		}
		jftest.Exec(st, `UPDATE audit_head SET hash = $1, key_id = 'a1' WHERE id = 1`, prev)
		if res, _ = st.VerifyAudit(ctx, keys, nil); res.BrokenAt != 1 {
			t.Fatalf("sealed with another key: %+v", res)
		}
		// With the attacker's key it verifies, which is why the key file is
		// kept apart from the database.
		if res, _ = st.VerifyAudit(ctx, other, nil); !res.Intact() {
			t.Fatalf("the same chain under its own key: %+v", res)
		}
	})
}

// Rotating the audit key: entries sealed before it verify with the old key
// (kept in the file), new ones carry the new key's ID; a key file without
// the new key cannot check them.
func TestAuditKeyRotation(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		path := filepath.Join(t.TempDir(), "rotate.keys")
		old, err := crypto.LoadOrCreate(path)
		if err != nil {
			t.Fatal(err)
		}
		appendN(t, st, old, 3, "before")
		newID, oldID, err := crypto.RotateAuditKey(path)
		if err != nil || newID != "a2" || oldID != "a1" {
			t.Fatalf("rotate: %s %s %v", newID, oldID, err)
		}
		keys, err := crypto.Load(path)
		if err != nil || keys.AuditKeyID() != "a2" || !slices.Equal(keys.AuditKeyIDs(), []string{"a1", "a2"}) {
			t.Fatalf("rotated key file: %v %v", keys.AuditKeyIDs(), err)
		}
		appendN(t, st, keys, 2, "after")
		list := chain(t, st)
		if list[2].KeyID != "a1" || list[3].KeyID != "a2" || list[4].PrevHash != list[3].Hash {
			t.Fatalf("key IDs %s %s", list[2].KeyID, list[3].KeyID)
		}
		res, err := st.VerifyAudit(ctx, keys, nil)
		if err != nil || !res.Intact() || res.Checked != 5 || !slices.Equal(res.KeyIDs, []string{"a1", "a2"}) {
			t.Fatalf("after rotation: %+v %v", res, err)
		}
		if res, _ = st.VerifyAudit(ctx, old, nil); res.BrokenAt != 4 || !strings.Contains(res.Reason, "audit key a2, which the key file does not hold") {
			t.Fatalf("with the old key file only: %+v", res)
		}
		// A second rotation keeps both older keys.
		if newID, _, err = crypto.RotateAuditKey(path); err != nil || newID != "a3" {
			t.Fatalf("second rotation: %s %v", newID, err)
		}
		if keys, err = crypto.Load(path); err != nil {
			t.Fatal(err)
		}
		if res, _ = st.VerifyAudit(ctx, keys, nil); !res.Intact() {
			t.Fatalf("after two rotations: %+v", res)
		}
	})
}

// legacyChain writes n entries as a jiefen before audit keys did: unkeyed
// SHA-256 hashes and no key IDs, the head moved with them.
func legacyChain(t *testing.T, st *store.Store, n int) {
	t.Helper()
	prev, at := domain.GenesisHash, time.Date(2025, 3, 1, 2, 0, 0, 0, time.UTC)
	for i := 1; i <= n; i++ {
		e := &domain.AuditEntry{Seq: int64(i), At: at.Add(time.Duration(i) * time.Minute), Username: "(cli)", Action: "org.import",
			ObjectType: "org", ObjectID: fmt.Sprint(610831000 + i), Result: domain.ResultOK, Detail: "旧记录", PrevHash: prev}
		e.Hash = e.ComputeHash()
		prev = e.Hash
		if err := jftest.Exec(st, `INSERT INTO audit_log (seq, at, user_id, username, roles, ip, request_id, action, object_type, object_id, org_path, result, detail, prev_hash, hash)
			VALUES ($1, $2, 0, $3, '', '', '', $4, $5, $6, '', $7, $8, $9, $10)`,
			e.Seq, atText(e.At), e.Username, e.Action, e.ObjectType, e.ObjectID, e.Result, e.Detail, e.PrevHash, e.Hash); err != nil {
			t.Fatal(err)
		}
	}
	if err := jftest.Exec(st, `UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1`, n, prev); err != nil {
		t.Fatal(err)
	}
}

// atText is a time as the store writes it: RFC 3339 text, which SQLite
// keeps and PostgreSQL reads into its timestamptz.
func atText(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }

// An unkeyed chain of old is sealed once under the audit key, by one entry
// appended after it, without changing a row; it then verifies, and a
// rewrite of its unkeyed part is caught at that entry.
func TestAuditResealOldChain(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		keys := jftest.Keyring(t)
		legacyChain(t, st, 5)
		res, err := st.VerifyAudit(ctx, keys, nil)
		if err != nil || !res.Intact() || res.Unkeyed != 5 || res.Resealed {
			t.Fatalf("old chain before the seal: %+v %v", res, err)
		}
		var n int64
		seal := func() {
			err = st.Update(ctx, func(tx *store.Tx) error { n, err = tx.SealUnkeyedAudit(ctx, keys); return err })
		}
		if seal(); err != nil || n != 5 {
			t.Fatalf("seal: %d %v", n, err)
		}
		if seal(); err != nil || n != 0 {
			t.Fatalf("second seal must do nothing: %d %v", n, err)
		}
		appendN(t, st, keys, 2, "case.register")
		list := chain(t, st)
		if len(list) != 8 || list[5].Action != domain.AuditReseal || list[5].KeyID != "a1" || list[5].PrevHash != list[4].Hash || list[5].ObjectID != "5" {
			t.Fatalf("the reseal entry: %+v", list[5])
		}
		res, err = st.VerifyAudit(ctx, keys, nil)
		if err != nil || !res.Intact() || res.Checked != 8 || res.Unkeyed != 5 || !res.Resealed {
			t.Fatalf("sealed old chain: %+v %v", res, err)
		}
		// The attacker rewrites an entry of old and recomputes the unkeyed
		// hashes before the seal: the seal no longer covers them.
		jftest.DropAuditGuard(t, st)
		list[1].Detail = "改过"
		prev := domain.GenesisHash
		for _, e := range list[:5] {
			e.PrevHash = prev
			e.Hash = e.ComputeHash()
			prev = e.Hash
			jftest.Exec(st, `UPDATE audit_log SET detail = $1, prev_hash = $2, hash = $3 WHERE seq = $4`, e.Detail, e.PrevHash, e.Hash, e.Seq)
		}
		res, _ = st.VerifyAudit(ctx, keys, nil)
		if res.BrokenAt != 6 || !strings.Contains(res.Reason, "entry 5, or an unkeyed one before it, was rewritten") {
			t.Fatalf("rewritten old entry: %+v", res)
		}
	})
}

// A chain of old is sealed by the first entry written under the key even
// when no one ran the seal first; an unkeyed entry put in after sealed ones
// is refused.
func TestAuditResealOnFirstWrite(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		keys := jftest.Keyring(t)
		legacyChain(t, st, 3)
		appendN(t, st, keys, 1, "login")
		list := chain(t, st)
		if len(list) != 5 || list[3].Action != domain.AuditReseal || list[4].Action != "login" {
			t.Fatalf("actions: %s %s", list[3].Action, list[4].Action)
		}
		if res, _ := st.VerifyAudit(ctx, keys, nil); !res.Intact() || !res.Resealed {
			t.Fatalf("sealed on first write: %+v", res)
		}
		// No entry is written without a key.
		err := st.Update(ctx, func(tx *store.Tx) error { return tx.AppendAudit(ctx, nil, &domain.AuditEntry{Action: "x"}) })
		if err == nil || !strings.Contains(err.Error(), "no audit key") {
			t.Fatalf("append without a key: %v", err)
		}
		// An unkeyed entry slipped in at the end (the head moved with it).
		e := &domain.AuditEntry{Seq: 6, At: time.Now().UTC().Truncate(time.Microsecond), Action: "forged", Result: domain.ResultOK, PrevHash: list[4].Hash}
		e.Hash = e.ComputeHash()
		if err := jftest.Exec(st, `INSERT INTO audit_log (seq, at, user_id, username, roles, ip, request_id, action, object_type, object_id, org_path, result, detail, prev_hash, hash)
			VALUES (6, $1, 0, '', '', '', '', 'forged', '', '', '', 'ok', '', $2, $3)`, atText(e.At), e.PrevHash, e.Hash); err != nil {
			t.Fatal(err)
		}
		jftest.Exec(st, `UPDATE audit_head SET seq = 6, hash = $1, key_id = '' WHERE id = 1`, e.Hash)
		if res, _ := st.VerifyAudit(ctx, keys, nil); res.BrokenAt != 6 || !strings.Contains(res.Reason, "no key seal") {
			t.Fatalf("unkeyed entry after sealed ones: %+v", res)
		}
	})
}

// Anchors: entries cut from the end (with the head moved back to match,
// and every remaining seal intact) are caught by an anchor that saw them;
// an entry that differs from what an anchor recorded is caught at it.
func TestAuditAnchorsCatchTailAndRewrite(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		keys := jftest.Keyring(t)
		appendN(t, st, keys, 6, "case.register")
		list := chain(t, st)
		anchors := []domain.AuditAnchor{
			{Seq: 2, Hash: list[1].Hash, KeyID: "a1", Line: 1, At: time.Now()},
			{Seq: 6, Hash: list[5].Hash, KeyID: "a1", Line: 2, At: time.Now()},
		}
		if res, err := st.VerifyAudit(ctx, keys, anchors); err != nil || !res.Intact() {
			t.Fatalf("with anchors: %+v %v", res, err)
		}
		jftest.DropAuditGuard(t, st)
		if err := jftest.Exec(st, `DELETE FROM audit_log WHERE seq > 4`); err != nil {
			t.Fatal(err)
		}
		jftest.Exec(st, `UPDATE audit_head SET seq = 4, hash = $1 WHERE id = 1`, list[3].Hash)
		if res, _ := st.VerifyAudit(ctx, keys, nil); !res.Intact() {
			t.Fatalf("without anchors the cut is invisible to the seals: %+v", res)
		}
		res, _ := st.VerifyAudit(ctx, keys, anchors)
		if res.BrokenAt != 5 || !strings.Contains(res.Reason, "anchor line 2 recorded entry 6") {
			t.Fatalf("tail cut after an anchor: %+v", res)
		}
		// An anchor that recorded another seal for entry 2.
		anchors[0].Hash = strings.Repeat("0", 64)
		if res, _ = st.VerifyAudit(ctx, keys, anchors[:1]); res.BrokenAt != 2 || !strings.Contains(res.Reason, "anchor line 1") {
			t.Fatalf("entry differing from its anchor: %+v", res)
		}
	})
}

// Verifying while entries are being written (a live server) finds the
// chain intact every time: the entries written after the head was read
// are checked like the rest, not taken for a broken end.
func TestAuditVerifyWhileWriting(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		keys := jftest.Keyring(t)
		done := make(chan error, 1)
		go func() {
			var err error
			for i := 0; i < 60 && err == nil; i++ {
				err = st.Update(ctx, func(tx *store.Tx) error {
					return tx.AppendAudit(ctx, keys, &domain.AuditEntry{Username: "clerk", Action: "login", Result: domain.ResultOK})
				})
			}
			done <- err
		}()
		for i := 0; ; i++ {
			res, err := st.VerifyAudit(ctx, keys, nil)
			if err != nil || !res.Intact() {
				t.Fatalf("verify %d while writing: %+v %v", i, res, err)
			}
			select {
			case err := <-done:
				if err != nil {
					t.Fatal(err)
				}
				return
			default:
			}
		}
	})
}
