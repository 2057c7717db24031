package service

import (
	"context"
	"slices"
	"sort"
	"strings"
	"time"

	"jiefen/internal/authz"
	"jiefen/internal/domain"
	"jiefen/internal/store"
)

// Definition is a figure's written definition (shown in the docs and as a
// tooltip beside the figure).
type Definition struct {
	Key, Name, Text string
}

// Definitions of the statistics, in the order a report shows them. A
// merged duplicate (outcome merged) is excluded from every figure but
// `merged`; a matter counts in the place it is in now.
var Definitions = []Definition{
	{"registered", "登记", "期间内登记的事项数（不含合并的重复件）。"},
	{"referred", "不属受理范围", "期间内登记、以“转交其他机关”办结的事项数。"},
	{"accepted", "受理", "登记 − 不属受理范围。"},
	{"closed", "办结", "期间内办结过的事项数（同一事项期间内多次办结只算一次，按最后一次）。"},
	{"resolved", "化解成功", "期间内办结且最后一次办结结果为“化解成功”的事项数。"},
	{"success_rate", "化解成功率", "化解成功 ÷ 办结。"},
	{"visits", "回访", "期间内的回访次数。"},
	{"satisfaction_rate", "满意率", "（满意 + 基本满意）÷ 回访，均按期间内的回访计。"},
	{"visit_rate", "回访率", "期间内办结的事项中已回访的（回访可在办结之后的任何时候）÷ 办结。"},
	{"reopened", "重新交办", "期间内因回访不满意等重新交办的次数。"},
	{"merged", "合并的重复件", "期间内登记、后来作为重复件并入其他事项的数目；不计入其他任何数字。"},
	{"overdue", "当前超期", "此刻环节已过期限、未暂停计时的在办事项数（与所选期间无关）。"},
}

// Rate is a fraction with its parts beside it.
type Rate struct {
	Value       float64 `json:"value"`
	Numerator   int     `json:"numerator"`
	Denominator int     `json:"denominator"`
}

func rate(n, d int) Rate {
	r := Rate{Numerator: n, Denominator: d}
	if d > 0 {
		r.Value = float64(n) / float64(d)
	}
	return r
}

// Figures are the statistics of one group (or of the whole selection).
type Figures struct {
	Key              string `json:"key,omitempty"`
	Name             string `json:"name,omitempty"`
	Registered       int    `json:"registered"`
	Referred         int    `json:"referred"`
	Accepted         int    `json:"accepted"`
	Closed           int    `json:"closed"`
	Resolved         int    `json:"resolved"`
	SuccessRate      Rate   `json:"success_rate"`
	Visits           int    `json:"visits"`
	SatisfactionRate Rate   `json:"satisfaction_rate"`
	VisitRate        Rate   `json:"visit_rate"`
	Reopened         int    `json:"reopened"`
	Merged           int    `json:"merged"`
	Overdue          int    `json:"overdue"`

	satisfied, closedVisited int
}

// StatsQuery selects the statistics: a period [From, To) of days in China
// time, a place (default the actor's jurisdiction) and a breakdown.
type StatsQuery struct {
	From, To time.Time
	OrgCode  string
	By       string // "", category, org, channel, risk, month
}

// StatsBreakdowns are the accepted values of By.
var StatsBreakdowns = []string{"", "category", "org", "channel", "risk", "month"}

// Stats computes the figures of a selection: the total and, with By, one
// group per value.
type Stats struct {
	From, To time.Time
	Place    domain.Org
	By       string
	Total    Figures
	Groups   []Figures
}

// Statistics computes the statistics (staff; within their jurisdiction).
func (s *Service) Statistics(ctx context.Context, q StatsQuery) (*Stats, error) {
	u := domain.ActorFrom(ctx).User
	if !isCLI(ctx) {
		if err := s.denied(ctx, s.check(ctx, authz.CaseView, "stats", "", "")); err != nil {
			return nil, err
		}
	}
	if !slices.Contains(StatsBreakdowns, q.By) {
		return nil, required("by", "stats.by.invalid")
	}
	if q.From.IsZero() || q.To.IsZero() || !q.To.After(q.From) || q.To.Sub(q.From) > 20*366*24*time.Hour {
		return nil, required("to", "stats.period.invalid")
	}
	out := &Stats{From: q.From, To: q.To, By: q.By}
	err := s.view(ctx, func(tx *store.Tx) error {
		code := q.OrgCode
		if code == "" {
			if u != nil {
				code = u.OrgCode
			} else {
				roots, err := tx.OrgRoots(ctx)
				if err != nil || len(roots) == 0 {
					return err
				}
				code = roots[0].Code
			}
		}
		org, err := tx.Org(ctx, code)
		if err != nil {
			return required("org_code", "org.not_found")
		}
		if u != nil && !strings.HasPrefix(org.Path, u.OrgPath) {
			return &domain.Error{Code: domain.Forbidden, Key: "error.forbidden", Err: &denial{"denied.stats", "org", org.Code, org.Path}}
		}
		out.Place = org
		keyOf, names, err := s.groupKey(ctx, tx, q.By, org)
		if err != nil {
			return err
		}
		groups := map[string]*Figures{}
		if q.By == "org" || q.By == "category" {
			// Every township (or category) is listed, zeros included:
			// leaders compare them.
			for k, n := range names {
				groups[k] = &Figures{Key: k, Name: n}
			}
		}
		fig := func(r store.StatRow, at time.Time) []*Figures {
			list := []*Figures{&out.Total}
			if q.By != "" {
				k := keyOf(r, at)
				g := groups[k]
				if g == nil {
					g = &Figures{Key: k, Name: names[k]}
					if g.Name == "" {
						g.Name = k
					}
					groups[k] = g
				}
				list = append(list, g)
			}
			return list
		}
		reg, err := tx.StatsRegistered(ctx, q.From, q.To, org.Path)
		if err != nil {
			return err
		}
		for _, r := range reg {
			for _, f := range fig(r, r.CreatedAt) {
				if r.Outcome == string(domain.OutcomeMerged) {
					f.Merged++
					continue
				}
				f.Registered++
				if r.Outcome == string(domain.OutcomeReferred) {
					f.Referred++
				}
			}
		}
		evs, err := tx.StatsEvents(ctx, q.From, q.To, org.Path, "close", "visit", "reopen")
		if err != nil {
			return err
		}
		lastClose := map[int64]store.StatRow{}
		for _, e := range evs {
			if e.Outcome == string(domain.OutcomeMerged) {
				continue
			}
			switch e.Action {
			case "close":
				lastClose[e.CaseID] = e
			case "visit":
				for _, f := range fig(e, e.At) {
					f.Visits++
					if sat := e.Data["satisfaction"]; sat == "satisfied" || sat == "basically_satisfied" {
						f.satisfied++
					}
				}
			case "reopen":
				for _, f := range fig(e, e.At) {
					f.Reopened++
				}
			}
		}
		var closedIDs []int64
		for id := range lastClose {
			closedIDs = append(closedIDs, id)
		}
		slices.Sort(closedIDs)
		visited, err := tx.StatsVisitedAfter(ctx, closedIDs, q.From)
		if err != nil {
			return err
		}
		for _, id := range closedIDs {
			e := lastClose[id]
			for _, f := range fig(e, e.At) {
				f.Closed++
				if e.Data["outcome"] == string(domain.OutcomeResolved) {
					f.Resolved++
				}
				if visited[id] {
					f.closedVisited++
				}
			}
		}
		over, err := tx.StatsOverdue(ctx, tx.Now, org.Path)
		if err != nil {
			return err
		}
		for _, r := range over {
			if q.By == "month" {
				out.Total.Overdue++ // "now" belongs to no month of the period
				continue
			}
			for _, f := range fig(r, tx.Now) {
				f.Overdue++
			}
		}
		finish := func(f *Figures) {
			f.Accepted = f.Registered - f.Referred
			f.SuccessRate = rate(f.Resolved, f.Closed)
			f.SatisfactionRate = rate(f.satisfied, f.Visits)
			f.VisitRate = rate(f.closedVisited, f.Closed)
		}
		finish(&out.Total)
		for _, g := range groups {
			finish(g)
			out.Groups = append(out.Groups, *g)
		}
		sort.Slice(out.Groups, func(i, j int) bool { return out.Groups[i].Key < out.Groups[j].Key })
		return nil
	})
	return out, err
}

// groupKey returns how a row is grouped for a breakdown, and the groups'
// names.
func (s *Service) groupKey(ctx context.Context, tx *store.Tx, by string, org domain.Org) (func(store.StatRow, time.Time) string, map[string]string, error) {
	names := map[string]string{}
	switch by {
	case "category":
		cats, err := tx.Categories(ctx)
		if err != nil {
			return nil, nil, err
		}
		for _, c := range cats {
			if c.ParentCode == "" {
				names[c.Code] = c.Name
			}
		}
		return func(r store.StatRow, _ time.Time) string { return r.Category }, names, nil
	case "org":
		kids, err := tx.OrgChildren(ctx, org.Code)
		if err != nil {
			return nil, nil, err
		}
		for _, k := range kids {
			names[k.Code] = k.Name
		}
		depth := strings.Count(org.Path, "/")
		return func(r store.StatRow, _ time.Time) string {
			parts := strings.Split(strings.Trim(r.OrgPath, "/"), "/")
			if len(parts) >= depth {
				return parts[depth-1]
			}
			return org.Code // registered at this node itself
		}, names, nil
	case "channel":
		return func(r store.StatRow, _ time.Time) string { return r.Channel }, names, nil
	case "risk":
		return func(r store.StatRow, _ time.Time) string { return r.Risk }, names, nil
	case "month":
		return func(_ store.StatRow, at time.Time) string { return at.In(domain.CST).Format("2006-01") }, names, nil
	}
	return func(store.StatRow, time.Time) string { return "" }, names, nil
}
