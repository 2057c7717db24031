package service_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"jiefen/internal/domain"
	"jiefen/internal/jftest"
	"jiefen/internal/service/casework"
	"jiefen/internal/store"
)

// privacyEnv is a county with the security administrator and four matters
// where 张建军 (testID, 13912345678) appears: two as a party with his ID
// number (何家集镇 and 双湖峪镇), one as a party by name alone, and one
// household row of a group matter's list.
type privacyEnv struct {
	*caseEnv
	sec                      *domain.User
	c1, c2, c3, group        *domain.Case
	ref, reason, otherPlaceC string
}

func newPrivacyEnv(t *testing.T, st *store.Store) *privacyEnv {
	t.Helper()
	e := &privacyEnv{caseEnv: newCaseEnv(t, st), ref: "子综治个信〔2026〕3号", reason: "本人到窗口申请查阅复制"}
	e.sec = jftest.MakeUser(t, e.svc, "anquan", "610831", domain.RoleSecurityAdmin)
	in := landCase("610831101200")
	in.Description = "张建军与李保国因土地承包经营权边界发生争执，张建军称对方毁坏青苗。"
	e.c1 = e.register(t, in)
	e.c2 = e.register(t, landCase("610831001200"))
	byName := landCase("610831101200")
	byName.Parties = []domain.Party{{Role: "applicant", Name: "张建军", IDType: "none", NoIDReason: "未带证件"}, {Role: "respondent", Name: "王小红"}}
	e.c3 = e.register(t, byName)
	g := landCase("610831101")
	g.Description, g.PeopleCount = "何家集镇合作社社员反映分红迟迟未发。", 3
	g.Parties = []domain.Party{{Role: "applicant", Name: "刘一", IDType: "none", NoIDReason: "集体反映"}}
	e.group = e.register(t, g)
	list := "姓名,村,身份证号,电话,金额,备注\n张建军," + "何家集村委会," + testID + ",13912345678,820.5,户主\n刘一,何家集村委会,,,100,\n张建军,何家集村委会,,,50,同名\n"
	table, err := casework.ReadTable("list.csv", strings.NewReader(list))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.ImportMembers(as(e.disp), e.group.ID, table); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *privacyEnv) register(t *testing.T, in domain.CaseInput) *domain.Case {
	t.Helper()
	c, err := e.svc.RegisterCase(as(e.recep), in)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// lastAudit is the newest audit entry of an action (as the operator reads it).
func lastAudit(t *testing.T, e *privacyEnv, action string) *domain.AuditEntry {
	t.Helper()
	es, err := e.svc.SearchAudit(jftest.CLI(), domain.AuditFilter{Action: action, Limit: 1})
	if err != nil || len(es) == 0 || es[0].Action != action {
		t.Fatalf("no audit entry %s (%v)", action, err)
	}
	return es[0]
}

func numbers(h *domain.Holdings) []string {
	var out []string
	for _, p := range h.Parties {
		out = append(out, p.CaseNumber+":"+strings.Join(p.MatchedBy, "+"))
	}
	for _, m := range h.Members {
		out = append(out, m.CaseNumber+"#"+strings.Join(m.MatchedBy, "+"))
	}
	slices.Sort(out)
	return out
}

// Finding a person (PIPL 45) on both engines: by ID number through the
// blind index, by phone, by name within a place; every matter and household
// row where they appear, with the fields held and no values; the security
// administrator's alone, with a reason and a reference, audited without
// the ID number.
func TestPrivacyFind(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newPrivacyEnv(t, st)
		byID := domain.PersonQuery{IDNumber: testID}
		for _, u := range []*domain.User{e.disp, e.leader, e.recep} {
			if _, err := e.svc.FindPerson(as(u), byID, e.ref, e.reason); domain.ErrorCode(err) != domain.Forbidden {
				t.Fatalf("%s found a person: %v", u.Username, err)
			}
		}
		_, err := e.svc.FindPerson(as(e.sec), byID, " ", "")
		if de, ok := err.(*domain.Error); !ok || de.Fields["ref"] == "" || de.Fields["reason"] == "" {
			t.Fatalf("without a reference and a reason: %v", err)
		}
		if _, err := e.svc.FindPerson(as(e.sec), domain.PersonQuery{Name: "张建军"}, e.ref, e.reason); domain.ErrorCode(err) != domain.Invalid {
			t.Fatalf("a name without a place: %v", err)
		}
		_, err = e.svc.FindPerson(as(e.sec), domain.PersonQuery{IDNumber: "610831199003070025"}, e.ref, e.reason)
		if de, ok := err.(*domain.Error); !ok || de.Fields["id_number"] != "id.check" {
			t.Fatalf("a resident ID with a wrong check digit: %v", err)
		}
		h, err := e.svc.FindPerson(as(e.sec), byID, e.ref, e.reason)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{e.c1.Number + ":id_number", e.c2.Number + ":id_number", e.group.Number + "#id_number"}
		if got := numbers(h); !slices.Equal(got, want) {
			t.Fatalf("by ID number: %v, want %v", got, want)
		}
		for _, p := range h.Parties {
			if p.Party.Name != "张**" || p.Party.IDNumber != "" || p.Party.Phone != "" || p.Party.Address != "" ||
				!slices.Equal(p.Fields, []string{"name", "id_number", "phone", "address"}) {
				t.Fatalf("a party as found: %+v", p)
			}
		}
		if m := h.Members[0]; m.Name != "张**" || m.IDNumber != "610831********0024" || !slices.Equal(m.Fields, []string{"name", "id_number", "phone", "amount", "note", "status"}) {
			t.Fatalf("a household row as found: %+v", m)
		}
		a := lastAudit(t, e, "privacy.find")
		if strings.Contains(a.ObjectID+a.Detail, testID) || !strings.Contains(a.Detail, e.ref) || !strings.Contains(a.Detail, e.reason) ||
			!strings.Contains(a.Detail, "found 2 parties and 1 household rows in 3 matters") {
			t.Fatalf("audit: %+v", a)
		}
		// By phone (the parties' index) and ID number together: each row once,
		// with both criteria.
		h, err = e.svc.FindPerson(as(e.sec), domain.PersonQuery{IDNumber: testID, Phone: "139 1234 5678"}, e.ref, e.reason)
		if got := numbers(h); err != nil || !slices.Contains(got, e.c1.Number+":id_number+phone") || len(got) != 3 {
			t.Fatalf("by ID number and phone: %v %v", got, err)
		}
		// By name within 何家集镇: the party without an ID number too, and both
		// household rows named so; not 双湖峪镇's matter.
		h, err = e.svc.FindPerson(as(e.sec), domain.PersonQuery{Name: "张建军", OrgCode: "610831101"}, e.ref, e.reason)
		want = []string{e.c1.Number + ":name", e.c3.Number + ":name", e.group.Number + "#name", e.group.Number + "#name"}
		if got := numbers(h); err != nil || !slices.Equal(got, want) {
			t.Fatalf("by name: %v %v, want %v", got, err, want)
		}
		// A township's security administrator finds nothing outside it.
		local := jftest.MakeUser(t, e.svc, "anquan101", "610831101", domain.RoleSecurityAdmin)
		h, err = e.svc.FindPerson(as(local), byID, e.ref, e.reason)
		if got := numbers(h); err != nil || len(got) != 2 || slices.Contains(got, e.c2.Number+":id_number") {
			t.Fatalf("township's find: %v %v", got, err)
		}
		if _, err := e.svc.FindPerson(as(local), domain.PersonQuery{Name: "张建军", OrgCode: "610831001"}, e.ref, e.reason); domain.ErrorCode(err) != domain.Invalid {
			t.Fatalf("a name in another township: %v", err)
		}
	})
}

// A person's copy (PIPL 45) on both engines: asked for by the security
// administrator, made only after a second person approves — never the
// requester, never from outside the place, never a role without the right —
// once, by the requester, with everything in full; audited.
func TestPrivacyCopy(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newPrivacyEnv(t, st)
		if _, err := e.svc.RequestPersonCopy(jftest.CLI(), domain.PersonQuery{IDNumber: testID}, e.ref, e.reason); domain.ErrorCode(err) != domain.Forbidden {
			t.Fatalf("the operator asked for a copy: %v", err)
		}
		if _, err := e.svc.RequestPersonCopy(as(e.disp), domain.PersonQuery{IDNumber: testID}, e.ref, e.reason); domain.ErrorCode(err) != domain.Forbidden {
			t.Fatalf("a dispatcher asked for a copy: %v", err)
		}
		r, err := e.svc.RequestPersonCopy(as(e.sec), domain.PersonQuery{IDNumber: testID}, e.ref, e.reason)
		if err != nil {
			t.Fatal(err)
		}
		if r.Subject != "610831********0024" {
			t.Fatalf("the request names its person %q", r.Subject)
		}
		if n, _ := jftest.Count(st, `SELECT COUNT(*) FROM privacy_requests WHERE subject_enc LIKE '%0024%' OR subject_masked = $1`, testID); n != 0 {
			t.Fatal("the request keeps the ID number in plain text")
		}
		var buf bytes.Buffer
		if _, err := e.svc.PersonCopy(as(e.sec), r.ID, &buf, func(k string) string { return k }); domain.ErrorKey(err) != "export.not_approved" {
			t.Fatalf("copy before approval: %v", err)
		}
		if err := e.svc.ApprovePersonCopy(as(e.sec), r.ID); domain.ErrorKey(err) != "four_eyes.self" {
			t.Fatalf("approved by the requester: %v", err)
		}
		township := jftest.MakeUser(t, e.svc, "lead101", "610831101", domain.RoleLeader)
		for _, u := range []*domain.User{township, e.disp} {
			if err := e.svc.ApprovePersonCopy(as(u), r.ID); domain.ErrorCode(err) != domain.Forbidden {
				t.Fatalf("approved by %s: %v", u.Username, err)
			}
		}
		if err := e.svc.ApprovePersonCopy(as(e.leader), r.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.PersonCopy(as(e.leader), r.ID, &buf, func(k string) string { return k }); domain.ErrorCode(err) != domain.Forbidden {
			t.Fatalf("copy by the approver: %v", err)
		}
		h, err := e.svc.PersonCopy(as(e.sec), r.ID, &buf, func(k string) string { return k })
		if err != nil {
			t.Fatal(err)
		}
		if len(h.Parties) != 2 || len(h.Members) != 1 {
			t.Fatalf("copy holds %d parties, %d rows", len(h.Parties), len(h.Members))
		}
		f, err := excelize.OpenReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := f.GetRows("privacy.copy.sheet.parties")
		members, _ := f.GetRows("privacy.copy.sheet.members")
		if len(rows) != 3 || !slices.Contains(rows[1], "张建军") || !slices.Contains(rows[1], testID) || !slices.Contains(rows[1], "13912345678") ||
			len(members) != 2 || !slices.Contains(members[1], testID) || !slices.Contains(members[1], "户主") {
			t.Fatalf("copy:\n%v\n%v", rows, members)
		}
		if _, err := e.svc.PersonCopy(as(e.sec), r.ID, &buf, func(k string) string { return k }); domain.ErrorKey(err) != "export.used" {
			t.Fatalf("second copy: %v", err)
		}
		a := lastAudit(t, e, "privacy.export")
		if strings.Contains(a.Detail, testID) || !strings.Contains(a.Detail, "approved by "+e.leader.Name) || !strings.Contains(a.Detail, e.ref) {
			t.Fatalf("audit: %+v", a)
		}
		mine, toApprove, err := e.svc.PersonCopyRequests(as(e.sec))
		if err != nil || len(mine) != 1 || mine[0].UsedAt.IsZero() || len(toApprove) != 0 {
			t.Fatalf("requests: %v %v %v", mine, toApprove, err)
		}
	})
}

// Every column of the parties' and the household lists' tables is in the
// field inventory (with its purpose, basis and retention) or named as
// holding no personal data of its own (PI-1: no field without a purpose),
// and the processing record generated from it names who sees each field
// from the authorization policy.
func TestInventoryCoversColumns(t *testing.T) {
	st := jftest.OpenSQLite(t)
	for table, record := range map[string]string{"parties": "party", "group_members": "member"} {
		known := slices.Clone(domain.NoPersonalData[table])
		for _, f := range domain.PersonalInventory {
			if f.Record == record {
				known = append(known, f.Field)
			}
		}
		q := `SELECT COUNT(*) FROM pragma_table_info('` + table + `') WHERE name NOT IN ('` + strings.Join(known, "', '") + `')`
		if n, err := jftest.Count(st, q); err != nil || n != 0 {
			t.Errorf("%s has %d columns the inventory does not name (%v)", table, n, err)
		}
	}
	e := newPrivacyEnv(t, jftest.OpenSQLite(t))
	rec, err := e.svc.ProcessingRecord(as(e.recep))
	if err != nil || len(rec) != len(domain.PersonalInventory) {
		t.Fatalf("record: %d items, %v", len(rec), err)
	}
	for _, it := range rec {
		if it.Record == "party" && it.Field == domain.FieldIDNumber {
			if !slices.Contains(it.FullRoles, domain.RoleDispatcher) || slices.Contains(it.FullRoles, domain.RoleAdmin) || it.Rule == nil || it.Rule.KeepDays != 3650 {
				t.Errorf("the ID number's line: %+v", it)
			}
		}
	}
	if _, err := e.svc.ProcessingRecord(jftest.As(&domain.User{ID: 99, Roles: []domain.Role{domain.RoleCitizen}}, "")); domain.ErrorCode(err) != domain.Forbidden {
		t.Errorf("a citizen read the record: %v", err)
	}
}
