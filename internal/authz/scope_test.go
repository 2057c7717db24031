package authz_test

import (
	"testing"

	"jiefen/internal/authz"
	"jiefen/internal/domain"
)

// A scope is offered (and accepted) only where the account's roles can use
// it: a token never holds what its account could not do.
func TestUsableScopes(t *testing.T) {
	for _, c := range []struct {
		roles []domain.Role
		want  string
	}{
		{[]domain.Role{domain.RoleReceptionist}, "read write cases:read cases:write stats:read exports reveal"},
		{[]domain.Role{domain.RoleReviewer}, "read write cases:read cases:write stats:read exports"},
		{[]domain.Role{domain.RoleAdmin}, "read write cases:read cases:write stats:read admin:read admin:write exports"},
		{[]domain.Role{domain.RoleCitizen}, ""},
	} {
		u := &domain.User{Roles: c.roles, OrgPath: "/610831/"}
		if got := domain.JoinScopes(authz.UsableScopes(u)); got != c.want {
			t.Errorf("%v: %q, want %q", c.roles, got, c.want)
		}
	}
	if authz.ScopeUsable(&domain.User{Roles: []domain.Role{domain.RoleAdmin}, Disabled: true}, domain.ScopeRead) {
		t.Error("a disabled account can use a scope")
	}
}

func TestCovers(t *testing.T) {
	for _, c := range []struct {
		have []domain.Scope
		need domain.Scope
		want bool
	}{
		{[]domain.Scope{domain.ScopeRead}, domain.ScopeCasesRead, true},
		{[]domain.Scope{domain.ScopeRead}, domain.ScopeCasesWrite, false},
		{[]domain.Scope{domain.ScopeRead, domain.ScopeWrite}, domain.ScopeExports, false},
		{[]domain.Scope{domain.ScopeWrite}, domain.ScopeAdminWrite, true},
		{[]domain.Scope{domain.ScopeExports}, domain.ScopeExports, true},
		{[]domain.Scope{domain.ScopeCasesRead}, domain.ScopeStatsRead, false},
		{nil, "", true},
	} {
		if got := domain.Covers(c.have, c.need); got != c.want {
			t.Errorf("%v covers %q: %v", c.have, c.need, got)
		}
	}
}
