package casework

import (
	"context"
	"fmt"
	"jiefen/internal/app"
	"jiefen/internal/authz"
	"jiefen/internal/domain"
	"jiefen/internal/service/registry"
	"jiefen/internal/store"
	"strings"
	"unicode/utf8"
)

// Suggest returns the suggestions for a registration without saving
// anything (POST /api/v1/cases/suggest, the registration form).
func (s *Service) Suggest(ctx context.Context, in domain.CaseInput) (*registry.Suggestion, error) {
	if err := s.Denied(ctx, s.Check(ctx, authz.CaseSuggest, "case", "", "")); err != nil {
		return nil, err
	}
	if strings.TrimSpace(in.Description) == "" {
		return nil, app.Required("description", "field.required")
	}
	if utf8.RuneCountInString(in.Description) > 5000 || utf8.RuneCountInString(in.Address) > 200 {
		return nil, app.Required("description", "field.too_long")
	}
	var out *registry.Suggestion
	err := s.View(ctx, func(tx *store.Tx) error {
		var keys []domain.PartyKey
		for _, p := range in.Parties {
			k := domain.PartyKey{Name: p.Name}
			if id := domain.NormalizeIDNumber(p.IDNumber); id != "" && s.Keys() != nil {
				k.IDBidx = s.Keys().BlindIndex("id", id)
			}
			if m, ok := domain.NormalizePhone(p.Phone); ok && s.Keys() != nil {
				k.PhoneBidx = s.Keys().BlindIndex("phone", m)
			}
			keys = append(keys, k)
		}
		var path string
		if in.OrgCode != "" {
			if org, err := tx.Org(ctx, strings.TrimSpace(in.OrgCode)); err == nil {
				path = org.Path
			}
		}
		facts, err := s.reg.RiskFacts(ctx, tx, keys, path, 0)
		if err != nil {
			return err
		}
		facts.PeopleCount, facts.AmountYuan = in.PeopleCount, in.AmountYuan
		if out, err = s.reg.SuggestText(ctx, tx, in.Description+" "+in.Address, path, facts, true); err != nil {
			return err
		}
		out.Related, err = s.relatedForInput(ctx, tx, in, path)
		if out.Related == nil {
			out.Related = []domain.Related{}
		}
		return err
	})
	return out, err
}

// SuggestForCase returns the suggestions for a registered matter (the
// assessment form).
func (s *Service) SuggestForCase(ctx context.Context, id int64) (*registry.Suggestion, error) {
	c, err := s.Case(ctx, id)
	if err != nil {
		return nil, err
	}
	var out *registry.Suggestion
	err = s.View(ctx, func(tx *store.Tx) error {
		out, err = s.suggestionFor(ctx, tx, c, true)
		return err
	})
	return out, err
}

func (s *Service) suggestionFor(ctx context.Context, tx *store.Tx, c *domain.Case, wait bool) (*registry.Suggestion, error) {
	keys, err := tx.PartyKeys(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	facts, err := s.reg.RiskFacts(ctx, tx, keys, c.OrgPath, c.ID)
	if err != nil {
		return nil, err
	}
	facts.PeopleCount, facts.AmountYuan = c.PeopleCount, float64(c.AmountCents)/100
	return s.reg.SuggestText(ctx, tx, c.Description+" "+c.Address, c.OrgPath, facts, wait)
}

// applyRouting records the unit, mediation organisation and mediator chosen
// at assessment, with what was suggested and whether it was followed, and
// fills the 六个一's docking unit and mediation organisation where empty.
func (s *Service) applyRouting(ctx context.Context, tx *store.Tx, c *domain.Case, in ActionInput, sug *registry.Suggestion, ev *domain.TimelineEntry) error {
	var unit, org, med domain.RegistryRef
	var err error
	if in.Unit != "" {
		if unit, err = tx.UnitRef(ctx, in.Unit); err != nil || !unit.Active {
			return app.Required("unit", "registry.unit.unknown")
		}
		ev.Data[domain.DataUnit], ev.Data[domain.DataUnitName] = in.Unit, unit.Name
	}
	if in.MediationOrg != "" {
		if org, err = tx.MediationOrgRef(ctx, in.MediationOrg); err != nil || !org.Active {
			return app.Required("mediation_org", "registry.org.unknown")
		}
		ev.Data[domain.DataMediationOrg], ev.Data[domain.DataMediationOrgName] = in.MediationOrg, org.Name
	}
	if in.Mediator != 0 {
		if med, err = tx.MediatorRef(ctx, in.Mediator); err != nil || !med.Active {
			return app.Required("mediator", "registry.mediator.unknown")
		}
		ev.Data[domain.DataMediator], ev.Data[domain.DataMediatorName] = fmt.Sprint(in.Mediator), med.Name
	}
	if sug.Unit != nil {
		ev.Data[domain.DataSuggestedUnit], ev.Data[domain.DataUnitChoice] = sug.Unit.Name, app.Choice(in.Unit, sug.Unit.Code)
	}
	if sug.MediationOrg != nil {
		ev.Data[domain.DataSuggestedMediationOrg], ev.Data[domain.DataMediationOrgChoice] = sug.MediationOrg.Name, app.Choice(in.MediationOrg, sug.MediationOrg.Code)
	}
	if len(sug.Mediators) > 0 {
		ev.Data[domain.DataSuggestedMediator] = sug.Mediators[0].Name
		ev.Data[domain.DataMediatorChoice] = "overridden"
		for _, m := range sug.Mediators {
			if m.ID == in.Mediator {
				ev.Data[domain.DataMediatorChoice] = "accepted"
			}
		}
	}
	if unit.ID == 0 && org.ID == 0 && med.ID == 0 {
		return nil
	}
	if err := tx.SetCaseRouting(ctx, c.ID, unit.ID, org.ID, med.ID); err != nil {
		return err
	}
	if c.Six.DockingUnit == "" && unit.Name != "" {
		c.Six.DockingUnit = unit.Name
	}
	if c.Six.MediationOrg == "" && org.Name != "" {
		c.Six.MediationOrg = org.Name
		if med.Name != "" {
			c.Six.MediationOrg += "（" + med.Name + "）"
		}
	}
	return nil
}
