package domain

import "time"

// StatRow is one matter or one event the statistics count, with the
// matter's attributes the figures are broken down by.
type StatRow struct {
	CaseID    int64
	Action    string // "" for a registration row
	At        time.Time
	Category  string // top-level category
	OrgPath   string
	Channel   string
	Risk      string
	Outcome   string // the matter's outcome now
	CreatedAt time.Time
	UnitID    int64  // the docking unit chosen at assessment (0: none)
	Status    Status // the matter's status now (read for the overdue figures only)
}

// FactCount is how many facts of one kind one group has.
type FactCount struct {
	Fact // the group's attribute, action, step, on-time and (visits) value
	N    int
}

// ExportRequest is a request to export personal data in full, with its
// approval and its single use.
type ExportRequest struct {
	ID                 int64
	RequestedBy        int64
	RequesterName      string
	RequestedAt        time.Time
	OrgPath, Query     string
	Reason             string
	ApprovedBy         int64
	ApproverName       string
	ApprovedAt, UsedAt time.Time
}

// Supervision is a leader's supervision order (督办) on a matter.
type Supervision struct {
	ID, CaseID, LeaderID int64
	LeaderName           string
	Due, Created         time.Time
	Replied              time.Time
}

// Fact is one counted event with its matter's attributes now.
type Fact struct {
	StatRow
	Step   string // the step it ended ("" for none)
	OnTime bool
	Value  string // close: outcome; visit: satisfaction
}
