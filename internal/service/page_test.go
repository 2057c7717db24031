package service_test

import (
	"reflect"
	"testing"

	"jiefen/internal/domain"
	"jiefen/internal/jftest"
	"jiefen/internal/store"
)

// The matter page's read model holds what the separate reads return, and
// is refused outside the jurisdiction like the matter itself.
func TestCasePageReadModel(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newCaseEnv(t, st)
		c, err := e.svc.RegisterCase(as(e.recep), landCase("610831101200"))
		if err != nil {
			t.Fatal(err)
		}
		ctx := as(e.disp)
		p, err := e.svc.Page(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		one, err := e.svc.Case(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if p.Case.Number != one.Number || !reflect.DeepEqual(p.Actions, e.svc.AllowedActions(ctx, one)) || len(p.Case.Parties) != 2 {
			t.Fatalf("page %+v vs case %+v", p.Case, one)
		}
		sug, err := e.svc.SuggestForCase(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if p.Suggestion == nil || p.Suggestion.Category.Code != sug.Category.Code || p.Registries == nil || p.AssessRisk != sug.Risk.Color {
			t.Fatalf("the assessment form's start: %+v", p.Suggestion)
		}
		related, links, err := e.svc.RelatedForCase(ctx, c.ID)
		if err != nil || len(p.Related) != len(related) || len(p.Links) != len(links) {
			t.Fatalf("related: %v %v vs %v %v (%v)", p.Related, p.Links, related, links, err)
		}
		counts, err := e.svc.PartyCounts(ctx, c.ID)
		if err != nil || !reflect.DeepEqual(p.PartyCounts, counts) {
			t.Fatalf("party counts %v vs %v (%v)", p.PartyCounts, counts, err)
		}
		if p.Group == nil || !p.Group.CanManage {
			t.Fatalf("a dispatcher keeps the household list: %+v", p.Group)
		}
		if got, err := e.svc.Page(as(e.recep), c.ID); err != nil || got.Suggestion != nil || got.Group.CanManage {
			t.Fatalf("a receptionist's page: %+v %v", got, err)
		}
		if _, err := e.svc.Page(as(e.shy), c.ID); domain.ErrorCode(err) != domain.NotFound {
			t.Fatalf("another township's dispatcher: %v", err)
		}
	})
}
