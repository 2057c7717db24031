// Package authz is jiefen's one authorization function: every web page, API
// call, export, search and CLI use-case asks Check (role × action × the
// object's place in the administrative tree). Default deny.
package authz

import (
	"slices"
	"strings"

	"jiefen/internal/domain"
)

// Action is something a user may try to do.
type Action string

const (
	Public         Action = "public"          // no login needed (login page, health)
	Authenticated  Action = "authenticated"   // any logged-in account, own data only
	OrgView        Action = "org.view"        // read the administrative tree
	OrgCreate      Action = "org.create"      // create grid cells
	UserView       Action = "user.view"       // list and read accounts
	UserManage     Action = "user.manage"     // create, edit, disable, reset, end sessions
	AuditView      Action = "audit.view"      // search the audit log
	SecurityView   Action = "security.view"   // the security policy in force, who may do what, and the security report
	PersonalReveal Action = "personal.reveal" // see full ID numbers and phones
	PersonalExport Action = "personal.export" // ask to export the ledger with full names, ID numbers and phones
	ExportApprove  Action = "export.approve"  // approve another user's request to export personal data
	CaseRegister   Action = "case.register"   // register a matter
	CaseView       Action = "case.view"       // list and read matters (personal data masked)
	CaseAct        Action = "case.act"        // workflow actions (the Workflow table names the roles per action)
	CaseSuggest    Action = "case.suggest"    // ask for the assessment's suggestions on a text (nothing saved)
	GroupKeepAny   Action = "group.keep_any"  // keep any matter's household list, not only one's own
	Operate        Action = "operate"         // the operator's own commands: import the tree, demo passwords, list every matter
	// The rights of the people in the data (PIPL 44–47, SECURITY.md PI-6).
	PrivacyHandle  Action = "privacy.handle"  // find what is held about a person, ask for their copy, correct it, run and set retention
	PrivacyApprove Action = "privacy.approve" // approve another person's request for a person's copy
	PrivacyRecord  Action = "privacy.record"  // read the processing record (个人信息处理活动记录)
)

// Actions lists every action for the matrix test and the docs.
var Actions = []Action{Authenticated, OrgView, OrgCreate, UserView, UserManage, AuditView, SecurityView, PersonalReveal, PersonalExport, ExportApprove, CaseRegister, CaseView, CaseAct, CaseSuggest, GroupKeepAny, Operate,
	PrivacyHandle, PrivacyApprove, PrivacyRecord}

var staff = []domain.Role{
	domain.RoleReceptionist, domain.RoleDispatcher, domain.RoleHandler, domain.RoleMediator,
	domain.RoleGridWorker, domain.RoleLeader, domain.RoleReviewer, domain.RoleAdmin,
}

const op = domain.RoleOperator

// policy says which roles may do what. Scope (the subtree rule) is applied on
// top by Check. The duties are separate (三权分立, SECURITY.md AC-1, AU-7):
// the system administrator keeps accounts, the tree and the registries and
// reads matters masked, but never reveals personal data or reads the audit
// log; the security administrator sees the policy and the security report;
// the audit administrator reads the audit log and nothing else. Only roles
// that handle parties may reveal. The operator of the command line (whose
// principal holds the whole tree) administers, reads matters masked and
// runs its own commands; it never reveals, exports in full, registers or
// acts on a matter.
var policy = map[Action][]domain.Role{
	Authenticated: append(slices.Clone(staff), domain.RoleSecurityAdmin, domain.RoleAuditAdmin, domain.RoleCitizen),
	OrgView:       append(slices.Clone(staff), op),
	OrgCreate:     {domain.RoleAdmin, op},
	UserView:      {domain.RoleAdmin, op},
	UserManage:    {domain.RoleAdmin, op},
	AuditView:     {domain.RoleAuditAdmin, op},
	SecurityView:  {domain.RoleSecurityAdmin, op},
	PersonalReveal: {
		domain.RoleReceptionist, domain.RoleDispatcher, domain.RoleHandler,
		domain.RoleMediator, domain.RoleGridWorker, domain.RoleLeader,
	},
	// Exporting personal data in bulk is the duty officers' alone (the
	// official ledger); everyone else's export is masked.
	PersonalExport: {domain.RoleDispatcher},
	// A second person approves it (PI-3): another duty officer or a leader
	// over the place.
	ExportApprove: {domain.RoleDispatcher, domain.RoleLeader},
	CaseRegister:  {domain.RoleReceptionist, domain.RoleDispatcher, domain.RoleGridWorker},
	CaseView:      append(slices.Clone(staff), op),
	CaseAct: {
		domain.RoleReceptionist, domain.RoleDispatcher, domain.RoleHandler,
		domain.RoleMediator, domain.RoleGridWorker, domain.RoleLeader,
	},
	CaseSuggest:  {domain.RoleReceptionist, domain.RoleDispatcher, domain.RoleGridWorker, op},
	GroupKeepAny: {op},
	Operate:      {op},
	// A person's request about their own data (查阅、复制、更正、删除) is
	// the security administrator's: the office that answers for personal
	// information (PIPL 52) across the county, not one of the people who
	// handle the matters it is asked about. Finding shows which fields are
	// held, never their values; the copy, with the values, is made only
	// after a second person approves. The operator finds, corrects and
	// runs retention at the console but never asks for a copy: a request
	// from it could be approved by the same person's account.
	PrivacyHandle: {domain.RoleSecurityAdmin, op},
	// The second person: another security administrator, or a leader over
	// the place (who approves the ledger's exports too).
	PrivacyApprove: {domain.RoleSecurityAdmin, domain.RoleLeader},
	// What is held, why, how long and who sees it is no secret inside the
	// centre (PIPL 7: openness).
	PrivacyRecord: append(slices.Clone(staff), domain.RoleSecurityAdmin, domain.RoleAuditAdmin, op),
}

// Roles returns the roles allowed an action (for docs and navigation).
func Roles(a Action) []domain.Role { return policy[a] }

// Allowed reports whether u may do a at all, ignoring the object's place.
func Allowed(u *domain.User, a Action) bool {
	if a == Public {
		return true
	}
	if u == nil || u.Disabled {
		return false
	}
	for _, r := range policy[a] {
		if u.Has(r) {
			return true
		}
	}
	return false
}

// Check returns nil when u may do a on an object whose tree path is objPath
// ("" for an object with no place, such as the user's own account), else
// domain.ErrForbidden. An object outside the user's subtree is forbidden.
func Check(u *domain.User, a Action, objPath string) error {
	if !Allowed(u, a) {
		return domain.ErrForbidden
	}
	if a == Public || objPath == "" {
		return nil
	}
	if u.OrgPath == "" || !strings.HasPrefix(objPath, u.OrgPath) {
		return domain.ErrForbidden
	}
	return nil
}
