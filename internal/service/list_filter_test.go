package service_test

import (
	"testing"

	"jiefen/internal/domain"
	"jiefen/internal/jftest"
	"jiefen/internal/service/casework"
	"jiefen/internal/store"
)

// Issue 14, point 9: a list request with a risk, channel or category that
// does not exist is a field error naming the filter (it used to list
// nothing, as if there were no such matters); the known ones still list.
func TestUnknownListFilters(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newCaseEnv(t, st)
		if _, err := e.svc.RegisterCase(as(e.recep), landCase("610831101200")); err != nil {
			t.Fatal(err)
		}
		for name, q := range map[string]casework.CaseQuery{
			"risk": {Risk: "purple"}, "channel": {Channel: "fax"}, "category": {Category: "nosuch"},
		} {
			_, _, err := e.svc.Cases(as(e.disp), q)
			if code(err) != domain.Invalid || field(err, name) != "filter.unknown" {
				t.Errorf("%s %+v: want a field error on %s, got %v", name, q, name, err)
			}
		}
		rows, _, err := e.svc.Cases(as(e.disp), casework.CaseQuery{Risk: "none", Channel: "visit", Category: "land"})
		if err != nil || len(rows) != 1 {
			t.Fatalf("known filters: %d rows, %v", len(rows), err)
		}
	})
}
