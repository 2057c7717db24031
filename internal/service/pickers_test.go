package service_test

import (
	"errors"
	"slices"
	"sort"
	"strings"
	"testing"

	"jiefen/internal/domain"
	"jiefen/internal/jftest"
	"jiefen/internal/service/casework"
	"jiefen/internal/service/identity"
	"jiefen/internal/store"
)

// pickEnv is caseEnv with the accounts a picker must tell apart around a
// matter of 何家集村 (610831101200): some eligible, some of the wrong role,
// place or state.
type pickEnv struct {
	*caseEnv
	users map[string]*domain.User // every account, by username
}

func newPickEnv(t *testing.T, st *store.Store) *pickEnv {
	e := &pickEnv{caseEnv: newCaseEnv(t, st), users: map[string]*domain.User{}}
	for _, u := range []*domain.User{e.recep, e.disp, e.med, e.med2, e.leader, e.grid, e.shy} {
		e.users[u.Username] = u
	}
	for _, x := range []struct {
		name, org string
		role      domain.Role
	}{
		{"hcounty", "610831", domain.RoleHandler},               // above the place: eligible
		{"hother", "610831001", domain.RoleHandler},             // another township
		{"medoff", "610831101", domain.RoleMediator},            // disabled below
		{"recep101", "610831101", domain.RoleReceptionist},      // wrong role
		{"leadtown", "610831001", domain.RoleLeader},            // another township's leader
		{"leadhere", "610831101", domain.RoleLeader},            // the township's leader
		{"gridother", "610831001200001", domain.RoleGridWorker}, // another village's cell
		{"gridtown", "610831101", domain.RoleGridWorker},        // above the place
		{"hgrid", "610831101200001", domain.RoleHandler},        // a handler below the place
	} {
		e.users[x.name] = jftest.MakeUser(t, e.svc, x.name, x.org, x.role)
	}
	off := true
	if _, err := e.svc.UpdateUser(jftest.CLI(), e.users["medoff"].ID, identity.UserPatch{Disabled: &off, Version: e.users["medoff"].Version}); err != nil {
		t.Fatal(err)
	}
	return e
}

func usernames(list []domain.Assignable) []string {
	var out []string
	for _, c := range list {
		out = append(out, c.Username)
	}
	sort.Strings(out)
	return out
}

func fieldOf(err error, field string) string {
	if de, ok := errors.AsType[*domain.Error](err); ok {
		return de.Fields[field]
	}
	return ""
}

// The picker offers exactly the accounts the action accepts: for each
// person-choosing action, every account is tried on a fresh matter; it is
// accepted if and only if the candidate list offered it.
func TestCandidatesAreWhomTheActionAccepts(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newPickEnv(t, st)
		p := e.path("")
		stages := map[string]jftest.Stage{"dispatch": jftest.Assessed, "transfer": jftest.Signed, "cohandle": jftest.Signed,
			"lead": jftest.Dispatched, "watch": jftest.Closed}
		want := map[string][]string{
			"dispatch": {"hcounty", "med1", "med2"},
			"transfer": {"hcounty", "med2"}, // not med1, who has it
			"cohandle": {"hcounty", "med2"},
			"lead":     {"lead", "leadhere"},
			"watch":    {"grid1", "gridtown"},
		}
		for _, action := range casework.PersonActions {
			base := p.Matter(t, landCase("610831101200"), stages[action])
			actor := e.disp
			list, err := e.svc.Candidates(as(actor), base.ID, action)
			if err != nil {
				t.Fatalf("%s: %v", action, err)
			}
			if got := usernames(list); !slices.Equal(got, want[action]) {
				t.Errorf("%s offers %v, want %v", action, got, want[action])
			}
			// The matter page's pickers (read once for the rules that read
			// alike) offer the same.
			pg, err := e.svc.Page(as(actor), base.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got, ok := pg.Candidates[action]; !ok || !slices.Equal(usernames(got), want[action]) {
				t.Errorf("the page's %s picker offers %v (%v), want %v", action, usernames(got), ok, want[action])
			}
			var c *domain.Case // a refusal leaves it as it was, so it serves the next try
			for name, u := range e.users {
				if c == nil {
					c = p.Matter(t, landCase("610831101200"), stages[action])
				}
				in := casework.ActionInput{Assignee: u.Username, Reason: "换人", Note: "负责一部分", Days: 30}
				_, err := e.svc.Act(as(actor), c.ID, action, in)
				offered := slices.Contains(usernames(list), name)
				if offered != (err == nil) {
					t.Errorf("%s to %s: offered %v, but the action says %v", action, name, offered, err)
				}
				if err != nil && fieldOf(err, "assignee") == "" {
					t.Errorf("%s to %s refused without a field error on assignee: %v", action, name, err)
				}
				if err == nil {
					c = nil
				}
			}
		}
	})
}

// Loads count open matters only, per kind; the routing's account is
// suggested and comes first; whoever returned a matter is not suggested
// again; the picker is refused to whom the action is.
func TestCandidatesLoadsAndSuggestion(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newPickEnv(t, st)
		jftest.DemoCentre(t, e.svc, 2)
		if err := e.svc.AssignToUnit(jftest.CLI(), "hcounty", "justice"); err != nil {
			t.Fatal(err)
		}
		p := e.path("")
		a := p.Matter(t, landCase("610831101200"), jftest.Signed)      // med1, open
		p.Matter(t, landCase("610831101200"), jftest.Dispatched)       // med1, open
		closed := p.Matter(t, landCase("610831101200"), jftest.Closed) // med1, closed: not counted
		act(t, e.caseEnv, e.med, a.ID, "cohandle", casework.ActionInput{Assignee: "med2", Note: "做李保国的工作"})
		act(t, e.caseEnv, e.disp, a.ID, "lead", casework.ActionInput{Assignee: "leadhere", Reason: "本镇牵头"})
		act(t, e.caseEnv, e.disp, closed.ID, "watch", casework.ActionInput{Assignee: "gridtown", Days: 30})

		fresh := p.Matter(t, landCase("610831101200"), jftest.Assessed)
		load := func(action, who string) (int, int) {
			t.Helper()
			list, err := e.svc.Candidates(as(e.disp), fresh.ID, action)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range list {
				if c.Username == who {
					return c.Load, c.CoLoad
				}
			}
			t.Fatalf("%s not offered for %s", who, action)
			return 0, 0
		}
		if l, co := load("dispatch", "med1"); l != 2 || co != 0 {
			t.Errorf("med1 carries %d (+%d co-handled), want 2 open", l, co)
		}
		if l, co := load("dispatch", "med2"); l != 0 || co != 1 {
			t.Errorf("med2 carries %d (+%d co-handled), want 0 + 1", l, co)
		}
		if l, _ := load("lead", "leadhere"); l != 1 {
			t.Errorf("leadhere leads %d, want 1", l)
		}
		act(t, e.caseEnv, e.disp, fresh.ID, "dispatch", casework.ActionInput{Assignee: "med2"})
		watched := p.Matter(t, landCase("610831101200"), jftest.Closed)
		list, err := e.svc.Candidates(as(e.disp), watched.ID, "watch")
		if err != nil || len(list) == 0 || list[0].Username != "grid1" || list[1].Load != 1 {
			t.Errorf("watch: the nearest first, gridtown watching 1: %+v %v", list, err)
		}

		// The docking unit chosen at assessment: its least loaded handler.
		routed := p.Register(t, landCase("610831101200"))
		act(t, e.caseEnv, e.disp, routed.ID, "assess", casework.ActionInput{Risk: "none", Unit: "justice"})
		list, err = e.svc.Candidates(as(e.disp), routed.ID, "dispatch")
		if err != nil || !list[0].Suggested || list[0].Username != "hcounty" || list[0].UnitName == "" || slices.ContainsFunc(list[1:], func(c domain.Assignable) bool { return c.Suggested }) {
			t.Fatalf("the unit's handler should come first, suggested: %+v %v", list, err)
		}
		// Returned by him, it is not suggested to him again.
		act(t, e.caseEnv, e.disp, routed.ID, "dispatch", casework.ActionInput{Assignee: "hcounty"})
		act(t, e.caseEnv, e.users["hcounty"], routed.ID, "return", casework.ActionInput{Reason: "不属本单位职责"})
		list, _ = e.svc.Candidates(as(e.disp), routed.ID, "dispatch")
		if slices.ContainsFunc(list, func(c domain.Assignable) bool { return c.Suggested }) {
			t.Errorf("suggested again to whom returned it: %+v", list)
		}

		// Refused to whom the action is.
		if _, err := e.svc.Candidates(as(e.recep), routed.ID, "dispatch"); domain.ErrorCode(err) != domain.Forbidden {
			t.Errorf("a receptionist's dispatch picker: %v", err)
		}
		if _, err := e.svc.Candidates(as(e.shy), routed.ID, "dispatch"); domain.ErrorCode(err) != domain.NotFound {
			t.Errorf("another township's dispatcher: %v", err)
		}
		if _, err := e.svc.Candidates(as(e.disp), routed.ID, "assess"); fieldOf(err, "action") == "" {
			t.Errorf("assess names nobody: %v", err)
		}
		// The list's bulk picker: whoever covers the whole place.
		bl, org, err := e.svc.DispatchCandidates(as(e.disp), "")
		if err != nil || org.Code != "610831" || !slices.Equal(usernames(bl), []string{"hcounty"}) {
			t.Errorf("bulk picker for the county: %v %v %v", usernames(bl), org, err)
		}
		bl, _, err = e.svc.DispatchCandidates(as(e.disp), "610831101")
		if err != nil || !slices.Equal(usernames(bl), []string{"hcounty", "med1", "med2"}) {
			t.Errorf("bulk picker for 何家集镇: %v %v", usernames(bl), err)
		}
		if _, _, err := e.svc.DispatchCandidates(as(e.shy), "610831101"); domain.ErrorCode(err) != domain.Forbidden {
			t.Errorf("bulk picker outside the jurisdiction: %v", err)
		}
	})
}

// 研判并交办: the assessment and the dispatch in one transaction; a refused
// dispatch leaves the matter as it was, not half-done.
func TestAssessAndDispatchTogether(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newPickEnv(t, st)
		p := e.path("")
		c := p.Register(t, landCase("610831101200"))
		_, err := e.svc.Act(as(e.disp), c.ID, "assess", casework.ActionInput{Risk: "yellow", Assignee: "hother", Version: c.Version})
		if fieldOf(err, "assignee") != "case.assignee.place" {
			t.Fatalf("dispatch outside the place: %v", err)
		}
		after, err := e.svc.Case(as(e.disp), c.ID)
		if err != nil || after.Status != domain.StatusRegistered || after.Risk != "none" || after.Version != c.Version || len(after.Timeline) != len(c.Timeline) {
			t.Fatalf("a refused dispatch left the matter changed: %s %s v%d, %d entries", after.Status, after.Risk, after.Version, len(after.Timeline))
		}
		checkCounts(t, st, "refused assess and dispatch")
		done, err := e.svc.Act(as(e.disp), c.ID, "assess", casework.ActionInput{Risk: "yellow", Assignee: "med1", Version: c.Version})
		if err != nil || done.Status != domain.StatusDispatched || done.Assignee != e.med.ID || done.Risk != "yellow" {
			t.Fatalf("assess and dispatch: %v %+v", err, done)
		}
		var actions []string
		for _, ev := range done.Timeline {
			actions = append(actions, ev.Action)
		}
		if !slices.Equal(actions, []string{"register", "assess", "dispatch"}) {
			t.Fatalf("timeline %v", actions)
		}
		checkCounts(t, st, "assess and dispatch")
		// Without an assignee it stays an assessment.
		d := p.Register(t, landCase("610831101200"))
		if got := act(t, e.caseEnv, e.disp, d.ID, "assess", casework.ActionInput{Risk: "none"}); got.Status != domain.StatusAssessed {
			t.Fatalf("plain assess: %s", got.Status)
		}
	})
}

// Bulk dispatch: each matter on its own, with its own result.
func TestBulkDispatch(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newPickEnv(t, st)
		p := e.path("")
		a := p.Matter(t, landCase("610831101200"), jftest.Assessed)
		b := p.Matter(t, landCase("610831101200"), jftest.Assessed)
		reg := p.Register(t, landCase("610831101200"))                // not assessed yet
		far := p.Matter(t, landCase("610831001200"), jftest.Assessed) // 双湖峪: outside med1's place
		res, err := e.svc.BulkAct(as(e.disp), "dispatch", []int64{a.ID, b.ID, reg.ID, far.ID, 999999, a.ID}, casework.ActionInput{Assignee: "med1", Note: "请尽快联系"})
		if err != nil || len(res) != 5 {
			t.Fatalf("bulk: %v %d results", err, len(res))
		}
		for i, want := range []string{"", "", "case.action.status", "case.assignee.place", "error.not_found"} {
			r := res[i]
			got := ""
			if r.Err != nil {
				de, _ := errors.AsType[*domain.Error](r.Err)
				if got = fieldOf(r.Err, "assignee"); got == "" && de != nil {
					got = de.Key
				}
			}
			if got != want {
				t.Errorf("matter %d (%s): %q, want %q (%v)", r.ID, r.Number, got, want, r.Err)
			}
			if i < 4 && r.Number == "" {
				t.Errorf("matter %d has no number in its result", r.ID)
			}
		}
		if res[4].Number != "" {
			t.Errorf("an unknown matter is named %q", res[4].Number)
		}
		for _, id := range []int64{a.ID, b.ID} {
			c, _ := e.svc.Case(as(e.disp), id)
			if c.Status != domain.StatusDispatched || c.Assignee != e.med.ID || !strings.Contains(c.Timeline[len(c.Timeline)-1].Note, "请尽快联系") {
				t.Errorf("matter %d: %s to %d", id, c.Status, c.Assignee)
			}
		}
		checkCounts(t, st, "bulk dispatch")
		if _, err := e.svc.BulkAct(as(e.disp), "dispatch", nil, casework.ActionInput{Assignee: "med1"}); fieldOf(err, "cases") != "bulk.none" {
			t.Errorf("no matters: %v", err)
		}
		if res, err := e.svc.BulkAct(as(e.disp), "dispatch", []int64{a.ID, b.ID}, casework.ActionInput{}); fieldOf(err, "assignee") != "field.required" || res != nil {
			t.Errorf("bulk dispatch to nobody: %v %v", res, err)
		}
		if _, err := e.svc.BulkAct(as(e.disp), "close", []int64{a.ID}, casework.ActionInput{}); domain.ErrorCode(err) != domain.NotFound {
			t.Errorf("close in bulk: %v", err)
		}
		// A receptionist's bulk dispatch is refused matter by matter.
		res, err = e.svc.BulkAct(as(e.recep), "dispatch", []int64{far.ID}, casework.ActionInput{Assignee: "hcounty"})
		if err != nil || domain.ErrorCode(res[0].Err) != domain.Forbidden {
			t.Errorf("receptionist: %v %v", err, res)
		}
	})
}

// Places by name within the jurisdiction; registration names a place that
// does not exist together with the other field errors.
func TestPlacePickers(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newPickEnv(t, st)
		town := jftest.MakeUser(t, e.svc, "recep_town", "610831101", domain.RoleReceptionist)
		list, cut, err := e.svc.Places(as(town), "")
		if err != nil || cut || list[0].Code != "610831101" {
			t.Fatalf("places of 何家集镇: %v %v %v", len(list), cut, err)
		}
		for _, o := range list {
			if !strings.HasPrefix(o.Path, "/610831/610831101/") {
				t.Fatalf("%s (%s) is outside 何家集镇", o.Name, o.Code)
			}
		}
		if !slices.ContainsFunc(list, func(o domain.Org) bool { return o.Code == "610831101200001" }) {
			t.Error("a small jurisdiction lists its grid cells")
		}
		hits, err := e.svc.SearchPlaces(as(town), "第一网格", 10)
		if err != nil || len(hits) != 1 || hits[0].Code != "610831101200001" || hits[0].Trail != "何家集村委会" {
			t.Fatalf("search 第一网格 in 何家集镇: %+v %v", hits, err)
		}
		hits, err = e.svc.SearchPlaces(as(e.disp), "第一网格", 10)
		if err != nil || len(hits) != 2 || !strings.HasPrefix(hits[0].Trail, "何家集镇") && !strings.HasPrefix(hits[0].Trail, "双湖峪街道") {
			t.Fatalf("search 第一网格 in the county: %+v %v", hits, err)
		}
		if hits, _ := e.svc.SearchPlaces(as(e.grid), "何家集", 10); len(hits) != 0 {
			t.Errorf("a grid worker finds places outside the cell: %+v", hits)
		}
		if _, err := e.svc.SearchPlaces(as(town), " ", 10); fieldOf(err, "q") == "" {
			t.Errorf("empty search: %v", err)
		}
		in := landCase("610831999999")
		in.Description = "短"
		_, err = e.svc.RegisterCase(as(e.recep), in)
		if fieldOf(err, "org_code") != "org.not_found" || fieldOf(err, "description") == "" {
			t.Fatalf("registration: want the place's error beside the description's: %v", err)
		}
	})
}
