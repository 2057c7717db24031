package domain

import "time"

// Attachment is a file attached to a matter.
type Attachment struct {
	ID         int64
	CaseID     int64
	Kind       string
	Name       string
	StoredName string
	MIME       string
	Size       int64
	SHA256     string
	UploadedBy int64
	CreatedAt  time.Time
}

// Milestone is one line of a matter's schedule.
type Milestone struct {
	ID     int64
	CaseID int64
	Title  string
	DueAt  time.Time
	DoneAt time.Time
	Auto   string // "first_contact", "judicial_window" for those the workflow creates
}
