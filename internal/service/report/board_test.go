package report_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"jiefen/internal/domain"
	"jiefen/internal/jftest"
	"jiefen/internal/service/report"
	"jiefen/internal/store"
)

func as(u *domain.User) context.Context { return jftest.As(u, "10.0.0.9") }

// Screens asking for a place's board at once share one computation of its
// period figures; later looks use the kept figures.
func TestBoardComputesOnce(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		svc := jftest.Service(st)
		jftest.SeedTree(t, svc)
		recep := jftest.MakeUser(t, svc, "recep", "610831", domain.RoleReceptionist)
		leader := jftest.MakeUser(t, svc, "lead", "610831", domain.RoleLeader)
		shy := jftest.MakeUser(t, svc, "shydisp", "610831001", domain.RoleDispatcher)
		in := domain.CaseInput{Channel: "visit", Category: "land", OrgCode: "610831101200", Address: "何家集村三组",
			Description: "张家与李家因土地承包经营权边界发生争执，双方多次争吵。",
			Parties:     []domain.Party{{Role: "applicant", Name: "张建军", IDNumber: "610831199003070024", Phone: "13912345678"}}}
		if _, err := svc.RegisterCase(as(recep), in); err != nil {
			t.Fatal(err)
		}
		release := make(chan struct{})
		report.HoldBoardComputations(svc.Reports, release) // all eight screens ask while the first computes
		errs := make(chan error, 8)
		for range 8 {
			go func() {
				b, err := svc.Board(as(leader), "")
				if err == nil && (b.Open != 1 || b.Slow == nil || b.Slow.Month.Registered != 1) {
					err = fmt.Errorf("board %+v", b)
				}
				errs <- err
			}()
		}
		time.Sleep(200 * time.Millisecond)
		close(release)
		for range 8 {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		if _, err := svc.Board(as(leader), ""); err != nil {
			t.Fatal(err)
		}
		if n := report.BoardComputes(svc.Reports); n != 1 {
			t.Fatalf("the period figures were computed %d times, want once", n)
		}
		if _, err := svc.Board(as(shy), "610831101"); domain.ErrorCode(err) != domain.Forbidden {
			t.Fatalf("another township's board: %v", err)
		}
	})
}
