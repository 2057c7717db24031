package domain

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// AuditEntry is one row of the append-only audit log (AU-1, AU-2). Each
// entry carries the hash of the one before it, so an edited or deleted row
// breaks the chain that `jiefen audit verify` walks.
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
}

// Audit results.
const (
	ResultOK   = "ok"
	ResultFail = "fail"
)

// GenesisHash is the PrevHash of the first entry.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// ComputeHash returns the SHA-256 over the entry's fields and PrevHash in a
// fixed, length-prefixed encoding (no field can bleed into the next).
func (e *AuditEntry) ComputeHash() string {
	h := sha256.New()
	put := func(s string) {
		h.Write([]byte(strconv.Itoa(len(s))))
		h.Write([]byte{':'})
		h.Write([]byte(s))
	}
	put(strconv.FormatInt(e.Seq, 10))
	put(e.At.UTC().Format(time.RFC3339Nano))
	put(strconv.FormatInt(e.UserID, 10))
	for _, s := range []string{e.Username, e.Roles, e.IP, e.RequestID, e.Action, e.ObjectType, e.ObjectID, e.OrgPath, e.Result, e.Detail, e.PrevHash} {
		put(s)
	}
	return hex.EncodeToString(h.Sum(nil))
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

// VerifyResult reports the outcome of walking the audit chain.
type VerifyResult struct {
	Checked  int64
	BrokenAt int64  // seq of the first bad entry, 0 when intact
	Reason   string // what was wrong
}
