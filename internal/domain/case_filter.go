package domain

import "time"

// CaseFilter selects matters for lists.
type CaseFilter struct {
	Path        string // subtree (required by the service)
	Statuses    []Status
	Category    string
	Risk        string
	Channel     string
	AssigneeID  int64
	CoHandlerID int64   // matters this user co-handles now
	LeadID      int64   // matters this leader leads (三色)
	Regrade     bool    // someone reported the matter getting worse: re-grade due
	NotMerged   bool    // leave out merged duplicates
	IDs         []int64 // only these matters (a page of a statistic's list)
	Overdue     bool
	DueSoon     bool // due within a day, not yet overdue
	ToReply     bool // a supervision order awaits the assignee\'s reply
	Now         time.Time
	From, To    time.Time // registered in [From, To)
	Tokens      []string  // full-text tokens (AND)
	Like        string    // single-character fallback
	IDBidx      string    // party ID number (blind index)
	PhoneBidx   string    // party phone (blind index)
	BeforeID    int64     // keyset: id < BeforeID
	Limit       int
}
