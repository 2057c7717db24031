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
	RoleAdmin        Role = "admin"
	RoleCitizen      Role = "citizen"

	// RoleOperator is the command line's principal (Actor.Principal), never
	// an account's: it is not in AllRoles, so no account can be given it.
	RoleOperator Role = "operator"
)

// AllRoles lists every role in display order.
var AllRoles = []Role{
	RoleReceptionist, RoleDispatcher, RoleHandler, RoleMediator,
	RoleGridWorker, RoleLeader, RoleReviewer, RoleAdmin, RoleCitizen,
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
