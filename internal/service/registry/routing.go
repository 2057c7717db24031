package registry

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"jiefen/internal/assess"
	"jiefen/internal/domain"
	"jiefen/internal/store"
)

// SuggestedUnit is the docking unit (对接单位) the duty lists point to.
type SuggestedUnit struct {
	Code        string          `json:"code"`
	Name        string          `json:"name"`
	Kind        string          `json:"kind"`
	OnDutyToday bool            `json:"on_duty_today"`
	NextDay     string          `json:"next_day,omitempty"` // a rotating unit's next day at the centre
	Reasons     []assess.Reason `json:"reasons"`
}

// SuggestedOrg is a mediation organisation.
type SuggestedOrg struct {
	Code    string          `json:"code"`
	Name    string          `json:"name"`
	Kind    string          `json:"kind"`
	Open    int             `json:"open"`
	Reasons []assess.Reason `json:"reasons"`
}

// SuggestedMediator is a person from the pool.
type SuggestedMediator struct {
	ID      int64           `json:"id"`
	Name    string          `json:"name"`
	Kind    string          `json:"kind"`
	Title   string          `json:"title"`
	Org     string          `json:"org"`
	Load    int             `json:"load"`
	Reasons []assess.Reason `json:"reasons"`
}

// townshipOf cuts a place's path to its township code ("" at county level).
func townshipOf(path string) string {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if len(parts) < 2 {
		return ""
	}
	return parts[1]
}

// route suggests who should take a matter of category cat at path: the
// unit whose duty list names the category (a township's own entry first),
// the mediation organisation (a specialised one, else the township's
// committee, else the county's) and up to three mediators (specialty and
// area first, then the lightest load).
func (s *Service) Route(ctx context.Context, tx *store.Tx, cat, catName, path, text string) (*SuggestedUnit, *SuggestedOrg, []SuggestedMediator, error) {
	town := townshipOf(path)
	unit, err := suggestUnit(ctx, tx, cat, catName, town, text)
	if err != nil {
		return nil, nil, nil, err
	}
	org, err := suggestOrg(ctx, tx, cat, catName, town)
	if err != nil {
		return nil, nil, nil, err
	}
	out, err := suggestMediators(ctx, tx, cat, catName, town, org)
	if err != nil {
		return nil, nil, nil, err
	}
	return unit, org, out, nil
}

// unitCandidate is a unit whose duty list names the matter's category.
type unitCandidate struct {
	u     *domain.Unit
	d     domain.Duty
	score int
	near  float64 // how close the duty's service text is to the matter's
}

// suggestUnit picks the docking unit for category cat in township town
// (nil when no duty list names it), with whether it is at the centre.
func suggestUnit(ctx context.Context, tx *store.Tx, cat, catName, town, text string) (*SuggestedUnit, error) {
	units, err := tx.Units(ctx)
	if err != nil {
		return nil, err
	}
	today := tx.Now.In(domain.CST).Format("2006-01-02")
	roster, err := tx.Roster(ctx, today, today)
	if err != nil {
		return nil, err
	}
	ucs := unitCandidates(units, cat, town, text)
	if len(ucs) == 0 {
		return nil, nil
	}
	c := ucs[0]
	unit := &SuggestedUnit{Code: c.u.Code, Name: c.u.Name, Kind: c.u.Kind, OnDutyToday: c.u.Kind == "resident" || slices.Contains(roster[today], c.u.ID)}
	why := fmt.Sprintf("职责清单：%s负责%s", c.u.Name, catName)
	if c.d.Service != "" {
		why += "（" + c.d.Service + "）"
	}
	if c.d.OrgCode != "" {
		why = "本乡镇的约定 · " + why
	}
	unit.Reasons = append(unit.Reasons, assess.Reason{Kind: "duty", Rule: c.u.Code, Text: why})
	switch {
	case c.u.Kind == "resident":
		unit.Reasons = append(unit.Reasons, assess.Reason{Kind: "roster", Rule: c.u.Code, Text: "常驻中心"})
	case unit.OnDutyToday:
		unit.Reasons = append(unit.Reasons, assess.Reason{Kind: "roster", Rule: c.u.Code, Text: "今日在中心轮驻"})
	case c.u.Kind == "rotating":
		next, err := tx.NextRosterDay(ctx, c.u.ID, today)
		if err != nil {
			return nil, err
		}
		unit.NextDay = next
		text := "今日不在中心；轮驻表上暂无安排"
		if next != "" {
			text = "今日不在中心；下次轮驻 " + next
		}
		unit.Reasons = append(unit.Reasons, assess.Reason{Kind: "roster", Rule: c.u.Code, Text: text})
	default:
		unit.Reasons = append(unit.Reasons, assess.Reason{Kind: "roster", Rule: c.u.Code, Text: "随需随驻：需通知进驻"})
	}
	return unit, nil
}

// unitCandidates are the active units' duties for cat in town, best first.
func unitCandidates(units []*domain.Unit, cat, town, text string) []unitCandidate {
	words := domain.Bigrams(text)
	var ucs []unitCandidate
	for _, u := range units {
		if !u.Active {
			continue
		}
		for _, d := range u.Duties {
			if d.Category != cat || (d.OrgCode != "" && d.OrgCode != town) {
				continue
			}
			sc := map[string]int{"resident": 30, "rotating": 20, "on_demand": 10}[u.Kind]
			if d.OrgCode != "" {
				sc += 100 // the township's own arrangement
			}
			ucs = append(ucs, unitCandidate{u, d, sc, domain.Jaccard(words, domain.Bigrams(d.Service))})
		}
	}
	// Between units of the same kind, the one with the shorter duty list
	// is the more specialised (人社局 before 检察院 for wage arrears, where
	// the procuratorate only supports a lawsuit).
	// Between equals, the duty whose service text is closer to the
	// description wins (two township entries for land in a coal township:
	// subsided farmland vs dried-up wells).
	sort.SliceStable(ucs, func(i, j int) bool {
		if ucs[i].score != ucs[j].score {
			return ucs[i].score > ucs[j].score
		}
		if ucs[i].near != ucs[j].near {
			return ucs[i].near > ucs[j].near
		}
		return len(ucs[i].u.Duties) < len(ucs[j].u.Duties)
	})
	return ucs
}

// suggestOrg picks the mediation organisation for cat in town (nil when
// none takes it).
func suggestOrg(ctx context.Context, tx *store.Tx, cat, catName, town string) (*SuggestedOrg, error) {
	orgs, err := tx.MediationOrgs(ctx)
	if err != nil {
		return nil, err
	}
	type ocand struct {
		o     *domain.MediationOrg
		score int
		why   string
	}
	var ocs []ocand
	for _, o := range orgs {
		if !o.Active || !slices.Contains(o.Categories, cat) {
			continue
		}
		switch {
		case o.Kind != "people_committee":
			ocs = append(ocs, ocand{o, 3, fmt.Sprintf("专业调解：%s受理%s", o.Name, catName)})
		case town != "" && o.OrgCode == town:
			ocs = append(ocs, ocand{o, 2, "属地调解：矛盾所在乡镇（街道）的人民调解委员会"})
		case strings.Count(o.OrgPath, "/") == 2:
			ocs = append(ocs, ocand{o, 1, "县级人民调解委员会"})
		}
	}
	sort.SliceStable(ocs, func(i, j int) bool {
		if ocs[i].score != ocs[j].score {
			return ocs[i].score > ocs[j].score
		}
		return ocs[i].o.Open < ocs[j].o.Open
	})
	if len(ocs) == 0 {
		return nil, nil
	}
	c := ocs[0]
	return &SuggestedOrg{Code: c.o.Code, Name: c.o.Name, Kind: c.o.Kind, Open: c.o.Open, Reasons: []assess.Reason{
		{Kind: "org", Rule: c.o.Code, Text: c.why},
		{Kind: "load", Rule: c.o.Code, Text: fmt.Sprintf("在办 %d 件", c.o.Open)},
	}}, nil
}

// suggestMediators picks up to three mediators for cat in town, the
// lightest load first (those of org first between equals); never nil.
func suggestMediators(ctx context.Context, tx *store.Tx, cat, catName, town string, org *SuggestedOrg) ([]SuggestedMediator, error) {
	meds, err := tx.Mediators(ctx)
	if err != nil {
		return nil, err
	}
	type mcand struct {
		m     *domain.Mediator
		score int
	}
	var mcs []mcand
	for _, m := range meds {
		if !m.Active || !slices.Contains(m.Specialties, cat) {
			continue
		}
		covers := len(m.Townships) == 0 || (town != "" && slices.Contains(m.Townships, town))
		if town != "" && !covers {
			continue
		}
		sc := 0
		if org != nil && m.OrgCode == org.Code {
			sc = 1 // works in the suggested organisation
		}
		mcs = append(mcs, mcand{m, sc})
	}
	sort.SliceStable(mcs, func(i, j int) bool {
		if mcs[i].m.Load != mcs[j].m.Load {
			return mcs[i].m.Load < mcs[j].m.Load
		}
		return mcs[i].score > mcs[j].score
	})
	var out []SuggestedMediator
	for i := 0; i < len(mcs) && i < 3; i++ {
		m := mcs[i].m
		sm := SuggestedMediator{ID: m.ID, Name: m.Name, Kind: m.Kind, Title: m.Title, Org: m.OrgName, Load: m.Load}
		sm.Reasons = append(sm.Reasons, assess.Reason{Kind: "specialty", Rule: cat, Text: "专长：" + catName})
		if town != "" {
			sm.Reasons = append(sm.Reasons, assess.Reason{Kind: "area", Rule: town, Text: "负责矛盾所在乡镇（街道）"})
		}
		sm.Reasons = append(sm.Reasons, assess.Reason{Kind: "load", Rule: "", Text: fmt.Sprintf("在办 %d 件", m.Load)})
		out = append(out, sm)
	}
	if out == nil {
		out = []SuggestedMediator{}
	}
	return out, nil
}
