package crypto

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// The audit keys seal the audit log's rows and the anchor lines that
// witness its head (HMAC-SHA256). Each has an ID ("a1", "a2", …) that every
// sealed row and line records. Rotating adds a key and makes it current;
// the older ones stay in the file so what they sealed still verifies.

const firstAuditKey = "a1"

// deriveFirstAuditKey is the first audit key of a key file written before
// audit keys existed: derived from its secret index key with a label of its
// own (HMAC as a key-derivation function), so every copy of that file (one
// per instance) holds the same audit key without being rewritten. The
// index key cannot be recovered from it.
func deriveFirstAuditKey(index []byte) []byte {
	m := hmac.New(sha256.New, index)
	m.Write([]byte("jiefen audit key " + firstAuditKey))
	return m.Sum(nil)
}

// setAuditKeys reads the audit keys of a key file; with none, the first is
// derived from the index key.
func (k *Keyring) setAuditKeys(current string, keys map[string]string) error {
	k.audit = map[string][]byte{}
	if current == "" && len(keys) == 0 {
		k.audit[firstAuditKey], k.auditCurrent = deriveFirstAuditKey(k.index), firstAuditKey
		return nil
	}
	for id, enc := range keys {
		raw, err := base64.StdEncoding.DecodeString(enc)
		if err != nil || len(raw) != 32 {
			return fmt.Errorf("audit key %s must be 32 bytes of base64", id)
		}
		k.audit[id] = raw
	}
	if _, ok := k.audit[current]; !ok {
		return fmt.Errorf("the current audit key %q is not in the key file", current)
	}
	k.auditCurrent = current
	return nil
}

// AuditKeyID names the audit key that seals new rows and anchor lines.
func (k *Keyring) AuditKeyID() string { return k.auditCurrent }

// AuditKeyIDs lists the audit keys held, current and retired (for operators).
func (k *Keyring) AuditKeyIDs() []string {
	ids := make([]string, 0, len(k.audit))
	for id := range k.audit {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return auditKeyNumber(ids[i]) < auditKeyNumber(ids[j]) })
	return ids
}

// AuditMAC returns the hex HMAC-SHA256 of msg under the audit key kid, or
// an error when the key file does not hold that key.
func (k *Keyring) AuditMAC(kid string, msg []byte) (string, error) {
	key, ok := k.audit[kid]
	if !ok {
		return "", fmt.Errorf("crypto: the key file holds no audit key %q", kid)
	}
	m := hmac.New(sha256.New, key)
	m.Write(msg)
	return hex.EncodeToString(m.Sum(nil)), nil
}

// auditKeyNumber is n of "an" (0 for another shape).
func auditKeyNumber(id string) int {
	n, _ := strconv.Atoi(strings.TrimPrefix(id, "a"))
	return n
}

// RotateAuditKey adds a fresh audit key to the key file at path and makes
// it current, keeping every older one (a file without audit keys first gets
// its derived one written out). The file is replaced whole (a temporary
// file, synced, renamed over it, mode 0600), under a lock file beside it so
// two rotations cannot lose each other's key. It returns the new key's ID
// and the one it replaces.
func RotateAuditKey(path string) (newID, oldID string, err error) {
	lock := path + ".lock"
	lf, err := os.OpenFile(lock, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return "", "", fmt.Errorf("crypto: %s exists: another key rotation is under way, or one was interrupted (remove the file if none runs)", lock)
	} else if err != nil {
		return "", "", fmt.Errorf("crypto: lock the key file: %w", err)
	}
	lf.Close()
	defer os.Remove(lock)
	b, err := os.ReadFile(path)
	if err != nil {
		return "", "", fmt.Errorf("crypto: read key file %s: %w", path, err)
	}
	k, err := parse(path, b) // the file as it is must load
	if err != nil {
		return "", "", err
	}
	var kf keyFile
	if err := json.Unmarshal(b, &kf); err != nil {
		return "", "", err
	}
	if len(kf.Audit) == 0 {
		kf.Audit = map[string]string{firstAuditKey: base64.StdEncoding.EncodeToString(k.audit[firstAuditKey])}
	}
	oldID, next := k.auditCurrent, 0
	for id := range k.audit {
		next = max(next, auditKeyNumber(id))
	}
	newID = "a" + strconv.Itoa(next+1)
	kf.Audit[newID], kf.AuditCurrent = randomKey(), newID
	out, err := json.MarshalIndent(kf, "", "  ")
	if err != nil {
		return "", "", err
	}
	if err := replaceFile(path, out); err != nil {
		return "", "", err
	}
	return newID, oldID, nil
}

// replaceFile writes b to a temporary file beside path (mode 0600), syncs
// it and renames it over path, so a crash leaves the old file or the new
// one, never half of one.
func replaceFile(path string, b []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("crypto: write key file: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // a no-op once renamed
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return fmt.Errorf("crypto: write key file: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("crypto: replace key file: %w", err)
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
