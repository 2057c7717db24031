package authz_test

import (
	"slices"
	"testing"

	"jiefen/internal/authz"
	"jiefen/internal/domain"
)

// expected is written out by hand (not derived from the policy) so that a
// change to the policy must be made twice, deliberately.
var expected = map[domain.Role][]authz.Action{
	domain.RoleReceptionist: {authz.Authenticated, authz.OrgView, authz.PersonalReveal, authz.CaseRegister, authz.CaseView, authz.CaseAct, authz.CaseSuggest},
	domain.RoleDispatcher:   {authz.Authenticated, authz.OrgView, authz.PersonalReveal, authz.PersonalExport, authz.ExportApprove, authz.CaseRegister, authz.CaseView, authz.CaseAct, authz.CaseSuggest},
	domain.RoleHandler:      {authz.Authenticated, authz.OrgView, authz.PersonalReveal, authz.CaseView, authz.CaseAct},
	domain.RoleMediator:     {authz.Authenticated, authz.OrgView, authz.PersonalReveal, authz.CaseView, authz.CaseAct},
	domain.RoleGridWorker:   {authz.Authenticated, authz.OrgView, authz.PersonalReveal, authz.CaseRegister, authz.CaseView, authz.CaseAct, authz.CaseSuggest},
	domain.RoleLeader:       {authz.Authenticated, authz.OrgView, authz.PersonalReveal, authz.ExportApprove, authz.CaseView, authz.CaseAct},
	domain.RoleReviewer:     {authz.Authenticated, authz.OrgView, authz.CaseView},
	domain.RoleAdmin:        {authz.Authenticated, authz.OrgView, authz.OrgCreate, authz.UserView, authz.UserManage, authz.CaseView},
	// The security and the audit administrator do their one duty only (AC-1,
	// AU-7): the audit log is the audit administrator's alone.
	domain.RoleSecurityAdmin: {authz.Authenticated, authz.SecurityView},
	domain.RoleAuditAdmin:    {authz.Authenticated, authz.AuditView},
	domain.RoleCitizen:       {authz.Authenticated},
}

// expectedPrivacy adds the actions of the people's rights over their data
// (PIPL 44–47): the processing record for every member of staff, handling
// for the security administrator, approving for it and the leaders.
var expectedPrivacy = map[domain.Role][]authz.Action{
	domain.RoleReceptionist: {authz.PrivacyRecord}, domain.RoleDispatcher: {authz.PrivacyRecord}, domain.RoleHandler: {authz.PrivacyRecord},
	domain.RoleMediator: {authz.PrivacyRecord}, domain.RoleGridWorker: {authz.PrivacyRecord}, domain.RoleReviewer: {authz.PrivacyRecord},
	domain.RoleLeader: {authz.PrivacyApprove, authz.PrivacyRecord}, domain.RoleAdmin: {authz.PrivacyRecord},
	domain.RoleSecurityAdmin: {authz.PrivacyHandle, authz.PrivacyApprove, authz.PrivacyRecord}, domain.RoleAuditAdmin: {authz.PrivacyRecord},
}

// TestMatrix checks every role against every action on an object inside the
// user's subtree (allowed only if the role has the action), outside it
// (always refused), at the user's own node, and with no place.
func TestMatrix(t *testing.T) {
	const township = "/610831/610831101/"
	places := []struct {
		name   string
		path   string
		inside bool
	}{
		{"own node", township, true},
		{"village below", township + "610831101200/", true},
		{"grid below", township + "610831101200/610831101200001/", true},
		{"other township", "/610831/610831001/", false},
		{"village of other township", "/610831/610831001/610831001200/", false},
		{"county above", "/610831/", false},
		{"prefix trick", "/610831/6108311010/", false},
	}
	for _, role := range domain.AllRoles {
		u := &domain.User{ID: 1, Roles: []domain.Role{role}, OrgPath: township}
		for _, a := range authz.Actions {
			want := false
			for _, x := range append(slices.Clone(expected[role]), expectedPrivacy[role]...) {
				if x == a {
					want = true
				}
			}
			if got := authz.Allowed(u, a); got != want {
				t.Errorf("%s %s: Allowed=%v, want %v", role, a, got, want)
			}
			for _, p := range places {
				err := authz.Check(u, a, p.path)
				if ok := err == nil; ok != (want && p.inside) {
					t.Errorf("%s %s on %s (%s): allowed=%v, want %v", role, a, p.name, p.path, ok, want && p.inside)
				}
			}
		}
	}
}

// TestOperator: the command line's principal administers the whole tree
// and reads matters masked; it never reveals, exports, registers or acts.
func TestOperator(t *testing.T) {
	op := domain.OperatorActor().Principal()
	want := []authz.Action{authz.OrgView, authz.OrgCreate, authz.UserView, authz.UserManage, authz.AuditView, authz.SecurityView,
		authz.CaseView, authz.CaseSuggest, authz.GroupKeepAny, authz.Operate,
		authz.PrivacyHandle, authz.PrivacyRecord}
	for _, a := range authz.Actions {
		allowed := false
		for _, x := range want {
			allowed = allowed || x == a
		}
		if got := authz.Check(op, a, "/610831/610831101/") == nil; got != allowed {
			t.Errorf("operator %s: allowed=%v, want %v", a, got, allowed)
		}
	}
	if (&domain.Actor{}).Principal() != nil || domain.RoleOperator.Valid() {
		t.Error("an anonymous visitor has a principal, or an account could be given the operator's role")
	}
}

func TestCheckRefusesWithoutUser(t *testing.T) {
	for _, a := range authz.Actions {
		if authz.Check(nil, a, "") == nil {
			t.Errorf("anonymous allowed %s", a)
		}
		dis := &domain.User{Roles: []domain.Role{domain.RoleAdmin}, OrgPath: "/610831/", Disabled: true}
		if authz.Check(dis, a, "/610831/") == nil {
			t.Errorf("disabled user allowed %s", a)
		}
	}
	if authz.Check(nil, authz.Public, "") != nil {
		t.Error("public refused")
	}
	// A user with no place in the tree sees nothing placed.
	if authz.Check(&domain.User{Roles: []domain.Role{domain.RoleAdmin}}, authz.UserView, "/610831/") == nil {
		t.Error("user without jurisdiction allowed")
	}
}

func TestMultipleRolesUnion(t *testing.T) {
	u := &domain.User{Roles: []domain.Role{domain.RoleReviewer, domain.RoleLeader}, OrgPath: "/610831/"}
	if !authz.Allowed(u, authz.ExportApprove) || !authz.Allowed(u, authz.CaseView) {
		t.Fatal("roles do not add up")
	}
}
