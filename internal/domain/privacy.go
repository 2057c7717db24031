package domain

import (
	"strings"
	"time"
	"unicode/utf8"
)

// The rights of the people in the data (PIPL 44–47, SECURITY.md PI-6): the
// parties of matters and the households of group matters' lists may ask
// what is held about them, have a copy, have it corrected, and have it
// anonymised once it is past its retention period.

// PersonQuery names the person a lawful request is about: an ID number
// (found through its blind index), a mobile phone (the parties' blind
// index; the household lists keep no phone index), or a name within a
// place. At least one of them; a name only with a place.
type PersonQuery struct {
	IDNumber string `json:"id_number,omitempty"`
	Phone    string `json:"phone,omitempty"`
	Name     string `json:"name,omitempty"`
	OrgCode  string `json:"org_code,omitempty"` // the place a name is looked for in
}

// Normalize checks q and puts its values in the form the indexes hold;
// the field errors name the form's fields.
func (q *PersonQuery) Normalize(now time.Time) error {
	f := FieldErrors{}
	q.IDNumber, q.Phone, q.Name, q.OrgCode = NormalizeIDNumber(q.IDNumber), strings.TrimSpace(q.Phone), strings.TrimSpace(q.Name), strings.TrimSpace(q.OrgCode)
	if q.IDNumber != "" {
		// A resident ID must be a valid one (a mistyped digit would find
		// nobody, silently); a foreign or Hong Kong, Macao or Taiwan
		// document number is held upper-cased as typed.
		if err := CheckResidentID(q.IDNumber, now); err != nil && (looksResident(q.IDNumber) || len(q.IDNumber) < 6 || len(q.IDNumber) > 30) {
			f.Add("id_number", err.(*Error).Key)
		}
	}
	if q.Phone != "" {
		p, ok := NormalizePhone(q.Phone)
		if !ok {
			f.Add("phone", "party.phone.invalid")
		}
		q.Phone = p
	}
	if !utf8.ValidString(q.Name) || utf8.RuneCountInString(q.Name) > 100 {
		f.Add("name", "field.too_long")
	}
	switch {
	case q.Name != "" && q.OrgCode == "":
		f.Add("org_code", "privacy.name_needs_place")
	case q.IDNumber == "" && q.Phone == "" && q.Name == "":
		f.Add("id_number", "privacy.query_empty")
	}
	return f.Err()
}

// looksResident reports whether v has the shape of a resident ID number:
// 18 characters, digits with a last digit or X, or 15 digits.
func looksResident(v string) bool {
	if len(v) != 18 && len(v) != 15 {
		return false
	}
	for i, r := range v {
		if (r < '0' || r > '9') && !(r == 'X' && i == 17) {
			return false
		}
	}
	return true
}

// Masked names the query in pages and the audit log: the ID number and
// phone masked, the name masked, the place by its code.
func (q PersonQuery) Masked() string {
	var parts []string
	if q.IDNumber != "" {
		parts = append(parts, MaskID(q.IDNumber))
	}
	if q.Phone != "" {
		parts = append(parts, MaskPhone(q.Phone))
	}
	if q.Name != "" {
		parts = append(parts, MaskName(q.Name)+"@"+q.OrgCode)
	}
	return strings.Join(parts, " ")
}

// The fields a holding can have (their message keys are privacy.field.*).
const (
	FieldName       = "name"
	FieldIDNumber   = "id_number"
	FieldPhone      = "phone"
	FieldAddress    = "address"
	FieldNoIDReason = "no_id_reason"
	FieldAmount     = "amount"
	FieldNote       = "note"
	FieldStatus     = "status"
)

// CorrectableFields are the party fields a correction may change.
var CorrectableFields = []string{FieldName, FieldIDNumber, FieldPhone, FieldAddress}

// AnonymisedName replaces the name of a person whose data is past
// retention.
const AnonymisedName = "已匿名化"

// HeldParty is a matter's party row where the person appears, with the
// fields held (not their values) and what matched. Party carries the
// values only in a copy made for the person (PersonCopy).
type HeldParty struct {
	CaseID       int64
	CaseNumber   string
	OrgName      string
	OrgPath      string
	Status       Status
	RegisteredAt time.Time
	Anonymised   bool
	Party        Party // masked (the name too) unless in the person's copy
	Fields       []string
	MatchedBy    []string
	Corrections  int // the corrections on the matter's timeline
}

// HeldMember is a household row of a group matter's list where the person
// appears.
type HeldMember struct {
	CaseID      int64
	CaseNumber  string
	OrgName     string
	OrgPath     string
	MemberID    int64
	RowNo       int
	VillageName string
	Name        string // masked unless in the person's copy
	IDNumber    string // masked unless in the person's copy
	Phone       string // masked unless in the person's copy
	AmountCents int64
	Note        string // only in the person's copy
	Status      string
	Fields      []string
	MatchedBy   []string
}

// Holdings is everything held about a person, as found by a query.
type Holdings struct {
	Query   string // the query, masked
	Parties []HeldParty
	Members []HeldMember
	// Truncated: more rows matched than one answer holds (HoldingsLimit);
	// the query must be narrowed.
	Truncated bool
}

// HoldingsLimit bounds the rows of one answer (of each kind).
const HoldingsLimit = 500

// Matters counts the distinct matters of the holdings.
func (h *Holdings) Matters() int {
	seen := map[int64]bool{}
	for _, p := range h.Parties {
		seen[p.CaseID] = true
	}
	for _, m := range h.Members {
		seen[m.CaseID] = true
	}
	return len(seen)
}

// PrivacyRequest is a request for a copy of everything held about a
// person: the person sealed (SubjectKid/SubjectEnc, a PersonQuery as
// JSON) and named masked; approved by a second person; used once.
type PrivacyRequest struct {
	ID            int64
	Ref           string // the lawful request's reference (登记编号)
	Subject       string // the person, masked
	SubjectKid    string
	SubjectEnc    string
	OrgPath       string // the requester's jurisdiction, where the person is looked for
	Reason        string
	RequestedBy   int64
	RequesterName string
	RequestedAt   time.Time
	ApprovedBy    int64
	ApproverName  string
	ApprovedAt    time.Time
	UsedAt        time.Time
}

// PartyCorrection is a correction (更正, PIPL 46) of one field of a party.
type PartyCorrection struct {
	Field  string `json:"field"`
	Value  string `json:"value"`
	Ref    string `json:"ref"`
	Reason string `json:"reason"`
}

// Retention rule kinds and actions.
const (
	RetainParties = "case_parties"
	RetainMembers = "group_members"
	RetainAudit   = "audit_log"

	RetentionAnonymise = "anonymise"
	RetentionKeep      = "keep"
)

// RetentionRule is how long one kind of record is kept: the parties of
// matters and the households of group matters' lists are anonymised
// KeepDays after their matter was archived; the audit log is kept (never
// anonymised) at least KeepDays. MinDays is the floor a change may not go
// under.
type RetentionRule struct {
	Kind      string
	KeepDays  int
	MinDays   int
	Action    string
	ChangedBy string
	ChangedAt time.Time
}

// RetentionMatter is a matter past retention: what anonymising it removes.
type RetentionMatter struct {
	CaseID     int64
	Number     string
	OrgPath    string
	ArchivedAt time.Time
	Parties    int
	Members    int
}

// RetentionReport is what one run of the retention rules did (or, dry,
// would do).
type RetentionReport struct {
	DryRun  bool
	At      time.Time
	Matters []RetentionMatter // at most RetentionListLimit listed
	Cases   int               // every matter past retention
	Parties int
	Members int
	Cutoff  map[string]time.Time // per kind: archived before this
}

// RetentionListLimit bounds the matters a report lists.
const RetentionListLimit = 200

// ViewActions are the audited actions by which an account sees a person's
// record beyond the masked lists (PI-8): a reveal, a print, a household
// list printed or fetched, an attachment downloaded, a ledger exported,
// a person's copy made.
var ViewActions = []string{"personal.reveal", "case.print", "case.members_print", "case.members_view", "case.attachment.download", "ledger.export", "privacy.export"}

// Access is one audited view of an account, with how many persons it
// reached (Persons -1: not known row by row — a ledger's export names
// its filter and count, not its matters).
type Access struct {
	Seq      int64
	At       time.Time
	Action   string
	ObjectID string
	Detail   string
	Persons  int
}

// AccessedPerson is one person an account's views reached, masked: the
// rows where they appear and the audit entries that reached them.
type AccessedPerson struct {
	Name        string
	IDMasked    string
	PhoneMasked string
	Records     []string // a matter's number, with its household row when in a list
	Seqs        []int64
}

// AccessReport answers "which persons' records did account X view between
// T1 and T2", for a breach notification (PIPL 57, SECURITY.md PI-8).
type AccessReport struct {
	Username  string
	From, To  time.Time
	Accesses  []Access
	Persons   []AccessedPerson
	Truncated bool // more than AccessLimit entries or persons: narrow the period
}

// AccessLimit bounds the entries and persons of one report.
const AccessLimit = 5000
