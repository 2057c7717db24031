package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"jiefen/internal/domain"
	"jiefen/internal/jftest"
	"jiefen/internal/store"
)

// Both engines ship the same migrations, by number and name.
func TestMigrationsMatchAcrossEngines(t *testing.T) {
	s, err := store.Migrations("sqlite")
	if err != nil {
		t.Fatal(err)
	}
	p, err := store.Migrations("postgres")
	if err != nil {
		t.Fatal(err)
	}
	if len(s) == 0 || len(s) != len(p) {
		t.Fatalf("sqlite has %d migrations, postgres %d", len(s), len(p))
	}
	for i := range s {
		if s[i].Name != p[i].Name || s[i].Version != i+1 {
			t.Errorf("migration %d: sqlite %s, postgres %s (numbers must run 1, 2, 3…)", i, s[i].Name, p[i].Name)
		}
	}
}

func TestConformance(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		t.Run("migrate is idempotent", func(t *testing.T) {
			applied, err := st.Migrate(ctx)
			if err != nil || len(applied) != 0 {
				t.Fatalf("second migrate applied %v, err %v", applied, err)
			}
			v, latest, err := st.SchemaVersion(ctx)
			if err != nil || v != latest || v == 0 {
				t.Fatalf("schema version %d latest %d err %v", v, latest, err)
			}
		})
		t.Run("orgs", func(t *testing.T) { testOrgs(t, st) })
		t.Run("users", func(t *testing.T) { testUsers(t, st) })
		t.Run("sessions and tokens", func(t *testing.T) { testSessions(t, st) })
		t.Run("audit chain", func(t *testing.T) { testAudit(t, st) })
		t.Run("concurrent writers fail alone", func(t *testing.T) { testConcurrentWriters(t, st) })
		t.Run("rollback leaves nothing", func(t *testing.T) {
			err := st.Update(ctx, func(tx *store.Tx) error {
				if _, err := tx.UpsertOrg(ctx, domain.Org{Code: "990000", Name: "回滚", Level: domain.LevelCounty, Path: "/990000/"}); err != nil {
					return err
				}
				return fmt.Errorf("boom")
			})
			if err == nil {
				t.Fatal("expected the error back")
			}
			err = st.View(ctx, func(tx *store.Tx) error { _, err := tx.Org(ctx, "990000"); return err })
			if domain.ErrorCode(err) != domain.NotFound {
				t.Fatalf("rolled-back org is visible: %v", err)
			}
		})
	})
}

func testOrgs(t *testing.T, st *store.Store) {
	ctx := context.Background()
	county := domain.Org{Code: "610831", Name: "子洲县", Level: domain.LevelCounty, Path: "/610831/"}
	town := domain.Org{Code: "610831101", Name: "何家集镇", Level: domain.LevelTownship, ParentCode: "610831", Path: "/610831/610831101/"}
	err := st.Update(ctx, func(tx *store.Tx) error {
		for _, o := range []domain.Org{county, town} {
			created, err := tx.UpsertOrg(ctx, o)
			if err != nil || !created {
				return fmt.Errorf("upsert %s: created=%v err=%v", o.Code, created, err)
			}
		}
		// Same again: no change.
		created, err := tx.UpsertOrg(ctx, town)
		if err != nil || created {
			return fmt.Errorf("re-upsert created=%v err=%v", created, err)
		}
		town.Name = "何家集镇（新）"
		if _, err := tx.UpsertOrg(ctx, town); err != nil {
			return err
		}
		got, err := tx.Org(ctx, town.Code)
		if err != nil || got.Name != town.Name || got.Path != town.Path || got.ParentCode != "610831" {
			return fmt.Errorf("got %+v err %v", got, err)
		}
		kids, err := tx.OrgChildren(ctx, "610831")
		if err != nil || len(kids) != 1 {
			return fmt.Errorf("children %v err %v", kids, err)
		}
		counts, err := tx.CountOrgs(ctx, "/610831/")
		if err != nil || counts[domain.LevelTownship] != 1 || counts[domain.LevelCounty] != 1 {
			return fmt.Errorf("counts %v err %v", counts, err)
		}
		// A child whose parent does not exist is refused by the foreign key.
		_, err = tx.UpsertOrg(ctx, domain.Org{Code: "610831999", Name: "x", Level: domain.LevelTownship, ParentCode: "610899", Path: "/x/"})
		if domain.ErrorCode(err) != domain.Invalid {
			return fmt.Errorf("orphan insert: want invalid, got %v", err)
		}
		return fmt.Errorf("rollback") // keep the engine clean for the FK check
	})
	if err == nil || err.Error() != "rollback" {
		t.Fatal(err)
	}
}

func mustTree(t *testing.T, st *store.Store) {
	t.Helper()
	ctx := context.Background()
	err := st.Update(ctx, func(tx *store.Tx) error {
		for _, o := range []domain.Org{
			{Code: "610831", Name: "子洲县", Level: domain.LevelCounty, Path: "/610831/"},
			{Code: "610831101", Name: "何家集镇", Level: domain.LevelTownship, ParentCode: "610831", Path: "/610831/610831101/"},
			{Code: "610831001", Name: "双湖峪街道", Level: domain.LevelTownship, ParentCode: "610831", Path: "/610831/610831001/"},
		} {
			if _, err := tx.UpsertOrg(ctx, o); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func testUsers(t *testing.T, st *store.Store) {
	ctx := context.Background()
	mustTree(t, st)
	u := &domain.User{Username: "wang", Name: "王", Roles: []domain.Role{domain.RoleDispatcher, domain.RoleLeader}, OrgCode: "610831101", MustChangePwd: true}
	var id int64
	err := st.Update(ctx, func(tx *store.Tx) error {
		var err error
		id, err = tx.CreateUser(ctx, u, "h1")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// Duplicate username → conflict, and nothing written.
	err = st.Update(ctx, func(tx *store.Tx) error {
		_, err := tx.CreateUser(ctx, &domain.User{Username: "wang", Name: "x", Roles: []domain.Role{domain.RoleAdmin}, OrgCode: "610831"}, "h")
		return err
	})
	if domain.ErrorCode(err) != domain.Conflict {
		t.Fatalf("duplicate username: want conflict, got %v", err)
	}
	err = st.Update(ctx, func(tx *store.Tx) error {
		got, err := tx.UserByUsername(ctx, "WANG")
		if err != nil {
			return err
		}
		if got.ID != id || got.OrgPath != "/610831/610831101/" || domain.JoinRoles(got.Roles) != "dispatcher,leader" || !got.MustChangePwd || got.Version != 1 {
			return fmt.Errorf("read back %+v", got)
		}
		if got.PasswordChangedAt.IsZero() || time.Since(got.PasswordChangedAt) > time.Minute {
			return fmt.Errorf("password_changed_at %v", got.PasswordChangedAt)
		}
		got.Name = "王二"
		if err := tx.UpdateUser(ctx, got); err != nil {
			return err
		}
		stale := *got
		stale.Version = 1
		if err := tx.UpdateUser(ctx, &stale); domain.ErrorCode(err) != domain.Conflict {
			return fmt.Errorf("stale version: want conflict, got %v", err)
		}
		if err := tx.SetPassword(ctx, id, "h2", false); err != nil {
			return err
		}
		hs, err := tx.RecentPasswordHashes(ctx, id, 5)
		if err != nil || len(hs) != 2 || hs[0] != "h2" || hs[1] != "h1" {
			return fmt.Errorf("history %v err %v", hs, err)
		}
		list, err := tx.Users(ctx, domain.UserFilter{Path: "/610831/610831001/"})
		if err != nil || len(list) != 0 {
			return fmt.Errorf("other township sees %d users (err %v)", len(list), err)
		}
		list, err = tx.Users(ctx, domain.UserFilter{Path: "/610831/", Role: domain.RoleLeader, Query: "王"})
		if err != nil || len(list) != 1 {
			return fmt.Errorf("filter found %d (err %v)", len(list), err)
		}
		_, err = tx.User(ctx, 999999)
		if domain.ErrorCode(err) != domain.NotFound {
			return fmt.Errorf("missing user: want not_found, got %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func testSessions(t *testing.T, st *store.Store) {
	ctx := context.Background()
	var uid int64
	err := st.Update(ctx, func(tx *store.Tx) error {
		u, err := tx.UserByUsername(ctx, "wang")
		if err != nil {
			return err
		}
		uid = u.ID
		for i := range 3 {
			s := &domain.Session{TokenHash: fmt.Sprintf("th%d", i), UserID: uid, CSRF: "c", IP: "127.0.0.1", ExpiresAt: tx.Now.Add(time.Hour)}
			if err := tx.CreateSession(ctx, s); err != nil {
				return err
			}
		}
		keep, err := tx.SessionByHash(ctx, "th2")
		if err != nil {
			return err
		}
		n, err := tx.EndUserSessions(ctx, uid, keep.ID, "test")
		if err != nil || n != 2 {
			return fmt.Errorf("ended %d err %v", n, err)
		}
		if _, err := tx.SessionByHash(ctx, "th0"); domain.ErrorCode(err) != domain.NotFound {
			return fmt.Errorf("ended session still live: %v", err)
		}
		live, err := tx.LiveSessions(ctx, uid)
		if err != nil || len(live) != 1 {
			return fmt.Errorf("live %d err %v", len(live), err)
		}
		tok := &domain.Token{UserID: uid, Name: "t", Hash: "tokhash", Prefix: "jf_abc", Scopes: []domain.Scope{domain.ScopeRead}, ExpiresAt: tx.Now.Add(time.Hour)}
		if err := tx.CreateToken(ctx, tok); err != nil {
			return err
		}
		if got, err := tx.TokenByHash(ctx, "tokhash"); err != nil || got.State(tx.Now) != domain.TokenActive {
			return fmt.Errorf("new token %+v err %v", got, err)
		}
		if done, err := tx.RevokeToken(ctx, tok.ID, "wang", domain.TokenRevokedSelf); err != nil || !done {
			return fmt.Errorf("revoke: %v %v", done, err)
		}
		if got, err := tx.TokenByHash(ctx, "tokhash"); err != nil || got.State(tx.Now) != domain.TokenRevoked || got.RevokeReason != domain.TokenRevokedSelf {
			return fmt.Errorf("revoked token reads %+v err %v", got, err)
		}
		for range 3 {
			if err := tx.RecordLogin(ctx, "wang", "10.0.0.1", false); err != nil {
				return err
			}
		}
		n2, err := tx.FailedLogins(ctx, "wang", tx.Now.Add(-time.Hour))
		if err != nil || n2 != 3 {
			return fmt.Errorf("failed logins %d err %v", n2, err)
		}
		if err := tx.RecordLogin(ctx, "wang", "10.0.0.1", true); err != nil {
			return err
		}
		n2, err = tx.FailedLogins(ctx, "wang", tx.Now.Add(-time.Hour))
		if err != nil || n2 != 0 {
			return fmt.Errorf("a success must clear the count: %d err %v", n2, err)
		}
		ipn, err := tx.FailedLoginsFromIP(ctx, "10.0.0.1", tx.Now.Add(-time.Hour))
		if err != nil || ipn != 3 {
			return fmt.Errorf("ip failures %d err %v", ipn, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func testAudit(t *testing.T, st *store.Store) {
	ctx := context.Background()
	keys := jftest.Keyring(t)
	// Concurrent appends keep one unbroken chain.
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := range 40 {
		wg.Go(func() {
			errs <- st.Update(ctx, func(tx *store.Tx) error {
				return tx.AppendAudit(ctx, keys, &domain.AuditEntry{Username: "u", Action: "test", ObjectType: "x", ObjectID: fmt.Sprint(i), Result: domain.ResultOK, Detail: "第" + fmt.Sprint(i) + "条"})
			})
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	res, err := st.VerifyAudit(ctx, keys, nil)
	if err != nil || res.BrokenAt != 0 || res.Checked != 40 {
		t.Fatalf("verify: %+v err %v", res, err)
	}
	list, err := st.AuditForTest(ctx)
	if err != nil || len(list) != 40 {
		t.Fatalf("list %d err %v", len(list), err)
	}
	// The application cannot edit or delete audit rows: the database refuses.
	if err := jftest.Exec(st, `UPDATE audit_log SET detail = 'x' WHERE seq = 3`); err == nil {
		t.Fatal("UPDATE on audit_log was allowed")
	}
	if err := jftest.Exec(st, `DELETE FROM audit_log WHERE seq = 3`); err == nil {
		t.Fatal("DELETE on audit_log was allowed")
	}
}

// Many writers at once (on SQLite they share group commits): each one's
// failure or panic undoes its own writes only, the others commit, and
// after-commit hooks run for exactly the committed ones.
func testConcurrentWriters(t *testing.T, st *store.Store) {
	ctx := context.Background()
	const n = 60
	var wg sync.WaitGroup
	var hooks sync.Map
	errs := make([]error, n)
	panics := make([]any, n)
	for i := range n {
		wg.Go(func() {
			defer func() { panics[i] = recover() }()
			errs[i] = st.Update(ctx, func(tx *store.Tx) error {
				code := fmt.Sprintf("97%04d", i)
				if _, err := tx.UpsertOrg(ctx, domain.Org{Code: code, Name: "并发" + code, Level: domain.LevelCounty, Path: "/" + code + "/"}); err != nil {
					return err
				}
				tx.AfterCommit(func() { hooks.Store(i, true) })
				switch i % 3 {
				case 1:
					return fmt.Errorf("writer %d fails", i)
				case 2:
					if i%6 == 2 {
						panic(fmt.Sprintf("writer %d panics", i))
					}
				}
				return nil
			})
		})
	}
	wg.Wait()
	for i := range n {
		code := fmt.Sprintf("97%04d", i)
		err := st.View(ctx, func(tx *store.Tx) error { _, err := tx.Org(ctx, code); return err })
		_, hooked := hooks.Load(i)
		failed := i%3 == 1 || i%6 == 2
		switch {
		case i%3 == 1 && (errs[i] == nil || errs[i].Error() != fmt.Sprintf("writer %d fails", i)):
			t.Errorf("writer %d: error %v, want its own", i, errs[i])
		case i%6 == 2 && panics[i] != fmt.Sprintf("writer %d panics", i):
			t.Errorf("writer %d: panic %v, want its own re-raised", i, panics[i])
		case !failed && (errs[i] != nil || panics[i] != nil):
			t.Errorf("writer %d: error %v panic %v", i, errs[i], panics[i])
		}
		if failed && (err == nil || hooked) {
			t.Errorf("writer %d failed but its org exists (%v) or its hook ran (%v)", i, err == nil, hooked)
		}
		if !failed && (err != nil || !hooked) {
			t.Errorf("writer %d committed but org: %v, hook ran: %v", i, err, hooked)
		}
	}
}
