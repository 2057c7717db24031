package casework

import (
	"context"
	"fmt"
	"slices"

	"jiefen/internal/app"
	"jiefen/internal/domain"
	"jiefen/internal/service/registry"
	"jiefen/internal/store"
)

// CasePage is everything the matter page shows, read in one transaction
// after one access check (the page's read model).
type CasePage struct {
	Case        *domain.Case
	Categories  []domain.Category
	Attachments []domain.Attachment
	Milestones  []domain.Milestone
	Actions     []string // what the actor may do now, in workflow order
	Related     []domain.Related
	Links       []domain.Link
	PartyCounts map[int64]int // party id → other matters in the actor's jurisdiction
	Group       *GroupView    // the first household of a group matter's list
	CaseUnits   []domain.CaseUnit
	AllUnits    []*domain.Unit // the units a co-unit may be chosen from (for who keeps the list)
	CanAttach   bool
	// The assessment form's starting point, when the actor may assess.
	Suggestion     *registry.Suggestion
	Registries     *registry.Registries
	AssessCategory string
	AssessRisk     string
	// Candidates are whom each person-choosing action the actor may take
	// could name (by action; "dispatch" also for the assessment form's
	// 研判并交办).
	Candidates map[string][]domain.Assignable
}

// Page reads the matter page of id for the actor.
func (s *Service) Page(ctx context.Context, id int64) (*CasePage, error) {
	p := &CasePage{}
	err := s.View(ctx, func(tx *store.Tx) error {
		c, err := tx.Case(ctx, id)
		if err != nil {
			return err
		}
		if err := s.mayViewCase(ctx, c); err != nil {
			return err // audited by View
		}
		p.Case, p.Actions, p.CanAttach = c, s.AllowedActions(ctx, c), s.MayAttach(ctx, c)
		if err := s.pageLists(ctx, tx, p); err != nil {
			return err
		}
		if err := s.pageAssessment(ctx, tx, p); err != nil {
			return err
		}
		return s.pageCandidates(ctx, tx, p)
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// pageLists reads the matter's lists: catalogue, files, schedule, related
// matters, parties' other matters, households and co-units.
func (s *Service) pageLists(ctx context.Context, tx *store.Tx, p *CasePage) error {
	c := p.Case
	var err error
	if p.Categories, err = tx.Categories(ctx); err != nil {
		return err
	}
	if p.Attachments, err = tx.Attachments(ctx, c.ID); err != nil {
		return err
	}
	if p.Milestones, err = tx.Milestones(ctx, c.ID); err != nil {
		return err
	}
	if p.Related, p.Links, err = s.relatedForCase(ctx, tx, c); err != nil {
		return err
	}
	if p.PartyCounts, err = tx.PartyMatterCounts(ctx, c.ID, app.Scope(ctx)); err != nil {
		return err
	}
	if p.Group, err = s.groupView(ctx, tx, c, "", "", "", 0, 1); err != nil {
		return err
	}
	if p.CaseUnits, err = tx.CaseUnits(ctx, c.ID); err != nil {
		return err
	}
	if p.Group.CanManage {
		reg, err := s.pageRegistries(ctx, tx, p)
		if err != nil {
			return err
		}
		p.AllUnits = reg.Units
	}
	return nil
}

// pageRegistries reads the registries once for the page (the co-unit
// choice and the assessment form both need them).
func (s *Service) pageRegistries(ctx context.Context, tx *store.Tx, p *CasePage) (*registry.Registries, error) {
	if p.Registries != nil {
		return p.Registries, nil
	}
	if err := s.reg.MayReadRegistries(ctx); err != nil {
		return nil, err
	}
	reg, err := s.reg.CentreIn(ctx, tx)
	p.Registries = reg
	return reg, err
}

// pageAssessment starts the assessment form from the suggestions (a
// registered sub-category inside the suggested category stays: it says
// more).
func (s *Service) pageAssessment(ctx context.Context, tx *store.Tx, p *CasePage) error {
	c := p.Case
	p.AssessCategory, p.AssessRisk = c.Category, string(c.Risk)
	if !slices.Contains(p.Actions, "assess") {
		return nil
	}
	var err error
	if p.Suggestion, err = s.suggestionFor(ctx, tx, c, true); err != nil {
		return err
	}
	if _, err := s.pageRegistries(ctx, tx, p); err != nil {
		return err
	}
	p.AssessRisk = p.Suggestion.Risk.Color
	if !registry.InCategory(p.Categories, c.Category, p.Suggestion.Category.Code) {
		p.AssessCategory = p.Suggestion.Category.Code
	}
	return nil
}

// pageCandidates reads the pickers' lists for the person-choosing actions
// the actor may take (and the dispatch the assessment form can end in).
func (s *Service) pageCandidates(ctx context.Context, tx *store.Tx, p *CasePage) error {
	p.Candidates = map[string][]domain.Assignable{}
	read := map[string][]domain.Assignable{} // the rules that read alike (交办, 转办, 协办) read once
	for _, action := range PersonActions {
		assessing := action == "dispatch" && slices.Contains(p.Actions, "assess")
		if !slices.Contains(p.Actions, action) && !assessing {
			continue
		}
		r := personRules[action]
		key := fmt.Sprint(r.roles, r.below, r.load)
		staff, ok := read[key]
		if !ok {
			var err error
			if staff, err = staffFor(ctx, tx, p.Case, r); err != nil {
				return err
			}
			read[key] = staff
		}
		list, err := rankCandidates(ctx, tx, p.Case, action, p.Suggestion, staff)
		if err != nil {
			return err
		}
		p.Candidates[action] = list
	}
	return nil
}
