package report

import (
	"context"
	"jiefen/internal/app"
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
	{"closed", "办结", "期间内办结过的事项数（同一事项期间内多次办结只算一次，按期间内最后一次；含以“转交其他机关”办结的）。"},
	{"closed_accepted", "办结（不含转交）", "办结的事项中期间内最后一次办结的结果不是“转交其他机关”的（化解成功率与办结用时的分母）。"},
	{"resolved", "化解成功", "期间内办结且期间内最后一次办结结果为“化解成功”的事项数。"},
	{"success_rate", "化解成功率", "化解成功 ÷ 办结（不含转交）：不属受理范围、转交其他机关的事项不由中心化解，不计入分母。"},
	{"visits", "回访", "期间内的回访次数。"},
	{"satisfaction_rate", "满意率", "（满意 + 基本满意）÷ 回访，均按期间内的回访计。"},
	{"visit_rate", "回访率", "期间内办结的事项中，在期间内最后一次办结之后已回访的（回访可在期间之后；期间之后又重新交办、再次办结的，仍按期间内那次办结计）÷ 办结。"},
	{"reopened", "重新交办", "期间内因回访不满意等重新交办的次数。"},
	{"merged", "合并的重复件", "期间内登记、后来作为重复件并入其他事项的数目；不计入其他任何数字。"},
	{"overdue", "在办超期", "此刻尚未办结（待研判、待交办、待签收、化解中）、当前环节已过期限且未暂停计时的事项数；是在办事项的一部分（与所选期间无关）。"},
	{"overdue_followup", "告知/回访超期", "此刻已办结、告知或回访已过期限的事项数（办结后3个工作日内告知，告知后7日内回访；含登记时转交、尚未告知的；与所选期间无关）。"},
	{"on_time_rate", "环节按期率", "期间内结束的有期限环节（研判、交办、签收、化解、告知、回访）中在期限内结束的 ÷ 期间内结束的有期限环节；期限以结束时有效的为准（含延期，暂停的时间顺延）；登记时当场转交的事项未经研判，不算研判环节；逐环节另列。"},
	{"inform_on_time_rate", "告知按期率", "期间内完成的告知中在期限（办结后3个工作日）内完成的 ÷ 期间内完成的告知。"},
	{"inform_by_method", "告知方式", "期间内完成的告知（同告知按期率的分母）按告知方式分列：电话、短信、当面、书面/邮寄、微信、其他；早先自由填写的方式按其文字归类，归不进的计“其他”。"},
	{"avg_days_to_close", "平均办结用时", "期间内办结（不含转交）的事项从登记到期间内最后一次办结的工作日数的平均值，保留一位小数，四舍五入（7.25 记作 7.3）。"},
	{"p90_days_to_close", "90%办结用时", "同上工作日数的第90百分位（最近秩法：90%的事项不超过此数）。"},
}

// DrillFigures are the figures with a list of matters behind them (a
// rate's numerator and denominator each have one); an event figure lists
// one line per event, so the list is as long as the figure.
var DrillFigures = append([]string{"registered", "referred", "accepted", "closed", "closed_accepted", "resolved", "visits", "satisfied",
	"closed_visited", "reopened", "merged", "overdue", "overdue_followup", "steps_due", "steps_on_time", "inform_due", "inform_on_time"},
	informFigures()...)

// InformFigure is the figure of the informs made one way ("inform_by_phone").
func InformFigure(method string) string { return "inform_by_" + method }

func informFigures() []string {
	var out []string
	for _, m := range domain.InformMethods {
		out = append(out, InformFigure(m))
	}
	return out
}

// StatItem is one line of the list behind a figure: a matter and, for an
// event figure, when it happened and what (a step, a satisfaction).
type StatItem struct {
	CaseID int64
	At     time.Time
	Note   string
	Case   *domain.Case // filled on a page of the list
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
	ClosedAccepted   int    `json:"closed_accepted"`
	Resolved         int    `json:"resolved"`
	SuccessRate      Rate   `json:"success_rate"`
	Visits           int    `json:"visits"`
	SatisfactionRate Rate   `json:"satisfaction_rate"`
	VisitRate        Rate   `json:"visit_rate"`
	Reopened         int    `json:"reopened"`
	Merged           int    `json:"merged"`
	Overdue          int    `json:"overdue"`
	OverdueFollowUp  int    `json:"overdue_followup"`
	OnTimeRate       Rate   `json:"on_time_rate"`
	InformOnTimeRate Rate   `json:"inform_on_time_rate"`
	// InformByMethod counts the informs by method (keys: domain.InformMethods).
	InformByMethod map[string]int `json:"inform_by_method"`
	// OnTimeByStep is the on-time rate of each step (keys: domain.Steps).
	OnTimeByStep   map[string]Rate `json:"on_time_by_step"`
	AvgDaysToClose float64         `json:"avg_days_to_close"`
	P90DaysToClose int             `json:"p90_days_to_close"`

	satisfied, closedVisited int
	stepsDue, stepsOnTime    map[string]int
	days                     []int
	items                    map[string][]StatItem
}

// add counts one line of a drill-down figure (kept only when asked).
func (f *Figures) add(keep string, figure string, it StatItem) {
	if keep != figure {
		return
	}
	if f.items == nil {
		f.items = map[string][]StatItem{}
	}
	f.items[figure] = append(f.items[figure], it)
}

// StatsQuery selects the statistics: a period [From, To) of days in China
// time, a place (default the actor's jurisdiction) and a breakdown.
type StatsQuery struct {
	From, To time.Time
	OrgCode  string
	By       string // "", category, org, unit, channel, risk, month

	keep string // keep the lines behind this figure (the drill-down)
}

// StatsBreakdowns are the accepted values of By.
var StatsBreakdowns = []string{"", "category", "org", "unit", "channel", "risk", "month"}

// Stats computes the figures of a selection: the total and, with By, one
// group per value.
type Stats struct {
	From, To time.Time
	Place    domain.Org
	By       string
	Total    Figures
	Groups   []Figures
	// CalendarMissing are the years the closed matters' working days fall
	// in that the holiday calendar lacks: their days to close are counted
	// as plain weeks (the figures say so rather than hide it).
	CalendarMissing []int
}

// Statistics computes the statistics (staff; within their jurisdiction).
func (s *Service) Statistics(ctx context.Context, q StatsQuery) (*Stats, error) {
	u := domain.ActorFrom(ctx).Principal()
	if err := s.Denied(ctx, s.Check(ctx, authz.CaseView, "stats", "", "")); err != nil {
		return nil, err
	}
	if !slices.Contains(StatsBreakdowns, q.By) {
		return nil, app.Required("by", "stats.by.invalid")
	}
	if q.From.IsZero() || q.To.IsZero() || !q.To.After(q.From) || q.To.Sub(q.From) > 20*366*24*time.Hour || !app.PlausibleDay(q.From) || !app.PlausibleDay(q.To) {
		return nil, app.Required("to", "stats.period.invalid")
	}
	out := &Stats{From: q.From, To: q.To, By: q.By}
	err := s.View(ctx, func(tx *store.Tx) error {
		org, err := statsPlace(ctx, tx, u, q.OrgCode)
		if err != nil || org == nil {
			return err
		}
		out.Place = *org
		return s.tally(ctx, tx, q, *org, out)
	})
	return out, err
}

// statsPlace finds the place of the statistics: code, else the actor's
// own, else the root (nil, and no error, when there is no root); it must
// lie in the actor's jurisdiction.
func statsPlace(ctx context.Context, tx *store.Tx, u *domain.User, code string) (*domain.Org, error) {
	if code == "" {
		code = u.OrgCode // the operator has none: the root below
	}
	if code == "" {
		roots, err := tx.OrgRoots(ctx)
		if err != nil || len(roots) == 0 {
			return nil, err
		}
		code = roots[0].Code
	}
	org, err := tx.Org(ctx, code)
	if err != nil {
		return nil, app.Required("org_code", "org.not_found")
	}
	if !strings.HasPrefix(org.Path, u.OrgPath) {
		return nil, app.Forbidden("stats", "org", org.Code, org.Path)
	}
	return &org, nil
}

// groupKey returns how a row is grouped for a breakdown, and the groups'
// names.
func (s *Service) groupKey(ctx context.Context, tx *store.Tx, by string, org domain.Org) (func(domain.StatRow, time.Time) string, map[string]string, error) {
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
		return func(r domain.StatRow, _ time.Time) string { return r.Category }, names, nil
	case "org":
		kids, err := tx.OrgChildren(ctx, org.Code)
		if err != nil {
			return nil, nil, err
		}
		for _, k := range kids {
			names[k.Code] = k.Name
		}
		depth := strings.Count(org.Path, "/")
		return func(r domain.StatRow, _ time.Time) string {
			parts := strings.Split(strings.Trim(r.OrgPath, "/"), "/")
			if len(parts) >= depth {
				return parts[depth-1]
			}
			return org.Code // registered at this node itself
		}, names, nil
	case "unit":
		units, err := tx.Units(ctx)
		if err != nil {
			return nil, nil, err
		}
		code := map[int64]string{}
		for _, u := range units {
			code[u.ID], names[u.Code] = u.Code, u.Name
		}
		names["-"] = "（未定对接单位）"
		return func(r domain.StatRow, _ time.Time) string {
			if c, ok := code[r.UnitID]; ok {
				return c
			}
			return "-"
		}, names, nil
	case "channel":
		return func(r domain.StatRow, _ time.Time) string { return r.Channel }, names, nil
	case "risk":
		return func(r domain.StatRow, _ time.Time) string { return r.Risk }, names, nil
	case "month":
		return func(_ domain.StatRow, at time.Time) string { return at.In(domain.CST).Format("2006-01") }, names, nil
	}
	return func(domain.StatRow, time.Time) string { return "" }, names, nil
}

// StatsList is a page of the list behind one figure of one group (Key ""
// is the total): its length is the figure.
type StatsList struct {
	Figure, Key, Name string
	Total             int
	Offset            int
	Items             []StatItem
	Stats             *Stats
}

// StatsMatters lists the matters (or events) behind a figure, a page at a
// time, in the order they happened.
func (s *Service) StatsMatters(ctx context.Context, q StatsQuery, figure, key string, offset, limit int) (*StatsList, error) {
	if !slices.Contains(DrillFigures, figure) {
		return nil, app.Required("figure", "stats.figure.invalid")
	}
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	offset = max(offset, 0)
	if q.To.Sub(q.From) > 367*24*time.Hour {
		return nil, app.Required("from", "stats.list.period") // the lines of a year at most
	}
	q.keep = figure
	st, err := s.Statistics(ctx, q)
	if err != nil {
		return nil, err
	}
	out := &StatsList{Figure: figure, Key: key, Offset: offset, Stats: st}
	f := &st.Total
	if key != "" {
		f = nil
		for i := range st.Groups {
			if st.Groups[i].Key == key {
				f, out.Name = &st.Groups[i], st.Groups[i].Name
			}
		}
		if f == nil {
			return out, nil // a group with nothing in it
		}
	}
	items := f.items[figure]
	sort.SliceStable(items, func(i, j int) bool {
		if !items[i].At.Equal(items[j].At) {
			return items[i].At.Before(items[j].At)
		}
		return items[i].CaseID < items[j].CaseID
	})
	out.Total = len(items)
	if offset >= len(items) {
		return out, nil
	}
	out.Items = items[offset:min(offset+limit, len(items))]
	ids := make([]int64, 0, len(out.Items))
	for _, it := range out.Items {
		ids = append(ids, it.CaseID)
	}
	err = s.View(ctx, func(tx *store.Tx) error {
		cs, err := tx.Cases(ctx, domain.CaseFilter{Path: st.Place.Path, IDs: ids, Limit: len(ids)})
		if err != nil {
			return err
		}
		byID := map[int64]*domain.Case{}
		for _, c := range cs {
			byID[c.ID] = c
		}
		for i := range out.Items {
			out.Items[i].Case = byID[out.Items[i].CaseID]
		}
		return nil
	})
	return out, err
}

// plausibleDay reports whether a date is one a matter could have (the
// databases refuse years before 1 AD, and nothing here predates 2000).
