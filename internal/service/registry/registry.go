package registry

import (
	"context"
	"fmt"
	"jiefen/internal/app"
	"regexp"
	"slices"
	"strings"
	"time"

	"jiefen/internal/authz"
	"jiefen/internal/domain"
	"jiefen/internal/store"
)

// Kinds in the registries.
var (
	UnitKinds         = []string{"resident", "rotating", "on_demand"}
	MediationOrgKinds = []string{"people_committee", "administrative", "industry", "studio"}
	MediatorKinds     = []string{"judge", "prosecutor", "police", "lawyer", "deputy", "cppcc", "people_mediator", "elder", "professional"}
)

var registryCode = regexp.MustCompile(`^[a-z][a-z0-9_]{1,31}$`)

// mayAdminister: the registries belong to the county centre; a county-level
// administrator (or the CLI) changes them.
func (s *Service) MayAdminister(ctx context.Context, what string) error {
	err := s.Check(ctx, authz.UserManage, what, "", "")
	if u := domain.ActorFrom(ctx).Principal(); err == nil && (u == nil || strings.Count(u.OrgPath, "/") > 2) {
		err = app.Forbidden(what, what, "", "")
	}
	return s.Denied(ctx, err)
}

// mayReadRegistries: every staff account reads the registries (they route
// and call units and mediators); citizens do not.
func (s *Service) MayReadRegistries(ctx context.Context) error {
	return s.Denied(ctx, s.Check(ctx, authz.CaseView, "registry", "", ""))
}

func validUnit(ctx context.Context, tx *store.Tx, u *domain.Unit, known func(string) bool) error {
	switch {
	case !registryCode.MatchString(u.Code):
		return app.Required("code", "registry.code")
	case strings.TrimSpace(u.Name) == "" || len([]rune(u.Name)) > 100:
		return app.Required("name", "field.required")
	case !slices.Contains(UnitKinds, u.Kind):
		return app.Required("kind", "registry.kind")
	case len([]rune(u.Contacts)) > 500:
		return app.Required("contacts", "field.too_long")
	}
	for _, d := range u.Duties {
		if !known(d.Category) {
			return app.Required("duties", "case.category.unknown")
		}
		if d.OrgCode != "" {
			if _, err := tx.Org(ctx, d.OrgCode); err != nil {
				return app.Required("duties", "org.not_found")
			}
		}
	}
	return nil
}

func validMediator(ctx context.Context, tx *store.Tx, m *domain.Mediator, known func(string) bool) error {
	switch {
	case strings.TrimSpace(m.Name) == "" || len([]rune(m.Name)) > 50:
		return app.Required("name", "field.required")
	case !slices.Contains(MediatorKinds, m.Kind):
		return app.Required("kind", "registry.kind")
	}
	for _, c := range m.Specialties {
		if !known(c) {
			return app.Required("specialties", "case.category.unknown")
		}
	}
	for _, t := range m.Townships {
		if _, err := tx.Org(ctx, t); err != nil {
			return app.Required("townships", "org.not_found")
		}
	}
	return nil
}

// Registries is everything the centre page shows.
type Registries struct {
	Units     []*domain.Unit
	Zones     []*domain.Zone
	Orgs      []*domain.MediationOrg
	Mediators []*domain.Mediator
	// Today: the units present at the centre today (residents always;
	// rotating units by the roster).
	Today []*domain.Unit
}

// Centre reads the registries.
func (s *Service) Centre(ctx context.Context) (*Registries, error) {
	if err := s.MayReadRegistries(ctx); err != nil {
		return nil, err
	}
	var out *Registries
	err := s.View(ctx, func(tx *store.Tx) error {
		var err error
		out, err = s.CentreIn(ctx, tx)
		return err
	})
	return out, err
}

// CentreIn reads the registries inside tx (the caller has checked that
// the actor may read them: MayReadRegistries).
func (s *Service) CentreIn(ctx context.Context, tx *store.Tx) (*Registries, error) {
	out := &Registries{}
	err := func() error {
		var err error
		if out.Units, err = tx.Units(ctx); err != nil {
			return err
		}
		if out.Zones, err = tx.Zones(ctx); err != nil {
			return err
		}
		if out.Orgs, err = tx.MediationOrgs(ctx); err != nil {
			return err
		}
		if out.Mediators, err = tx.Mediators(ctx); err != nil {
			return err
		}
		today := tx.Now.In(domain.CST).Format("2006-01-02")
		r, err := tx.Roster(ctx, today, today)
		if err != nil {
			return err
		}
		for _, u := range out.Units {
			if u.Active && (u.Kind == "resident" || slices.Contains(r[today], u.ID)) {
				out.Today = append(out.Today, u)
			}
		}
		return nil
	}()
	return out, err
}

// RosterMonth returns the roster of the month holding day: each date with
// the rotating units present.
func (s *Service) RosterMonth(ctx context.Context, month time.Time) (map[string][]int64, error) {
	if err := s.MayReadRegistries(ctx); err != nil {
		return nil, err
	}
	first := time.Date(month.Year(), month.Month(), 1, 0, 0, 0, 0, domain.CST)
	last := first.AddDate(0, 1, -1)
	var out map[string][]int64
	err := s.View(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.Roster(ctx, first.Format("2006-01-02"), last.Format("2006-01-02"))
		return err
	})
	return out, err
}

// SetRosterDay puts a unit on (or takes it off) the roster for a day.
func (s *Service) SetRosterDay(ctx context.Context, unitCode string, day time.Time, on bool) error {
	if err := s.MayAdminister(ctx, "registry"); err != nil {
		return err
	}
	return s.Update(ctx, func(tx *store.Tx) error {
		units, err := tx.Units(ctx)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(units, func(u *domain.Unit) bool { return u.Code == unitCode })
		if i < 0 {
			return app.Required("unit", "registry.unit.unknown")
		}
		d := day.In(domain.CST).Format("2006-01-02")
		if err := tx.SetRosterDay(ctx, units[i].ID, d, on); err != nil {
			return err
		}
		what := "off"
		if on {
			what = "on"
		}
		return s.Kernel.Audit(ctx, tx, "registry.roster", "unit", unitCode, "", domain.ResultOK, d+" "+what)
	})
}

// SaveUnit creates or edits a unit (version: what the editor saw; 0 new).
func (s *Service) SaveUnit(ctx context.Context, u *domain.Unit, version int64) error {
	if err := s.MayAdminister(ctx, "registry"); err != nil {
		return err
	}
	return s.Update(ctx, func(tx *store.Tx) error {
		known, err := knownCategories(ctx, tx)
		if err != nil {
			return err
		}
		if err := validUnit(ctx, tx, u, known); err != nil {
			return err
		}
		if err := tx.SaveUnit(ctx, u, version); err != nil {
			return err
		}
		return s.Kernel.Audit(ctx, tx, "registry.unit", "unit", u.Code, "", domain.ResultOK, fmt.Sprintf("%s, %d duties", u.Name, len(u.Duties)))
	})
}

// SaveMediator creates or edits a mediator.
func (s *Service) SaveMediator(ctx context.Context, m *domain.Mediator) error {
	if err := s.MayAdminister(ctx, "registry"); err != nil {
		return err
	}
	return s.Update(ctx, func(tx *store.Tx) error {
		known, err := knownCategories(ctx, tx)
		if err != nil {
			return err
		}
		if err := validMediator(ctx, tx, m, known); err != nil {
			return err
		}
		if err := tx.SaveMediator(ctx, m); err != nil {
			return err
		}
		return s.Kernel.Audit(ctx, tx, "registry.mediator", "mediator", fmt.Sprint(m.ID), "", domain.ResultOK, m.Name)
	})
}

// MayAdministerRegistries reports whether the actor may edit the registries
// (for showing the edit controls; every change checks again).
func (s *Service) MayAdministerRegistries(ctx context.Context) bool {
	u := domain.ActorFrom(ctx).Principal()
	return u != nil && authz.Allowed(u, authz.UserManage) && strings.Count(u.OrgPath, "/") <= 2
}

// Townships lists the county's townships and sub-districts.
func (s *Service) Townships(ctx context.Context) ([]domain.Org, error) {
	var out []domain.Org
	err := s.View(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.OrgsAtLevel(ctx, domain.LevelTownship)
		return err
	})
	return out, err
}

// AssignToUnit makes an account one of a unit's handlers (unitCode "":
// none).
func (s *Service) AssignToUnit(ctx context.Context, username, unitCode string) error {
	if err := s.MayAdminister(ctx, "registry"); err != nil {
		return err
	}
	return s.Update(ctx, func(tx *store.Tx) error {
		u, err := tx.UserByUsername(ctx, username)
		if err != nil {
			return app.Required("username", "user.not_found")
		}
		var id int64
		if unitCode != "" {
			ref, err := tx.UnitRef(ctx, unitCode)
			if err != nil {
				return app.Required("unit", "registry.unit.unknown")
			}
			id = ref.ID
		}
		if err := tx.SetUserUnit(ctx, u.ID, id); err != nil {
			return err
		}
		return s.Kernel.Audit(ctx, tx, "registry.assign", "user", username, u.OrgPath, domain.ResultOK, "unit "+unitCode)
	})
}

// LinkMediator ties a mediator of the pool to a login account (their load
// then shows on their own work).
func (s *Service) LinkMediator(ctx context.Context, m *domain.Mediator, username string) error {
	if err := s.MayAdminister(ctx, "registry"); err != nil {
		return err
	}
	return s.Update(ctx, func(tx *store.Tx) error {
		u, err := tx.UserByUsername(ctx, username)
		if err != nil {
			return app.Required("username", "user.not_found")
		}
		m.UserID = u.ID
		if err := tx.SaveMediator(ctx, m); err != nil {
			return err
		}
		return s.Kernel.Audit(ctx, tx, "registry.mediator", "mediator", fmt.Sprint(m.ID), "", domain.ResultOK, m.Name+" ← "+username)
	})
}

// knownCategories returns a test for category codes that exist.
func knownCategories(ctx context.Context, tx *store.Tx) (func(string) bool, error) {
	cats, err := tx.Categories(ctx)
	if err != nil {
		return nil, err
	}
	return func(c string) bool {
		return slices.ContainsFunc(cats, func(x domain.Category) bool { return x.Code == c })
	}, nil
}

// SetWindowUnit staffs a reception window with a unit ("" leaves it
// unstaffed).
func (s *Service) SetWindowUnit(ctx context.Context, windowCode, unitCode string) error {
	if err := s.MayAdminister(ctx, "registry"); err != nil {
		return err
	}
	return s.Update(ctx, func(tx *store.Tx) error {
		var id int64
		if unitCode != "" {
			ref, err := tx.UnitRef(ctx, unitCode)
			if err != nil {
				return app.Required("unit", "registry.unit.unknown")
			}
			id = ref.ID
		}
		if err := tx.SetWindowUnit(ctx, windowCode, id); err != nil {
			return err
		}
		return s.Kernel.Audit(ctx, tx, "registry.window", "window", windowCode, "", domain.ResultOK, unitCode)
	})
}

// SaveMediationOrg creates or edits a mediation organisation by code.
func (s *Service) SaveMediationOrg(ctx context.Context, o *domain.MediationOrg) error {
	if err := s.MayAdminister(ctx, "registry"); err != nil {
		return err
	}
	return s.Update(ctx, func(tx *store.Tx) error {
		known, err := knownCategories(ctx, tx)
		if err != nil {
			return err
		}
		switch {
		case !registryCode.MatchString(o.Code):
			return app.Required("code", "registry.code")
		case strings.TrimSpace(o.Name) == "" || len([]rune(o.Name)) > 100:
			return app.Required("name", "field.required")
		case !slices.Contains(MediationOrgKinds, o.Kind):
			return app.Required("kind", "registry.kind")
		}
		if _, err := tx.Org(ctx, o.OrgCode); err != nil {
			return app.Required("org_code", "org.not_found")
		}
		for _, c := range o.Categories {
			if !known(c) {
				return app.Required("categories", "case.category.unknown")
			}
		}
		if err := tx.SaveMediationOrg(ctx, o); err != nil {
			return err
		}
		return s.Kernel.Audit(ctx, tx, "registry.org", "mediation_org", o.Code, "", domain.ResultOK, o.Name)
	})
}

// SaveZone edits a functional zone's name and purpose, or adds one (code
// new to the registry).
func (s *Service) SaveZone(ctx context.Context, code, name, purpose string) error {
	if err := s.MayAdminister(ctx, "registry"); err != nil {
		return err
	}
	name, purpose = strings.TrimSpace(name), strings.TrimSpace(purpose)
	switch {
	case strings.TrimSpace(code) == "" || len(code) > 16:
		return app.Required("code", "registry.code")
	case name == "" || len([]rune(name)) > 50:
		return app.Required("name", "field.required")
	case len([]rune(purpose)) > 200:
		return app.Required("purpose", "field.too_long")
	}
	return s.Update(ctx, func(tx *store.Tx) error {
		zones, err := tx.Zones(ctx)
		if err != nil {
			return err
		}
		z := &domain.Zone{Code: code, Name: name, Purpose: purpose, Sort: len(zones) + 1}
		for _, old := range zones {
			if old.Code == code {
				z.Sort = old.Sort
			}
		}
		if err := tx.SaveZone(ctx, z); err != nil {
			return err
		}
		return s.Kernel.Audit(ctx, tx, "registry.zone", "zone", code, "", domain.ResultOK, name)
	})
}

// UserUnit names the unit an account belongs to ("" none).
func (s *Service) UserUnit(ctx context.Context, userID int64) (string, error) {
	var code string
	err := s.View(ctx, func(tx *store.Tx) error {
		var err error
		code, err = tx.UserUnit(ctx, userID)
		return err
	})
	return code, err
}
