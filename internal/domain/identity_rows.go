package domain

import "time"

// Session is a server-side login session. Only the SHA-256 of the cookie
// value is stored.
type Session struct {
	ID         int64
	TokenHash  string
	UserID     int64
	CSRF       string
	IP         string
	UserAgent  string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time // absolute expiry
	EndedAt    time.Time
}

// UserFilter selects accounts for the administration list.
type UserFilter struct {
	Path     string // subtree
	Query    string // matches username or name
	Role     Role
	Disabled *bool
	AfterID  int64
	Limit    int
}

// SessionEndReplaced is the end reason of a session that a new sign-in to
// the same account ended (one session per account, SS-5).
const SessionEndReplaced = "replaced by a new sign-in"

// SessionEnd says how a session ended: its end reason as stored, when, and
// for one replaced by a new sign-in, where that sign-in came from ("" when
// unknown).
type SessionEnd struct {
	Reason string
	At     time.Time
	ByIP   string
}
