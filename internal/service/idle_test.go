package service_test

import (
	"testing"
	"time"

	"jiefen/internal/domain"
	"jiefen/internal/jftest"
	"jiefen/internal/store"
)

// Accounts unused for 90 days are disabled by the background jobs (AC-6):
// their sessions end, the audit says why, an account used since is kept.
func TestIdleAccountsDisabled(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		p := jftest.FastPolicy()
		p.AccountIdle = 90 * 24 * time.Hour
		svc := jftest.ServiceWith(st, p)
		jftest.SeedTree(t, svc)
		clock := time.Date(2026, 3, 2, 10, 0, 0, 0, domain.CST)
		st.SetClock(func() time.Time { return clock })
		jftest.MakeUser(t, svc, "asleep", "610831", domain.RoleReceptionist)
		jftest.MakeUser(t, svc, "awake", "610831", domain.RoleReceptionist)
		clock = clock.AddDate(0, 0, 60)
		if _, err := svc.Login(jftest.As(nil, "10.0.0.5"), "awake", jftest.Password, ""); err != nil {
			t.Fatal(err)
		}
		clock = clock.AddDate(0, 0, 40) // 100 days after creation, 40 after awake's sign-in
		if _, _, err := svc.RunJobsOnce(jftest.CLI()); err != nil {
			t.Fatal(err)
		}
		for name, want := range map[string]bool{"asleep": true, "awake": false} {
			if u, _ := svc.UserByUsername(jftest.CLI(), name); u.Disabled != want {
				t.Errorf("%s disabled=%v, want %v", name, u.Disabled, want)
			}
		}
		if es, _ := svc.SearchAudit(jftest.CLI(), domain.AuditFilter{Action: "user.disable_idle", Limit: 5}); len(es) != 1 || es[0].ObjectID != "asleep" {
			t.Errorf("audited: %+v", es)
		}
	})
}
