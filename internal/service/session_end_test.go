package service_test

import (
	"testing"
	"time"

	"jiefen/internal/domain"
	"jiefen/internal/jftest"
	"jiefen/internal/store"
)

// A session a sign-in elsewhere ended says so, with when and from where,
// to the holder of its token only, and only within the absolute timeout.
func TestSessionEndedTellsWhy(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		svc := jftest.Service(st)
		clk := newClock(st)
		jftest.SeedTree(t, svc)
		jftest.MakeUser(t, svc, "zhao", "610831101", domain.RoleMediator)
		first, err := svc.Login(anon("10.0.0.1"), "zhao", jftest.Password, "")
		if err != nil {
			t.Fatal(err)
		}
		clk.advance(5 * time.Minute)
		second, err := svc.Login(anon("10.0.0.9"), "zhao", jftest.Password, "")
		if err != nil {
			t.Fatal(err)
		}
		ctx := anon("10.0.0.1")
		if _, _, err := svc.Authenticate(ctx, first.Token); key(err) != "session.replaced" {
			t.Fatalf("replaced session: want session.replaced, got %v", err)
		}
		end, err := svc.SessionEnded(ctx, first.Token)
		if err != nil || end == nil || end.Reason != domain.SessionEndReplaced || end.ByIP != "10.0.0.9" ||
			end.At.Sub(second.Session.CreatedAt).Abs() > time.Second {
			t.Fatalf("replaced session's end: %+v, %v (new sign-in at %v)", end, err, second.Session.CreatedAt)
		}
		for _, tok := range []string{second.Token, "forged-" + first.Token[7:], ""} {
			if end, err := svc.SessionEnded(ctx, tok); end != nil || err != nil {
				t.Fatalf("SessionEnded(%q) = %+v, %v; want nothing", tok, end, err)
			}
		}
		if _, _, err := svc.Authenticate(ctx, "forged-"+first.Token[7:]); key(err) != "session.none" {
			t.Fatalf("forged token: want session.none, got %v", err)
		}
		clk.advance(svc.Policy().AbsoluteTimeout + time.Minute)
		if end, err := svc.SessionEnded(ctx, first.Token); end != nil || err != nil {
			t.Fatalf("long after: %+v, %v; want nothing", end, err)
		}
		if _, _, err := svc.Authenticate(ctx, first.Token); key(err) != "session.none" {
			t.Fatalf("long after: want session.none, got %v", err)
		}
	})
}
