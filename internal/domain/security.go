package domain

import "time"

// RevealGrant is a day's extra full views of personal data for one account
// beyond the daily cap, asked for with a reason and approved by another
// person (the four-eyes rule).
type RevealGrant struct {
	ID, UserID   int64
	Username     string
	UserName     string
	Day          string // YYYY-MM-DD, Beijing time
	Extra        int
	Reason       string
	OrgPath      string
	RequestedAt  time.Time
	ApprovedBy   int64
	ApproverName string
	ApprovedAt   time.Time
}

// Security alert kinds.
const (
	AlertRevealRate   = "reveal_rate"   // full views faster than the policy's rate
	AlertRevealBudget = "reveal_budget" // the day's cap reached
)

// SecurityAlert is something the security administrators should look at,
// raised once per kind, account and day.
type SecurityAlert struct {
	ID          int64
	At          time.Time
	Day, Kind   string
	UserID      int64
	Username    string
	UserName    string
	OrgPath     string
	Detail      string
	HandledBy   int64
	HandlerName string
	HandledAt   time.Time
	Note        string
}

// Revealer is one account's count of full views of personal data.
type Revealer struct {
	Username, Name string
	N              int
}
