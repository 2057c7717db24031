package domain

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// AuditEntry is one row of the append-only audit log (AU-1, AU-2). Each
// entry carries the seal of the one before it, so an edited or deleted row
// breaks the chain that `jiefen audit verify` walks. The seal (Hash) is an
// HMAC-SHA256 under the audit key named by KeyID, kept outside the
// database, so whoever can write the database cannot forge it (DC-3).
// Entries written before audit keys existed have no KeyID and an unkeyed
// SHA-256 (ComputeHash); they form the chain's beginning only, and the
// first sealed entry after them (action AuditReseal) seals them in turn.
type AuditEntry struct {
	Seq        int64
	At         time.Time
	UserID     int64
	Username   string
	Roles      string
	IP         string
	RequestID  string
	Action     string
	ObjectType string
	ObjectID   string
	OrgPath    string
	Result     string // "ok" or "fail"
	Detail     string
	PrevHash   string
	Hash       string
	KeyID      string // the audit key that sealed it; "" for an unkeyed entry of old
}

// AuditReseal is the action of the entry that seals an unkeyed chain of
// old under the audit key: its seal covers the last unkeyed hash, which
// covers every entry before it.
const AuditReseal = "audit.reseal"

// Audit results.
const (
	ResultOK   = "ok"
	ResultFail = "fail"
)

// GenesisHash is the PrevHash of the first entry.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// ComputeHash returns the unkeyed SHA-256 of an entry of old (one with no
// KeyID): over the entry's fields and PrevHash in a fixed, length-prefixed
// encoding (no field can bleed into the next).
func (e *AuditEntry) ComputeHash() string {
	h := sha256.New()
	e.encode(h)
	return hex.EncodeToString(h.Sum(nil))
}

// SealInput is what the audit key seals: a label, then every field and
// PrevHash as ComputeHash encodes them, then the KeyID.
func (e *AuditEntry) SealInput() []byte {
	var b bytes.Buffer
	b.WriteString("jiefen audit entry\n")
	e.encode(&b)
	putField(&b, e.KeyID)
	return b.Bytes()
}

func (e *AuditEntry) encode(w io.Writer) {
	putField(w, strconv.FormatInt(e.Seq, 10))
	putField(w, e.At.UTC().Format(time.RFC3339Nano))
	putField(w, strconv.FormatInt(e.UserID, 10))
	for _, s := range []string{e.Username, e.Roles, e.IP, e.RequestID, e.Action, e.ObjectType, e.ObjectID, e.OrgPath, e.Result, e.Detail, e.PrevHash} {
		putField(w, s)
	}
}

// putField writes s length-prefixed ("5:hello").
func putField(w io.Writer, s string) {
	io.WriteString(w, strconv.Itoa(len(s)))
	io.WriteString(w, ":")
	io.WriteString(w, s)
}

// AuditAnchor is one line of the anchor file: the chain's head (its last
// entry's seq, seal and key) as it stood at At, written outside the
// database so that a database rewritten or cut short after it no longer
// matches (AU-6). Each line is sealed (MAC, under MACKey) over its fields
// and the seal of the line before it (Prev), so a line cannot be changed,
// removed from the middle or moved without the file failing to verify.
type AuditAnchor struct {
	Seq    int64     `json:"seq"`
	Hash   string    `json:"hash"`
	KeyID  string    `json:"key"`
	At     time.Time `json:"at"`
	By     string    `json:"by"`   // the instance that wrote it
	Prev   string    `json:"prev"` // the line before it's MAC; "" for the file's first line
	MACKey string    `json:"mac_key"`
	MAC    string    `json:"mac"`
	Line   int       `json:"-"` // its line number in the file (when read)
}

// SealInput is what the audit key seals in an anchor line.
func (a *AuditAnchor) SealInput() []byte {
	var b bytes.Buffer
	b.WriteString("jiefen audit anchor\n")
	for _, s := range []string{strconv.FormatInt(a.Seq, 10), a.Hash, a.KeyID, a.At.UTC().Format(time.RFC3339Nano), a.By, a.Prev, a.MACKey} {
		putField(&b, s)
	}
	return b.Bytes()
}

// CleanLogValue escapes CR, LF and other control characters so a logged
// value cannot forge a line (AU-3).
func CleanLogValue(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// CST is China Standard Time; audit times are shown in +08:00 (AU-2).
var CST = time.FixedZone("CST", 8*3600)

// AuditFilter selects audit entries for the search page.
type AuditFilter struct {
	Path      string // entries whose object lies in this subtree
	Placeless bool   // and those with no place (for the accounts at the tree's root)
	Username  string
	Action    string // prefix, e.g. "user." or "login"
	Result    string
	ObjectID  string
	From, To  time.Time
	BeforeSeq int64
	Limit     int
}

// VerifyResult reports the outcome of walking the audit chain and of
// checking the anchor file against it.
type VerifyResult struct {
	Checked  int64
	BrokenAt int64  // seq of the first bad entry, 0 when the entries are intact
	Reason   string // what was wrong
	Unkeyed  int64  // entries of old with an unkeyed hash (sealed by the reseal entry after them)
	Resealed bool   // the unkeyed entries are sealed by an entry under the audit key
	Unsealed int64  // sealed entries whose seal was not checked (no keys given)
	KeyIDs   []string

	AnchorFile   string // the anchor file read ("" when none was asked for)
	AnchorMissed bool   // it was asked for but does not exist
	Anchors      int    // its lines that were checked
	AnchorLine   int    // the first bad line, 0 when the file is intact
	AnchorReason string
	LastAnchor   *AuditAnchor // its last line
}

// Intact reports whether nothing was found wrong, in the entries or the
// anchor file.
func (r VerifyResult) Intact() bool { return r.BrokenAt == 0 && r.AnchorLine == 0 }
