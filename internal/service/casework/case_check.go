package casework

import (
	"context"
	"errors"
	"slices"
	"strings"

	"jiefen/internal/app"
	"jiefen/internal/authz"
	"jiefen/internal/domain"
	"jiefen/internal/store"
)

// CheckCase checks a registration without saving it: every field error
// at once, the place's and the category's among them (the form shows
// them together with its own).
func (s *Service) CheckCase(ctx context.Context, in domain.CaseInput) error {
	if err := authz.Check(domain.ActorFrom(ctx).User, authz.CaseRegister, ""); err != nil {
		return s.Denied(ctx, app.Forbidden("case.register", "case", "", ""))
	}
	_, err := s.checkCase(ctx, &in)
	return err
}

// checkCase validates (and trims) the input and reads its place and
// category into the matter to be written. A place or category that does
// not exist is a field error beside the others; a place outside the
// actor's jurisdiction is refused once the fields are right.
func (s *Service) checkCase(ctx context.Context, in *domain.CaseInput) (*domain.Case, error) {
	a := domain.ActorFrom(ctx)
	verr := in.Validate(s.Store().Now().In(domain.CST))
	if verr != nil && domain.ErrorCode(verr) != domain.Invalid {
		return nil, verr
	}
	c := &domain.Case{Channel: domain.Channel(in.Channel), Category: in.Category, Description: in.Description, OrgCode: strings.TrimSpace(in.OrgCode),
		Address: in.Address, Lat: in.Lat, Lng: in.Lng, AmountCents: int64(in.AmountYuan*100 + 0.5), PeopleCount: in.PeopleCount,
		Status: domain.StatusRegistered, Risk: "none", CreatedBy: a.User.ID, QueryCode: queryCode()}
	perr := s.placeCase(ctx, c)
	switch {
	case verr == nil:
		return c, perr
	case domain.ErrorCode(perr) == domain.Invalid:
		ve, ok := errors.AsType[*domain.Error](verr)
		pe, ok2 := errors.AsType[*domain.Error](perr)
		if !ok || !ok2 || ve.Fields == nil {
			break
		}
		for k, v := range pe.Fields {
			if _, ok := ve.Fields[k]; !ok {
				ve.Fields[k] = v
			}
		}
	}
	return nil, verr
}

// placeCase reads the matter's place and category into c, checking that
// the actor may register there.
//
// The place and the category are read before the write: on SQLite
// readers run side by side while there is one writer, so the writer's
// transaction holds only what it writes. Neither is ever deleted (the
// foreign keys hold them), and a category retired in between only means
// the registration came first.
func (s *Service) placeCase(ctx context.Context, c *domain.Case) error {
	return s.View(ctx, func(tx *store.Tx) error {
		org, err := tx.Org(ctx, c.OrgCode)
		if domain.ErrorCode(err) == domain.NotFound {
			return &domain.Error{Code: domain.Invalid, Key: "error.invalid", Fields: map[string]string{"org_code": "org.not_found"}}
		} else if err != nil {
			return err
		}
		if err := s.Check(ctx, authz.CaseRegister, "case", "", org.Path); err != nil {
			return err
		}
		cats, err := tx.Categories(ctx)
		if err != nil {
			return err
		}
		if i := slices.IndexFunc(cats, func(x domain.Category) bool { return x.Code == c.Category && x.Active }); i < 0 {
			return &domain.Error{Code: domain.Invalid, Key: "error.invalid", Fields: map[string]string{"category": "case.category.unknown"}}
		} else {
			c.CategoryNm = cats[i].Name
		}
		c.OrgPath, c.OrgName = org.Path, org.Name
		return nil
	})
}

// checkChoices refuses a list request whose risk, channel or category is
// none of the choices, naming the filter: such a filter matches nothing,
// and an empty list would say there were no such matters. A retired
// category still filters (its matters remain).
func (s *Service) checkChoices(ctx context.Context, q CaseQuery) error {
	f := domain.FieldErrors{}
	if q.Risk != "" && !slices.Contains(domain.Risks, domain.Risk(q.Risk)) {
		f.Add("risk", "filter.unknown")
	}
	if q.Channel != "" && !slices.Contains(domain.Channels, domain.Channel(q.Channel)) {
		f.Add("channel", "filter.unknown")
	}
	if q.Category != "" {
		err := s.View(ctx, func(tx *store.Tx) error {
			cats, err := tx.Categories(ctx)
			if err == nil && !slices.ContainsFunc(cats, func(c domain.Category) bool { return c.Code == q.Category }) {
				f.Add("category", "filter.unknown")
			}
			return err
		})
		if err != nil {
			return err
		}
	}
	return f.Err()
}
