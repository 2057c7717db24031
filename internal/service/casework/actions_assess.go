package casework

import (
	"fmt"
	"slices"
	"time"

	"jiefen/internal/app"
	"jiefen/internal/domain"
	"jiefen/internal/service/registry"
)

// Assessment (分析研判) and the matter's grading: the first assessment,
// re-grading, the lead leader, linking and merging, and a report that it
// is getting worse.
func init() {
	register(
		actionSpec{name: "assess", reads: []string{"risk", "category", "unit", "mediation_org", "mediator", "assignee"}, apply: applyAssess, public: true,
			then: "dispatch"},
		actionSpec{name: "regrade", reads: []string{"risk"}, apply: applyRegrade, redDeadline: true},
		actionSpec{name: "lead", reads: []string{"assignee"}, apply: applyLead},
		actionSpec{name: "link", reads: []string{"target"}, apply: applyLinkAction},
		actionSpec{name: "merge", reads: []string{"target"}, apply: applyLinkAction, noDeadline: true},
		actionSpec{name: "deteriorate", apply: applyDeteriorate},
	)
}

func validRisk(r string) error {
	if !slices.Contains(domain.Risks, domain.Risk(r)) {
		return app.Required("risk", "case.risk.invalid")
	}
	return nil
}

func applyAssess(s *Service, a *acting) error {
	ctx, tx, c, in, ev := a.ctx, a.tx, a.c, a.in, a.ev
	if err := validRisk(in.Risk); err != nil {
		return err
	}
	if in.Category != "" && in.Category != c.Category {
		if ok, err := s.reg.CategoryExists(ctx, tx, in.Category); err != nil {
			return err
		} else if !ok {
			return app.Required("category", "case.category.unknown")
		}
		ev.Data[domain.DataCategory] = c.Category + " → " + in.Category
		c.Category = in.Category
	}
	c.Risk = domain.Risk(in.Risk)
	ev.Data[domain.DataRisk] = in.Risk
	// What the suggestions said, and whether the dispatcher followed them,
	// goes on the timeline (and so into the figures of how well the rules
	// serve).
	sug, err := s.suggestionFor(ctx, tx, c, false)
	if err != nil {
		return err
	}
	ev.Data[domain.DataSuggestedCategory], ev.Data[domain.DataSuggestedCategoryName] = sug.Category.Code, sug.Category.Name
	ev.Data[domain.DataSuggestedRisk] = sug.Risk.Color
	cats, err := tx.Categories(ctx)
	if err != nil {
		return err
	}
	ev.Data[domain.DataCategoryChoice], ev.Data[domain.DataRiskChoice] = "overridden", app.Choice(in.Risk, sug.Risk.Color)
	if registry.InCategory(cats, c.Category, sug.Category.Code) {
		ev.Data[domain.DataCategoryChoice] = "accepted"
	}
	if err := s.applyRouting(ctx, tx, c, in, sug, ev); err != nil {
		return err
	}
	c.RegradeAt = time.Time{}
	return s.setLead(ctx, tx, c, ev)
}

func applyRegrade(s *Service, a *acting) error {
	c, in, ev := a.c, a.in, a.ev
	if err := validRisk(in.Risk); err != nil {
		return err
	}
	if domain.Risk(in.Risk) == c.Risk {
		return app.Required("risk", "case.risk.same")
	}
	ev.Data[domain.DataFromRisk], ev.Data[domain.DataRisk] = string(c.Risk), in.Risk
	ev.Data[domain.DataDirection] = "down"
	if riskLevel(domain.Risk(in.Risk)) > riskLevel(c.Risk) {
		ev.Data[domain.DataDirection] = "up"
	}
	c.Risk, c.RegradeAt = domain.Risk(in.Risk), time.Time{}
	return s.setLead(a.ctx, a.tx, c, ev)
}

func riskLevel(r domain.Risk) int {
	return map[domain.Risk]int{"none": 0, "blue": 1, "yellow": 2, "red": 3}[r]
}

func applyLead(s *Service, a *acting) error {
	ctx, tx, c, ev := a.ctx, a.tx, a.c, a.ev
	u, err := personFor(a, "lead")
	if err != nil {
		return err
	}
	c.LeadID, c.Six.LeadLeader = u.ID, u.Name
	ev.Data[domain.DataLeadName] = u.Name
	text := fmt.Sprintf("%s 由您牵头（%s）：%s", c.Number, a.actor.Name, truncateRunes(ev.Note, 60))
	return s.notify(ctx, tx, []int64{u.ID}, c.ID, "lead", text)
}

func applyLinkAction(s *Service, a *acting) error {
	return s.applyLink(a.ctx, a.tx, a.c, a.ev.Action, a.in, a.ev)
}

func applyDeteriorate(s *Service, a *acting) error {
	ctx, tx, c := a.ctx, a.tx, a.c
	c.RegradeAt = tx.Now
	ds, err := tx.UsersWithRoleOver(ctx, domain.RoleDispatcher, c.OrgPath)
	if err != nil {
		return err
	}
	text := fmt.Sprintf("%s 情况恶化，请重新研判（%s）：%s", c.Number, a.actor.Name, truncateRunes(a.ev.Note, 60))
	return s.notify(ctx, tx, ds, c.ID, "deteriorate", text)
}
