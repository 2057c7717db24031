package domain

import "time"

// Related is a matter that may be related to another, with the reasons.
type Related struct {
	ID          int64    `json:"id"`
	Number      string   `json:"number"`
	Status      string   `json:"status"`
	Description string   `json:"description"`
	Reasons     []string `json:"reasons"`
}

// Link is a link from a matter to another.
type Link struct {
	OtherID     int64
	Number      string
	Status      string
	Description string
	Kind        string // related, duplicate (this one is the other's duplicate), original (the other merged into this one)
	Note        string
	OrgPath     string
	At          time.Time
}

// Candidate is a matter that may be related to another, with what makes it
// so.
type Candidate struct {
	ID          int64
	Number      string
	Status      string
	Description string
	OrgPath     string
	CreatedAt   time.Time
	Why         map[string]string // reason kind → detail
}
