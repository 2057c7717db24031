package service_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"jiefen/internal/domain"
	"jiefen/internal/jftest"
	"jiefen/internal/service"
	"jiefen/internal/service/casework"
	"jiefen/internal/store"
)

const testID = "610831199003070024"

func landCase(org string) domain.CaseInput {
	return domain.CaseInput{
		Channel: "visit", Category: "land", OrgCode: org, Address: "何家集村三组",
		Description: "张家与李家因土地承包经营权边界发生争执，双方多次争吵，李家扬言要毁坏青苗。",
		AmountYuan:  12000.5, PeopleCount: 6,
		Parties: []domain.Party{
			{Role: "applicant", Name: "张建军", IDNumber: testID, Phone: "139 1234 5678", Address: "何家集村三组"},
			{Role: "respondent", Name: "李保国", IDType: "none", Phone: "13812345678"},
		},
	}
}

type caseEnv struct {
	svc                                       *service.Service
	st                                        *store.Store
	recep, disp, med, med2, leader, grid, shy *domain.User
}

func newCaseEnv(t *testing.T, st *store.Store) *caseEnv {
	svc := jftest.Service(st)
	jftest.SeedTree(t, svc)
	return &caseEnv{svc: svc, st: st,
		recep:  jftest.MakeUser(t, svc, "recep", "610831", domain.RoleReceptionist),
		disp:   jftest.MakeUser(t, svc, "disp", "610831", domain.RoleDispatcher),
		med:    jftest.MakeUser(t, svc, "med1", "610831101", domain.RoleMediator),
		med2:   jftest.MakeUser(t, svc, "med2", "610831101", domain.RoleMediator),
		leader: jftest.MakeUser(t, svc, "lead", "610831", domain.RoleLeader),
		grid:   jftest.MakeUser(t, svc, "grid1", "610831101200001", domain.RoleGridWorker),
		shy:    jftest.MakeUser(t, svc, "shydisp", "610831001", domain.RoleDispatcher),
	}
}

func as(u *domain.User) context.Context { return jftest.As(u, "10.0.0.9") }

func act(t *testing.T, e *caseEnv, u *domain.User, id int64, action string, in casework.ActionInput) *domain.Case {
	t.Helper()
	return e.path("").Act(t, u, id, action, in)
}

// path takes matters along the usual path as recep, disp and med1,
// assessing them risk and checking the kept counts after every step.
func (e *caseEnv) path(risk string) jftest.Path {
	return jftest.Path{Svc: e.svc, Recep: e.recep, Disp: e.disp, Med: e.med, Risk: risk,
		After: func(t testing.TB, action string) { t.Helper(); checkCounts(t, e.st, action) }}
}

// checkCounts fails the test when the kept counts (case_counts) and the
// matters disagree.
func checkCounts(t testing.TB, st *store.Store, after string) {
	t.Helper()
	if n, err := jftest.CountsDrift(st); err != nil || n != 0 {
		t.Fatalf("after %s the kept counts are off: %d groups or count rows disagree (%v)", after, n, err)
	}
}

// The whole loop on both engines: registration → assessment → dispatch →
// return → re-dispatch → sign → the six → close → inform → unsatisfied visit →
// reopen → … → satisfied visit → archive, with the role, assignee and status
// checks that guard each step.
func TestCaseLifecycle(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newCaseEnv(t, st)
		c, err := e.svc.RegisterCase(as(e.recep), landCase("610831101200"))
		if err != nil {
			t.Fatal(err)
		}
		year := time.Now().In(domain.CST).Year()
		if c.Number != fmt.Sprintf("ZZ%d000001", year) || len(c.QueryCode) != 11 || c.Status != domain.StatusRegistered || c.StepDueAt.IsZero() {
			t.Fatalf("registered %+v", c)
		}
		if c.Parties[0].IDMasked != "610831********0024" || c.Parties[0].PhoneMask != "139****5678" || c.Parties[0].IDNumber != "" {
			t.Fatalf("parties not masked: %+v", c.Parties[0])
		}
		if c.AmountCents != 1200050 {
			t.Fatalf("amount %d", c.AmountCents)
		}
		id := c.ID
		// Wrong role, wrong status, stale version.
		if _, err := e.svc.Act(as(e.recep), id, "assess", casework.ActionInput{Risk: "red"}); domain.ErrorCode(err) != domain.Forbidden {
			t.Fatalf("receptionist assesses: %v", err)
		}
		if _, err := e.svc.Act(as(e.disp), id, "dispatch", casework.ActionInput{Assignee: "med1"}); domain.ErrorCode(err) != domain.Conflict {
			t.Fatalf("dispatch before assessment: %v", err)
		}
		if _, err := e.svc.Act(as(e.disp), id, "assess", casework.ActionInput{Risk: "purple"}); domain.ErrorCode(err) != domain.Invalid {
			t.Fatalf("bad risk: %v", err)
		}
		if _, err := e.svc.Act(as(e.shy), id, "assess", casework.ActionInput{Risk: "red"}); domain.ErrorCode(err) != domain.NotFound {
			t.Fatalf("dispatcher of another township: %v", err)
		}
		if _, err := e.svc.Act(as(e.disp), id, "assess", casework.ActionInput{Risk: "yellow", Version: 99}); domain.ErrorCode(err) != domain.Conflict {
			t.Fatalf("stale version: %v", err)
		}
		c = act(t, e, e.disp, id, "assess", casework.ActionInput{Risk: "yellow", Version: c.Version})
		if c.Risk != "yellow" || c.Status != domain.StatusAssessed {
			t.Fatalf("assessed %+v", c)
		}
		if _, err := e.svc.Act(as(e.disp), id, "dispatch", casework.ActionInput{Assignee: "recep"}); domain.ErrorCode(err) != domain.Invalid {
			t.Fatalf("dispatch to a receptionist: %v", err)
		}
		c = act(t, e, e.disp, id, "dispatch", casework.ActionInput{Assignee: "med1"})
		if c.Assignee != e.med.ID || c.Status != domain.StatusDispatched {
			t.Fatalf("dispatched %+v", c)
		}
		if _, err := e.svc.Act(as(e.med2), id, "sign", casework.ActionInput{}); domain.ErrorCode(err) != domain.Forbidden {
			t.Fatalf("someone else signs: %v", err)
		}
		if _, err := e.svc.Act(as(e.med), id, "return", casework.ActionInput{}); domain.ErrorCode(err) != domain.Invalid {
			t.Fatalf("return without a reason: %v", err)
		}
		c = act(t, e, e.med, id, "return", casework.ActionInput{Reason: "不属于本人调解范围"})
		if c.Status != domain.StatusReturned || c.Assignee != 0 {
			t.Fatalf("returned %+v", c)
		}
		c = act(t, e, e.disp, id, "dispatch", casework.ActionInput{Assignee: "med2"})
		c = act(t, e, e.med2, id, "sign", casework.ActionInput{})
		if c.Status != domain.StatusInResolution {
			t.Fatalf("signed %+v", c)
		}
		// Cannot close as resolved while the six are incomplete.
		if _, err := e.svc.Act(as(e.med2), id, "close", casework.ActionInput{Outcome: "resolved"}); err == nil || err.(*domain.Error).Key != "case.six.incomplete" {
			t.Fatalf("close without the six: %v", err)
		}
		act(t, e, e.med2, id, "progress", casework.ActionInput{Note: "已联系双方当事人，约定周三现场调解。"})
		c = act(t, e, e.med2, id, "six", casework.ActionInput{Six: &domain.Six{LeadLeader: "赵军", MediationOrg: "何家集镇人民调解委员会",
			DockingUnit: "何家集镇司法所", Plan: "现场勘界，依据承包合同确定边界", Schedule: "第1周勘界；第2周调解", GuidanceAdviser: "王律师", GuidanceText: "《农村土地承包法》第五十五条"}})
		if len(c.Six.Missing()) != 0 {
			t.Fatalf("six missing %v", c.Six.Missing())
		}
		c = act(t, e, e.med2, id, "close", casework.ActionInput{Outcome: "resolved", Note: "双方达成调解协议"})
		if c.Status != domain.StatusClosed || c.Outcome != domain.OutcomeResolved || c.ClosedAt.IsZero() {
			t.Fatalf("closed %+v", c)
		}
		c = act(t, e, e.med2, id, "inform", casework.ActionInput{Method: "phone"})
		if _, err := e.svc.Act(as(e.recep), id, "visit", casework.ActionInput{Satisfaction: "unsatisfied"}); domain.ErrorCode(err) != domain.Invalid {
			t.Fatalf("unsatisfied without a comment: %v", err)
		}
		c = act(t, e, e.recep, id, "visit", casework.ActionInput{Satisfaction: "unsatisfied", Note: "李家仍未履行协议"})
		if _, err := e.svc.Act(as(e.disp), id, "archive", casework.ActionInput{}); domain.ErrorCode(err) != domain.Conflict {
			t.Fatalf("archive an unsatisfied matter: %v", err)
		}
		c = act(t, e, e.disp, id, "reopen", casework.ActionInput{Reason: "回访不满意，协议未履行"})
		if c.Status != domain.StatusAssessed || c.Outcome != "" || c.Assignee != 0 {
			t.Fatalf("reopened %+v", c)
		}
		act(t, e, e.disp, id, "dispatch", casework.ActionInput{Assignee: "med2"})
		act(t, e, e.med2, id, "sign", casework.ActionInput{})
		act(t, e, e.med2, id, "close", casework.ActionInput{Outcome: "resolved"})
		act(t, e, e.med2, id, "inform", casework.ActionInput{Method: "in_person"})
		act(t, e, e.recep, id, "visit", casework.ActionInput{Satisfaction: "satisfied"})
		c = act(t, e, e.disp, id, "archive", casework.ActionInput{})
		if c.Status != domain.StatusArchived || !c.StepDueAt.IsZero() {
			t.Fatalf("archived %+v", c)
		}
		var actions []string
		for _, ev := range c.Timeline {
			actions = append(actions, ev.Action)
		}
		want := "register assess dispatch return dispatch sign progress six close inform visit reopen dispatch sign close inform visit archive"
		if strings.Join(actions, " ") != want {
			t.Fatalf("timeline\n got %s\nwant %s", strings.Join(actions, " "), want)
		}
		if c.Timeline[3].Note != "不属于本人调解范围" || c.Timeline[3].ActorName != "测试med1" {
			t.Fatalf("return event %+v", c.Timeline[3])
		}
		es, _ := e.svc.SearchAudit(jftest.CLI(), domain.AuditFilter{Action: "case.", Limit: 100})
		if len(es) < 18 {
			t.Fatalf("audited case actions: %d", len(es))
		}
	})
}

func TestOutOfRemitIsCountedAndReferred(t *testing.T) {
	e := newCaseEnv(t, jftest.OpenSQLite(t))
	in := landCase("610831101")
	in.ReferredTo = "子洲县人民法院"
	c, err := e.svc.RegisterCase(as(e.recep), in)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != domain.StatusClosed || c.Outcome != domain.OutcomeReferred || c.ReferredTo != "子洲县人民法院" || len(c.Timeline) != 2 {
		t.Fatalf("referred %+v", c)
	}
}

// Personal data is sealed: the SQLite file holds neither the ID number nor the
// phone; exact search works through the blind index; a reveal needs a reason,
// a permitted role, and is audited.
func TestPersonalDataAtRest(t *testing.T) {
	st := jftest.OpenSQLite(t)
	e := newCaseEnv(t, st)
	if _, err := e.svc.RegisterCase(as(e.recep), landCase("610831101200")); err != nil {
		t.Fatal(err)
	}
	path := strings.TrimPrefix(st.DSN(), "sqlite:")
	st.Close() // checkpoint the WAL into the main file
	found := 0
	for _, f := range []string{path, path + "-wal"} {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		found++
		if !bytes.Contains(b, []byte("张建军")) {
			t.Fatalf("%s: the name (not sealed) should be there — is this the right file?", f)
		}
		for _, secret := range []string{testID, "13912345678", "13812345678"} {
			if bytes.Contains(b, []byte(secret)) {
				t.Fatalf("%s holds %s in plaintext", f, secret)
			}
		}
	}
	if found == 0 {
		t.Fatal("no database file to inspect")
	}
}

func TestRevealAndBlindIndex(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newCaseEnv(t, st)
		c, err := e.svc.RegisterCase(as(e.recep), landCase("610831101200"))
		if err != nil {
			t.Fatal(err)
		}
		other := landCase("610831001200")
		other.Parties[0].IDNumber = "610831201206150032"
		other.Parties[0].Phone = "13700000000"
		if _, err := e.svc.RegisterCase(as(e.recep), other); err != nil {
			t.Fatal(err)
		}
		rows, _, err := e.svc.Cases(as(e.disp), casework.CaseQuery{Q: testID})
		if err != nil || len(rows) != 1 || rows[0].ID != c.ID {
			t.Fatalf("search by ID number: %d rows %v", len(rows), err)
		}
		rows, _, _ = e.svc.Cases(as(e.disp), casework.CaseQuery{Q: "+86 139-1234-5678"})
		if len(rows) != 1 || rows[0].ID != c.ID {
			t.Fatalf("search by phone: %d rows", len(rows))
		}
		if rows[0].PartyNames[0] != "张**" {
			t.Fatalf("names in lists are masked: %v", rows[0].PartyNames)
		}
		pid := c.Parties[0].ID
		if _, _, err := e.svc.RevealParty(as(e.disp), c.ID, pid, ""); domain.ErrorCode(err) != domain.Invalid {
			t.Fatalf("reveal without a reason: %v", err)
		}
		idn, phone, err := e.svc.RevealParty(as(e.disp), c.ID, pid, "电话联系当事人")
		if err != nil || idn != testID || phone != "13912345678" {
			t.Fatalf("reveal: %q %q %v", idn, phone, err)
		}
		admin := jftest.MakeUser(t, e.svc, "admin", "610831", domain.RoleAdmin)
		if _, _, err := e.svc.RevealParty(as(admin), c.ID, pid, "查看"); domain.ErrorCode(err) != domain.Forbidden {
			t.Fatalf("the administrator may not see sealed personal data: %v", err)
		}
		if _, _, err := e.svc.RevealParty(as(e.shy), c.ID, pid, "查看"); domain.ErrorCode(err) != domain.NotFound {
			t.Fatalf("another township's dispatcher: %v", err)
		}
		es, _ := e.svc.SearchAudit(jftest.CLI(), domain.AuditFilter{Action: "personal.reveal", Limit: 10})
		if len(es) != 1 || !strings.Contains(es[0].Detail, "电话联系当事人") || strings.Contains(es[0].Detail, testID) {
			t.Fatalf("reveal audit %+v", es)
		}
	})
}

// A party reachable only by a fixed line (座机) is registered, its number
// masked in lists to the area code and last four digits, and found again
// however the number is written.
func TestLandlineParty(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newCaseEnv(t, st)
		in := landCase("610831101200")
		in.Parties[0].Phone = "（0912）522 1234 转 801"
		c, err := e.svc.RegisterCase(as(e.recep), in)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.Parties[0].PhoneMask; got != "0912-***1234转***" {
			t.Fatalf("mask %q", got)
		}
		for _, q := range []string{"0912-5221234转801", "09125221234 ext 801", "+86 912 5221234转801"} {
			rows, _, err := e.svc.Cases(as(e.disp), casework.CaseQuery{Q: q})
			if err != nil || len(rows) != 1 || rows[0].ID != c.ID {
				t.Fatalf("search %q: %d rows %v", q, len(rows), err)
			}
		}
		_, phone, err := e.svc.RevealParty(as(e.disp), c.ID, c.Parties[0].ID, "电话联系当事人")
		if err != nil || phone != "0912-5221234转801" {
			t.Fatalf("reveal: %q %v", phone, err)
		}
		bad := landCase("610831101200")
		bad.Parties[0].Phone = "5221234"
		if _, err := e.svc.RegisterCase(as(e.recep), bad); domain.ErrorCode(err) != domain.Invalid {
			t.Fatalf("a number without its area code: %v", err)
		}
	})
}

// Two-character Chinese words are found on both engines; other townships'
// matters are not.
func TestSearchChineseWords(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newCaseEnv(t, st)
		mk := func(org, cat, desc, addr string) int64 {
			in := landCase(org)
			in.Category, in.Description, in.Address = cat, desc, addr
			c, err := e.svc.RegisterCase(as(e.recep), in)
			if err != nil {
				t.Fatal(err)
			}
			return c.ID
		}
		land := mk("610831101200", "land", "两户村民因土地边界发生争执，需现场勘界。", "何家集村")
		wage := mk("610831101201", "wage_arrears", "十二名务工人员被包工头拖欠工资，欠薪共计八万元。", "高家塔村")
		other := mk("610831001200", "wage_arrears", "双湖峪街道某工地欠薪纠纷。", "双湖峪")
		find := func(u *domain.User, q string) []int64 {
			rows, _, err := e.svc.Cases(as(u), casework.CaseQuery{Q: q})
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, r := range rows {
				ids = append(ids, r.ID)
			}
			sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
			return ids
		}
		med := jftest.MakeUser(t, e.svc, "hjjdisp", "610831101", domain.RoleDispatcher)
		for q, want := range map[string][]int64{"土地": {land}, "欠薪": {wage}, "拖欠工资": {wage}, "勘界": {land}, "高家塔": {wage}, "张建军": {land, wage}, "工资 欠薪": {wage}, "地": {land}, "彩票": nil} {
			if got := find(med, q); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%q: got %v, want %v", q, got, want)
			}
		}
		if got := find(e.disp, "欠薪"); fmt.Sprint(got) != fmt.Sprint([]int64{wage, other}) {
			t.Errorf("county dispatcher 欠薪: %v", got)
		}
	})
}

// Numbers have no gaps and no duplicates when many register at once.
func TestConcurrentNumbering(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newCaseEnv(t, st)
		var wg sync.WaitGroup
		var mu sync.Mutex
		nums := map[string]bool{}
		for range 16 {
			wg.Go(func() {
				c, err := e.svc.RegisterCase(as(e.recep), landCase("610831101"))
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				nums[c.Number] = true
				mu.Unlock()
			})
		}
		wg.Wait()
		year := time.Now().In(domain.CST).Year()
		for i := 1; i <= 16; i++ {
			if !nums[fmt.Sprintf("ZZ%d%06d", year, i)] {
				t.Errorf("number %d missing from %v", i, nums)
			}
		}
	})
}

func TestRegistrationValidation(t *testing.T) {
	e := newCaseEnv(t, jftest.OpenSQLite(t))
	bad := func(mod func(*domain.CaseInput), field, key string) {
		t.Helper()
		in := landCase("610831101")
		mod(&in)
		_, err := e.svc.RegisterCase(as(e.recep), in)
		de, ok := err.(*domain.Error)
		if !ok || de.Fields[field] != key {
			t.Errorf("want %s=%s, got %v", field, key, err)
		}
	}
	bad(func(c *domain.CaseInput) { c.Channel = "fax" }, "channel", "case.channel.invalid")
	bad(func(c *domain.CaseInput) { c.Category = "nope" }, "category", "case.category.unknown")
	bad(func(c *domain.CaseInput) { c.Description = "太短" }, "description", "case.description.short")
	bad(func(c *domain.CaseInput) { c.OrgCode = "999" }, "org_code", "org.code.invalid")
	bad(func(c *domain.CaseInput) { c.OrgCode = "610899" }, "org_code", "org.not_found")
	bad(func(c *domain.CaseInput) { c.Parties = nil }, "parties", "case.parties.required")
	bad(func(c *domain.CaseInput) { c.Parties[0].IDNumber = "110105194912310021" }, "parties[0].id_number", "id.check")
	bad(func(c *domain.CaseInput) { c.Parties[0].Phone = "12345" }, "parties[0].phone", "party.phone.invalid")
	bad(func(c *domain.CaseInput) { c.Parties[0].IDNumber = ""; c.Parties[0].IDType = "none" }, "parties[0].no_id_reason", "party.no_id_reason")
	bad(func(c *domain.CaseInput) { c.Parties[1].Role = "judge" }, "parties[1].role", "party.role.invalid")
	bad(func(c *domain.CaseInput) {
		c.Parties = append(c.Parties, domain.Party{Kind: "org", Role: "third_party", Name: "某公司", USCC: "91350100M000100Y44"})
	}, "parties[2].uscc", "uscc.check")
	bad(func(c *domain.CaseInput) { c.Parties[0].Role = "respondent" }, "parties", "case.parties.applicant")
	// A grid worker registers only in their grid; a mediator cannot register.
	if _, err := e.svc.RegisterCase(as(e.grid), landCase("610831101201")); domain.ErrorCode(err) != domain.Forbidden {
		t.Errorf("grid worker outside the grid: %v", err)
	}
	if _, err := e.svc.RegisterCase(as(e.grid), landCase("610831101200001")); err != nil {
		t.Errorf("grid worker in the grid: %v", err)
	}
	if _, err := e.svc.RegisterCase(as(e.med), landCase("610831101")); domain.ErrorCode(err) != domain.Forbidden {
		t.Errorf("mediator registers: %v", err)
	}
	n := 0
	rows, _, _ := e.svc.Cases(as(e.disp), casework.CaseQuery{})
	n = len(rows)
	if n != 1 {
		t.Fatalf("refused registrations were written: %d matters", n)
	}
}

// Deadlines count working days on the holiday calendar: a matter registered
// on 30 September 2026 must be assessed by the end of 8 October (1–7 October
// is the National Day holiday).
func TestDeadlineAcrossHoliday(t *testing.T) {
	st := jftest.OpenSQLite(t)
	e := newCaseEnv(t, st)
	st.SetClock(func() time.Time { return time.Date(2026, 9, 30, 10, 0, 0, 0, domain.CST) })
	c, err := e.svc.RegisterCase(as(e.recep), landCase("610831101"))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.StepDueAt.In(domain.CST).Format("2006-01-02 15:04"); got != "2026-10-08 23:59" {
		t.Fatalf("assessment due %s, want 2026-10-08 23:59", got)
	}
	// Signed for on Friday 9 October: mediation is due 30 calendar days later,
	// Sunday 8 November, which moves to Monday 9 November.
	st.SetClock(func() time.Time { return time.Date(2026, 10, 9, 9, 0, 0, 0, domain.CST) })
	c = e.path("none").To(t, c, jftest.Signed)
	if got := c.StepDueAt.In(domain.CST).Format("2006-01-02"); got != "2026-11-09" {
		t.Fatalf("mediation due %s, want 2026-11-09", got)
	}
	if !c.Overdue(time.Date(2026, 11, 10, 0, 0, 1, 0, domain.CST)) || c.Overdue(time.Date(2026, 11, 9, 23, 0, 0, 0, domain.CST)) {
		t.Fatal("overdue test wrong around the deadline")
	}
}

// The overdue job tells each owner once per deadline, even when two
// instances sweep at the same moment; assignments and returns land in inboxes.
func TestNotificationsAndDeadlineSweep(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newCaseEnv(t, st)
		base := time.Date(2026, 11, 2, 9, 0, 0, 0, domain.CST) // a Monday
		clock := base
		st.SetClock(func() time.Time { return clock })
		// These two asked for a notice per overdue matter (the digest is
		// TestOverdueDigest's).
		for _, u := range []*domain.User{e.disp, e.med} {
			if _, err := e.svc.SetOwnOverdueNotices(as(u), domain.NoticeEach); err != nil {
				t.Fatal(err)
			}
		}
		c := e.path("none").Matter(t, landCase("610831101"), jftest.Dispatched)
		inbox := func(u *domain.User) []domain.Notification {
			items, _, err := e.svc.Inbox(as(u), false)
			if err != nil {
				t.Fatal(err)
			}
			return items
		}
		if got := inbox(e.med); len(got) != 1 || got[0].Kind != "assignment" || got[0].CaseID != c.ID {
			t.Fatalf("assignment notice: %+v", got)
		}
		act(t, e, e.med, c.ID, "return", casework.ActionInput{Reason: "不属本人"})
		if got := inbox(e.disp); len(got) != 1 || got[0].Kind != "returned" || !strings.Contains(got[0].Text, "不属本人") {
			t.Fatalf("return notice to the dispatcher: %+v", got)
		}
		// The re-dispatch is due by the end of Tuesday. Wednesday morning it is overdue.
		clock = time.Date(2026, 11, 4, 8, 0, 0, 0, domain.CST)
		var wg sync.WaitGroup
		var mu sync.Mutex
		total := 0
		for range 2 { // two instances sweeping at once
			wg.Go(func() {
				n, err := e.svc.SweepDeadlines(context.Background())
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				total += n
				mu.Unlock()
			})
		}
		wg.Wait()
		if total != 1 {
			t.Fatalf("two sweeps announced %d deadlines, want exactly 1", total)
		}
		if n, err := e.svc.SweepDeadlines(context.Background()); err != nil || n != 0 {
			t.Fatalf("a later sweep repeated the notice (%d, %v)", n, err)
		}
		var overdue int
		for _, n := range inbox(e.disp) {
			if n.Kind == "overdue" && n.CaseID == c.ID {
				overdue++
			}
		}
		if overdue != 1 {
			t.Fatalf("dispatcher got %d overdue notices", overdue)
		}
		// A new deadline is announced again when it, in turn, is missed.
		act(t, e, e.disp, c.ID, "dispatch", casework.ActionInput{Assignee: "med1"})
		clock = time.Date(2026, 11, 5, 8, 0, 0, 0, domain.CST) // due tonight
		if w, _ := e.svc.WorkSummary(as(e.med)); w["due_soon"] != 1 {
			t.Fatalf("due soon: %v", w)
		}
		clock = time.Date(2026, 11, 6, 8, 0, 0, 0, domain.CST)
		if n, err := e.svc.SweepDeadlines(context.Background()); err != nil || n != 1 {
			t.Fatalf("the new deadline's overdue notice: %d %v", n, err)
		}
		work, err := e.svc.WorkSummary(as(e.med))
		if err != nil || work["to_sign"] != 1 || work["mine_overdue"] != 1 || work["due_soon"] != 0 {
			t.Fatalf("work summary %v %v", work, err)
		}
		if err := e.svc.MarkInboxRead(as(e.med)); err != nil || e.svc.UnreadCount(as(e.med)) != 0 {
			t.Fatal("mark read")
		}
	})
}

// The clock stops while a matter waits on something outside the centre and
// restarts by itself, moving the deadline by the time paused; an extension is
// requested by the assignee and decided by a leader; sessions and judicial
// confirmation are recorded on the timeline.
func TestPauseExtendSessions(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newCaseEnv(t, st)
		clock := time.Date(2026, 11, 2, 9, 0, 0, 0, domain.CST)
		st.SetClock(func() time.Time { return clock })
		c := e.path("none").Matter(t, landCase("610831101"), jftest.Signed)
		due := c.StepDueAt // 30 calendar days: 2 December
		if got := due.In(domain.CST).Format("2006-01-02"); got != "2026-12-02" {
			t.Fatalf("mediation due %s", got)
		}
		c = act(t, e, e.med, c.ID, "session", casework.ActionInput{Date: clock, Place: "何家集村委会", Participants: "张建军、李保国、村主任", Note: "双方陈述意见"})
		if last := c.Timeline[len(c.Timeline)-1]; last.Data[domain.DataPlace] != "何家集村委会" || last.Note != "双方陈述意见" {
			t.Fatalf("session event %+v", last)
		}
		if _, err := e.svc.Act(as(e.med), c.ID, "session", casework.ActionInput{Place: "x", Participants: "y", Note: "z"}); domain.ErrorCode(err) != domain.Invalid {
			t.Fatalf("session without a date: %v", err)
		}
		act(t, e, e.med, c.ID, "judicial", casework.ActionInput{Result: "requested"})
		// Pause for a land survey for 10 days.
		c = act(t, e, e.med, c.ID, "pause", casework.ActionInput{Reason: "等待土地勘测结果", Due: clock.Add(10 * 24 * time.Hour)})
		if c.PausedAt.IsZero() || c.Overdue(due.Add(time.Hour)) {
			t.Fatal("a paused matter is never overdue")
		}
		if _, err := e.svc.Act(as(e.med), c.ID, "pause", casework.ActionInput{Reason: "x", Due: clock.Add(24 * time.Hour)}); domain.ErrorCode(err) != domain.Conflict {
			t.Fatalf("pause twice: %v", err)
		}
		clock = clock.Add(10*24*time.Hour + time.Minute)
		if n, err := e.svc.SweepDeadlines(context.Background()); err != nil || n < 1 {
			t.Fatalf("auto resume: %d %v", n, err)
		}
		c, err := e.svc.Case(as(e.med), c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !c.PausedAt.IsZero() || !c.StepDueAt.Equal(due.Add(10*24*time.Hour+time.Minute)) {
			t.Fatalf("after the pause: paused %v, due %v (was %v)", c.PausedAt, c.StepDueAt, due)
		}
		if last := c.Timeline[len(c.Timeline)-1]; last.Action != "resume" || last.Data[domain.DataAuto] != "1" {
			t.Fatalf("resume event %+v", last)
		}
		// Extension: the assignee asks, a leader approves, the deadline moves.
		if _, err := e.svc.Act(as(e.med), c.ID, "extend_request", casework.ActionInput{Reason: "需等待司法鉴定", Days: 45}); domain.ErrorCode(err) != domain.Invalid {
			t.Fatalf("45-day extension: %v", err)
		}
		// People's mediation goes past its month only if both parties agree.
		_, err = e.svc.Act(as(e.med), c.ID, "extend_request", casework.ActionInput{Reason: "需等待司法鉴定", Days: 15})
		if de, ok := err.(*domain.Error); !ok || de.Fields["parties_agree"] != "case.extend.parties_agree" {
			t.Fatalf("extension without the parties' agreement: %v", err)
		}
		c = act(t, e, e.med, c.ID, "extend_request", casework.ActionInput{Reason: "需等待司法鉴定", Days: 15, PartiesAgree: true})
		if last := c.Timeline[len(c.Timeline)-1]; last.Data[domain.DataPartiesAgree] != "yes" {
			t.Fatalf("agreement not on the timeline: %+v", last)
		}
		if _, err := e.svc.Act(as(e.med), c.ID, "extend_approve", casework.ActionInput{Method: "phone"}); domain.ErrorCode(err) != domain.Forbidden {
			t.Fatalf("the assignee approves their own extension: %v", err)
		}
		var leaderNotes int
		items, _, _ := e.svc.Inbox(as(e.leader), false)
		for _, n := range items {
			if n.Kind == "extension" {
				leaderNotes++
			}
		}
		if leaderNotes != 1 {
			t.Fatalf("the leader was told %d times", leaderNotes)
		}
		before := c.StepDueAt
		c = act(t, e, e.leader, c.ID, "extend_approve", casework.ActionInput{Method: "电话告知双方"})
		if c.ExtendDays != 0 || !c.StepDueAt.After(before.Add(14*24*time.Hour)) {
			t.Fatalf("approved: due %v (was %v)", c.StepDueAt, before)
		}
		if _, err := e.svc.Act(as(e.leader), c.ID, "extend_approve", casework.ActionInput{Method: "x"}); domain.ErrorCode(err) != domain.Conflict {
			t.Fatalf("approve with nothing pending: %v", err)
		}
	})
}

// Files are checked by content and size, stored under generated names, and a
// storage failure leaves nothing half-saved.
func TestAttachments(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newCaseEnv(t, st)
		c, err := e.svc.RegisterCase(as(e.recep), landCase("610831101"))
		if err != nil {
			t.Fatal(err)
		}
		pdf := []byte("%PDF-1.4\n人民调解协议书\n%%EOF\n")
		a, err := e.svc.Attach(as(e.recep), c.ID, "agreement", `C:\扫描\协议书.pdf`, bytes.NewReader(pdf))
		if err != nil || a.Name != "协议书.pdf" || a.MIME != "application/pdf" || strings.Contains(a.StoredName, "协议") {
			t.Fatalf("attach: %+v %v", a, err)
		}
		got, body, err := e.svc.OpenAttachment(as(e.disp), c.ID, a.ID)
		if err != nil || !bytes.Equal(body, pdf) || got.SHA256 != a.SHA256 {
			t.Fatalf("download: %v", err)
		}
		if _, err := e.svc.Attach(as(e.recep), c.ID, "agreement", "x.pdf", strings.NewReader("MZ\x90\x00 this is an exe")); domain.ErrorCode(err) != domain.Invalid {
			t.Fatalf("an executable named .pdf: %v", err)
		}
		big := io.MultiReader(strings.NewReader("%PDF-"), bytes.NewReader(make([]byte, casework.MaxAttachment)))
		if _, err := e.svc.Attach(as(e.recep), c.ID, "evidence", "big.pdf", big); domain.ErrorCode(err) != domain.Invalid {
			t.Fatalf("over 10 MiB: %v", err)
		}
		if _, err := e.svc.Attach(as(e.shy), c.ID, "evidence", "y.pdf", bytes.NewReader(pdf)); domain.ErrorCode(err) != domain.NotFound {
			t.Fatalf("another township: %v", err)
		}
		// Evidence is for the server's account only (issue 14, point 9).
		files := t.TempDir()
		e.svc.SetFilesDir(files)
		b, err := e.svc.Attach(as(e.recep), c.ID, "evidence", "scan.pdf", bytes.NewReader(pdf))
		if err != nil {
			t.Fatal(err)
		}
		if fi, err := os.Stat(filepath.Join(files, b.StoredName)); err != nil {
			t.Fatal(err)
		} else if fi.Mode().Perm() != 0o600 {
			t.Fatalf("the stored file's mode %v, want 0600", fi.Mode().Perm())
		}
		e.svc.SetFilesDir("/dev/null/files") // cannot be created
		if _, err := e.svc.Attach(as(e.recep), c.ID, "evidence", "z.pdf", bytes.NewReader(pdf)); domain.ErrorCode(err) != domain.Unavailable {
			t.Fatalf("unwritable storage: %v", err)
		}
		atts, _ := e.svc.Attachments(as(e.disp), c.ID)
		if len(atts) != 2 {
			t.Fatalf("refused uploads were recorded: %d", len(atts))
		}
	})
}

// Matters taken in as petitions follow the petition deadlines: 15 days for
// the acceptance notice, 60 days to handle.
func TestPetitionDeadlines(t *testing.T) {
	st := jftest.OpenSQLite(t)
	e := newCaseEnv(t, st)
	clock := time.Date(2026, 11, 2, 9, 0, 0, 0, domain.CST)
	st.SetClock(func() time.Time { return clock })
	in := landCase("610831101")
	in.Category = "petition"
	c, err := e.svc.RegisterCase(as(e.recep), in)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.StepDueAt.In(domain.CST).Format("2006-01-02"); got != "2026-11-17" {
		t.Fatalf("acceptance notice due %s, want 2026-11-17", got)
	}
	c = e.path("blue").To(t, c, jftest.Signed)
	// 60 days after 2 November is 1 January 2027. The 2027 holiday notice is
	// not in the seeded calendar yet (the administrator adds it each
	// November), so the date is not moved off New Year's Day here.
	if got := c.StepDueAt.In(domain.CST).Format("2006-01-02"); got != "2027-01-01" {
		t.Fatalf("handling due %s, want 2027-01-01", got)
	}
}

// Key matters not truly settled go to the grid worker of the place for
// long-term watch with check-in reminders; supervision orders get replies.
func TestWatchAndSupervisionReply(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newCaseEnv(t, st)
		clock := time.Date(2026, 11, 2, 9, 0, 0, 0, domain.CST)
		st.SetClock(func() time.Time { return clock })
		c := e.path("yellow").Matter(t, landCase("610831101200001"), jftest.Signed)
		act(t, e, e.leader, c.ID, "supervise", casework.ActionInput{Note: "请加快进度", Due: clock.Add(72 * time.Hour)})
		if w, _ := e.svc.WorkSummary(as(e.med)); w["to_reply"] != 1 {
			t.Fatalf("supervision to answer: %v", w)
		}
		act(t, e, e.med, c.ID, "reply", casework.ActionInput{Note: "已约定本周五调解"})
		if w, err := e.svc.WorkSummary(as(e.med)); err != nil || w["to_reply"] != 0 {
			t.Fatalf("answered supervision still counted: %v %v", w, err)
		}
		items, _, _ := e.svc.Inbox(as(e.leader), false)
		if len(items) == 0 || items[0].Kind != "reply" {
			t.Fatalf("the supervising leader gets the reply: %+v", items)
		}
		act(t, e, e.med, c.ID, "close", casework.ActionInput{Outcome: "unresolved", Guidance: "litigation", Note: "分歧较大"})
		if _, err := e.svc.Act(as(e.disp), c.ID, "watch", casework.ActionInput{Assignee: "med1", Days: 30}); domain.ErrorCode(err) != domain.Invalid {
			t.Fatalf("watch by a mediator: %v", err)
		}
		c = act(t, e, e.disp, c.ID, "watch", casework.ActionInput{Assignee: "grid1", Days: 30})
		if c.WatcherID != e.grid.ID || c.NextCheckin.IsZero() {
			t.Fatalf("watch: %+v", c)
		}
		if _, err := e.svc.Act(as(e.med), c.ID, "checkin", casework.ActionInput{Note: "x"}); domain.ErrorCode(err) != domain.Forbidden {
			t.Fatalf("check-in by someone else: %v", err)
		}
		clock = clock.Add(31 * 24 * time.Hour)
		if n, err := e.svc.SweepDeadlines(context.Background()); err != nil || n < 1 {
			t.Fatalf("check-in reminder: %d %v", n, err)
		}
		items, _, _ = e.svc.Inbox(as(e.grid), false)
		kinds := map[string]int{}
		for _, n := range items {
			kinds[n.Kind]++
		}
		if kinds["watch"] != 1 || kinds["checkin"] != 1 {
			t.Fatalf("grid worker inbox %v", kinds)
		}
		before := c.NextCheckin
		c = act(t, e, e.grid, c.ID, "checkin", casework.ActionInput{Note: "走访张建军，情绪稳定"})
		if !c.NextCheckin.After(before) {
			t.Fatal("the next check-in did not move")
		}
		if n, err := e.svc.SweepDeadlines(context.Background()); err != nil || n != 0 {
			t.Fatalf("repeat reminder after the check-in: %d %v", n, err)
		}
		c = act(t, e, e.disp, c.ID, "unwatch", casework.ActionInput{Reason: "当事人已起诉，法院受理"})
		if c.WatcherID != 0 {
			t.Fatal("unwatch")
		}
	})
}

// A correction is an event: the old text stays on the timeline and search
// finds the new text.
func TestCorrection(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newCaseEnv(t, st)
		c, err := e.svc.RegisterCase(as(e.recep), landCase("610831101"))
		if err != nil {
			t.Fatal(err)
		}
		desc := "张家与李家因宅基地院墙位置发生争执，登记时误写为承包地。"
		if _, err := e.svc.Act(as(e.recep), c.ID, "correct", casework.ActionInput{Description: &desc}); domain.ErrorCode(err) != domain.Invalid {
			t.Fatalf("correction without a reason: %v", err)
		}
		c = act(t, e, e.recep, c.ID, "correct", casework.ActionInput{Description: &desc, Reason: "登记错误"})
		last := c.Timeline[len(c.Timeline)-1]
		if c.Description != desc || !strings.Contains(last.Data[domain.DataDescriptionBefore], "土地承包经营权") {
			t.Fatalf("correction %+v", last)
		}
		rows, _, _ := e.svc.Cases(as(e.disp), casework.CaseQuery{Q: "院墙"})
		if len(rows) != 1 {
			t.Fatalf("search after correction: %d", len(rows))
		}
		rows, _, _ = e.svc.Cases(as(e.disp), casework.CaseQuery{Q: "张建军"})
		if len(rows) != 1 {
			t.Fatalf("party names still indexed after correction: %d", len(rows))
		}
	})
}

// The schedule: signing for adds the first-contact milestone (3 working
// days), closing as resolved adds the 30-day judicial-confirmation window.
func TestMilestones(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newCaseEnv(t, st)
		clock := time.Date(2026, 9, 30, 9, 0, 0, 0, domain.CST)
		st.SetClock(func() time.Time { return clock })
		c := e.path("none").Matter(t, landCase("610831101"), jftest.Signed)
		ms, err := e.svc.Milestones(as(e.med), c.ID)
		if err != nil || len(ms) != 1 || ms[0].Auto != "first_contact" {
			t.Fatalf("first contact milestone %+v %v", ms, err)
		}
		// 3 working days after 30 September skip the National Day holiday: 8, 9, 10 October (10th is a 调休 Saturday).
		if got := ms[0].DueAt.In(domain.CST).Format("2006-01-02"); got != "2026-10-10" {
			t.Fatalf("first contact due %s, want 2026-10-10", got)
		}
		act(t, e, e.med, c.ID, "milestone", casework.ActionInput{Note: "现场勘界", Due: clock.Add(10 * 24 * time.Hour)})
		act(t, e, e.med, c.ID, "milestone_done", casework.ActionInput{Milestone: ms[0].ID})
		if _, err := e.svc.Act(as(e.med), c.ID, "milestone_done", casework.ActionInput{Milestone: ms[0].ID}); domain.ErrorCode(err) != domain.Invalid {
			t.Fatalf("done twice: %v", err)
		}
		act(t, e, e.med, c.ID, "six", casework.ActionInput{Six: &domain.Six{LeadLeader: "a", MediationOrg: "b", DockingUnit: "c", Plan: "d", Schedule: "e", GuidanceText: "f"}})
		act(t, e, e.med, c.ID, "close", casework.ActionInput{Outcome: "resolved"})
		ms, _ = e.svc.Milestones(as(e.med), c.ID)
		byAuto := map[string]domain.Milestone{}
		for _, m := range ms {
			byAuto[m.Auto] = m
		}
		if len(ms) != 3 || byAuto["first_contact"].DoneAt.IsZero() || byAuto["judicial_window"].DueAt.In(domain.CST).Format("2006-01-02") != "2026-10-30" {
			t.Fatalf("schedule after closing %+v", ms)
		}
	})
}

// Regression tests from the review of the matters code.
func TestReviewFindings(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newCaseEnv(t, st)
		shyMed := jftest.MakeUser(t, e.svc, "shymed", "610831001", domain.RoleMediator)
		c, err := e.svc.RegisterCase(as(e.recep), landCase("610831101200"))
		if err != nil {
			t.Fatal(err)
		}
		act(t, e, e.disp, c.ID, "assess", casework.ActionInput{Risk: "none"})
		// Nobody can hand a matter to someone outside its place (they would see the parties).
		if _, err := e.svc.Act(as(e.disp), c.ID, "dispatch", casework.ActionInput{Assignee: "shymed"}); err == nil || err.(*domain.Error).Fields["assignee"] != "case.assignee.place" {
			t.Fatalf("dispatch outside the place: %v", err)
		}
		act(t, e, e.disp, c.ID, "dispatch", casework.ActionInput{Assignee: "med1"})
		act(t, e, e.med, c.ID, "sign", casework.ActionInput{})
		if _, err := e.svc.Act(as(e.med), c.ID, "transfer", casework.ActionInput{Assignee: "shymed", Reason: "x"}); domain.ErrorCode(err) != domain.Invalid {
			t.Fatalf("transfer outside the place: %v", err)
		}
		if _, _, err := e.svc.RevealParty(as(shyMed), c.ID, c.Parties[0].ID, "看看"); domain.ErrorCode(err) != domain.NotFound {
			t.Fatalf("reveal by an outsider: %v", err)
		}
		// A paused clock ends with its step.
		c = act(t, e, e.med, c.ID, "pause", casework.ActionInput{Reason: "等待鉴定", Due: time.Now().Add(240 * time.Hour)})
		act(t, e, e.med, c.ID, "six", casework.ActionInput{Six: &domain.Six{LeadLeader: "a", MediationOrg: "b", DockingUnit: "c", Plan: "d", Schedule: "e", GuidanceText: "f"}})
		c = act(t, e, e.med, c.ID, "close", casework.ActionInput{Outcome: "unresolved", Guidance: "litigation"})
		if !c.PausedAt.IsZero() || c.ExtendDays != 0 || c.StepDueAt.IsZero() {
			t.Fatalf("the pause outlived its step: %+v", c)
		}
		// Reopening forgets the old outcome's details.
		act(t, e, e.med, c.ID, "inform", casework.ActionInput{Method: "phone"})
		act(t, e, e.recep, c.ID, "visit", casework.ActionInput{Satisfaction: "unsatisfied", Note: "不满意"})
		c = act(t, e, e.disp, c.ID, "reopen", casework.ActionInput{Reason: "重办"})
		if c.Guidance != "" || c.ReferredTo != "" {
			t.Fatalf("reopen kept %q %q", c.Guidance, c.ReferredTo)
		}
		// Bad text and numbers are refused, never stored.
		in := landCase("610831101")
		in.Parties[1].Name = "李\xff"
		if _, err := e.svc.RegisterCase(as(e.recep), in); domain.ErrorCode(err) != domain.Invalid {
			t.Fatalf("invalid UTF-8 name: %v", err)
		}
		in = landCase("610831101")
		in.AmountYuan = math.NaN()
		if _, err := e.svc.RegisterCase(as(e.recep), in); domain.ErrorCode(err) != domain.Invalid {
			t.Fatalf("NaN amount: %v", err)
		}
		if _, _, err := e.svc.Cases(as(e.disp), casework.CaseQuery{Q: strings.Repeat("土地", 60)}); domain.ErrorCode(err) != domain.Invalid {
			t.Fatalf("a 120-character search: %v", err)
		}
		if _, _, err := e.svc.Cases(as(e.disp), casework.CaseQuery{Q: "\xff"}); err != nil { // treated as an empty query
			t.Fatalf("invalid UTF-8 search: %v", err)
		}
		// A lone character next to a word does not spoil the search; a lone
		// character alone matches party names too.
		if rows, _, _ := e.svc.Cases(as(e.disp), casework.CaseQuery{Q: "土地 争"}); len(rows) != 1 {
			t.Fatalf("土地 争 found %d", len(rows))
		}
		if rows, _, _ := e.svc.Cases(as(e.disp), casework.CaseQuery{Q: "建"}); len(rows) != 1 {
			t.Fatalf("建 (in 张建军) found %d", len(rows))
		}
	})
}

// A supervision order unanswered past its deadline is announced once to the
// leader and the assignee; a reply clears it.
func TestSupervisionDeadline(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newCaseEnv(t, st)
		clock := time.Date(2026, 11, 2, 9, 0, 0, 0, domain.CST)
		st.SetClock(func() time.Time { return clock })
		c := e.path("red").Matter(t, landCase("610831101"), jftest.Signed)
		act(t, e, e.leader, c.ID, "supervise", casework.ActionInput{Note: "三日内报告进展", Due: clock.Add(72 * time.Hour)})
		if w, _ := e.svc.WorkSummary(as(e.med)); w["to_reply"] != 1 {
			t.Fatalf("to reply: %v", w)
		}
		clock = clock.Add(4 * 24 * time.Hour)
		for range 2 {
			if _, err := e.svc.SweepDeadlines(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		count := func(u *domain.User) int {
			items, _, _ := e.svc.Inbox(as(u), false)
			n := 0
			for _, it := range items {
				if it.Kind == "supervision_overdue" {
					n++
				}
			}
			return n
		}
		if count(e.leader) != 1 || count(e.med) != 1 {
			t.Fatalf("overdue supervision notices: leader %d, assignee %d", count(e.leader), count(e.med))
		}
		act(t, e, e.med, c.ID, "reply", casework.ActionInput{Note: "已完成现场勘界"})
		if w, err := e.svc.WorkSummary(as(e.med)); err != nil || w["to_reply"] != 0 {
			t.Fatalf("after the reply: %v %v", w, err)
		}
	})
}

// Joint handling: the dispatcher or the lead adds co-handlers, who see the
// matter, find it in their list and record their part; they cannot sign,
// close or share the matter out; closing ends every part; nothing is deleted.
func TestJointHandling(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newCaseEnv(t, st)
		jftest.MakeUser(t, e.svc, "hand9", "610831001", domain.RoleHandler) // another township
		h2 := jftest.MakeUser(t, e.svc, "hand2", "610831", domain.RoleHandler)
		c := e.path("yellow").Matter(t, landCase("610831101200"), jftest.Dispatched)
		if _, err := e.svc.Case(as(e.med2), c.ID); domain.ErrorCode(err) != domain.NotFound && err != nil {
			t.Fatalf("before: %v", err)
		}
		// The dispatcher adds a co-handler at dispatch time.
		c = act(t, e, e.disp, c.ID, "cohandle", casework.ActionInput{Assignee: "hand2", Note: "负责土地确权资料调取"})
		if len(c.CoHandlers) != 1 || c.CoHandlers[0].Username != "hand2" || c.CoHandlers[0].Part != "负责土地确权资料调取" {
			t.Fatalf("co-handlers %+v", c.CoHandlers)
		}
		for _, bad := range []struct {
			who  *domain.User
			in   casework.ActionInput
			code domain.Code
			why  string
		}{
			{e.disp, casework.ActionInput{Assignee: "hand2", Note: "再加一次"}, domain.Invalid, "twice"},
			{e.disp, casework.ActionInput{Assignee: "med1", Note: "牵头人"}, domain.Invalid, "the lead"},
			{e.disp, casework.ActionInput{Assignee: "hand9", Note: "外乡镇"}, domain.Invalid, "outside the place"},
			{e.disp, casework.ActionInput{Assignee: "grid1", Note: "网格员"}, domain.Invalid, "not a handler"},
			{e.disp, casework.ActionInput{Assignee: "med2"}, domain.Invalid, "no part given"},
			{e.med2, casework.ActionInput{Assignee: "med2", Note: "自己加入"}, domain.Forbidden, "not the lead"},
			{h2, casework.ActionInput{Assignee: "med2", Note: "协办人拉人"}, domain.Forbidden, "a co-handler shares out"},
		} {
			if _, err := e.svc.Act(as(bad.who), c.ID, "cohandle", bad.in); domain.ErrorCode(err) != bad.code {
				t.Errorf("cohandle (%s): %v, want %s", bad.why, err, bad.code)
			}
		}
		c = act(t, e, e.med, c.ID, "sign", casework.ActionInput{})
		// The lead adds a second co-handler.
		c = act(t, e, e.med, c.ID, "cohandle", casework.ActionInput{Assignee: "med2", Note: "参与调解，做被申请人工作"})
		if len(c.CoHandlers) != 2 {
			t.Fatalf("two co-handlers, got %+v", c.CoHandlers)
		}
		// A co-handler sees the matter, finds it in their list and on their
		// home page, and was told.
		if _, err := e.svc.Case(as(h2), c.ID); err != nil {
			t.Fatalf("co-handler view: %v", err)
		}
		rows, _, err := e.svc.Cases(as(h2), casework.CaseQuery{CoHandled: true})
		if err != nil || len(rows) != 1 || rows[0].ID != c.ID {
			t.Fatalf("co-handled list: %d %v", len(rows), err)
		}
		if w, _ := e.svc.WorkSummary(as(h2)); w["cohandling"] != 1 {
			t.Fatalf("work summary %v", w)
		}
		items, _, _ := e.svc.Inbox(as(e.med2), false)
		if len(items) == 0 || items[0].Kind != "cohandle" {
			t.Fatalf("co-handler inbox %+v", items)
		}
		// They record their part; they do not sign, close, transfer or pause.
		act(t, e, h2, c.ID, "progress", casework.ActionInput{Note: "已调取土地确权登记资料"})
		act(t, e, e.med2, c.ID, "session", casework.ActionInput{Date: time.Now(), Place: "镇调委会", Participants: "李保国", Note: "做通被申请人工作"})
		for _, a := range []string{"close", "transfer", "pause", "cohandle_end"} {
			if _, err := e.svc.Act(as(h2), c.ID, a, casework.ActionInput{Outcome: "withdrawn", Assignee: "med2", Reason: "x", Due: time.Now().Add(48 * time.Hour)}); domain.ErrorCode(err) != domain.Forbidden {
				t.Errorf("co-handler %s: %v", a, err)
			}
		}
		if acts := e.svc.AllowedActions(as(h2), c); strings.Join(acts, ",") != "deteriorate,progress,session,note" { // anyone on the matter may report it getting worse
			t.Errorf("co-handler buttons %v", acts)
		}
		// The lead ends one part with a reason; the row stays, the access goes.
		if _, err := e.svc.Act(as(e.med), c.ID, "cohandle_end", casework.ActionInput{Assignee: "med2"}); domain.ErrorCode(err) != domain.Invalid {
			t.Fatalf("end without a reason: %v", err)
		}
		if _, err := e.svc.Act(as(e.med), c.ID, "cohandle_end", casework.ActionInput{Assignee: "grid1", Reason: "x"}); domain.ErrorCode(err) != domain.Invalid {
			t.Fatalf("end a non co-handler: %v", err)
		}
		c = act(t, e, e.med, c.ID, "cohandle_end", casework.ActionInput{Assignee: "med2", Reason: "被申请人工作已做通"})
		if len(c.CoHandlers) != 1 || c.IsCoHandler(e.med2.ID) {
			t.Fatalf("after end %+v", c.CoHandlers)
		}
		if _, err := e.svc.Act(as(e.med2), c.ID, "progress", casework.ActionInput{Note: "再记一笔"}); err == nil {
			t.Fatal("an ended co-handler still records progress")
		}
		// Closing ends the remaining parts and says so on the timeline.
		act(t, e, e.med, c.ID, "six", casework.ActionInput{Six: &domain.Six{LeadLeader: "王书记", MediationOrg: "镇调委会", DockingUnit: "镇司法所", Plan: "先调取资料再调解", Schedule: "两周", GuidanceAdviser: "刘律师", GuidanceText: "农村土地承包法"}})
		c = act(t, e, e.med, c.ID, "close", casework.ActionInput{Outcome: "resolved"})
		last := c.Timeline[len(c.Timeline)-1]
		if len(c.CoHandlers) != 0 || last.Data[domain.DataCohandlersEnded] != h2.Name {
			t.Fatalf("after close: %+v %+v", c.CoHandlers, last.Data)
		}
		if rows, _, err := e.svc.Cases(as(h2), casework.CaseQuery{CoHandled: true}); err != nil || len(rows) != 0 {
			t.Fatalf("closed matter still in the co-handled list: %d %v", len(rows), err)
		}
		if n, err := jftest.Count(st, `SELECT COUNT(*) FROM case_cohandlers WHERE case_id = $1`, c.ID); err != nil || n != 2 {
			t.Fatalf("co-handler rows kept: %d %v", n, err)
		}
	})
}

// The overdue queue counts are exact at every moment: as the clock passes a
// deadline, after an action moves one, after a pause, and after a new
// registration — and always equal to the list they link to. (On SQLite the
// counts are kept between changes; this is what proves that is safe.)
func TestOverdueCountsStayExact(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newCaseEnv(t, st)
		clock := time.Date(2026, 3, 2, 9, 0, 0, 0, domain.CST) // a Monday
		st.SetClock(func() time.Time { return clock })
		var ids []int64
		for range 3 {
			c, err := e.svc.RegisterCase(as(e.recep), landCase("610831101200"))
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, c.ID)
		}
		check := func(when string, want int) {
			t.Helper()
			w, err := e.svc.WorkSummary(as(e.disp))
			if err != nil {
				t.Fatal(err)
			}
			rows, _, err := e.svc.Cases(as(e.disp), casework.CaseQuery{Overdue: true, Limit: 200})
			if err != nil {
				t.Fatal(err)
			}
			if w["area_overdue"] != want || len(rows) != want {
				t.Fatalf("%s: tile %d, list %d, want %d", when, w["area_overdue"], len(rows), want)
			}
		}
		check("just registered", 0)
		check("asked again", 0)
		clock = clock.Add(3 * 24 * time.Hour) // past the one working day to assess
		check("three days later", 3)
		act(t, e, e.disp, ids[0], "assess", casework.ActionInput{Risk: "none"}) // a new step, a new deadline
		check("after an assessment", 2)
		c, err := e.svc.RegisterCase(as(e.recep), landCase("610831101200"))
		if err != nil {
			t.Fatal(err)
		}
		check("after a new registration", 2)
		clock = clock.Add(10 * 24 * time.Hour)
		check("ten days on", 4)
		c = e.path("blue").To(t, c, jftest.Signed)
		check("after dispatch and sign-for", 3)
		act(t, e, e.med, c.ID, "pause", casework.ActionInput{Reason: "等待鉴定", Due: clock.Add(90 * 24 * time.Hour)})
		clock = clock.Add(40 * 24 * time.Hour) // the mediation month is over, but the clock is paused
		check("paused past its deadline", 3)
	})
}
