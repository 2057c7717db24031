package domain

import (
	"slices"
	"strings"
)

// Role is a business or administrative role from DOMAIN.md.
type Role string

const (
	RoleReceptionist Role = "receptionist"
	RoleDispatcher   Role = "dispatcher"
	RoleHandler      Role = "handler"
	RoleMediator     Role = "mediator"
	RoleGridWorker   Role = "grid_worker"
	RoleLeader       Role = "leader"
	RoleReviewer     Role = "reviewer"
	RoleCitizen      Role = "citizen"

	// The three administrators (三权分立, SECURITY.md AC-1): the system
	// administrator keeps accounts, the tree and the centre's registries;
	// the security administrator the security policy and what it reports;
	// the audit administrator reads the audit log and nothing else.
	RoleAdmin         Role = "admin"
	RoleSecurityAdmin Role = "security_admin"
	RoleAuditAdmin    Role = "audit_admin"

	// RoleOperator is the command line's principal (Actor.Principal), never
	// an account's: it is not in AllRoles, so no account can be given it.
	RoleOperator Role = "operator"
)

// AllRoles lists every role in display order.
var AllRoles = []Role{
	RoleReceptionist, RoleDispatcher, RoleHandler, RoleMediator,
	RoleGridWorker, RoleLeader, RoleReviewer, RoleAdmin, RoleSecurityAdmin, RoleAuditAdmin, RoleCitizen,
}

// AdminRoles are the three administrators' roles.
var AdminRoles = []Role{RoleAdmin, RoleSecurityAdmin, RoleAuditAdmin}

// IsAdmin reports whether r is one of the three administrators' roles.
func (r Role) IsAdmin() bool { return slices.Contains(AdminRoles, r) }

// CheckRoleSet enforces the separation of duties on one account's roles:
// at most one administrator's role, and an administrator holds no other
// role; a citizen's account holds no staff role (SECURITY.md AC-1).
func CheckRoleSet(roles []Role) error {
	admins := 0
	for _, r := range roles {
		if r.IsAdmin() {
			admins++
		}
	}
	switch {
	case admins > 1:
		return &Error{Code: Invalid, Key: "user.role.two_admins", Fields: map[string]string{"roles": "user.role.two_admins"}}
	case admins == 1 && len(roles) > 1:
		return &Error{Code: Invalid, Key: "user.role.admin_alone", Fields: map[string]string{"roles": "user.role.admin_alone"}}
	case slices.Contains(roles, RoleCitizen) && len(roles) > 1:
		return &Error{Code: Invalid, Key: "user.role.citizen_alone", Fields: map[string]string{"roles": "user.role.citizen_alone"}}
	}
	return nil
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(AllRoles, r) }

// ParseRoles reads a comma-separated role list such as "dispatcher,leader".
// It rejects unknown roles and an empty list; duplicates are dropped.
func ParseRoles(s string) ([]Role, error) {
	var out []Role
	for part := range strings.SplitSeq(s, ",") {
		r := Role(strings.TrimSpace(part))
		if r == "" {
			continue
		}
		if !r.Valid() {
			return nil, Errorf(Invalid, "user.role.unknown", string(r))
		}
		if slices.Contains(out, r) {
			continue
		}
		out = append(out, r)
	}
	if len(out) == 0 {
		return nil, Errorf(Invalid, "user.role.required")
	}
	return out, nil
}

// JoinRoles is the inverse of ParseRoles.
func JoinRoles(rs []Role) string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = string(r)
	}
	return strings.Join(s, ",")
}
