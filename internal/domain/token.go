package domain

import (
	"slices"
	"strings"
	"time"
)

// Token is an API token; only its SHA-256 is stored, and Prefix (the first
// characters) lets a user tell tokens apart. Every token expires, carries
// the scopes it may be used for, and records its last use; a revoked one
// says by whom and why (issue 14).
type Token struct {
	ID           int64
	UserID       int64
	Name         string
	Hash         string
	Prefix       string
	Scopes       []Scope
	CreatedAt    time.Time
	ExpiresAt    time.Time
	LastUsedAt   time.Time
	LastUsedIP   string
	RevokedAt    time.Time
	RevokedBy    string // the username of whoever revoked it; "(cli)" for the operator
	RevokeReason string // one of the TokenRevoked… reasons
	// RefusalAuditedAt is when a refused use was last audited (refusals
	// are audited at most once an hour per token).
	RefusalAuditedAt time.Time

	// The owner, filled by the listings that join the account.
	Username string
	UserName string
	OrgName  string
}

// Token states.
const (
	TokenActive  = "active"
	TokenExpired = "expired"
	TokenRevoked = "revoked"
)

// State says whether t may be used at now: active, expired or revoked.
func (t *Token) State(now time.Time) string {
	switch {
	case !t.RevokedAt.IsZero():
		return TokenRevoked
	case !now.Before(t.ExpiresAt):
		return TokenExpired
	}
	return TokenActive
}

// Why a token was revoked.
const (
	TokenRevokedSelf           = "self"            // by its owner
	TokenRevokedAdmin          = "admin"           // by an administrator or the operator
	TokenRevokedPasswordChange = "password_change" // the owner changed the password
	TokenRevokedPasswordReset  = "password_reset"  // an administrator reset the password
	TokenRevokedDisabled       = "disabled"        // the account was disabled
)

// TokenFilter selects tokens for the administrators' list.
type TokenFilter struct {
	Path    string // the owners' subtree
	Query   string // matches the owner's username or name, or the token's name
	State   string // "" every token, or TokenActive
	AfterID int64  // keyset paging, newest first: tokens with a smaller ID
	Limit   int
}

// Scope is what an API token may be used for. Each API route needs one
// (api/scopes.go, openapi.json's x-token-scope); the account's own
// permissions apply on top, so a scope never widens them.
type Scope string

// The scopes. "read" stands for every …:read scope and "write" for every
// …:write one; exports and reveal must be named, as they carry personal
// data in full or in bulk.
const (
	ScopeRead       Scope = "read"
	ScopeWrite      Scope = "write"
	ScopeCasesRead  Scope = "cases:read"  // matters, their lists, the work list, the tree, notifications
	ScopeCasesWrite Scope = "cases:write" // register, act on and dispatch matters, household lists
	ScopeStatsRead  Scope = "stats:read"  // statistics, the board, the monthly report, the centre
	ScopeAdminRead  Scope = "admin:read"  // accounts, every token, the audit log, the assessment rules
	ScopeAdminWrite Scope = "admin:write" // change accounts, grid cells, the centre's registries, the rules
	ScopeExports    Scope = "exports"     // the ledger and export requests (and their approval)
	ScopeReveal     Scope = "reveal"      // a party's full ID number and phone
)

// Scopes lists every scope in the order they are shown.
var Scopes = []Scope{ScopeRead, ScopeWrite, ScopeCasesRead, ScopeCasesWrite, ScopeStatsRead, ScopeAdminRead, ScopeAdminWrite, ScopeExports, ScopeReveal}

// DefaultScopes is what a token gets when none is asked for: read only.
var DefaultScopes = []Scope{ScopeRead}

// Valid reports whether s is one of Scopes.
func (s Scope) Valid() bool { return slices.Contains(Scopes, s) }

// Covers reports whether a token holding have may make a request that needs
// need ("" needs nothing).
func Covers(have []Scope, need Scope) bool {
	if need == "" {
		return true
	}
	for _, h := range have {
		switch {
		case h == need,
			h == ScopeRead && strings.HasSuffix(string(need), ":read"),
			h == ScopeWrite && strings.HasSuffix(string(need), ":write"):
			return true
		}
	}
	return false
}

// ParseScopes reads a list of scopes separated by commas or spaces, in the
// order of Scopes and without repeats. An unknown scope is an error naming
// it; an empty list gives none.
func ParseScopes(s string) ([]Scope, error) {
	var out []Scope
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		sc := Scope(strings.ToLower(strings.TrimSpace(f)))
		if !sc.Valid() {
			return nil, &Error{Code: Invalid, Key: "token.scope.unknown", Args: []any{f}, Fields: map[string]string{"scopes": "token.scope.unknown_field"}}
		}
		out = append(out, sc)
	}
	return SortScopes(out), nil
}

// SortScopes puts scopes in the order of Scopes, without repeats.
func SortScopes(in []Scope) []Scope {
	var out []Scope
	for _, s := range Scopes {
		if slices.Contains(in, s) {
			out = append(out, s)
		}
	}
	return out
}

// JoinScopes writes scopes separated by spaces (as stored).
func JoinScopes(s []Scope) string {
	parts := make([]string, len(s))
	for i, x := range s {
		parts[i] = string(x)
	}
	return strings.Join(parts, " ")
}
