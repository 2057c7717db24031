package report

import (
	"context"
	"slices"
	"sort"
	"time"

	"jiefen/internal/domain"
	"jiefen/internal/store"
)

// tally counts the figures of the place org into out: the registrations,
// the counted events, the closings and the overdue matters, then the rates.
func (s *Service) tally(ctx context.Context, tx *store.Tx, q StatsQuery, org domain.Org, out *Stats) error {
	keyOf, names, err := s.groupKey(ctx, tx, q.By, org)
	if err != nil {
		return err
	}
	t := &statsTally{out: out, by: q.By, keep: q.keep, keyOf: keyOf, names: names,
		groups: map[string]*Figures{}, lastClose: map[int64]domain.Fact{}, missing: map[int]bool{}}
	if q.By == "org" || q.By == "category" || q.By == "unit" {
		// Every township (or category) is listed, zeros included:
		// leaders compare them.
		for k, n := range names {
			t.groups[k] = &Figures{Key: k, Name: n}
		}
	}
	reg, err := tx.StatsRegistered(ctx, q.From, q.To, org.Path)
	if err != nil {
		return err
	}
	t.registered(reg)
	if err := t.facts(ctx, tx, q, org); err != nil {
		return err
	}
	cal, err := s.Calendar(ctx)
	if err != nil {
		return err
	}
	if err := t.closings(ctx, tx, q.From, cal); err != nil {
		return err
	}
	over, err := tx.StatsOverdue(ctx, tx.Now, org.Path)
	if err != nil {
		return err
	}
	t.overdue(over, tx.Now)
	for y := range t.missing {
		out.CalendarMissing = append(out.CalendarMissing, y)
	}
	slices.Sort(out.CalendarMissing)
	finish(&out.Total)
	for _, g := range t.groups {
		finish(g)
		out.Groups = append(out.Groups, *g)
	}
	sort.Slice(out.Groups, func(i, j int) bool { return out.Groups[i].Key < out.Groups[j].Key })
	return nil
}

// statsTally gathers a selection's figures: the total and, with a
// breakdown, one group a key.
type statsTally struct {
	out       *Stats
	by, keep  string
	keyOf     func(domain.StatRow, time.Time) string
	names     map[string]string
	groups    map[string]*Figures
	lastClose map[int64]domain.Fact // each matter's last closing in the period
	missing   map[int]bool          // years of the days counted that the calendar lacks
}

// fig is where a row counts: the total and, with a breakdown, its group
// (made when it is the group's first row).
func (t *statsTally) fig(r domain.StatRow, at time.Time) []*Figures {
	list := []*Figures{&t.out.Total}
	if t.by != "" {
		k := t.keyOf(r, at)
		g := t.groups[k]
		if g == nil {
			g = &Figures{Key: k, Name: t.names[k]}
			if g.Name == "" {
				g.Name = k
			}
			t.groups[k] = g
		}
		list = append(list, g)
	}
	return list
}

// registered counts the registrations: merged, registered, referred or
// accepted.
func (t *statsTally) registered(reg []domain.StatRow) {
	keep := t.keep
	for _, r := range reg {
		it := StatItem{CaseID: r.CaseID, At: r.CreatedAt}
		for _, f := range t.fig(r, r.CreatedAt) {
			if r.Outcome == string(domain.OutcomeMerged) {
				f.Merged++
				f.add(keep, "merged", it)
				continue
			}
			f.Registered++
			f.add(keep, "registered", it)
			if r.Outcome == string(domain.OutcomeReferred) {
				f.Referred++
				f.add(keep, "referred", it)
			} else {
				f.add(keep, "accepted", it)
			}
		}
	}
}

// facts counts the period's events. Each counted event (a fact) adds n to
// its group: one at a time when the lines behind the figures are kept,
// otherwise counted by the database, group by group (a county's month is
// a few hundred rows instead of a few hundred thousand).
func (t *statsTally) facts(ctx context.Context, tx *store.Tx, q StatsQuery, org domain.Org) error {
	if t.keep != "" {
		facts, err := tx.StatsFacts(ctx, q.From, q.To, org.Path, false)
		if err != nil {
			return err
		}
		for _, e := range facts {
			t.apply(e, 1)
		}
		return nil
	}
	counts, err := tx.StatsFactCounts(ctx, q.From, q.To, org.Path, q.By)
	if err != nil {
		return err
	}
	for _, c := range counts {
		t.apply(c.Fact, c.N)
	}
	closes, err := tx.StatsFacts(ctx, q.From, q.To, org.Path, true)
	if err != nil {
		return err
	}
	for _, e := range closes {
		e.Step = "" // its step was counted with the others
		t.apply(e, 1)
	}
	return nil
}

// apply counts n of one event: a closing is kept for later, a visit and a
// reopening are counted, and so is the end of a step with a time limit.
func (t *statsTally) apply(e domain.Fact, n int) {
	keep := t.keep
	switch e.Action {
	case "close":
		t.lastClose[e.CaseID] = e
	case "visit":
		it := StatItem{CaseID: e.CaseID, At: e.At, Note: e.Value}
		for _, f := range t.fig(e.StatRow, e.At) {
			f.Visits += n
			f.add(keep, "visits", it)
			if e.Value == "satisfied" || e.Value == "basically_satisfied" {
				f.satisfied += n
				f.add(keep, "satisfied", it)
			}
		}
	case "reopen":
		for _, f := range t.fig(e.StatRow, e.At) {
			f.Reopened += n
			f.add(keep, "reopened", StatItem{CaseID: e.CaseID, At: e.At})
		}
	}
	if e.Step == "" {
		return
	}
	it := StatItem{CaseID: e.CaseID, At: e.At, Note: e.Step}
	method := ""
	if e.Action == "inform" {
		method = domain.InformMethodOf(e.Value)
	}
	for _, f := range t.fig(e.StatRow, e.At) {
		if f.stepsDue == nil {
			f.stepsDue, f.stepsOnTime = map[string]int{}, map[string]int{}
		}
		f.stepsDue[e.Step] += n
		f.add(keep, "steps_due", it)
		if e.Step == "inform" {
			f.add(keep, "inform_due", it)
		}
		if method != "" {
			if f.InformByMethod == nil {
				f.InformByMethod = map[string]int{}
			}
			f.InformByMethod[method] += n
			f.add(keep, InformFigure(method), it)
		}
		if e.OnTime {
			f.stepsOnTime[e.Step] += n
			f.add(keep, "steps_on_time", it)
			if e.Step == "inform" {
				f.add(keep, "inform_on_time", it)
			}
		}
	}
}

// closings counts each matter's last closing in the period: closed,
// resolved, visited after it, and the working days it took.
func (t *statsTally) closings(ctx context.Context, tx *store.Tx, from time.Time, cal *domain.Calendar) error {
	keep := t.keep
	var closedIDs []int64
	for id := range t.lastClose {
		closedIDs = append(closedIDs, id)
	}
	slices.Sort(closedIDs)
	visited, err := tx.StatsLastVisits(ctx, closedIDs, from)
	if err != nil {
		return err
	}
	for _, id := range closedIDs {
		e := t.lastClose[id]
		it := StatItem{CaseID: id, At: e.At, Note: e.Value}
		days := cal.WorkingDaysBetween(e.CreatedAt, e.At)
		for _, y := range cal.Missing(e.CreatedAt, e.At) {
			t.missing[y] = true
		}
		referred := e.Value == string(domain.OutcomeReferred) // not the centre's to resolve
		for _, f := range t.fig(e.StatRow, e.At) {
			f.Closed++
			f.add(keep, "closed", it)
			if !referred {
				f.ClosedAccepted++
				f.add(keep, "closed_accepted", it)
				f.days = append(f.days, days)
			}
			if e.Value == string(domain.OutcomeResolved) {
				f.Resolved++
				f.add(keep, "resolved", it)
			}
			if v, ok := visited[id]; ok && !v.Before(e.At) { // visited after its last close
				f.closedVisited++
				f.add(keep, "closed_visited", it)
			}
		}
	}
	return nil
}

// overdue counts the matters overdue now: those not yet closed (in hand),
// and those closed whose informing or return visit is late.
func (t *statsTally) overdue(over []domain.StatRow, now time.Time) {
	keep := t.keep
	for _, r := range over {
		it := StatItem{CaseID: r.CaseID, At: r.CreatedAt}
		figs := []*Figures{&t.out.Total} // "now" belongs to no month of the period
		if t.by != "month" {
			figs = t.fig(r, now)
		}
		for _, f := range figs {
			if r.Status.Open() {
				f.Overdue++
				f.add(keep, "overdue", it)
			} else {
				f.OverdueFollowUp++
				f.add(keep, "overdue_followup", it)
			}
		}
	}
}

// finish works out a group's derived figures: accepted, the rates and the
// days to close.
func finish(f *Figures) {
	f.Accepted = f.Registered - f.Referred
	f.SuccessRate = rate(f.Resolved, f.ClosedAccepted)
	f.SatisfactionRate = rate(f.satisfied, f.Visits)
	f.VisitRate = rate(f.closedVisited, f.Closed)
	f.OnTimeByStep = map[string]Rate{}
	due, on := 0, 0
	for _, st := range domain.Steps {
		f.OnTimeByStep[st] = rate(f.stepsOnTime[st], f.stepsDue[st])
		due += f.stepsDue[st]
		on += f.stepsOnTime[st]
	}
	f.OnTimeRate = rate(on, due)
	f.InformOnTimeRate = f.OnTimeByStep["inform"]
	if f.InformByMethod == nil {
		f.InformByMethod = map[string]int{}
	}
	if n := len(f.days); n > 0 {
		sum := 0
		for _, d := range f.days {
			sum += d
		}
		f.AvgDaysToClose = AverageDays(sum, n)
		slices.Sort(f.days)
		f.P90DaysToClose = f.days[(9*n+9)/10-1] // nearest rank: ceil(0.9 n)
	}
}

// AverageDays is sum ÷ n to one decimal, halves rounded up (四舍五入),
// worked out in whole numbers so that 7.25 is 7.3 and never 7.2 by a
// binary fraction's error; 0 for n = 0.
func AverageDays(sum, n int) float64 {
	if n <= 0 {
		return 0
	}
	return float64((20*sum+n)/(2*n)) / 10
}
