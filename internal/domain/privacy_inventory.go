package domain

// PersonalField is one item of personal data the centre holds (the field
// inventory, SECURITY.md PI-1): the record it lives in, the field, how it
// is protected, why it is held (privacy.purpose.<Purpose>), on what legal
// basis (privacy.basis.<Basis>), how long (a retention rule's kind, or
// privacy.retention.<Retention> for a fixed rule), and which authorization
// actions show it: See masked (or plain when not Masked), Full in full.
// The processing record (个人信息处理活动记录) is generated from it.
type PersonalField struct {
	Record    string // party, member, case, attachment, account, audit
	Field     string
	Sealed    bool // encrypted at rest (DC-2), found through a keyed blind index
	Masked    bool // masked wherever it is listed (PI-4)
	Sensitive bool // sensitive personal information (PIPL 28; GB/T 35273-2020 annex B)
	Purpose   string
	Basis     string
	Retention string
	See       []string
	Full      []string
}

// The legal bases of the inventory (message keys privacy.basis.*).
const (
	// BasisDuty: PIPL 13(3), necessary for a statutory duty, processed by
	// a state organ within its statutory remit (art. 34).
	BasisDuty = "duty"
	// BasisStaff: PIPL 13(2), necessary for human-resources management
	// under the rules of the workplace (the staff's own accounts).
	BasisStaff = "staff"
	// BasisLog: PIPL 13(3) with the Cybersecurity Law's art. 21(3): network
	// logs are kept at least six months.
	BasisLog = "log"
)

// Who sees what, as authorization actions (authz names them).
var (
	seeCase     = []string{"case.view"}
	fullReveal  = []string{"personal.reveal", "personal.export"}
	fullCopy    = []string{"privacy.handle"}
	seeAccounts = []string{"user.view"}
	seeAudit    = []string{"audit.view"}
)

// PersonalInventory lists every personal field held. A store test checks
// that every column of the parties' and the household lists' tables is
// here or named as holding none.
var PersonalInventory = []PersonalField{
	{Record: "party", Field: FieldName, Purpose: "identify", Basis: BasisDuty, Retention: RetainParties, See: seeCase, Full: seeCase},
	{Record: "party", Field: FieldIDNumber, Sealed: true, Masked: true, Sensitive: true, Purpose: "identify", Basis: BasisDuty,
		Retention: RetainParties, See: seeCase, Full: fullReveal},
	{Record: "party", Field: FieldPhone, Sealed: true, Masked: true, Purpose: "contact", Basis: BasisDuty, Retention: RetainParties,
		See: seeCase, Full: fullReveal},
	{Record: "party", Field: FieldAddress, Purpose: "contact", Basis: BasisDuty, Retention: RetainParties, See: seeCase, Full: seeCase},
	{Record: "party", Field: FieldNoIDReason, Purpose: "identify", Basis: BasisDuty, Retention: RetainParties, See: seeCase, Full: seeCase},
	{Record: "member", Field: FieldName, Masked: true, Purpose: "group", Basis: BasisDuty, Retention: RetainMembers, See: seeCase, Full: fullCopy},
	{Record: "member", Field: FieldIDNumber, Sealed: true, Masked: true, Sensitive: true, Purpose: "group", Basis: BasisDuty,
		Retention: RetainMembers, See: seeCase, Full: fullCopy},
	{Record: "member", Field: FieldPhone, Sealed: true, Masked: true, Purpose: "contact", Basis: BasisDuty, Retention: RetainMembers,
		See: seeCase, Full: fullCopy},
	{Record: "member", Field: FieldAmount, Purpose: "group", Basis: BasisDuty, Retention: RetainMembers, See: seeCase, Full: seeCase},
	{Record: "member", Field: FieldNote, Purpose: "group", Basis: BasisDuty, Retention: RetainMembers, See: seeCase, Full: seeCase},
	{Record: "case", Field: "description", Purpose: "handle", Basis: BasisDuty, Retention: RetainParties, See: seeCase, Full: seeCase},
	{Record: "attachment", Field: "file", Purpose: "evidence", Basis: BasisDuty, Retention: "with_matter", See: seeCase, Full: seeCase},
	{Record: "account", Field: FieldName, Purpose: "staff", Basis: BasisStaff, Retention: "account", See: seeAccounts, Full: seeAccounts},
	{Record: "account", Field: FieldPhone, Purpose: "staff", Basis: BasisStaff, Retention: "account", See: seeAccounts, Full: seeAccounts},
	{Record: "audit", Field: "ip", Purpose: "audit", Basis: BasisLog, Retention: RetainAudit, See: seeAudit, Full: seeAudit},
}

// NoPersonalData names the columns of the parties' and the household
// lists' tables that hold no personal data of their own, or hold one of
// the inventory's fields in another form (sealed, indexed, masked).
var NoPersonalData = map[string][]string{
	"parties": {"id", "case_id", "kind", "role", "id_type", "id_kid", "id_enc", "id_bidx", "id_masked",
		"phone_kid", "phone_enc", "phone_bidx", "phone_masked", "uscc"},
	"group_members": {"id", "case_id", "row_no", "village_code", "id_kid", "id_enc", "id_bidx", "id_masked",
		"phone_kid", "phone_enc", "phone_masked", "amount_cents", "status", "status_note", "confirmed_by", "confirmed_at", "version"},
}

// ProcessingItem is one line of the processing record: a field of the
// inventory with the roles that see it (masked and in full) and, when a
// retention rule governs it, the rule.
type ProcessingItem struct {
	PersonalField
	SeeRoles  []Role
	FullRoles []Role
	Rule      *RetentionRule
}
