package service_test

import (
	"slices"
	"testing"
	"time"

	"jiefen/internal/domain"
	"jiefen/internal/jftest"
	"jiefen/internal/service/casework"
	"jiefen/internal/service/identity"
	"jiefen/internal/store"
)

// The separation of duties (issue 14, point 1 and 6; SECURITY.md AC-1,
// AU-7): an administrator cannot give itself a business role, make another
// administrator, or manage an administrator's account; one account holds one
// administrator's role and nothing beside it; only the audit administrator
// reads the audit log.
func TestSeparationOfDuties(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		svc := jftest.Service(st)
		jftest.SeedTree(t, svc)
		admin := jftest.MakeUser(t, svc, "townadmin", "610831101", domain.RoleAdmin)
		auditor := jftest.MakeUser(t, svc, "auditor", "610831", domain.RoleAuditAdmin)
		ctx := jftest.As(admin, "10.1.1.2")

		// The finding: a township admin gave itself dispatcher (and so could
		// reveal ID numbers). Refused, as adding or swapping any role of one's own.
		for _, roles := range [][]domain.Role{{domain.RoleAdmin, domain.RoleDispatcher}, {domain.RoleDispatcher}} {
			_, err := svc.UpdateUser(ctx, admin.ID, identity.UserPatch{Roles: roles})
			if err == nil {
				t.Fatalf("the admin gave itself %v", roles)
			}
		}
		if u, _ := svc.UserByUsername(jftest.CLI(), "townadmin"); domain.JoinRoles(u.Roles) != "admin" {
			t.Fatalf("the admin's roles are now %v", u.Roles)
		}
		// Business roles for others: yes; an administrator's role: command line only.
		clerk, err := svc.CreateUser(ctx, identity.NewUser{Username: "clerk", Name: "王芳", Roles: []domain.Role{domain.RoleReceptionist, domain.RoleMediator},
			OrgCode: "610831101", Password: jftest.Password})
		if err != nil || clerk.CreatedBy != admin.ID {
			t.Fatalf("create a clerk: %v (created by %d)", err, clerk.CreatedBy)
		}
		for _, r := range domain.AdminRoles {
			_, err := svc.CreateUser(ctx, identity.NewUser{Username: "new" + string(r[:3]), Name: "x", Roles: []domain.Role{r}, OrgCode: "610831101", Password: jftest.Password})
			if domain.ErrorKey(err) != "user.role.admin_by_operator" {
				t.Errorf("the admin made a %s: %v", r, err)
			}
			if _, err := svc.UpdateUser(ctx, clerk.ID, identity.UserPatch{Roles: []domain.Role{r}}); domain.ErrorKey(err) != "user.role.admin_by_operator" {
				t.Errorf("the admin turned a clerk into a %s: %v", r, err)
			}
		}
		// An administrator's account is not the system administrator's to manage.
		county := jftest.MakeUser(t, svc, "countyadmin", "610831", domain.RoleAdmin)
		if _, err := svc.ResetPassword(jftest.As(county, "x"), auditor.ID, ""); domain.ErrorKey(err) != "user.admin_by_operator" {
			t.Errorf("the system admin reset the audit admin's password: %v", err)
		}
		// The role sets, for everyone including the operator.
		for roles, key := range map[string]string{"admin,leader": "user.role.admin_alone", "audit_admin,security_admin": "user.role.two_admins",
			"audit_admin,reviewer": "user.role.admin_alone", "citizen,mediator": "user.role.citizen_alone"} {
			rs, _ := domain.ParseRoles(roles)
			_, err := svc.CreateUser(jftest.CLI(), identity.NewUser{Username: "set" + roles[:3], Name: "x", Roles: rs, OrgCode: "610831", Password: jftest.Password})
			if domain.ErrorKey(err) != key {
				t.Errorf("%s: %v, want %s", roles, err, key)
			}
		}
		// AU-7: the audit log is the audit administrator's alone, and its search is audited.
		if _, err := svc.SearchAudit(ctx, domain.AuditFilter{Limit: 5}); domain.ErrorCode(err) != domain.Forbidden {
			t.Errorf("the system admin searched the audit log: %v", err)
		}
		if es, err := svc.SearchAudit(jftest.As(auditor, "x"), domain.AuditFilter{Action: "user.create", Limit: 50}); err != nil || len(es) < 3 {
			t.Errorf("the audit admin's search: %d, %v", len(es), err)
		}
		if es, _ := svc.SearchAudit(jftest.CLI(), domain.AuditFilter{Action: "audit.search", Username: "auditor", Limit: 5}); len(es) == 0 {
			t.Error("the audit admin's search was not audited")
		}
		// An action is found by its whole name, underscores included; a
		// wildcard typed into the search is a character, not a wildcard.
		if _, err := svc.ResetPassword(jftest.CLI(), clerk.ID, ""); err != nil {
			t.Fatal(err)
		}
		if es, _ := svc.SearchAudit(jftest.As(auditor, "x"), domain.AuditFilter{Action: "user.reset_password", Limit: 5}); len(es) != 1 {
			t.Errorf("search by user.reset_password: %d entries, want 1", len(es))
		}
		if es, _ := svc.SearchAudit(jftest.As(auditor, "x"), domain.AuditFilter{Action: "user.%", Limit: 5}); len(es) != 0 {
			t.Errorf("a typed %% matched %d entries", len(es))
		}
	})
}

// The four-eyes rule (issue 14, points 1 and 7): an export is approved by
// another person — not an account the requester created or last changed,
// not one with the requester's phone; nobody approves their own extension,
// supervises a matter in their own hands or answers their own supervision.
func TestFourEyes(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newCaseEnv(t, st)
		svc := e.svc
		// A former administrator made an account, then became a dispatcher:
		// the account it made may not approve its export.
		former := jftest.MakeUser(t, svc, "former", "610831", domain.RoleAdmin)
		made, err := svc.CreateUser(jftest.As(former, "x"), identity.NewUser{Username: "made", Name: "马德", Roles: []domain.Role{domain.RoleLeader},
			OrgCode: "610831", Password: jftest.Password, NoForcedChange: true})
		if err != nil {
			t.Fatal(err)
		}
		phone := "13912340000"
		former, err = svc.UpdateUser(jftest.CLI(), former.ID, identity.UserPatch{Roles: []domain.Role{domain.RoleDispatcher}, Phone: &phone})
		if err != nil {
			t.Fatal(err)
		}
		twin := jftest.MakeUser(t, svc, "twin", "610831", domain.RoleLeader)
		if twin, err = svc.UpdateUser(jftest.CLI(), twin.ID, identity.UserPatch{Phone: &phone}); err != nil {
			t.Fatal(err)
		}
		r, err := svc.RequestLedger(as(former), casework.CaseQuery{}, "报送县司法局")
		if err != nil {
			t.Fatal(err)
		}
		for u, key := range map[*domain.User]string{former: "four_eyes.self", made: "four_eyes.made_by", twin: "four_eyes.same_person"} {
			if err := svc.ApproveLedger(as(u), r.ID); domain.ErrorKey(err) != key {
				t.Errorf("%s approves: %v, want %s", u.Username, err, key)
			}
		}
		if es, _ := svc.SearchAudit(jftest.CLI(), domain.AuditFilter{Action: "denied.export.approve", Limit: 10}); len(es) != 3 {
			t.Errorf("%d refused approvals audited, want 3", len(es))
		}
		if err := svc.ApproveLedger(as(e.leader), r.ID); err != nil {
			t.Fatalf("another person approves: %v", err)
		}

		// A leader who also handles matters asks for an extension and may
		// not approve it; another leader may.
		both := jftest.MakeUser(t, svc, "both", "610831", domain.RoleLeader, domain.RoleHandler)
		p := e.path("")
		c := p.Matter(t, landCase("610831101"), jftest.Assessed)
		c = p.Act(t, e.disp, c.ID, "dispatch", casework.ActionInput{Assignee: "both"})
		c = p.Act(t, both, c.ID, "sign", casework.ActionInput{})
		c = p.Act(t, both, c.ID, "extend_request", casework.ActionInput{Reason: "需等待司法鉴定", Days: 15})
		for _, answer := range []string{"extend_approve", "extend_reject"} {
			if _, err := svc.Act(as(both), c.ID, answer, casework.ActionInput{Method: "电话告知双方", Reason: "鉴定已完成"}); domain.ErrorKey(err) != "four_eyes.self" {
				t.Errorf("%s of one's own request: %v", answer, err)
			}
		}
		c = p.Act(t, e.leader, c.ID, "extend_approve", casework.ActionInput{Method: "电话告知双方"})
		// Nor supervises it, nor answers its own supervision.
		due := time.Now().Add(72 * time.Hour)
		if _, err := svc.Act(as(both), c.ID, "supervise", casework.ActionInput{Note: "请加快办理", Due: due}); domain.ErrorKey(err) != "four_eyes.self" {
			t.Errorf("supervising one's own matter: %v", err)
		}
		lead2 := jftest.MakeUser(t, svc, "lead2", "610831", domain.RoleLeader, domain.RoleHandler)
		c = p.Act(t, lead2, c.ID, "supervise", casework.ActionInput{Note: "请加快办理", Due: due})
		c = p.Act(t, e.disp, c.ID, "transfer", casework.ActionInput{Assignee: "lead2", Reason: "转由分管领导办理"})
		if _, err := svc.Act(as(lead2), c.ID, "reply", casework.ActionInput{Note: "已督促"}); domain.ErrorKey(err) != "four_eyes.self" {
			t.Errorf("answering one's own supervision: %v", err)
		}
	})
}

// Moving an account leaves it no right in its old township (issue 14, point
// 3): a mediator moved from 何家集镇 to 老君殿镇 no longer reads, lists,
// finds among their tasks or acts on the matters they held there; a grid
// worker's watch below the matter's place still holds.
func TestMovedAccountLeavesItsOldPlace(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newCaseEnv(t, st)
		p := e.path("")
		held := p.Matter(t, landCase("610831101"), jftest.Signed) // in med1's hands
		ctx := as(e.med)
		if _, err := e.svc.Case(ctx, held.ID); err != nil {
			t.Fatalf("before the move: %v", err)
		}
		to := "610831102"
		if _, err := e.svc.UpdateUser(jftest.CLI(), e.med.ID, identity.UserPatch{OrgCode: &to}); err != nil {
			t.Fatal(err)
		}
		moved, _ := e.svc.UserByUsername(jftest.CLI(), "med1")
		// The dispatcher over the matter is told to hand it over.
		items, _, _ := e.svc.Inbox(as(e.disp), false)
		if !slices.ContainsFunc(items, func(n domain.Notification) bool { return n.Kind == "handover" && n.CaseID == held.ID }) {
			t.Error("the dispatcher was not told to hand the matter over")
		}
		ctx = as(moved)
		if _, err := e.svc.Case(ctx, held.ID); domain.ErrorCode(err) != domain.NotFound {
			t.Errorf("the moved mediator reads the matter: %v", err)
		}
		if rows, _, err := e.svc.Cases(ctx, casework.CaseQuery{Mine: true, Limit: 50}); err != nil || len(rows) != 0 {
			t.Errorf("the moved mediator's list: %d, %v", len(rows), err)
		}
		if tasks, err := e.svc.Tasks(ctx); err != nil || len(tasks) != 0 {
			t.Errorf("the moved mediator's tasks: %d, %v", len(tasks), err)
		}
		if _, err := e.svc.Act(ctx, held.ID, "progress", casework.ActionInput{Note: "继续调解"}); err == nil {
			t.Error("the moved mediator acted on the matter")
		}
		if _, _, err := e.svc.CaseForPrint(ctx, held.ID, "registration"); err == nil {
			t.Error("the moved mediator printed the matter")
		}
		// A grid worker watches a village matter from a cell below it.
		p.Med = e.med2
		closed := p.Matter(t, landCase("610831101200"), jftest.Archived)
		closed = p.Act(t, e.disp, closed.ID, "watch", casework.ActionInput{Assignee: "grid1", Days: 14})
		if _, err := e.svc.Case(as(e.grid), closed.ID); err != nil {
			t.Errorf("the grid worker's watch: %v", err)
		}
	})
}
