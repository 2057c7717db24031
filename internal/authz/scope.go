package authz

import (
	"slices"
	"strings"

	"jiefen/internal/domain"
)

// scopeActions are the actions the API routes of each token scope declare
// (api/scopes.go; a test there checks every route against this table). A
// scope is of use to an account allowed at least one of them; "read" and
// "write" to one that may use any …:read or …:write scope.
var scopeActions = map[domain.Scope][]Action{
	domain.ScopeCasesRead:  {CaseView, OrgView, CaseAct},
	domain.ScopeCasesWrite: {CaseRegister, CaseAct, CaseSuggest, CaseView},
	domain.ScopeStatsRead:  {CaseView, PrivacyRecord},
	domain.ScopeAdminRead:  {UserView, AuditView, UserManage, SecurityView},
	domain.ScopeAdminWrite: {UserManage, OrgCreate, SecurityView},
	domain.ScopeExports:    {CaseView, PersonalExport, ExportApprove, PrivacyHandle, PrivacyApprove},
	domain.ScopeReveal:     {PersonalReveal},
}

// ScopeActions returns the actions of a scope's routes ("read" and "write":
// none of their own).
func ScopeActions(s domain.Scope) []Action { return scopeActions[s] }

// ScopeUsable reports whether a token with scope s would let u do anything
// u's roles allow: a scope that gives the account nothing is refused when a
// token is made (a scope never widens the account's permissions).
func ScopeUsable(u *domain.User, s domain.Scope) bool {
	switch s {
	case domain.ScopeRead, domain.ScopeWrite:
		for sc := range scopeActions {
			if strings.HasSuffix(string(sc), ":"+string(s)) && ScopeUsable(u, sc) {
				return true
			}
		}
		return false
	}
	return slices.ContainsFunc(scopeActions[s], func(a Action) bool { return Allowed(u, a) })
}

// UsableScopes lists the scopes of use to u, in the order of domain.Scopes.
func UsableScopes(u *domain.User) []domain.Scope {
	var out []domain.Scope
	for _, s := range domain.Scopes {
		if ScopeUsable(u, s) {
			out = append(out, s)
		}
	}
	return out
}
