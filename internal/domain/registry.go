package domain

// Unit is an agency in (or called into) the centre, with its two lists.
type Unit struct {
	ID         int64
	Code, Name string
	Kind       string // resident, rotating, on_demand
	Duties     []Duty
	Mechanisms []string
	Contacts   string
	Active     bool
	Version    int64
	Handlers   int // accounts attached to the unit
}

// Duty is one line of a unit's duty list: it owns matters of a category,
// everywhere (OrgCode "") or in one township.
type Duty struct {
	Category, OrgCode, Service string
}

// Zone is a functional zone of the centre with its windows.
type Zone struct {
	ID                  int64
	Code, Name, Purpose string
	Sort                int
	Windows             []Window
}

// Window is a reception window, staffed by a unit.
type Window struct {
	ID                 int64
	Code, Name         string
	ZoneCode, UnitCode string
	UnitName           string
	Sort               int
}

// MediationOrg is a mediation organisation.
type MediationOrg struct {
	ID               int64
	Code, Name, Kind string
	OrgCode, OrgName string
	OrgPath          string
	Categories       []string
	Active           bool
	Open             int // open matters routed to it
}

// Mediator is someone in the pool of people who mediate.
type Mediator struct {
	ID                     int64
	Name, Kind, Title      string
	OrgCode, OrgName       string
	UserID                 int64
	Specialties, Townships []string
	Active                 bool
	Version                int64
	Load                   int // open matters they mediate
}

// RegistryRef is a registry row's id and name, for routing a matter.
type RegistryRef struct {
	ID     int64
	Name   string
	Active bool
}

// CaseRouting names the unit, organisation and mediator of a matter.
type CaseRouting struct {
	UnitID, OrgID, MediatorID       int64
	UnitName, OrgName, MediatorName string
}

// Post is a leader's post (who leads the matters of a colour).
type Post struct {
	Post, OrgCode, OrgName string
	UserID                 int64
	Username, Name         string
}

// Category is a catalogue entry.
type Category struct {
	Code, Name, ParentCode string
	Sort                   int
	Active                 bool
}

// PartyKey is what identifies a party across matters without revealing it.
type PartyKey struct {
	Name, IDBidx, PhoneBidx string
}
