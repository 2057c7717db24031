package domain

import "time"

// Notification is one inbox entry.
type Notification struct {
	ID         int64
	UserID     int64
	CaseID     int64
	CaseNumber string
	Kind       string // assignment, returned, reminder, supervision, due_soon, overdue, reopened
	Text       string
	CreatedAt  time.Time
	ReadAt     time.Time
}

// DueCase is a matter the deadline sweep must tell someone about.
type DueCase struct {
	ID         int64
	Number     string
	AssigneeID int64
	OrgPath    string
	Due        time.Time
	Status     Status // (the daily digest) the step it is late in
}

// How a person is told of overdue matters (User.OverdueNotices): one
// digest a day listing them all (the default: a handler with many overdue
// matters is not sent hundreds of messages), or a notice per matter when
// its deadline passes.
const (
	NoticeDigest = "digest"
	NoticeEach   = "each"
)

// NoticeModes are the accepted values of User.OverdueNotices.
var NoticeModes = []string{NoticeDigest, NoticeEach}
