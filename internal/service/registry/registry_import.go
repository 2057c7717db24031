package registry

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"jiefen/internal/app"
	"jiefen/internal/domain"
	"jiefen/internal/store"
)

// CentreSetup is the centre's set-up as one document: what `jiefen centre
// import` reads and the demo seeds (internal/demo/data/zizhou-centre.json).
type CentreSetup struct {
	Units []struct {
		Code       string   `json:"code"`
		Name       string   `json:"name"`
		Kind       string   `json:"kind"`
		Duties     []DutyIn `json:"duties"`
		Mechanisms []string `json:"mechanisms"`
		Contacts   string   `json:"contacts"`
	} `json:"units"`
	Roster []struct {
		Unit     string `json:"unit"`
		Weekdays []int  `json:"weekdays"`
	} `json:"roster"`
	Zones []struct {
		Code    string `json:"code"`
		Name    string `json:"name"`
		Purpose string `json:"purpose"`
		Windows []struct {
			Code string `json:"code"`
			Name string `json:"name"`
			Unit string `json:"unit"`
		} `json:"windows"`
	} `json:"zones"`
	MediationOrgs []struct {
		Code       string   `json:"code"`
		Name       string   `json:"name"`
		Kind       string   `json:"kind"`
		Categories []string `json:"categories"`
		OrgCode    string   `json:"org_code"`
	} `json:"mediation_orgs"`
	Mediators []struct {
		Name        string   `json:"name"`
		Kind        string   `json:"kind"`
		Org         string   `json:"org"`
		Specialties []string `json:"specialties"`
		Townships   []string `json:"townships"`
		Title       string   `json:"title"`
	} `json:"mediators"`
}

// DutyIn is one line of a unit's duty list.
type DutyIn struct {
	Category string `json:"category"`
	OrgCode  string `json:"org_code,omitempty"`
	Service  string `json:"service"`
}

// ImportCentre records a centre set-up (units by code and so on; a second
// import updates) and puts the rotating units on the roster for the next
// weeks working days, from their weekdays. One transaction; audited.
func (s *Service) ImportCentre(ctx context.Context, in CentreSetup, weeks int) (string, error) {
	if err := s.MayAdminister(ctx, "registry"); err != nil {
		return "", err
	}
	cal, err := s.Calendar(ctx)
	if err != nil {
		return "", err
	}
	var summary string
	err = s.Update(ctx, func(tx *store.Tx) error {
		known, err := knownCategories(ctx, tx)
		if err != nil {
			return err
		}
		ids, err := importUnits(ctx, tx, in, known)
		if err != nil {
			return err
		}
		days, err := importRoster(ctx, tx, in, ids, cal, tx.Now.In(domain.CST), weeks)
		if err != nil {
			return err
		}
		windows, err := importZones(ctx, tx, in)
		if err != nil {
			return err
		}
		if err := importMediationOrgs(ctx, tx, in, known); err != nil {
			return err
		}
		if err := importMediators(ctx, tx, in, known); err != nil {
			return err
		}
		summary = fmt.Sprintf("%d units, %d roster days, %d zones, %d windows, %d mediation organisations, %d mediators",
			len(in.Units), days, len(in.Zones), windows, len(in.MediationOrgs), len(in.Mediators))
		return s.Kernel.Audit(ctx, tx, "registry.import", "registry", "", "", domain.ResultOK, summary)
	})
	return summary, err
}

// importUnits saves the set-up's units with their duties; it returns
// their ids by code.
func importUnits(ctx context.Context, tx *store.Tx, in CentreSetup, known func(string) bool) (map[string]int64, error) {
	ids := map[string]int64{}
	for _, u := range in.Units {
		unit := &domain.Unit{Code: u.Code, Name: u.Name, Kind: u.Kind, Mechanisms: u.Mechanisms, Contacts: u.Contacts, Active: true}
		for _, d := range u.Duties {
			unit.Duties = append(unit.Duties, domain.Duty{Category: d.Category, OrgCode: d.OrgCode, Service: d.Service})
		}
		if err := validUnit(ctx, tx, unit, known); err != nil {
			return nil, fmt.Errorf("unit %s: %w", u.Code, err)
		}
		if err := tx.SaveUnit(ctx, unit, 0); err != nil {
			return nil, err
		}
		ids[u.Code] = unit.ID
	}
	return ids, nil
}

// importRoster puts the rotating units on the roster for their weekdays'
// working days in the weeks from start; it returns the days set.
func importRoster(ctx context.Context, tx *store.Tx, in CentreSetup, ids map[string]int64, cal *domain.Calendar, start time.Time, weeks int) (int, error) {
	days := 0
	for _, r := range in.Roster {
		id, ok := ids[r.Unit]
		if !ok {
			return 0, app.Required("roster", "registry.unit.unknown")
		}
		for d := 0; d < weeks*7; d++ {
			day := start.AddDate(0, 0, d)
			if !slices.Contains(r.Weekdays, int(day.Weekday())) || !cal.IsWorkingDay(day) {
				continue
			}
			if err := tx.SetRosterDay(ctx, id, day.Format("2006-01-02"), true); err != nil {
				return 0, err
			}
			days++
		}
	}
	return days, nil
}

// importZones saves the functional zones and their windows; it returns
// the windows saved.
func importZones(ctx context.Context, tx *store.Tx, in CentreSetup) (int, error) {
	windows := 0
	for i, z := range in.Zones {
		zone := &domain.Zone{Code: z.Code, Name: z.Name, Purpose: z.Purpose, Sort: i + 1}
		if err := tx.SaveZone(ctx, zone); err != nil {
			return 0, err
		}
		for _, w := range z.Windows {
			windows++
			if err := tx.SaveWindow(ctx, &domain.Window{Code: w.Code, Name: w.Name, ZoneCode: z.Code, UnitCode: w.Unit, Sort: windows}); err != nil {
				return 0, err
			}
		}
	}
	return windows, nil
}

// importMediationOrgs checks and saves the mediation organisations.
func importMediationOrgs(ctx context.Context, tx *store.Tx, in CentreSetup, known func(string) bool) error {
	for _, o := range in.MediationOrgs {
		mo := &domain.MediationOrg{Code: o.Code, Name: o.Name, Kind: o.Kind, OrgCode: o.OrgCode, Categories: o.Categories, Active: true}
		if !registryCode.MatchString(o.Code) || strings.TrimSpace(o.Name) == "" || !slices.Contains(MediationOrgKinds, o.Kind) {
			return fmt.Errorf("mediation org %q: %w", o.Code, app.Required("mediation_orgs", "registry.invalid"))
		}
		if _, err := tx.Org(ctx, o.OrgCode); err != nil {
			return fmt.Errorf("mediation org %s: %w", o.Code, app.Required("org_code", "org.not_found"))
		}
		for _, c := range o.Categories {
			if !known(c) {
				return fmt.Errorf("mediation org %s: %w", o.Code, app.Required("categories", "case.category.unknown"))
			}
		}
		if err := tx.SaveMediationOrg(ctx, mo); err != nil {
			return err
		}
	}
	return nil
}

// importMediators checks and saves the mediators.
func importMediators(ctx context.Context, tx *store.Tx, in CentreSetup, known func(string) bool) error {
	for _, m := range in.Mediators {
		med := &domain.Mediator{Name: m.Name, Kind: m.Kind, OrgCode: m.Org, Title: m.Title, Specialties: m.Specialties, Townships: m.Townships, Active: true}
		if err := validMediator(ctx, tx, med, known); err != nil {
			return fmt.Errorf("mediator %s: %w", m.Name, err)
		}
		if err := tx.SaveMediator(ctx, med); err != nil {
			return err
		}
	}
	return nil
}
