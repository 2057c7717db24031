package demo

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"jiefen/internal/domain"
	"jiefen/internal/service/casework"
)

var (
	caseSeedCols = []string{"id", "number", "query_code", "channel", "category_code", "description", "org_code", "org_path", "address",
		"amount_cents", "people_count", "status", "outcome", "guidance", "risk", "assignee_id", "step_due_at", "six", "satisfaction",
		"created_by", "created_at", "updated_at", "closed_at", "version", "search"}
	partySeedCols = []string{"id", "case_id", "kind", "role", "name", "id_type", "id_kid", "id_enc", "id_bidx", "id_masked", "no_id_reason",
		"phone_kid", "phone_enc", "phone_bidx", "phone_masked", "address"}
	eventSeedCols = []string{"id", "case_id", "at", "actor_id", "actor_name", "action", "from_status", "to_status", "note", "data"}
)

// countKey is a group of the kept counts (store case_counts).
type countKey struct {
	status   domain.Status
	path     string
	assignee int64
}

type generator struct {
	counts   map[countKey]int // what the load adds to the kept counts
	r        *rand.Rand
	cal      *domain.Calendar
	now      time.Time
	actors   map[string]seedActor
	villages []domain.Org
	pool     []person
}

type seededMatter struct {
	row     []any
	parties [][]any // without id and case_id
	events  [][]any // without id and case_id
}

// The path a matter takes; its state is how far along it has got.
var seedPath = []domain.Status{domain.StatusRegistered, domain.StatusAssessed, domain.StatusDispatched, domain.StatusInResolution,
	domain.StatusClosed, domain.StatusInformed, domain.StatusVisited, domain.StatusArchived}

// matter makes one matter registered at `at`, with parties and timeline.
func (g *generator) matter(id int64, number string, at time.Time) seededMatter {
	r := g.r
	s := stories[r.IntN(len(stories))]
	v := g.villages[r.IntN(len(g.villages))]
	a, b := g.pool[g.pick()], g.pool[g.pick()]
	desc := fmt.Sprintf(s.text, a.name, b.name, a.name)
	if strings.Contains(s.text, "共计%s元") {
		desc = fmt.Sprintf(s.text, a.name, b.name, fmt.Sprint(int(s.amount)))
	}
	people := s.people
	group := r.IntN(25) == 0
	if group {
		people = 20 + r.IntN(280)
		desc = fmt.Sprintf("（群体性，涉及%d人）", people) + desc
	}
	address := v.Name + fmt.Sprintf("%d组", 1+r.IntN(8))
	m := seededMatter{}
	var text strings.Builder
	text.WriteString(desc + " " + address)
	g.addParties(&m, &text, a, b, group, address)

	// How far it has got: old matters are mostly finished.
	age := g.now.Sub(at)
	depth := seedDepth(r, age)
	risk := []string{"none", "none", "none", "none", "blue", "blue", "yellow", "red"}[r.IntN(8)]
	if group && risk == "none" {
		risk = "yellow"
	}
	channel := []string{"visit", "visit", "visit", "phone", "grid", "letter", "online", "hotline", "transfer"}[r.IntN(9)]
	assignee := "chengban"
	if strings.HasPrefix(v.Path, "/610831/610831101/") && r.IntN(2) == 0 {
		assignee = "tiaojie"
	}

	t := &timeline{g: g, m: &m, clock: at, status: domain.StatusRegistered, six: "{}", village: v, age: age, depth: depth, risk: risk, assignee: assignee,
		petition: s.category == "petition"}
	registrar := "jiedai"
	if channel == "grid" {
		registrar = "wangge"
	}
	t.event(registrar, "register", domain.StatusRegistered, "", map[string]string{"channel": channel, "parties": fmt.Sprint(len(m.parties))})
	for d := 1; d <= depth; d++ {
		if !t.step(stepHours(r, seedPath[d])) {
			break
		}
		t.reach(seedPath[d])
	}
	status, clock := t.status, t.clock
	if status == domain.StatusArchived {
		t.assigneeID = nil
	}
	var due time.Time
	if status != domain.StatusArchived {
		// The deadline of the step it is in, counted from when that step
		// started, by the service's own rules (a red matter's shorter
		// resolution included).
		due = domain.StepDeadline(g.cal, status, t.stepStart, t.petition, domain.Risk(riskIf(status, risk)))
	}
	var dueV, closedV any = nil, nil
	if !due.IsZero() {
		dueV = due
	}
	if !t.closedAt.IsZero() {
		closedV = t.closedAt
	}
	aid, _ := t.assigneeID.(int64)
	g.counts[countKey{status, v.Path, aid}]++
	amount := int64(s.amount * (0.5 + r.Float64()) * 100)
	m.row = []any{id, number, casework.NewQueryCode(), channel, s.category, desc, v.Code, v.Path, address,
		amount, people, string(status), t.outcome, t.guidance, riskIf(status, risk), t.assigneeID, dueV, t.six, t.satisfaction,
		g.actors[registrar].id, at, clock, closedV, int64(len(m.events)), strings.Join(domain.SearchTokens(text.String()), " ")}
	return m
}

// addParties adds the applicant a (and, for a group, two representatives),
// the respondent b and sometimes a third party to m, and their names and
// addresses to the search text.
func (g *generator) addParties(m *seededMatter, text *strings.Builder, a, b person, group bool, address string) {
	addParty := func(p person, role, addr string) {
		m.parties = append(m.parties, []any{"person", role, p.name, "resident", p.idKid, p.idEnc, p.idBidx, p.idMasked, "",
			p.phoneKid, p.phoneEnc, p.phoneBidx, p.phoneMask, addr})
		text.WriteString(" " + p.name + " " + addr)
	}
	addParty(a, "applicant", address)
	if group {
		// Representatives (代表) of the group speak for the rest.
		for range 2 {
			addParty(g.pool[g.pick()], "applicant", address)
		}
	}
	addParty(b, "respondent", "")
	if g.r.IntN(10) == 0 {
		addParty(g.pool[g.pick()], "third_party", "")
	}
}

// seedDepth is how far along seedPath a matter of this age has got.
func seedDepth(r *rand.Rand, age time.Duration) int {
	var depth int
	switch {
	case age < 3*24*time.Hour:
		depth = r.IntN(4)
	case age < 30*24*time.Hour:
		depth = 1 + r.IntN(6)
	case age < 90*24*time.Hour:
		// Most matters close within their month (the centres report on-time
		// rates above 95 %); a few are still being worked or followed up.
		depth = 7
		if r.IntN(10) == 0 {
			depth = 3 + r.IntN(4)
		}
	case age < 180*24*time.Hour:
		depth = 7
		if r.IntN(20) == 0 {
			depth = 3 + r.IntN(4) // a hard one still in hand
		}
	default:
		depth = 7 // a centre finishes its matters: what is old is archived
		if r.IntN(500) == 0 {
			depth = 3 + r.IntN(4)
		}
	}
	return depth
}

// timeline is a seeded matter's history as it is made: the clock, the
// state and what the steps so far have decided.
type timeline struct {
	g         *generator
	m         *seededMatter
	clock     time.Time
	status    domain.Status
	stepStart time.Time
	village   domain.Org
	age       time.Duration
	depth     int
	risk      string
	assignee  string
	petition  bool // taken in as a petition (信访): the petition rules

	outcome, guidance, satisfaction string
	closedAt                        time.Time
	assigneeID                      any
	six                             string
}

// event adds an event at the clock, moving the matter to `to` (with the
// step's due time when it leaves a step).
func (t *timeline) event(actor, action string, to domain.Status, note string, data map[string]string) {
	from := t.status
	if action == "register" {
		from = ""
	}
	if from != "" && from != to {
		if due := domain.StepDeadline(t.g.cal, from, t.stepStart, t.petition, domain.Risk(riskIf(from, t.risk))); !due.IsZero() {
			data["step_due"] = due.UTC().Format(time.RFC3339)
		}
	}
	if from != to {
		t.stepStart = t.clock
	}
	d, _ := json.Marshal(data)
	u := t.g.actors[actor]
	t.m.events = append(t.m.events, []any{t.clock, u.id, u.name, action, string(from), string(to), note, string(d)})
	t.status = to
}

// step moves the clock on by h hours and reports whether that is still
// in the past; a matter stops where its next step would lie in the future.
func (t *timeline) step(h int) bool {
	next := t.clock.Add(time.Duration(h)*time.Hour + time.Duration(t.g.r.IntN(3600))*time.Second)
	if next.After(t.g.now) {
		return false
	}
	t.clock = next
	return true
}

// reach writes the events by which the matter reaches state st.
func (t *timeline) reach(st domain.Status) {
	r := t.g.r
	switch st {
	case domain.StatusAssessed:
		t.event("zhiban", "assess", domain.StatusAssessed, "", map[string]string{"risk": t.risk})
	case domain.StatusDispatched:
		a := t.g.actors[t.assignee]
		t.event("zhiban", "dispatch", domain.StatusDispatched, "", map[string]string{"assignee": t.assignee, "assignee_name": a.name})
		t.assigneeID = a.id
		if t.depth == 2 && r.IntN(6) == 0 && t.step(5) {
			t.event(t.assignee, "return", domain.StatusReturned, "该事项涉及行政执法，不属本单位职责，请重新交办。", map[string]string{})
			t.assigneeID = nil
		}
	case domain.StatusInResolution:
		t.event(t.assignee, "sign", domain.StatusInResolution, "", map[string]string{})
		if t.step(24 + r.IntN(48)) {
			t.event(t.assignee, "progress", domain.StatusInResolution, "已分别约谈双方当事人，了解诉求，约定现场调解时间。", map[string]string{})
		}
	case domain.StatusClosed:
		t.close()
	case domain.StatusInformed:
		t.event(t.assignee, "inform", domain.StatusInformed, "", map[string]string{"method": demoInformMethods[r.IntN(len(demoInformMethods))]})
	case domain.StatusVisited:
		t.visit()
	case domain.StatusArchived:
		if t.satisfaction == "unsatisfied" {
			break // an unsatisfied visit is reopened, not archived: leave it for the dispatcher
		}
		t.event("zhiban", "archive", domain.StatusArchived, "", map[string]string{})
	}
}

// close writes the six-point plan and the closing, mostly resolved.
func (t *timeline) close() {
	town := strings.Split(strings.Trim(t.village.Path, "/"), "/")[1]
	sx, _ := json.Marshal(domain.Six{LeadLeader: map[string]string{"red": "杨立新（政法委书记）", "yellow": "乡镇党委书记", "blue": "中心主任", "none": "调解员刘芳"}[t.risk],
		MediationOrg: "子洲县" + town + "人民调解委员会", DockingUnit: "县司法局", Plan: "查明事实，依法依规提出调解方案，分头做双方工作。",
		Schedule: "第1周：走访核实；第2周：组织调解；第3周：协议履行回访。", GuidanceAdviser: "县法律援助中心律师", GuidanceText: "释明相关法律规定及诉讼风险，引导当事人理性维权。"})
	t.six = string(sx)
	t.event(t.assignee, "six", domain.StatusInResolution, "", map[string]string{})
	t.outcome = "resolved"
	note := "经调解，双方自愿达成调解协议，当场履行。"
	data := map[string]string{"outcome": "resolved"}
	switch t.g.r.IntN(14) {
	case 0:
		t.outcome, t.guidance, note = "unresolved", "litigation", "双方分歧较大，已引导当事人依法向人民法院起诉。"
		data = map[string]string{"outcome": t.outcome, "guidance": t.guidance}
	case 1:
		t.outcome, note = "withdrawn", "申请人撤回调解申请。"
		data = map[string]string{"outcome": t.outcome}
	}
	t.event(t.assignee, "close", domain.StatusClosed, note, data)
	t.closedAt = t.clock
}

// visit writes the follow-up visit with the party's satisfaction.
func (t *timeline) visit() {
	t.satisfaction = []string{"satisfied", "satisfied", "satisfied", "satisfied", "basically_satisfied", "unsatisfied"}[t.g.r.IntN(6)]
	if t.satisfaction == "unsatisfied" && t.age > 60*24*time.Hour {
		// An old unsatisfied visit was reopened and settled long ago;
		// only recent ones still wait for the dispatcher.
		t.satisfaction = "basically_satisfied"
	}
	note := ""
	if t.satisfaction == "unsatisfied" {
		note = "当事人反映协议未完全履行。"
	}
	t.event("jiedai", "visit", domain.StatusVisited, note, map[string]string{"satisfaction": t.satisfaction})
}

// stepHours is how long after the previous step a matter reaches status s.
func stepHours(r *rand.Rand, s domain.Status) int {
	switch s {
	case domain.StatusAssessed:
		return 2 + r.IntN(20)
	case domain.StatusDispatched:
		return 1 + r.IntN(10)
	case domain.StatusInResolution:
		return 2 + r.IntN(30)
	case domain.StatusClosed:
		return 48 + r.IntN(400)
	case domain.StatusInformed:
		return 4 + r.IntN(48)
	case domain.StatusVisited:
		return 24 + r.IntN(120)
	default:
		return 24 + r.IntN(200)
	}
}

// riskIf is the colour once assessed ("none" before).
func riskIf(s domain.Status, risk string) string {
	if s == domain.StatusRegistered {
		return "none"
	}
	return risk
}

// pick draws a person: a few people are in many disputes (repeat disputes
// between the same parties), most in one or two.
func (g *generator) pick() int {
	n := len(g.pool)
	if g.r.IntN(10) == 0 {
		return g.r.IntN(max(1, n/100))
	}
	return g.r.IntN(n)
}
