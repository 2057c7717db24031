package service_test

import (
	"testing"

	"jiefen/internal/domain"
	"jiefen/internal/jftest"
	"jiefen/internal/store"
)

// Issue 14, point 9: a township's audit administrator reads the audit rows of
// their township only. A failed sign-in of a known account carries that
// account's place; rows with no place (an unknown username's failures, the
// county's registries) are for the accounts at the tree's root; an audit
// search carries the searcher's place.
func TestAuditSearchScope(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		svc := jftest.Service(st)
		jftest.SeedTree(t, svc)
		town := jftest.MakeUser(t, svc, "townauditor", "610831101", domain.RoleAuditAdmin)
		county := jftest.MakeUser(t, svc, "countyauditor", "610831", domain.RoleAuditAdmin)
		jftest.MakeUser(t, svc, "townclerk", "610831101", domain.RoleReceptionist)
		jftest.MakeUser(t, svc, "countyclerk", "610831", domain.RoleReceptionist)
		for _, name := range []string{"townclerk", "countyclerk", "nobody"} {
			if _, err := svc.Login(anon("192.0.2.30"), name, "Wrong#pass123", ""); err == nil {
				t.Fatal("a wrong password signed in")
			}
		}
		failed := func(as *domain.User) map[string]string {
			t.Helper()
			es, err := svc.SearchAudit(jftest.As(as, "192.0.2.1"), domain.AuditFilter{Action: "login", Result: domain.ResultFail, Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]string{}
			for _, e := range es {
				out[e.ObjectID] = e.OrgPath
			}
			return out
		}
		got := failed(town)
		if len(got) != 1 || got["townclerk"] == "" {
			t.Fatalf("the township's audit administrator sees the failed sign-ins %v; want only townclerk's, with its place", got)
		}
		if got := failed(county); len(got) != 3 || got["countyclerk"] == "" || got["nobody"] != "" {
			t.Fatalf("the county's audit administrator sees the failed sign-ins %v; want all three, nobody's without a place", got)
		}
		es, err := svc.SearchAudit(jftest.As(county, "192.0.2.1"), domain.AuditFilter{Action: "audit.search", Username: "townauditor", Limit: 10})
		if err != nil || len(es) != 1 || es[0].OrgPath != town.OrgPath {
			t.Fatalf("the township administrator's search: %d rows, %v; want one at %s", len(es), err, town.OrgPath)
		}
	})
}
