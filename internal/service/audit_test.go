package service_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"jiefen/internal/division"
	"jiefen/internal/domain"
	"jiefen/internal/jftest"
	"jiefen/internal/service"
	"jiefen/internal/service/identity"
	"jiefen/internal/store"
)

func anchorLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(b)), "\n")
}

// The anchor file: a line per change of the head (none when it has not
// moved), 0600; a database cut short or rewritten after an anchor no
// longer verifies against it, and an altered or removed line is named.
func TestAuditAnchorFile(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		ctx := jftest.CLI()
		svc := jftest.Service(st)
		jftest.SeedTree(t, svc)
		cfg := identity.AnchorConfig{Path: filepath.Join(t.TempDir(), "sub", "t.audit-anchor"), Instance: "test-a"}
		anchor := func(force bool) (domain.AuditAnchor, bool) {
			t.Helper()
			a, wrote, err := svc.AnchorAudit(ctx, cfg, force)
			if err != nil {
				t.Fatal(err)
			}
			return a, wrote
		}
		if _, wrote := anchor(false); !wrote {
			t.Fatal("the first anchor was not written")
		}
		if fi, err := os.Stat(cfg.Path); err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("anchor file mode: %v %v", fi.Mode(), err)
		}
		if _, wrote := anchor(false); wrote {
			t.Fatal("an unchanged head was anchored again")
		}
		jftest.MakeUser(t, svc, "clerk", "610831", domain.RoleReceptionist)
		a2, wrote := anchor(false)
		if !wrote || len(anchorLines(t, cfg.Path)) != 2 || a2.By != "test-a" || a2.KeyID != "a1" {
			t.Fatalf("second anchor: %+v %v", a2, wrote)
		}
		res, err := svc.VerifyAudit(ctx, cfg.Path)
		if err != nil || !res.Intact() || res.Anchors != 2 || res.LastAnchor.Seq != a2.Seq {
			t.Fatalf("verify with anchors: %+v %v", res, err)
		}
		if res, _ = svc.VerifyAudit(ctx, cfg.Path+".none"); !res.Intact() || !res.AnchorMissed {
			t.Fatalf("no anchor file: %+v", res)
		}

		// Lines altered, removed or out of place are named.
		lines := anchorLines(t, cfg.Path)
		for _, c := range []struct {
			file []string
			line int
			why  string
		}{
			{[]string{strings.Replace(lines[0], `"seq":`, `"seq":1`, 1), lines[1]}, 1, "the line was altered"},
			{[]string{lines[1]}, 1, "does not follow the line before it"},
			{[]string{lines[0], "not json"}, 2, "not an anchor line"},
		} {
			bad := filepath.Join(t.TempDir(), "bad.audit-anchor")
			jftest.WriteFile(t, bad, strings.Join(c.file, "\n")+"\n")
			res, err := svc.VerifyAudit(ctx, bad)
			if err != nil || res.AnchorLine != c.line || !strings.Contains(res.AnchorReason, c.why) {
				t.Errorf("anchor file %q: %+v %v", c.why, res, err)
			}
		}

		// The last entry cut from the table and the head moved back to the
		// entry before it: every seal left still holds, the anchor does not.
		jftest.DropAuditGuard(t, st)
		if err := jftest.Exec(st, fmt.Sprintf(`DELETE FROM audit_log WHERE seq = %d`, a2.Seq)); err != nil {
			t.Fatal(err)
		}
		var prev string
		st.View(ctx, func(tx *store.Tx) error {
			list, err := tx.Audit(ctx, domain.AuditFilter{Limit: 1})
			prev = list[0].Hash
			return err
		})
		jftest.Exec(st, `UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1`, a2.Seq-1, prev)
		res, _ = svc.VerifyAudit(ctx, cfg.Path)
		if res.BrokenAt != a2.Seq || !strings.Contains(res.Reason, fmt.Sprintf("anchor line 2 recorded entry %d", a2.Seq)) {
			t.Fatalf("tail cut: %+v", res)
		}
		if res, _ = svc.VerifyAudit(ctx, ""); !res.Intact() {
			t.Fatalf("without the anchor the cut shows nowhere: %+v", res)
		}
	})
}

// One instance at a time writes anchors: the one holding the anchor lease;
// it anchors once more as it stops and gives the lease up.
func TestAuditAnchorLease(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		a := jftest.Service(st)
		jftest.SeedTree(t, a)
		b := service.New(st, jftest.Logger(), jftest.FastPolicy())
		b.SetKeys(a.Keys())
		path := filepath.Join(t.TempDir(), "shared.audit-anchor")
		ctxA, stopA := context.WithCancel(jftest.CLI())
		doneA := make(chan struct{})
		go func() {
			a.RunAuditAnchor(ctxA, identity.AnchorConfig{Path: path, Every: time.Hour, Instance: "inst-a"})
			close(doneA)
		}()
		for i := 0; ; i++ {
			if _, err := os.Stat(path); err == nil {
				break
			} else if i > 200 {
				t.Fatal("instance a wrote no anchor")
			}
			time.Sleep(10 * time.Millisecond)
		}
		ctxB, stopB := context.WithTimeout(jftest.CLI(), 200*time.Millisecond)
		jftest.MakeUser(t, a, "clerk", "610831", domain.RoleReceptionist) // the head moves
		b.RunAuditAnchor(ctxB, identity.AnchorConfig{Path: path, Every: 50 * time.Millisecond, Instance: "inst-b"})
		stopB()
		if n := len(anchorLines(t, path)); n != 1 {
			t.Fatalf("instance b wrote while a held the lease: %d lines", n)
		}
		stopA()
		<-doneA
		lines := anchorLines(t, path)
		if len(lines) != 2 || !strings.Contains(lines[0], `"by":"inst-a"`) || !strings.Contains(lines[1], `"by":"inst-a"`) {
			t.Fatalf("lines: %v", lines)
		}
		if n, err := jftest.Count(st, `SELECT COUNT(*) FROM job_leases WHERE name = 'audit_anchor'`); err != nil || n != 0 {
			t.Fatalf("the lease was not given up: %d %v", n, err)
		}
		if res, err := a.VerifyAudit(jftest.CLI(), path); err != nil || !res.Intact() || res.Anchors != 2 {
			t.Fatalf("verify: %+v %v", res, err)
		}
	})
}

// AU-8: an audit row that cannot be written refuses its action (nothing of
// it is kept), counts on /metrics' counter and logs an error line to alert on.
func TestAuditWriteFailureAlarm(t *testing.T) {
	st := jftest.OpenSQLite(t)
	var log bytes.Buffer
	svc := service.New(st, slog.New(slog.NewTextHandler(&log, nil)), jftest.FastPolicy()) // no keys: no entry can be sealed
	nodes, err := division.ReadCSV(strings.NewReader("code,name,level,parent_code\n610831,子洲县,county,\n"), "t.csv", "610831")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ImportDivisions(jftest.CLI(), nodes, "610831", ""); err == nil {
		t.Fatal("an import went through without its audit row")
	}
	if n, _ := jftest.Count(st, `SELECT COUNT(*) FROM orgs`); n != 0 {
		t.Fatalf("%d orgs kept without their audit row", n)
	}
	if svc.Kernel().AuditFailures() != 1 {
		t.Fatalf("failures counted: %d", svc.Kernel().AuditFailures())
	}
	if !strings.Contains(log.String(), "level=ERROR msg=\"AUDIT WRITE FAILED: the action is refused\" alarm=audit_write_failed") {
		t.Fatalf("log: %s", log.String())
	}
}
