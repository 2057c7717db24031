package crypto_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"jiefen/internal/crypto"
)

func mac(t *testing.T, k *crypto.Keyring, kid string) string {
	t.Helper()
	m, err := k.AuditMAC(kid, []byte("entry"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// A key file written before audit keys existed gets its first audit key
// derived from the index key: the same in every copy of the file, which is
// not rewritten; rotation writes it out beside the new one.
func TestAuditKeyOfAnOldKeyFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "old.keys")
	old := `{"current":"k1","keys":{"k1":"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="},"index":"ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA="}`
	jfWrite(t, path, old)
	a, err := crypto.Load(path)
	if err != nil || a.AuditKeyID() != "a1" {
		t.Fatalf("load: %v", err)
	}
	copyPath := filepath.Join(dir, "copy.keys") // the same file on another instance
	jfWrite(t, copyPath, old)
	b, err := crypto.LoadOrCreate(copyPath)
	if err != nil || mac(t, a, "a1") != mac(t, b, "a1") {
		t.Fatalf("two copies of one old key file disagree on the audit key: %v", err)
	}
	if got, _ := os.ReadFile(path); string(got) != old {
		t.Fatal("loading rewrote the old key file")
	}
	if _, err := a.AuditMAC("a2", nil); err == nil {
		t.Fatal("a MAC under a key the file does not hold")
	}

	newID, oldID, err := crypto.RotateAuditKey(path)
	if err != nil || newID != "a2" || oldID != "a1" {
		t.Fatalf("rotate: %s %s %v", newID, oldID, err)
	}
	r, err := crypto.Load(path)
	if err != nil || r.AuditKeyID() != "a2" || !slices.Equal(r.AuditKeyIDs(), []string{"a1", "a2"}) || mac(t, r, "a1") != mac(t, a, "a1") {
		t.Fatalf("rotated: %v %v", r.AuditKeyIDs(), err)
	}
	if mac(t, r, "a2") == mac(t, r, "a1") {
		t.Fatal("the new audit key is the old one")
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode after rotation: %v %v", fi.Mode(), err)
	}
	var kf map[string]any
	b2, _ := os.ReadFile(path)
	if json.Unmarshal(b2, &kf) != nil || kf["index"] == nil || kf["current"] != "k1" {
		t.Fatalf("the data keys must survive a rotation: %s", b2)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".old.keys.tmp-*")); len(left) > 0 || fileExists(path+".lock") {
		t.Fatalf("rotation left files: %v", left)
	}
}

// A new key file holds a random audit key of its own; a rotation under way
// (its lock file) stops another; a missing file is not created by Load.
func TestAuditKeyFileNewLockedMissing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "new.keys")
	k, err := crypto.LoadOrCreate(path)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if !strings.Contains(string(b), `"audit_current": "a1"`) || !strings.Contains(string(b), `"audit": {`) || k.AuditKeyID() != "a1" {
		t.Fatalf("new key file: %s", b)
	}
	jfWrite(t, path+".lock", "")
	if _, _, err := crypto.RotateAuditKey(path); err == nil || !strings.Contains(err.Error(), "another key rotation is under way") {
		t.Fatalf("rotation beside a lock file: %v", err)
	}
	if _, err := crypto.Load(filepath.Join(dir, "none.keys")); !errors.Is(err, os.ErrNotExist) || fileExists(filepath.Join(dir, "none.keys")) {
		t.Fatalf("load of a missing file: %v", err)
	}
	jfWrite(t, path, `{"current":"k1","keys":{"k1":"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="},"index":"ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=","audit_current":"a2","audit":{"a1":"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="}}`)
	if _, err := crypto.Load(path); err == nil || !strings.Contains(err.Error(), `current audit key "a2"`) {
		t.Fatalf("a current audit key the file lacks: %v", err)
	}
}

func jfWrite(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
