package report

import (
	"context"
	"fmt"
	"jiefen/internal/app"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"jiefen/internal/authz"
	"jiefen/internal/domain"
	"jiefen/internal/store"
)

// Board is what the command centre's big screen and the personal
// dashboards show for one place. The live part (counts, the newest and the
// red matters, today) is read at every request from indexes and kept
// counts; the period figures (this month and the last, the trend, the
// comparisons) are the statistics of the place, computed at most once a
// minute in the background (RatesAt says when).
type Board struct {
	Place  domain.Org
	Now    time.Time
	Open   int
	ByRisk map[string]int // open matters by colour
	// Overdue are the matters in hand (not yet closed) past their step's
	// deadline, a part of Open; OverdueFollowUp the closed ones whose
	// informing or return visit is late (the statistics' overdue and
	// overdue_followup).
	Overdue, OverdueFollowUp int
	DueSoon                  int
	// Today.
	TodayRegistered, TodayVisits int
	Latest                       []*domain.Case // newest first
	Red                          []*domain.Case // open red matters, newest first (with their lead leaders)
	Units                        []*domain.Unit // at the centre today
	Zones                        []*domain.Zone
	// For a leader: the matters they lead and their open supervision orders.
	Leading      []*domain.Case
	Supervisions []Supervised
	Slow         *BoardPeriods
}

// Supervised is an open supervision order with its matter.
type Supervised struct {
	domain.Supervision
	Case *domain.Case
}

// BoardPeriods are the period figures of the board. This month so far is
// compared with the same days of the month before: on 3 December, 1–3
// December with 1–3 November (on 31 March with the whole of February).
type BoardPeriods struct {
	At         time.Time
	Month      Figures // this month so far
	Prev       Figures // the same days of the previous month
	MonthFrom  time.Time
	MonthTo    time.Time // the days compared, inclusive (midnight CST)
	PrevFrom   time.Time
	PrevTo     time.Time
	Towns      []Figures // this month, by the place's children
	Categories []Figures // this month, by category
	Trend      []MonthCount
}

// MonthCount is one month of the trend.
type MonthCount struct {
	Month string `json:"month"` // 2026-11
	N     int    `json:"registered"`
}

const boardTTL = time.Minute

type boardCache struct {
	mu       sync.Mutex
	entries  map[string]*boardEntry
	computes atomic.Int64 // period computations so far (tests)
	hook     func()       // called as a computation starts (tests)
}

type boardEntry struct {
	val        *BoardPeriods
	refreshing bool
	// ready is closed when the first computation ends (the screens that
	// ask meanwhile wait for it instead of computing the same again).
	ready chan struct{}
}

// Board reads the board of a place (default the actor's jurisdiction).
func (s *Service) Board(ctx context.Context, orgCode string) (*Board, error) {
	u := domain.ActorFrom(ctx).Principal()
	if err := s.Denied(ctx, s.Check(ctx, authz.CaseView, "board", "", "")); err != nil {
		return nil, err
	}
	b := &Board{}
	err := s.View(ctx, func(tx *store.Tx) error {
		b.Now = tx.Now
		org, err := boardPlace(ctx, tx, u, orgCode)
		if err != nil {
			return err
		}
		b.Place = org
		if err := b.readCounts(ctx, tx, org); err != nil {
			return err
		}
		if u != nil && u.Has(domain.RoleLeader) {
			if err := b.readLeading(ctx, tx, u, org); err != nil {
				return err
			}
		}
		return b.readCentre(ctx, tx)
	})
	if err != nil {
		return nil, err
	}
	b.Slow, err = s.boardPeriods(ctx, b.Place, b.Now)
	return b, err
}

// boardPlace finds the board's place: orgCode, else the actor's own, else
// the root; it must lie in the actor's jurisdiction.
func boardPlace(ctx context.Context, tx *store.Tx, u *domain.User, orgCode string) (domain.Org, error) {
	code := orgCode
	if code == "" {
		code = u.OrgCode // the operator has none: the root below
	}
	if code == "" {
		roots, err := tx.OrgRoots(ctx)
		if err != nil || len(roots) == 0 {
			return domain.Org{}, app.Required("org_code", "org.not_found")
		}
		code = roots[0].Code
	}
	org, err := tx.Org(ctx, code)
	if err != nil {
		return domain.Org{}, app.Required("org_code", "org.not_found")
	}
	if !strings.HasPrefix(org.Path, u.OrgPath) {
		return domain.Org{}, app.Forbidden("board", "org", org.Code, org.Path)
	}
	return org, nil
}

// readCounts reads the live part for org: the open matters by colour,
// overdue and due soon, today's registrations and visits, the newest and
// the red matters.
func (b *Board) readCounts(ctx context.Context, tx *store.Tx, org domain.Org) error {
	var err error
	if b.ByRisk, err = tx.OpenByRisk(ctx, org.Path); err != nil {
		return err
	}
	for _, n := range b.ByRisk {
		b.Open += n
	}
	area := domain.CaseFilter{Path: org.Path, Now: tx.Now, NotMerged: true}
	over := area
	over.Overdue, over.Statuses = true, domain.OpenStatuses
	if b.Overdue, err = tx.CountCases(ctx, over); err != nil {
		return err
	}
	over.Statuses = domain.FollowUpStatuses
	if b.OverdueFollowUp, err = tx.CountCases(ctx, over); err != nil {
		return err
	}
	soon := area
	soon.DueSoon = true
	if b.DueSoon, err = tx.CountCases(ctx, soon); err != nil {
		return err
	}
	now := tx.Now.In(domain.CST)
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, domain.CST)
	today := area
	today.From, today.To = day, day.AddDate(0, 0, 1)
	if b.TodayRegistered, err = tx.CountCases(ctx, today); err != nil {
		return err
	}
	if b.TodayVisits, err = tx.CountEvents(ctx, "visit", day, day.AddDate(0, 0, 1), org.Path); err != nil {
		return err
	}
	latest := area
	latest.Limit = 12
	if b.Latest, err = tx.Cases(ctx, latest); err != nil {
		return err
	}
	red := area
	red.Risk, red.Statuses, red.Limit = "red", domain.OpenStatuses, 10
	b.Red, err = tx.Cases(ctx, red)
	return err
}

// readLeading reads a leader's part: the matters they lead and their open
// supervision orders in org.
func (b *Board) readLeading(ctx context.Context, tx *store.Tx, u *domain.User, org domain.Org) error {
	var err error
	lead := domain.CaseFilter{Path: "/", LeadID: u.ID, Statuses: domain.OpenStatuses, Limit: 10}
	if b.Leading, err = tx.Cases(ctx, lead); err != nil {
		return err
	}
	sv, err := tx.OpenSupervisions(ctx, u.ID, org.Path, 10)
	if err != nil {
		return err
	}
	for _, x := range sv {
		c, err := tx.Case(ctx, x.CaseID)
		if err != nil {
			return err
		}
		b.Supervisions = append(b.Supervisions, Supervised{x, c})
	}
	return nil
}

// readCentre reads the units at the centre today and the zones.
func (b *Board) readCentre(ctx context.Context, tx *store.Tx) error {
	units, err := tx.Units(ctx)
	if err != nil {
		return err
	}
	d := tx.Now.In(domain.CST).Format("2006-01-02")
	roster, err := tx.Roster(ctx, d, d)
	if err != nil {
		return err
	}
	for _, x := range units {
		if x.Active && (x.Kind == "resident" || slices.Contains(roster[d], x.ID)) {
			b.Units = append(b.Units, x)
		}
	}
	b.Zones, err = tx.Zones(ctx)
	return err
}

// boardPeriods returns the period figures of a place: computed now when
// there are none, otherwise the kept ones, refreshed in the background
// once they are older than boardTTL.
func (s *Service) boardPeriods(ctx context.Context, place domain.Org, now time.Time) (*BoardPeriods, error) {
	s.board.mu.Lock()
	if s.board.entries == nil {
		s.board.entries = map[string]*boardEntry{}
	}
	e := s.board.entries[place.Path]
	if e != nil && e.val != nil {
		v := e.val
		if now.Sub(v.At) > boardTTL && !e.refreshing {
			e.refreshing = true
			go func() {
				// The request that noticed goes on; a stuck query must not
				// stop the refreshes for good.
				rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
				defer cancel()
				p, err := s.computePeriods(rctx, place)
				s.board.mu.Lock()
				defer s.board.mu.Unlock()
				e.refreshing = false
				if err != nil {
					s.Logger().Warn("board: refresh", "place", place.Code, "err", err)
					return
				}
				e.val = p
			}()
		}
		s.board.mu.Unlock()
		return v, nil
	}
	if e != nil { // the first computation is under way
		s.board.mu.Unlock()
		select {
		case <-e.ready:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		s.board.mu.Lock()
		v := e.val
		s.board.mu.Unlock()
		if v == nil {
			return nil, fmt.Errorf("service: the board's figures of %s could not be computed", place.Code)
		}
		return v, nil
	}
	e = &boardEntry{ready: make(chan struct{})}
	s.board.entries[place.Path] = e
	s.board.mu.Unlock()
	// Computed for every screen waiting, so not cut short by this one
	// going away.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
	defer cancel()
	p, err := s.computePeriods(rctx, place)
	s.board.mu.Lock()
	e.val = p
	if err != nil {
		delete(s.board.entries, place.Path) // the next look tries again
	}
	close(e.ready)
	s.board.mu.Unlock()
	return p, err
}

// computePeriods computes the period figures of a place.
func (s *Service) computePeriods(ctx context.Context, place domain.Org) (*BoardPeriods, error) {
	s.board.computes.Add(1)
	if s.board.hook != nil {
		s.board.hook()
	}
	now := s.Store().Now()
	first, end, prevFirst, prevEnd := SameDaysLastMonth(now)
	out := &BoardPeriods{At: now, MonthFrom: first, MonthTo: end.AddDate(0, 0, -1), PrevFrom: prevFirst, PrevTo: prevEnd.AddDate(0, 0, -1)}
	month, err := s.Statistics(ctx, StatsQuery{From: first.UTC(), To: end.UTC(), OrgCode: place.Code, By: "org"})
	if err != nil {
		return nil, err
	}
	out.Month, out.Towns = month.Total, month.Groups
	cats, err := s.Statistics(ctx, StatsQuery{From: first.UTC(), To: end.UTC(), OrgCode: place.Code, By: "category"})
	if err != nil {
		return nil, err
	}
	out.Categories = cats.Groups
	prev, err := s.Statistics(ctx, StatsQuery{From: prevFirst.UTC(), To: prevEnd.UTC(), OrgCode: place.Code})
	if err != nil {
		return nil, err
	}
	out.Prev = prev.Total
	start := first.AddDate(0, -11, 0)
	counts := map[string]int{}
	err = s.View(ctx, func(tx *store.Tx) error {
		times, err := tx.RegisteredTimes(ctx, start, place.Path)
		for _, t := range times {
			counts[t.In(domain.CST).Format("2006-01")]++
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	for m := start; !m.After(first); m = m.AddDate(0, 1, 0) {
		k := m.Format("2006-01")
		out.Trend = append(out.Trend, MonthCount{k, counts[k]})
	}
	return out, nil
}

// SameDaysLastMonth gives the board's two periods at now, as [from, to)
// of whole days in CST: this month from the 1st to today, and the previous
// month from its 1st to the same day of the month (its last day when it
// is shorter).
func SameDaysLastMonth(now time.Time) (from, to, prevFrom, prevTo time.Time) {
	n := now.In(domain.CST)
	from = time.Date(n.Year(), n.Month(), 1, 0, 0, 0, 0, domain.CST)
	to = time.Date(n.Year(), n.Month(), n.Day()+1, 0, 0, 0, 0, domain.CST)
	prevFrom = from.AddDate(0, -1, 0)
	days := min(n.Day(), from.AddDate(0, 0, -1).Day()) // the previous month's length caps it
	prevTo = prevFrom.AddDate(0, 0, days)
	return from, to, prevFrom, prevTo
}

// RedOthers are the open red matters the viewer does not lead: the
// dashboard lists a leader's own under "led by me" and these below, so no
// matter is listed twice.
func (b *Board) RedOthers() []*domain.Case {
	led := map[int64]bool{}
	for _, c := range b.Leading {
		led[c.ID] = true
	}
	var out []*domain.Case
	for _, c := range b.Red {
		if !led[c.ID] {
			out = append(out, c)
		}
	}
	return out
}

// WarmBoard computes the county's board figures in the background at
// start, so the first look at the big screen is as fast as the others.
func (s *Service) WarmBoard(ctx context.Context) {
	var root domain.Org
	err := s.View(ctx, func(tx *store.Tx) error {
		roots, err := tx.OrgRoots(ctx)
		if err == nil && len(roots) > 0 {
			root = roots[0]
		}
		return err
	})
	if err != nil || root.Path == "" {
		return
	}
	if _, err := s.boardPeriods(ctx, root, s.Store().Now()); err != nil {
		s.Logger().Warn("board: warm", "err", err)
	}
}
