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
}
