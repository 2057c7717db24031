package domain

import "time"

// Related is a matter that may be related to another, with the reasons.
type Related struct {
	ID          int64        `json:"id"`
	Number      string       `json:"number"`
	Status      string       `json:"status"`
	Description string       `json:"description"`
	Reasons     []string     `json:"reasons"` // in Chinese, as the centre's records say them
	Why         []RelatedWhy `json:"why"`     // the same, as codes a surface translates
}

// RelatedWhy is one reason two matters may be related: kind is id, phone,
// name_village (the same name in the same village), name (the same name in
// the area compared, the place not being known), address or similar;
// detail is the name, the address or the similarity.
type RelatedWhy struct {
	Kind   string `json:"kind"`
	Detail string `json:"detail,omitempty"`
}

// RelatedKinds are RelatedWhy's kinds.
var RelatedKinds = []string{"id", "phone", "name_village", "name", "address", "similar"}

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
