// Package crypto encrypts personal data at rest (AES-256-GCM, a key ID on
// every value so keys can rotate), computes keyed blind indexes
// (HMAC-SHA256) for exact-match search without plaintext (SECURITY.md DC-2,
// DC-4, PI-4) and seals the audit log's rows and anchors (HMAC-SHA256 under
// audit keys of their own, rotatable: AU-4, DC-3). Keys live outside the
// database: in a key file beside the SQLite file, or one named by
// --key-file / JIEFEN_KEY_FILE.
package crypto

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// Keyring holds the data keys by ID, the current one, the index key, and
// the audit keys by ID with the current one.
type Keyring struct {
	keys         map[string]cipher.AEAD
	current      string
	index        []byte
	audit        map[string][]byte
	auditCurrent string
}

type keyFile struct {
	Current string            `json:"current"`
	Keys    map[string]string `json:"keys"`  // id → base64 32-byte AES key
	Index   string            `json:"index"` // base64 32-byte HMAC key (never rotated: it would break search)
	// The audit keys (absent from a file written before they existed: its
	// first audit key is then derived from the index key, see auditKeys).
	AuditCurrent string            `json:"audit_current,omitempty"`
	Audit        map[string]string `json:"audit,omitempty"` // id → base64 32-byte HMAC key
}

// LoadOrCreate reads the key file at path, creating it (mode 0600) with
// fresh keys when it does not exist.
func LoadOrCreate(path string) (*Keyring, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		kf := keyFile{Current: "k1", Keys: map[string]string{"k1": randomKey()}, Index: randomKey(),
			AuditCurrent: firstAuditKey, Audit: map[string]string{firstAuditKey: randomKey()}}
		if b, err = json.MarshalIndent(kf, "", "  "); err != nil {
			return nil, err
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			return nil, fmt.Errorf("crypto: create key directory: %w", err)
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, fmt.Errorf("crypto: create key file %s: %w", path, err)
		}
		if _, err := f.Write(b); err != nil {
			f.Close()
			return nil, fmt.Errorf("crypto: write key file: %w", err)
		}
		if err := f.Close(); err != nil {
			return nil, err
		}
	} else if err != nil {
		return nil, fmt.Errorf("crypto: read key file %s: %w", path, err)
	}
	return parse(path, b)
}

// Load reads the key file at path; unlike LoadOrCreate it never creates
// one (a missing file is an error that wraps os.ErrNotExist), for commands
// that check what existing keys sealed.
func Load(path string) (*Keyring, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("crypto: read key file %s: %w", path, err)
	}
	return parse(path, b)
}

func parse(path string, b []byte) (*Keyring, error) {
	var kf keyFile
	if err := json.Unmarshal(b, &kf); err != nil {
		return nil, fmt.Errorf("crypto: key file %s is not valid: %w", path, err)
	}
	k, err := New(kf.Current, kf.Keys, kf.Index)
	if err != nil {
		return nil, err
	}
	if err := k.setAuditKeys(kf.AuditCurrent, kf.Audit); err != nil {
		return nil, fmt.Errorf("crypto: key file %s: %w", path, err)
	}
	return k, nil
}

// New builds a keyring from base64 keys; its audit key is the one derived
// from the index key (as for a key file without audit keys).
func New(current string, keys map[string]string, index string) (*Keyring, error) {
	k := &Keyring{keys: map[string]cipher.AEAD{}, current: current}
	for id, enc := range keys {
		raw, err := base64.StdEncoding.DecodeString(enc)
		if err != nil || len(raw) != 32 {
			return nil, fmt.Errorf("crypto: key %s must be 32 bytes of base64", id)
		}
		block, err := aes.NewCipher(raw)
		if err != nil {
			return nil, err
		}
		if k.keys[id], err = cipher.NewGCM(block); err != nil {
			return nil, err
		}
	}
	if _, ok := k.keys[current]; !ok {
		return nil, fmt.Errorf("crypto: the current key %q is not in the key file", current)
	}
	raw, err := base64.StdEncoding.DecodeString(index)
	if err != nil || len(raw) != 32 {
		return nil, errors.New("crypto: the index key must be 32 bytes of base64")
	}
	k.index = raw
	return k, k.setAuditKeys("", nil)
}

func randomKey() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand: " + err.Error())
	}
	return base64.StdEncoding.EncodeToString(b)
}

// KeyIDs lists the key IDs (for operators).
func (k *Keyring) KeyIDs() []string {
	var ids []string
	for id := range k.keys {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Encrypt seals plaintext with the current key; aad binds the value to its
// place (e.g. "party.id_number") so a value copied elsewhere fails to open.
// It returns the key ID and base64(nonce || ciphertext). Empty stays empty.
func (k *Keyring) Encrypt(plaintext, aad string) (kid, sealed string, err error) {
	if plaintext == "" {
		return "", "", nil
	}
	g := k.keys[k.current]
	nonce := make([]byte, g.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", "", err
	}
	out := g.Seal(nonce, nonce, []byte(plaintext), []byte(aad))
	return k.current, base64.StdEncoding.EncodeToString(out), nil
}

// Decrypt opens a value sealed by Encrypt.
func (k *Keyring) Decrypt(kid, sealed, aad string) (string, error) {
	if sealed == "" {
		return "", nil
	}
	g, ok := k.keys[kid]
	if !ok {
		return "", fmt.Errorf("crypto: unknown key %q", kid)
	}
	raw, err := base64.StdEncoding.DecodeString(sealed)
	if err != nil || len(raw) < g.NonceSize() {
		return "", errors.New("crypto: sealed value is malformed")
	}
	pt, err := g.Open(nil, raw[:g.NonceSize()], raw[g.NonceSize():], []byte(aad))
	if err != nil {
		return "", errors.New("crypto: sealed value does not open (wrong key or tampered)")
	}
	return string(pt), nil
}

// BlindIndex returns the keyed HMAC-SHA256 of a normalised value, labelled by
// kind so an ID number and a phone never collide. Empty stays empty.
func (k *Keyring) BlindIndex(kind, normalized string) string {
	if normalized == "" {
		return ""
	}
	m := hmac.New(sha256.New, k.index)
	m.Write([]byte(kind))
	m.Write([]byte{0})
	m.Write([]byte(normalized))
	return hex.EncodeToString(m.Sum(nil))
}
