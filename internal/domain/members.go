package domain

import "time"

// MemberRow is one household of a group matter as stored (sealed fields
// already sealed by the service).
type MemberRow struct {
	ID                   int64
	RowNo                int
	Name                 string
	VillageCode          string
	VillageName          string
	IDKid, IDEnc, IDBidx string
	IDMasked             string
	PhoneKid, PhoneEnc   string
	PhoneMasked          string
	AmountCents          int64
	Note                 string
	Status               string
	StatusNote           string
	ConfirmedBy          string
	ConfirmedAt          time.Time
	Version              int64
}

// MemberCount is a count of households by village and status.
type MemberCount struct {
	VillageCode, VillageName, Status string
	N                                int
}

// MemberFilter selects a page of a matter's households.
type MemberFilter struct {
	CaseID      int64
	VillageCode string
	Status      string
	AfterRow    int // keyset: row_no > AfterRow
	Limit       int
}

// CaseUnit is a unit acting on a matter.
type CaseUnit struct {
	Code, Name, Role, Part string
	At                     time.Time
}
