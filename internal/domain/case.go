package domain

import (
	"math"
	"strings"
	"time"
	"unicode/utf8"
)

// Status is where a matter (矛盾纠纷事项) stands in the five links.
type Status string

const (
	StatusRegistered   Status = "registered"    // 已登记
	StatusAssessed     Status = "assessed"      // 已研判
	StatusDispatched   Status = "dispatched"    // 已交办, waiting to be signed for
	StatusReturned     Status = "returned"      // 已退回 to the dispatcher
	StatusInResolution Status = "in_resolution" // 化解中 (signed for)
	StatusClosed       Status = "closed"        // 已办结
	StatusInformed     Status = "informed"      // 已告知当事人
	StatusVisited      Status = "visited"       // 已回访
	StatusArchived     Status = "archived"      // 已归档
)

// Statuses lists every status in workflow order.
var Statuses = []Status{StatusRegistered, StatusAssessed, StatusDispatched, StatusReturned, StatusInResolution,
	StatusClosed, StatusInformed, StatusVisited, StatusArchived}

// Open reports whether the matter is still being worked on (not closed yet).
func (s Status) Open() bool {
	switch s {
	case StatusRegistered, StatusAssessed, StatusDispatched, StatusReturned, StatusInResolution:
		return true
	}
	return false
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	for _, x := range Statuses {
		if x == s {
			return true
		}
	}
	return false
}

// Channel is how a matter came in.
type Channel string

// Channels accepted at registration.
var Channels = []Channel{"visit", "phone", "letter", "online", "grid", "transfer", "hotline", "other"}

// Outcome is how a matter was closed.
type Outcome string

const (
	OutcomeResolved   Outcome = "resolved"   // 化解成功
	OutcomeUnresolved Outcome = "unresolved" // 未化解, guided elsewhere
	OutcomeWithdrawn  Outcome = "withdrawn"  // 撤回
	OutcomeReferred   Outcome = "referred"   // 不属受理范围, referred to another body
	OutcomeMerged     Outcome = "merged"     // duplicate merged into another matter
)

// Outcomes a user may choose when closing.
var Outcomes = []Outcome{OutcomeResolved, OutcomeUnresolved, OutcomeWithdrawn, OutcomeReferred}

// Guidance is where an unresolved matter's parties were guided.
var Guidance = []string{"litigation", "arbitration", "administrative_review", "petition"}

// Risk is the three-colour grading (红黄蓝) or none.
type Risk string

// Risks in descending severity.
var Risks = []Risk{"red", "yellow", "blue", "none"}

// Satisfaction of a return visit.
var Satisfactions = []string{"satisfied", "basically_satisfied", "unsatisfied"}

// PartyRole is a party's place in the matter.
var PartyRoles = []string{"applicant", "respondent", "third_party"}

// Party is a person or organisation in a matter. IDNumber and Phone are
// plaintext only in memory; the store keeps them encrypted.
type Party struct {
	ID         int64
	Kind       string // "person" or "org"
	Role       string
	Name       string
	IDType     string // "resident", "foreign", "hk_mo_tw", "none"
	IDNumber   string // full, only after an audited reveal
	IDMasked   string
	NoIDReason string
	Phone      string // full, only after an audited reveal
	PhoneMask  string
	Address    string
	USCC       string // organisations
}

// Case is a matter (矛盾纠纷事项).
type Case struct {
	ID           int64
	Number       string
	QueryCode    string
	Channel      Channel
	Category     string
	CategoryNm   string
	Description  string
	OrgCode      string
	OrgName      string
	OrgPath      string
	Address      string
	Lat, Lng     *float64
	AmountCents  int64
	PeopleCount  int
	Status       Status
	Outcome      Outcome
	Guidance     string
	ReferredTo   string
	Risk         Risk
	LeadID       int64 // the lead leader of a graded matter (三色)
	LeadName     string
	RegradeAt    time.Time // someone reported it getting worse; a re-grade is due
	Assignee     int64     // user handling it now (0 = the dispatchers)
	AssigneeNm   string
	StepDueAt    time.Time
	Six          Six
	Satisfaction string
	PausedAt     time.Time // the clock is stopped while the matter waits on something outside the centre
	PausedUntil  time.Time // and restarts by itself then
	ExtendDays   int       // a pending extension request (0 = none)
	WatcherID    int64     // grid worker keeping long-term watch (管控), 0 = none
	WatcherNm    string
	WatchEvery   int // days between check-ins
	NextCheckin  time.Time
	CreatedBy    int64
	CreatedAt    time.Time
	UpdatedAt    time.Time
	ClosedAt     time.Time
	Version      int64
	Parties      []Party
	CoHandlers   []CoHandler // joint handling: the assignee leads, these work a part
	Timeline     []TimelineEntry
}

// CoHandler is someone working a part of a matter led by its assignee
// (联合办理: a lead unit and co-units).
type CoHandler struct {
	UserID   int64
	Username string
	Name     string
	OrgName  string
	Part     string // what they were asked to do
	AddedAt  time.Time
}

// IsCoHandler reports whether user id currently works a part of the matter.
func (c *Case) IsCoHandler(id int64) bool {
	for _, h := range c.CoHandlers {
		if h.UserID == id {
			return true
		}
	}
	return false
}

// Overdue reports whether the current step's deadline has passed (never
// while the clock is paused).
func (c *Case) Overdue(now time.Time) bool {
	return !c.StepDueAt.IsZero() && now.After(c.StepDueAt) && c.Status != StatusArchived && c.PausedAt.IsZero()
}

// JudicialResults are the steps of a request for judicial confirmation (司法确认).
var JudicialResults = []string{"requested", "confirmed", "rejected"}

// Six is the 六个一 of a matter in resolution.
type Six struct {
	LeadLeader      string `json:"lead_leader"`      // 一名牵头领导
	MediationOrg    string `json:"mediation_org"`    // 一个调解组织
	DockingUnit     string `json:"docking_unit"`     // 一个对接单位
	Plan            string `json:"plan"`             // 一套计划方案
	Schedule        string `json:"schedule"`         // 一张进度表
	GuidanceAdviser string `json:"guidance_adviser"` // 一套法律政策辅导: who
	GuidanceText    string `json:"guidance_text"`    // and what
}

// Missing lists the 六个一 items still empty, by key.
func (s Six) Missing() []string {
	var m []string
	for _, kv := range [][2]string{{"lead_leader", s.LeadLeader}, {"mediation_org", s.MediationOrg}, {"docking_unit", s.DockingUnit},
		{"plan", s.Plan}, {"schedule", s.Schedule}, {"guidance", s.GuidanceAdviser + s.GuidanceText}} {
		if strings.TrimSpace(kv[1]) == "" {
			m = append(m, kv[0])
		}
	}
	return m
}

// TimelineEntry is one entry of a matter's timeline. Nothing is deleted: corrections
// are events too.
type TimelineEntry struct {
	ID         int64
	At         time.Time
	ActorID    int64
	ActorName  string
	Action     string
	FromStatus Status
	ToStatus   Status
	Note       string
	Data       map[string]string
}

// Transition is one row of the workflow table: who may do what, from which
// states, to which state, and which fields the action needs. The docs, the
// API and the UI's action buttons are all rendered from Workflow.
type Transition struct {
	Action   string
	From     []Status // empty: any open status
	To       Status   // "" keeps the status
	Roles    []Role
	Requires []string
}

// Workflow is the state machine of a matter, written down once.
var Workflow = []Transition{
	{"assess", []Status{StatusRegistered}, StatusAssessed, []Role{RoleDispatcher}, []string{"risk"}},
	{"regrade", []Status{StatusAssessed, StatusDispatched, StatusReturned, StatusInResolution}, "", []Role{RoleDispatcher, RoleLeader}, []string{"risk", "reason"}},
	{"lead", []Status{StatusAssessed, StatusDispatched, StatusReturned, StatusInResolution}, "", []Role{RoleDispatcher, RoleLeader}, []string{"assignee", "reason"}},
	{"link", nil, "", []Role{RoleDispatcher}, []string{"target"}},
	{"merge", []Status{StatusRegistered, StatusAssessed, StatusDispatched, StatusReturned, StatusInResolution}, StatusClosed, []Role{RoleDispatcher}, []string{"target", "reason"}},
	{"deteriorate", []Status{StatusRegistered, StatusAssessed, StatusDispatched, StatusReturned, StatusInResolution, StatusClosed, StatusInformed, StatusVisited}, "", []Role{RoleReceptionist, RoleDispatcher, RoleHandler, RoleMediator, RoleGridWorker, RoleLeader}, []string{"note"}},
	{"dispatch", []Status{StatusAssessed, StatusReturned}, StatusDispatched, []Role{RoleDispatcher}, []string{"assignee"}},
	{"sign", []Status{StatusDispatched}, StatusInResolution, []Role{RoleHandler, RoleMediator}, nil},
	{"return", []Status{StatusDispatched}, StatusReturned, []Role{RoleHandler, RoleMediator}, []string{"reason"}},
	{"transfer", []Status{StatusInResolution}, StatusDispatched, []Role{RoleDispatcher, RoleHandler, RoleMediator}, []string{"assignee", "reason"}},
	{"cohandle", []Status{StatusDispatched, StatusInResolution}, "", []Role{RoleDispatcher, RoleHandler, RoleMediator}, []string{"assignee", "note"}},
	{"cohandle_end", []Status{StatusDispatched, StatusInResolution}, "", []Role{RoleDispatcher, RoleHandler, RoleMediator}, []string{"assignee", "reason"}},
	{"six", []Status{StatusInResolution}, "", []Role{RoleHandler, RoleMediator, RoleDispatcher, RoleLeader}, nil},
	{"progress", []Status{StatusInResolution}, "", []Role{RoleHandler, RoleMediator}, []string{"note"}},
	{"session", []Status{StatusInResolution}, "", []Role{RoleHandler, RoleMediator}, []string{"date", "place", "participants", "note"}},
	{"judicial", []Status{StatusInResolution, StatusClosed, StatusInformed, StatusVisited}, "", []Role{RoleHandler, RoleMediator}, []string{"result"}},
	{"pause", []Status{StatusInResolution}, "", []Role{RoleHandler, RoleMediator}, []string{"reason", "due"}},
	{"resume", []Status{StatusInResolution}, "", []Role{RoleHandler, RoleMediator, RoleDispatcher}, nil},
	{"extend_request", []Status{StatusInResolution}, "", []Role{RoleHandler, RoleMediator}, []string{"reason", "days"}},
	{"extend_approve", []Status{StatusInResolution}, "", []Role{RoleLeader}, []string{"method"}},
	{"extend_reject", []Status{StatusInResolution}, "", []Role{RoleLeader}, []string{"reason"}},
	{"close", []Status{StatusInResolution}, StatusClosed, []Role{RoleHandler, RoleMediator}, []string{"outcome"}},
	{"inform", []Status{StatusClosed}, StatusInformed, []Role{RoleHandler, RoleMediator, RoleReceptionist}, []string{"method"}},
	{"visit", []Status{StatusInformed}, StatusVisited, []Role{RoleReceptionist, RoleDispatcher}, []string{"satisfaction"}},
	{"reopen", []Status{StatusVisited}, StatusAssessed, []Role{RoleDispatcher}, []string{"reason"}},
	{"archive", []Status{StatusVisited}, StatusArchived, []Role{RoleDispatcher}, nil},
	{"remind", nil, "", []Role{RoleDispatcher, RoleLeader}, nil},
	{"supervise", nil, "", []Role{RoleLeader}, []string{"note", "due"}},
	{"reply", nil, "", []Role{RoleHandler, RoleMediator}, []string{"note"}},
	{"watch", []Status{StatusClosed, StatusInformed, StatusVisited, StatusArchived}, "", []Role{RoleDispatcher}, []string{"assignee", "days"}},
	{"checkin", []Status{StatusClosed, StatusInformed, StatusVisited, StatusArchived}, "", []Role{RoleGridWorker}, []string{"note"}},
	{"unwatch", []Status{StatusClosed, StatusInformed, StatusVisited, StatusArchived}, "", []Role{RoleDispatcher}, []string{"reason"}},
	{"milestone", []Status{StatusInResolution}, "", []Role{RoleHandler, RoleMediator}, []string{"note", "due"}},
	{"milestone_done", []Status{StatusInResolution, StatusClosed, StatusInformed, StatusVisited}, "", []Role{RoleHandler, RoleMediator}, []string{"milestone"}},
	{"correct", nil, "", []Role{RoleReceptionist, RoleDispatcher}, []string{"reason"}},
	{"note", nil, "", []Role{RoleReceptionist, RoleDispatcher, RoleHandler, RoleMediator, RoleGridWorker, RoleLeader}, []string{"note"}},
}

// TransitionFor returns the row for an action.
func TransitionFor(action string) (Transition, bool) {
	for _, t := range Workflow {
		if t.Action == action {
			return t, true
		}
	}
	return Transition{}, false
}

// Allows reports whether the transition may start from status s.
func (t Transition) Allows(s Status) bool {
	if len(t.From) == 0 {
		return s.Open()
	}
	for _, f := range t.From {
		if f == s {
			return true
		}
	}
	return false
}

// CaseInput is what registration takes.
type CaseInput struct {
	Channel     string
	Category    string
	Description string
	OrgCode     string
	Address     string
	Lat, Lng    *float64
	AmountYuan  float64
	PeopleCount int
	ReferredTo  string // out of remit: closed at once as referred
	Parties     []Party
}

func in[T ~string](v string, set []T) bool {
	for _, x := range set {
		if string(x) == v {
			return true
		}
	}
	return false
}

// Validate checks a registration and normalises phones and ID numbers in
// place. now is used for birth-date checks.
func (in_ *CaseInput) Validate(now time.Time) error {
	f := FieldErrors{}
	in_.validateMatter(f)
	if len(in_.Parties) == 0 {
		f.Add("parties", "case.parties.required")
	}
	if len(in_.Parties) > 200 {
		f.Add("parties", "case.parties.too_many")
	}
	applicant := false
	for i := range in_.Parties {
		p := &in_.Parties[i]
		p.validate(i, now, f)
		if p.Role == "applicant" {
			applicant = true
		}
	}
	if len(in_.Parties) > 0 && !applicant {
		f.Add("parties", "case.parties.applicant")
	}
	return f.Err()
}

// validateMatter checks (and trims) the matter's own fields into f.
func (in_ *CaseInput) validateMatter(f FieldErrors) {
	in_.Channel = strings.TrimSpace(in_.Channel)
	if !in(in_.Channel, Channels) {
		f.Add("channel", "case.channel.invalid")
	}
	if strings.TrimSpace(in_.Category) == "" {
		f.Add("category", "field.required")
	}
	in_.Description = strings.TrimSpace(in_.Description)
	switch n := utf8.RuneCountInString(in_.Description); {
	case n == 0:
		f.Add("description", "field.required")
	case n < 10:
		f.Add("description", "case.description.short")
	case n > 5000 || !utf8.ValidString(in_.Description):
		f.Add("description", "field.too_long")
	}
	if !ValidCode(strings.TrimSpace(in_.OrgCode)) {
		f.Add("org_code", "org.code.invalid")
	}
	in_.Address = strings.TrimSpace(in_.Address)
	if in_.Address == "" {
		f.Add("address", "field.required")
	} else if utf8.RuneCountInString(in_.Address) > 200 {
		f.Add("address", "field.too_long")
	}
	if math.IsNaN(in_.AmountYuan) || math.IsInf(in_.AmountYuan, 0) || in_.AmountYuan < 0 || in_.AmountYuan > 1e11 {
		f.Add("amount", "case.amount.invalid")
	}
	if in_.PeopleCount < 0 || in_.PeopleCount > 1000000 {
		f.Add("people_count", "case.people.invalid")
	}
	if (in_.Lat == nil) != (in_.Lng == nil) || (in_.Lat != nil && (*in_.Lat < -90 || *in_.Lat > 90 || *in_.Lng < -180 || *in_.Lng > 180)) {
		f.Add("coordinates", "case.coordinates.invalid")
	}
	if utf8.RuneCountInString(in_.ReferredTo) > 100 {
		f.Add("referred_to", "field.too_long")
	}
	for name, v := range map[string]string{"channel": in_.Channel, "category": in_.Category, "description": in_.Description,
		"org_code": in_.OrgCode, "address": in_.Address, "referred_to": in_.ReferredTo} {
		if !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
			f.Add(name, "field.invalid_text")
		}
	}
}

// validate checks (and normalises) party i of a registration into f.
func (p *Party) validate(i int, now time.Time, f FieldErrors) {
	key := func(field string) string { return "parties[" + itoa(i) + "]." + field }
	p.Name = strings.TrimSpace(p.Name)
	for name, v := range map[string]string{"name": p.Name, "kind": p.Kind, "role": p.Role, "id_type": p.IDType, "id_number": p.IDNumber,
		"no_id_reason": p.NoIDReason, "phone": p.Phone, "address": p.Address, "uscc": p.USCC} {
		if !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
			f.Add(key(name), "field.invalid_text")
		} else if utf8.RuneCountInString(v) > 200 {
			f.Add(key(name), "field.too_long")
		}
	}
	if p.Kind == "" {
		p.Kind = "person"
	}
	if p.Kind != "person" && p.Kind != "org" {
		f.Add(key("kind"), "party.kind.invalid")
	}
	if !in(p.Role, PartyRoles) {
		f.Add(key("role"), "party.role.invalid")
	}
	if p.Name == "" {
		f.Add(key("name"), "field.required")
	} else if utf8.RuneCountInString(p.Name) > 100 {
		f.Add(key("name"), "field.too_long")
	}
	if p.Phone != "" {
		ph, ok := NormalizePhone(p.Phone)
		if !ok {
			f.Add(key("phone"), "party.phone.invalid")
		}
		p.Phone = ph
	}
	if utf8.RuneCountInString(p.Address) > 200 {
		f.Add(key("address"), "field.too_long")
	}
	p.validateID(key, now, f)
}

// validateID checks (and normalises) a party's identification: an
// organisation's USCC, or a person's ID number of its type, or the reason
// an applicant has none.
func (p *Party) validateID(key func(string) string, now time.Time, f FieldErrors) {
	if p.IDNumber != "" && p.IDType == "" {
		p.IDType = "resident"
	}
	switch {
	case p.Kind == "org":
		p.IDType, p.IDNumber, p.NoIDReason = "none", "", "" // organisations are identified by the USCC
		if p.USCC != "" {
			p.USCC = NormalizeUSCC(p.USCC)
			if _, err := CheckUSCC(p.USCC); err != nil {
				f.Add(key("uscc"), err.(*Error).Key)
			}
		}
	case p.IDType == "resident":
		p.USCC = ""
		p.IDNumber = NormalizeIDNumber(p.IDNumber)
		if err := CheckResidentID(p.IDNumber, now); err != nil {
			f.Add(key("id_number"), err.(*Error).Key)
		}
	case p.IDType == "foreign", p.IDType == "hk_mo_tw":
		if l := len(strings.TrimSpace(p.IDNumber)); l < 6 || l > 30 {
			f.Add(key("id_number"), "id.shape")
		}
		p.IDNumber = strings.ToUpper(strings.TrimSpace(p.IDNumber))
	case p.IDType == "", p.IDType == "none":
		p.IDType = "none"
		p.IDNumber = ""
	default:
		f.Add(key("id_type"), "party.id_type.invalid")
	}
	p.NoIDReason = strings.TrimSpace(p.NoIDReason)
	if p.Kind == "person" && p.IDType == "none" && p.Role == "applicant" && p.NoIDReason == "" {
		// An applicant without an ID number needs a reason (refused, lost, unknown).
		f.Add(key("no_id_reason"), "party.no_id_reason")
	}
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b [20]byte
	n := len(b)
	for i > 0 {
		n--
		b[n] = byte('0' + i%10)
		i /= 10
	}
	return string(b[n:])
}

// OpenStatuses are the states before closure: the matter is still being
// worked on.
var OpenStatuses = []Status{StatusRegistered, StatusAssessed, StatusDispatched, StatusReturned, StatusInResolution}

// FollowUpStatuses are the states after closure whose step has a deadline:
// the parties to be told the result, then the return visit. An overdue
// matter is in hand (OpenStatuses) or late in its follow-up (these).
var FollowUpStatuses = []Status{StatusClosed, StatusInformed}
