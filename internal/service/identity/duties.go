package identity

import (
	"context"
	"jiefen/internal/app"
	"jiefen/internal/authz"
	"jiefen/internal/domain"
	"slices"
)

// The separation of duties on accounts (三权分立, SECURITY.md AC-1): which
// roles one account may hold, who may give them, and whose accounts an
// administrator may manage.

// checkRoleGrant applies the separation of duties to an account's new
// roles (before is nil for a new account): the set itself (one
// administrator's role at most, and nothing beside it); nobody changes
// their own roles; and the three administrators' roles are given and taken
// only on the command line, so no administrator can make another, or
// themselves, one (SECURITY.md AC-1).
func (s *Service) checkRoleGrant(ctx context.Context, before *domain.User, roles []domain.Role) error {
	if err := domain.CheckRoleSet(roles); err != nil {
		return err
	}
	a := domain.ActorFrom(ctx).User
	if a == nil {
		return nil // the operator
	}
	if before != nil && before.ID == a.ID && domain.JoinRoles(before.Roles) != domain.JoinRoles(roles) {
		return &domain.Error{Code: domain.Forbidden, Key: "user.role.own", Fields: map[string]string{"roles": "user.role.own"}}
	}
	var had []domain.Role
	if before != nil {
		had = before.Roles
	}
	if slices.ContainsFunc(roles, domain.Role.IsAdmin) || slices.ContainsFunc(had, domain.Role.IsAdmin) {
		return &domain.Error{Code: domain.Forbidden, Key: "user.role.admin_by_operator", Fields: map[string]string{"roles": "user.role.admin_by_operator"}}
	}
	return nil
}

// An administrator's account (any of the three) is managed on the command
// line only: a system administrator who could reset an audit
// administrator's password could read the audit log as them.
func (s *Service) checkManage(ctx context.Context, u *domain.User) error {
	if err := s.Check(ctx, authz.UserManage, "user", u.Username, u.OrgPath); err != nil {
		return err
	}
	if domain.ActorFrom(ctx).User != nil && slices.ContainsFunc(u.Roles, domain.Role.IsAdmin) {
		return app.Refuse(domain.Forbidden, "user.admin_by_operator", "user.manage", "user", u.Username, u.OrgPath)
	}
	return nil
}
