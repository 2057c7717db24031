package service_test

import (
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"jiefen/internal/domain"
	"jiefen/internal/jftest"
	"jiefen/internal/service/casework"
	"jiefen/internal/service/privacy"
	"jiefen/internal/service/report"
	"jiefen/internal/store"
)

// event is the newest timeline entry of an action on a matter.
func event(t *testing.T, e *privacyEnv, caseID int64, action string) *domain.TimelineEntry {
	t.Helper()
	c, err := e.svc.Case(as(e.disp), caseID)
	if err != nil {
		t.Fatal(err)
	}
	for i := range c.Timeline {
		if c.Timeline[i].Action == action {
			return &c.Timeline[i]
		}
	}
	return nil
}

// A correction (PIPL 46) on both engines: an event on the matter's timeline
// with the request's reference and the old value sealed; the party, its
// blind index and the matter's search follow the new value; a bad value,
// the same value, another field or another role changes nothing.
func TestPrivacyCorrect(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newPrivacyEnv(t, st)
		applicant := e.c1.Parties[0].ID
		fix := func(u *domain.User, field, value string) error {
			return e.svc.CorrectParty(as(u), e.c1.ID, applicant, domain.PartyCorrection{Field: field, Value: value, Ref: e.ref, Reason: "本人申请更正电话"})
		}
		for _, c := range []struct {
			u            *domain.User
			field, value string
			code         domain.Code
			key          string
		}{
			{e.disp, "phone", "13700001111", domain.Forbidden, ""},
			{e.sec, "phone", "12345", domain.Invalid, "party.phone.invalid"},
			{e.sec, "phone", "13912345678", domain.Invalid, "privacy.correct.same"},
			{e.sec, "id_number", "610831199003070025", domain.Invalid, "id.check"},
			{e.sec, "uscc", "x", domain.Invalid, "privacy.correct.field"},
			{e.sec, "name", " ", domain.Invalid, "field.required"},
		} {
			err := fix(c.u, c.field, c.value)
			de, _ := err.(*domain.Error)
			if domain.ErrorCode(err) != c.code || (c.key != "" && de.Fields["value"] != c.key && de.Fields["field"] != c.key) {
				t.Errorf("%s %s=%q: %v", c.u.Username, c.field, c.value, err)
			}
		}
		if ev := event(t, e, e.c1.ID, "party_correct"); ev != nil {
			t.Fatalf("a refused correction left an event: %+v", ev)
		}
		if err := fix(e.sec, "phone", "137 0000 1111"); err != nil {
			t.Fatal(err)
		}
		ev := event(t, e, e.c1.ID, "party_correct")
		if ev == nil || ev.Data["ref"] != e.ref || ev.Data["field"] != "phone" || ev.ActorName != e.sec.Name || strings.Contains(ev.Data["old_sealed"], "1391234") {
			t.Fatalf("correction event: %+v", ev)
		}
		if old, err := e.svc.OldValue(ev.Data); err != nil || old != "13912345678" {
			t.Fatalf("the old value sealed in the event: %q %v", old, err)
		}
		c, _ := e.svc.Case(as(e.disp), e.c1.ID)
		if c.Parties[0].PhoneMask != "137****1111" {
			t.Fatalf("phone now %s", c.Parties[0].PhoneMask)
		}
		h, err := e.svc.FindPerson(as(e.sec), domain.PersonQuery{Phone: "13700001111"}, e.ref, e.reason)
		if err != nil || len(h.Parties) != 1 || h.Parties[0].CaseNumber != e.c1.Number || h.Parties[0].Corrections != 1 {
			t.Fatalf("found by the new phone: %+v %v", h, err)
		}
		// A new name: the matter is found by it, no longer by the old one.
		if err := fix(e.sec, "name", "张建君"); err != nil {
			t.Fatal(err)
		}
		for q, want := range map[string]bool{"张建君": true, "李保国": true} {
			rows, _, err := e.svc.Cases(as(e.disp), casework.CaseQuery{Q: q})
			if err != nil || slices.ContainsFunc(rows, func(r casework.CaseRow) bool { return r.ID == e.c1.ID }) != want {
				t.Errorf("search %s: %v", q, err)
			}
		}
		a := lastAudit(t, e, "privacy.correct")
		if a.ObjectID != e.c1.Number+"/"+strconv.FormatInt(applicant, 10) || strings.Contains(a.Detail, "张建") || !strings.Contains(a.Detail, e.ref) {
			t.Fatalf("audit: %+v", a)
		}
	})
}

// Anonymisation past retention on both engines: a dry run says what a run
// would do and changes nothing; the run replaces the personal data of the
// parties and households of matters archived longer ago than their rule —
// names, sealed values, blind indexes, the names in the free text and the
// search index, the sealed old values of corrections — records it on each
// matter's timeline, is audited with its counts, and leaves the
// statistics of the matters' period as they were; open matters are not
// touched; a second run finds nothing; the job runs once a day.
func TestPrivacyRetention(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newPrivacyEnv(t, st)
		p := e.path("")
		p.To(t, e.c1, jftest.Archived)
		p.To(t, e.group, jftest.Archived)
		if err := e.svc.CorrectParty(as(e.sec), e.c1.ID, e.c1.Parties[0].ID, domain.PartyCorrection{Field: "address", Value: "何家集村四组", Ref: e.ref, Reason: "更正住址"}); err != nil {
			t.Fatal(err)
		}
		now := time.Now().In(domain.CST)
		period := func(by string) *report.Stats {
			t.Helper()
			from := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, domain.CST)
			s, err := e.svc.Statistics(as(e.leader), report.StatsQuery{From: from, To: from.AddDate(0, 1, 0), By: by})
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		if _, err := e.svc.RunRetention(as(e.disp), true); domain.ErrorCode(err) != domain.Forbidden {
			t.Fatalf("a dispatcher ran retention: %v", err)
		}
		if err := e.svc.SetRetentionRule(as(e.sec), domain.RetainParties, 30); domain.ErrorCode(err) != domain.Invalid {
			t.Fatalf("a month's retention: %v", err)
		}
		if err := e.svc.SetRetentionRule(as(e.sec), domain.RetainAudit, 90); domain.ErrorCode(err) != domain.Invalid {
			t.Fatalf("90 days of audit log (AU-5): %v", err)
		}
		if rep, err := e.svc.RunRetention(as(e.sec), false); err != nil || rep.Cases != 0 {
			t.Fatalf("today nothing is past retention: %+v %v", rep, err)
		}
		// Eleven years on.
		later := time.Now().AddDate(11, 0, 0)
		st.SetClock(func() time.Time { return later })
		// The period's figures as they stand then (its open matters overdue by now).
		before := []*report.Stats{period(""), period("category"), period("org")}
		sealed := `SELECT COUNT(*) FROM parties WHERE id_enc <> '' OR phone_bidx <> ''`
		sealedBefore, _ := jftest.Count(st, sealed)
		dry, err := e.svc.RunRetention(as(e.sec), true)
		if err != nil || !dry.DryRun || dry.Cases != 2 || dry.Parties != 3 || dry.Members != 3 {
			t.Fatalf("dry run: %+v %v", dry, err)
		}
		if n, _ := jftest.Count(st, sealed); n != sealedBefore || event(t, e, e.c1.ID, privacy.AnonymiseAction) != nil {
			t.Fatal("the dry run changed something")
		}
		if a := lastAudit(t, e, "privacy.retention.preview"); !strings.HasPrefix(a.Detail, "2 matters, 3 parties, 3 household rows") {
			t.Fatalf("dry run's audit: %+v", a)
		}
		rep, err := e.svc.RunRetention(as(e.sec), false)
		if err != nil || rep.Cases != 2 || rep.Parties != 3 || rep.Members != 3 {
			t.Fatalf("run: %+v %v", rep, err)
		}
		checkAnonymised(t, e, st)
		if a := lastAudit(t, e, "privacy.retention.run"); a.Result != domain.ResultOK || !strings.HasPrefix(a.Detail, "2 matters, 3 parties, 3 household rows") {
			t.Fatalf("run's audit: %+v", a)
		}
		for i, after := range []*report.Stats{period(""), period("category"), period("org")} {
			if !reflect.DeepEqual(before[i].Total, after.Total) || !reflect.DeepEqual(before[i].Groups, after.Groups) {
				t.Errorf("statistics %d changed:\n%+v\n%+v", i, before[i].Total, after.Total)
			}
		}
		if rep, err := e.svc.RunRetention(as(e.sec), false); err != nil || rep.Cases != 0 {
			t.Fatalf("second run: %+v %v", rep, err)
		}
		// The job: not due within a day of the last run, due after.
		if rep, err := e.svc.RetentionJobOnce(t.Context()); err != nil || rep != nil {
			t.Fatalf("job within a day: %+v %v", rep, err)
		}
		st.SetClock(func() time.Time { return later.Add(25 * time.Hour) })
		if rep, err := e.svc.RetentionJobOnce(t.Context()); err != nil || rep == nil || rep.Cases != 0 {
			t.Fatalf("job a day later: %+v %v", rep, err)
		}
	})
}

// checkAnonymised checks what the run left of 张建军's archived matter and
// the group matter, and that his open matter in 双湖峪镇 is as it was.
func checkAnonymised(t *testing.T, e *privacyEnv, st *store.Store) {
	t.Helper()
	c, err := e.svc.Case(as(e.disp), e.c1.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range c.Parties {
		if p.Name != domain.AnonymisedName || p.IDMasked != "" || p.PhoneMask != "" || p.Address != "" {
			t.Errorf("party not anonymised: %+v", p)
		}
	}
	if strings.Contains(c.Description, "张建军") || !strings.Contains(c.Description, domain.AnonymisedName) {
		t.Errorf("description: %s", c.Description)
	}
	if ev := event(t, e, e.c1.ID, "party_correct"); ev == nil || ev.Data["old_sealed"] != "" || ev.Data["ref"] != e.ref {
		t.Errorf("correction after anonymising: %+v", ev)
	}
	if ev := event(t, e, e.c1.ID, privacy.AnonymiseAction); ev == nil || ev.Data["parties"] != "2" || ev.ActorName != e.sec.Name {
		t.Errorf("anonymise event: %+v", ev)
	}
	if ev := event(t, e, e.group.ID, privacy.AnonymiseAction); ev == nil || ev.Data["members"] != "3" {
		t.Errorf("group's anonymise event: %+v", ev)
	}
	for q, n := range map[string]string{
		`SELECT COUNT(*) FROM parties WHERE case_id = $1 AND (id_enc <> '' OR id_bidx <> '' OR phone_enc <> '' OR phone_bidx <> '')`:                   "sealed party values",
		`SELECT COUNT(*) FROM group_members WHERE case_id = $1 AND (name <> '已匿名化' OR id_enc <> '' OR id_bidx <> '' OR phone_enc <> '' OR note <> '')`: "household values",
	} {
		for _, id := range []int64{e.c1.ID, e.group.ID} {
			if k, err := jftest.Count(st, q, id); err != nil || k != 0 {
				t.Errorf("%s left on matter %d: %d (%v)", n, id, k, err)
			}
		}
	}
	h, err := e.svc.FindPerson(as(e.sec), domain.PersonQuery{IDNumber: testID}, e.ref, e.reason)
	if got := numbers(h); err != nil || !slices.Equal(got, []string{e.c2.Number + ":id_number"}) {
		t.Errorf("found after anonymising: %v %v", got, err)
	}
	rows, _, err := e.svc.Cases(as(e.disp), casework.CaseQuery{Q: "张建军"})
	if err != nil || slices.ContainsFunc(rows, func(r casework.CaseRow) bool { return r.ID == e.c1.ID }) {
		t.Errorf("the search index still finds the anonymised matter by name (%v)", err)
	}
}

// The breach question (PI-8) on both engines: which persons' records did an
// account view between two times — its reveals, prints and household
// lists read back into the persons, one person once; the audit
// administrator's alone; audited.
func TestPrivacyAccessedPersons(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newPrivacyEnv(t, st)
		auditor := jftest.MakeUser(t, e.svc, "shenji", "610831", domain.RoleAuditAdmin)
		from := time.Now().Add(-time.Hour)
		if _, _, err := e.svc.RevealParty(as(e.disp), e.c1.ID, e.c1.Parties[0].ID, "核实身份"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.svc.CaseForPrint(as(e.disp), e.c2.ID, "registration"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.PrintGroup(as(e.disp), e.group.ID, "", "", 0, 100); err != nil { // audited as one print
			t.Fatal(err)
		}
		to := time.Now().Add(time.Hour)
		if _, err := e.svc.AccessedPersons(as(e.disp), "disp", from, to); domain.ErrorCode(err) != domain.Forbidden {
			t.Fatalf("a dispatcher asked: %v", err)
		}
		if _, err := e.svc.AccessedPersons(as(auditor), "disp", to, from); domain.ErrorCode(err) != domain.Invalid {
			t.Fatalf("a period backwards: %v", err)
		}
		rep, err := e.svc.AccessedPersons(as(auditor), "disp", from, to)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Accesses) != 3 {
			t.Fatalf("accesses: %+v", rep.Accesses)
		}
		// 张建军 (one person by his ID number: c1 revealed, c2 printed, his
		// household row), 李保国 of c2 printed, and the list's other two rows.
		var zhang *domain.AccessedPerson
		for i := range rep.Persons {
			if rep.Persons[i].IDMasked == "610831********0024" {
				zhang = &rep.Persons[i]
			}
		}
		if len(rep.Persons) != 4 || zhang == nil || zhang.Name != "张**" || len(zhang.Records) != 3 || len(zhang.Seqs) != 3 {
			t.Fatalf("persons: %+v", rep.Persons)
		}
		if a := lastAudit(t, e, "privacy.access"); a.ObjectID != "disp" || !strings.Contains(a.Detail, "3 views, 4 persons") {
			t.Fatalf("audit: %+v", a)
		}
		if rep, err := e.svc.AccessedPersons(as(auditor), "recep", from, to); err != nil || len(rep.Persons) != 0 {
			t.Fatalf("the receptionist viewed nothing: %+v %v", rep, err)
		}
	})
}
