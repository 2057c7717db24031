package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"jiefen/internal/domain"
	"jiefen/internal/service"
	"jiefen/internal/service/casework"
	"jiefen/internal/service/identity"
	"jiefen/internal/store"
)

// SeedOptions says how much synthetic data `jiefen seed` makes.
type SeedOptions struct {
	Cases    int    // matters
	Persons  int    // distinct people the parties are drawn from (repeat disputes happen when it is small)
	Seed     uint64 // random seed: the same options give the same data
	Years    int    // registrations spread over this many years back from now (default 3)
	Batch    int    // matters per transaction (default 5000)
	Progress func(done int)
}

// SeedStats is what a seed wrote.
type SeedStats struct {
	Cases, Parties, Events int
	Took                   time.Duration
}

type person struct {
	name, idMasked, idKid, idEnc, idBidx     string
	phoneMask, phoneKid, phoneEnc, phoneBidx string
}

// seedActor is one of the demo accounts, as the timelines name them.
type seedActor struct {
	id   int64
	name string
}

// Seed writes synthetic matters at bulk speed: realistic Chinese stories
// over Zizhou's villages, parties drawn from a pool of persons (ID numbers
// and phones sealed like real ones, found by the blind index), states spread
// by age with timelines that agree with them (registration → … → archive,
// every event in order and in the past), group matters with representatives,
// gapless numbers per year continuing any already given. One audit entry
// records the load. Rows go through store.Bulk, not the service: the
// service's checks are what the generator guarantees by construction.
func Seed(ctx context.Context, svc *service.Service, opt SeedOptions) (SeedStats, error) {
	start := time.Now()
	ctx = domain.WithActor(ctx, domain.OperatorActor())
	if opt.Cases < 1 {
		return SeedStats{}, fmt.Errorf("seed: --cases must be at least 1")
	}
	if opt.Persons < 2 {
		opt.Persons = max(2, opt.Cases/2)
	}
	if opt.Years < 1 {
		opt.Years = 3
	}
	if opt.Batch < 1 {
		opt.Batch = 5000
	}
	keys := svc.Keys()
	if keys == nil {
		return SeedStats{}, fmt.Errorf("seed: no keyring")
	}
	if err := ensureTree(ctx, svc); err != nil {
		return SeedStats{}, err
	}
	actors := map[string]seedActor{}
	for _, du := range users {
		u, err := svc.UserByUsername(ctx, du.username)
		if domain.ErrorCode(err) == domain.NotFound {
			u, err = svc.CreateUser(ctx, identity.NewUser{Username: du.username, Name: du.name, Roles: du.roles,
				OrgCode: du.org, Password: identity.GeneratePassword(), NoForcedChange: true})
		}
		if err != nil {
			return SeedStats{}, fmt.Errorf("seed: account %s: %w", du.username, err)
		}
		actors[du.username] = seedActor{u.ID, u.Name}
	}
	st := svc.Store()
	villages, err := zizhouVillages(ctx, st)
	if err != nil {
		return SeedStats{}, err
	}
	cal, err := svc.Calendar(ctx)
	if err != nil {
		return SeedStats{}, err
	}
	r := rand.New(rand.NewPCG(opt.Seed, 610831))

	// The pool of persons, sealed once each.
	pool := make([]person, opt.Persons)
	for i := range pool {
		id := idNumber(r)
		phone := fmt.Sprintf("1%d%d%08d", 3+r.IntN(7), r.IntN(10), r.IntN(100000000))
		p := person{name: name(r), idMasked: domain.MaskID(id), idBidx: keys.BlindIndex("id", id),
			phoneMask: domain.MaskPhone(phone), phoneBidx: keys.BlindIndex("phone", phone)}
		if p.idKid, p.idEnc, err = keys.Encrypt(id, "party.id_number"); err != nil {
			return SeedStats{}, err
		}
		if p.phoneKid, p.phoneEnc, err = keys.Encrypt(phone, "party.phone"); err != nil {
			return SeedStats{}, err
		}
		pool[i] = p
	}

	bulk, err := st.Bulk(ctx)
	if err != nil {
		return SeedStats{}, err
	}
	defer bulk.Close()
	var next struct{ cases, parties, events int64 }
	if next.cases, err = bulk.MaxID(ctx, "cases"); err != nil {
		return SeedStats{}, err
	}
	if next.parties, err = bulk.MaxID(ctx, "parties"); err != nil {
		return SeedStats{}, err
	}
	if next.events, err = bulk.MaxID(ctx, "case_events"); err != nil {
		return SeedStats{}, err
	}
	if err := bulk.DeferIndexes(ctx, "cases", "parties", "case_events", "case_facts"); err != nil {
		return SeedStats{}, err
	}
	seq := map[int]int64{} // year → last number given

	// Registration times over the years back from now, in order, so numbers
	// rise with time.
	now := time.Now().UTC()
	span := time.Duration(opt.Years) * 365 * 24 * time.Hour
	times := make([]time.Time, opt.Cases)
	for i := range times {
		times[i] = now.Add(-time.Duration(r.Int64N(int64(span))))
	}
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	// The last number given in each year, read before the loader starts
	// (the loader has the connection to itself from then on).
	for _, at := range times {
		year := at.In(domain.CST).Year()
		if _, ok := seq[year]; !ok {
			if seq[year], err = bulk.CaseNumber(ctx, casework.CasePrefix, year); err != nil {
				return SeedStats{}, err
			}
		}
	}

	g := &generator{r: r, cal: cal, now: now, actors: actors, villages: villages, pool: pool, counts: map[countKey]int{}}
	var stats SeedStats
	batches := make(chan []store.BulkRows, 2)
	errc := make(chan error, 1)
	go func() { // the loader writes while the generator makes the next batch
		for b := range batches {
			if err := bulk.Load(ctx, b...); err != nil {
				errc <- err
				for range batches { // let the generator see the error and stop
				}
				return
			}
		}
		errc <- nil
	}()
	cols := caseSeedCols
	for done := 0; done < opt.Cases; {
		if err := ctx.Err(); err != nil {
			close(batches)
			<-errc
			return stats, err
		}
		n := min(opt.Batch, opt.Cases-done)
		cases := store.BulkRows{Table: "cases", Cols: cols}
		parties := store.BulkRows{Table: "parties", Cols: partySeedCols}
		events := store.BulkRows{Table: "case_events", Cols: eventSeedCols}
		years := map[int]int64{}
		for i := range n {
			at := times[done+i]
			year := at.In(domain.CST).Year()
			seq[year]++
			years[year] = seq[year]
			next.cases++
			m := g.matter(next.cases, fmt.Sprintf("%s%d%06d", casework.CasePrefix, year, seq[year]), at)
			cases.Rows = append(cases.Rows, m.row)
			for _, p := range m.parties {
				next.parties++
				parties.Rows = append(parties.Rows, append([]any{next.parties, next.cases}, p...))
			}
			for _, e := range m.events {
				next.events++
				events.Rows = append(events.Rows, append([]any{next.events, next.cases}, e...))
			}
		}
		// The batch's numbers and counts commit with its matters, so a load
		// stopped half-way leaves a database that agrees with itself.
		var deltas []store.CountDelta
		for k, c := range g.counts {
			deltas = append(deltas, store.CountDelta{Status: k.status, Path: k.path, Assignee: k.assignee, N: c})
		}
		clear(g.counts)
		batch := []store.BulkRows{cases, parties, events, bulk.CaseNumbers(casework.CasePrefix, years), bulk.Counts(deltas)}
		stats.Cases += n
		stats.Parties += len(parties.Rows)
		stats.Events += len(events.Rows)
		select {
		case batches <- batch:
		case err := <-errc:
			close(batches)
			return stats, err
		}
		done += n
		if opt.Progress != nil {
			opt.Progress(done)
		}
	}
	close(batches)
	if err := <-errc; err != nil {
		return stats, err
	}
	if err := bulk.Finish(ctx, "cases", "parties", "case_events", "case_facts"); err != nil {
		return stats, err
	}
	if err := bulk.Close(); err != nil { // the audit below needs the writer connection (Close again on return is harmless)
		return stats, err
	}
	stats.Took = time.Since(start)
	err = svc.Audit(ctx, "seed", "cases", "", "/", fmt.Sprintf("synthetic data: %d matters, %d parties, %d events, %d persons, seed %d",
		stats.Cases, stats.Parties, stats.Events, opt.Persons, opt.Seed))
	return stats, err
}

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
	if r.IntN(10) == 0 {
		addParty(g.pool[g.pick()], "third_party", "")
	}

	// How far it has got: old matters are mostly finished.
	age := g.now.Sub(at)
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
	risk := []string{"none", "none", "none", "none", "blue", "blue", "yellow", "red"}[r.IntN(8)]
	if group && risk == "none" {
		risk = "yellow"
	}
	channel := []string{"visit", "visit", "visit", "phone", "grid", "letter", "online", "hotline", "transfer"}[r.IntN(9)]
	assignee := "chengban"
	if strings.HasPrefix(v.Path, "/610831/610831101/") && r.IntN(2) == 0 {
		assignee = "tiaojie"
	}

	clock := at
	status := domain.StatusRegistered
	var outcome, guidance, satisfaction string
	var closedAt time.Time
	var assigneeID any
	six := "{}"
	var stepStart time.Time
	event := func(actor, action string, to domain.Status, note string, data map[string]string) {
		from := status
		if action == "register" {
			from = ""
		}
		if from != "" && from != to {
			if due := domain.DueForCase(g.cal, from, stepStart, false); !due.IsZero() {
				data["step_due"] = due.UTC().Format(time.RFC3339)
			}
		}
		if from != to {
			stepStart = clock
		}
		d, _ := json.Marshal(data)
		u := g.actors[actor]
		m.events = append(m.events, []any{clock, u.id, u.name, action, string(from), string(to), note, string(d)})
		status = to
	}
	// step moves the clock on by h hours and reports whether that is still
	// in the past; a matter stops where its next step would lie in the future.
	step := func(h int) bool {
		next := clock.Add(time.Duration(h)*time.Hour + time.Duration(r.IntN(3600))*time.Second)
		if next.After(g.now) {
			return false
		}
		clock = next
		return true
	}
	registrar := "jiedai"
	if channel == "grid" {
		registrar = "wangge"
	}
	event(registrar, "register", domain.StatusRegistered, "", map[string]string{"channel": channel, "parties": fmt.Sprint(len(m.parties))})
	for d := 1; d <= depth; d++ {
		if !step(stepHours(r, seedPath[d])) {
			break
		}
		switch seedPath[d] {
		case domain.StatusAssessed:
			event("zhiban", "assess", domain.StatusAssessed, "", map[string]string{"risk": risk})
		case domain.StatusDispatched:
			a := g.actors[assignee]
			event("zhiban", "dispatch", domain.StatusDispatched, "", map[string]string{"assignee": assignee, "assignee_name": a.name})
			assigneeID = a.id
			if depth == 2 && r.IntN(6) == 0 && step(5) {
				event(assignee, "return", domain.StatusReturned, "该事项涉及行政执法，不属本单位职责，请重新交办。", map[string]string{})
				assigneeID = nil
			}
		case domain.StatusInResolution:
			event(assignee, "sign", domain.StatusInResolution, "", map[string]string{})
			if step(24 + r.IntN(48)) {
				event(assignee, "progress", domain.StatusInResolution, "已分别约谈双方当事人，了解诉求，约定现场调解时间。", map[string]string{})
			}
		case domain.StatusClosed:
			town := strings.Split(strings.Trim(v.Path, "/"), "/")[1]
			sx, _ := json.Marshal(domain.Six{LeadLeader: map[string]string{"red": "杨立新（政法委书记）", "yellow": "乡镇党委书记", "blue": "中心主任", "none": "调解员刘芳"}[risk],
				MediationOrg: "子洲县" + town + "人民调解委员会", DockingUnit: "县司法局", Plan: "查明事实，依法依规提出调解方案，分头做双方工作。",
				Schedule: "第1周：走访核实；第2周：组织调解；第3周：协议履行回访。", GuidanceAdviser: "县法律援助中心律师", GuidanceText: "释明相关法律规定及诉讼风险，引导当事人理性维权。"})
			six = string(sx)
			event(assignee, "six", domain.StatusInResolution, "", map[string]string{})
			outcome = "resolved"
			note := "经调解，双方自愿达成调解协议，当场履行。"
			data := map[string]string{"outcome": "resolved"}
			switch r.IntN(14) {
			case 0:
				outcome, guidance, note = "unresolved", "litigation", "双方分歧较大，已引导当事人依法向人民法院起诉。"
				data = map[string]string{"outcome": outcome, "guidance": guidance}
			case 1:
				outcome, note = "withdrawn", "申请人撤回调解申请。"
				data = map[string]string{"outcome": outcome}
			}
			event(assignee, "close", domain.StatusClosed, note, data)
			closedAt = clock
		case domain.StatusInformed:
			event(assignee, "inform", domain.StatusInformed, "", map[string]string{"method": []string{"电话", "上门", "书面"}[r.IntN(3)]})
		case domain.StatusVisited:
			satisfaction = []string{"satisfied", "satisfied", "satisfied", "satisfied", "basically_satisfied", "unsatisfied"}[r.IntN(6)]
			if satisfaction == "unsatisfied" && age > 60*24*time.Hour {
				// An old unsatisfied visit was reopened and settled long ago;
				// only recent ones still wait for the dispatcher.
				satisfaction = "basically_satisfied"
			}
			note := ""
			if satisfaction == "unsatisfied" {
				note = "当事人反映协议未完全履行。"
			}
			event("jiedai", "visit", domain.StatusVisited, note, map[string]string{"satisfaction": satisfaction})
		case domain.StatusArchived:
			if satisfaction == "unsatisfied" {
				break // an unsatisfied visit is reopened, not archived: leave it for the dispatcher
			}
			event("zhiban", "archive", domain.StatusArchived, "", map[string]string{})
		}
	}
	if status == domain.StatusArchived {
		assigneeID = nil
	}
	var due time.Time
	if status != domain.StatusArchived {
		due = domain.DueForCase(g.cal, status, clock, false)
	}
	var dueV, closedV any = nil, nil
	if !due.IsZero() {
		dueV = due
	}
	if !closedAt.IsZero() {
		closedV = closedAt
	}
	aid, _ := assigneeID.(int64)
	g.counts[countKey{status, v.Path, aid}]++
	amount := int64(s.amount * (0.5 + r.Float64()) * 100)
	m.row = []any{id, number, casework.NewQueryCode(), channel, s.category, desc, v.Code, v.Path, address,
		amount, people, string(status), outcome, guidance, riskIf(status, risk), assigneeID, dueV, six, satisfaction,
		g.actors[registrar].id, at, clock, closedV, int64(len(m.events)), strings.Join(domain.SearchTokens(text.String()), " ")}
	return m
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
