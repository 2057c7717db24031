package api_test

import (
	"testing"

	"jiefen/internal/domain"
	"jiefen/internal/jftest"
	"jiefen/internal/service/identity"
	"jiefen/internal/store"
)

// An administrator resets another account's second factor through the
// API: the account says so (second_factor "reset") and must enrol again;
// its own (an administrator's, the command line's to change) is refused,
// and outside user.manage it is forbidden.
func TestResetSecondFactor(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		u := jftest.MakeUser(t, e.svc, "tiaojie", "610831101", domain.RoleMediator)
		jftest.EnrolTOTP(t, e.svc, u)
		if _, m := e.call("GET", "/api/v1/users/"+itoa(u.ID), e.admin, ""); m["second_factor"] != "totp" {
			t.Fatalf("an enrolled account: %v", m)
		}
		status, m := e.call("POST", "/api/v1/users/"+itoa(u.ID)+"/reset-2fa", e.admin, "")
		if status != 200 || m["user"].(map[string]any)["second_factor"] != "reset" {
			t.Fatalf("reset: %d %v", status, m)
		}
		tok, _, err := e.svc.CreateToken(jftest.CLI(), identity.TokenRequest{Username: "tiaojie", Name: "t"})
		if err != nil {
			t.Fatal(err)
		}
		if _, me := e.call("GET", "/api/v1/me", tok, ""); me["must_enrol_second_factor"] != true {
			t.Fatalf("after a reset the account must enrol: %v", me)
		}
		if status, m := e.call("POST", "/api/v1/users/"+itoa(u.ID)+"/reset-2fa", tok, ""); status != 403 || errCode(m) != "forbidden" {
			t.Fatalf("a mediator resets: %d %v", status, m)
		}
		admin, _ := e.svc.UserByUsername(jftest.CLI(), "admin")
		if status, m := e.call("POST", "/api/v1/users/"+itoa(admin.ID)+"/reset-2fa", e.admin, ""); status != 403 || errCode(m) != "forbidden" {
			t.Fatalf("one's own: %d %v", status, m)
		}
		if status, _ := e.call("POST", "/api/v1/users/999999/reset-2fa", e.admin, ""); status != 404 {
			t.Fatalf("no such account: %d", status)
		}
	})
}
