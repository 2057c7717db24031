package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"jiefen/internal/domain"
)

// SaveUnit creates or updates a unit by code and replaces its duty list.
// version: the unit's version the editor saw (0 for a new unit).
func (tx *Tx) SaveUnit(ctx context.Context, u *domain.Unit, version int64) error {
	mech := strings.Join(u.Mechanisms, "\n")
	var id, cur int64
	err := tx.queryRow(ctx, `SELECT id, version FROM units WHERE code = $1`, u.Code).Scan(&id, &cur)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if err := tx.queryRow(ctx, `INSERT INTO units (code, name, kind, mechanisms, contacts, active, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`, u.Code, u.Name, u.Kind, mech, u.Contacts, u.Active, ts(tx.Now)).Scan(&id); err != nil {
			return wrap(err, "insert unit")
		}
		cur = 0
	case err != nil:
		return wrap(err, "find unit")
	default:
		if version != 0 && version != cur {
			return staleErr()
		}
		if _, err := tx.exec(ctx, `UPDATE units SET name = $2, kind = $3, mechanisms = $4, contacts = $5, active = $6, updated_at = $7, version = version + 1 WHERE id = $1`,
			id, u.Name, u.Kind, mech, u.Contacts, u.Active, ts(tx.Now)); err != nil {
			return wrap(err, "update unit")
		}
	}
	u.ID, u.Version = id, cur+1
	if _, err := tx.exec(ctx, `DELETE FROM unit_duties WHERE unit_id = $1`, id); err != nil {
		return wrap(err, "replace duties")
	}
	for _, d := range u.Duties {
		if _, err := tx.exec(ctx, `INSERT INTO unit_duties (unit_id, category_code, org_code, service) VALUES ($1, $2, $3, $4)
			ON CONFLICT (unit_id, category_code, org_code) DO UPDATE SET service = excluded.service`, id, d.Category, d.OrgCode, d.Service); err != nil {
			return wrap(err, "insert duty")
		}
	}
	return nil
}

// Units lists every unit with its duties, residents first.
func (tx *Tx) Units(ctx context.Context) ([]*domain.Unit, error) {
	byID := map[int64]*domain.Unit{}
	out, err := queryAll(ctx, tx, "list units", func(row rowScanner) (*domain.Unit, error) {
		u := &domain.Unit{}
		var mech string
		if err := row.Scan(&u.ID, &u.Code, &u.Name, &u.Kind, &mech, &u.Contacts, &u.Active, &u.Version, &u.Handlers); err != nil {
			return nil, err
		}
		if mech != "" {
			u.Mechanisms = strings.Split(mech, "\n")
		}
		byID[u.ID] = u
		return u, nil
	}, `SELECT u.id, u.code, u.name, u.kind, u.mechanisms, u.contacts, u.active, u.version,
		(SELECT COUNT(*) FROM users s WHERE s.unit_id = u.id AND s.disabled = $1)
		FROM units u ORDER BY CASE u.kind WHEN 'resident' THEN 0 WHEN 'rotating' THEN 1 ELSE 2 END, u.id`, false)
	if err != nil {
		return nil, err
	}
	err = queryEach(ctx, tx, "list duties", func(row rowScanner) error {
		var id int64
		var d domain.Duty
		if err := row.Scan(&id, &d.Category, &d.OrgCode, &d.Service); err != nil {
			return err
		}
		if u := byID[id]; u != nil {
			u.Duties = append(u.Duties, d)
		}
		return nil
	}, `SELECT unit_id, category_code, org_code, service FROM unit_duties ORDER BY unit_id, category_code, org_code`)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// SetRosterDay records that a unit is (on) or is not (off) at the centre on day.
func (tx *Tx) SetRosterDay(ctx context.Context, unitID int64, day string, on bool) error {
	var err error
	if on {
		_, err = tx.exec(ctx, `INSERT INTO roster_days (day, unit_id) VALUES ($1, $2) ON CONFLICT (day, unit_id) DO NOTHING`, day, unitID)
	} else {
		_, err = tx.exec(ctx, `DELETE FROM roster_days WHERE day = $1 AND unit_id = $2`, day, unitID)
	}
	return wrap(err, "roster day")
}

// Roster returns, for each day in [from, to] (YYYY-MM-DD), the units present.
func (tx *Tx) Roster(ctx context.Context, from, to string) (map[string][]int64, error) {
	out := map[string][]int64{}
	err := queryEach(ctx, tx, "roster", func(row rowScanner) error {
		var d string
		var id int64
		if err := row.Scan(&d, &id); err != nil {
			return err
		}
		out[d] = append(out[d], id)
		return nil
	}, `SELECT day, unit_id FROM roster_days WHERE day >= $1 AND day <= $2 ORDER BY day, unit_id`, from, to)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// NextRosterDay is the first day on or after from that the unit is present
// ("" if none is recorded).
func (tx *Tx) NextRosterDay(ctx context.Context, unitID int64, from string) (string, error) {
	var d sql.NullString
	err := tx.queryRow(ctx, `SELECT MIN(day) FROM roster_days WHERE unit_id = $1 AND day >= $2`, unitID, from).Scan(&d)
	return d.String, wrap(err, "next roster day")
}

// SaveZone creates or updates a zone by code.
func (tx *Tx) SaveZone(ctx context.Context, z *domain.Zone) error {
	err := tx.queryRow(ctx, `INSERT INTO zones (code, name, purpose, sort) VALUES ($1, $2, $3, $4)
		ON CONFLICT (code) DO UPDATE SET name = excluded.name, purpose = excluded.purpose, sort = excluded.sort RETURNING id`,
		z.Code, z.Name, z.Purpose, z.Sort).Scan(&z.ID)
	return wrap(err, "save zone")
}

// SaveWindow creates or updates a window by code; its zone and unit are
// given by code (no unit: UnitCode "").
func (tx *Tx) SaveWindow(ctx context.Context, w *domain.Window) error {
	var unit any
	if w.UnitCode != "" {
		var id int64
		if err := tx.queryRow(ctx, `SELECT id FROM units WHERE code = $1`, w.UnitCode).Scan(&id); err != nil {
			return tx.scanErr(err, "window unit "+w.UnitCode)
		}
		unit = id
	}
	err := tx.queryRow(ctx, `INSERT INTO windows (code, name, zone_id, unit_id, sort) VALUES ($1, $2, (SELECT id FROM zones WHERE code = $3), $4, $5)
		ON CONFLICT (code) DO UPDATE SET name = excluded.name, zone_id = excluded.zone_id, unit_id = excluded.unit_id, sort = excluded.sort RETURNING id`,
		w.Code, w.Name, w.ZoneCode, unit, w.Sort).Scan(&w.ID)
	return wrap(err, "save window")
}

// Zones lists the zones in order with their windows.
func (tx *Tx) Zones(ctx context.Context) ([]*domain.Zone, error) {
	var out []*domain.Zone
	byID := map[int64]*domain.Zone{}
	err := queryEach(ctx, tx, "zones", func(row rowScanner) error {
		z := &domain.Zone{}
		if err := row.Scan(&z.ID, &z.Code, &z.Name, &z.Purpose, &z.Sort); err != nil {
			return err
		}
		out = append(out, z)
		byID[z.ID] = z
		return nil
	}, `SELECT id, code, name, purpose, sort FROM zones ORDER BY sort, code`)
	if err != nil {
		return nil, err
	}
	err = queryEach(ctx, tx, "windows", func(row rowScanner) error {
		var w domain.Window
		var zid int64
		if err := row.Scan(&w.ID, &w.Code, &w.Name, &zid, &w.UnitCode, &w.UnitName, &w.Sort); err != nil {
			return err
		}
		if z := byID[zid]; z != nil {
			w.ZoneCode = z.Code
			z.Windows = append(z.Windows, w)
		}
		return nil
	}, `SELECT w.id, w.code, w.name, w.zone_id, COALESCE(u.code, ''), COALESCE(u.name, ''), w.sort
		FROM windows w LEFT JOIN units u ON u.id = w.unit_id ORDER BY w.sort, w.code`)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// SaveMediationOrg creates or updates an organisation by code.
func (tx *Tx) SaveMediationOrg(ctx context.Context, o *domain.MediationOrg) error {
	err := tx.queryRow(ctx, `INSERT INTO mediation_orgs (code, name, kind, org_code, categories, active) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (code) DO UPDATE SET name = excluded.name, kind = excluded.kind, org_code = excluded.org_code, categories = excluded.categories, active = excluded.active RETURNING id`,
		o.Code, o.Name, o.Kind, o.OrgCode, strings.Join(o.Categories, ","), o.Active).Scan(&o.ID)
	return wrap(err, "save mediation org")
}

const openStatusList = `('registered', 'assessed', 'dispatched', 'returned', 'in_resolution')`

// MediationOrgs lists the organisations with their open matters.
func (tx *Tx) MediationOrgs(ctx context.Context) ([]*domain.MediationOrg, error) {
	return queryAll(ctx, tx, "mediation orgs", func(row rowScanner) (*domain.MediationOrg, error) {
		o := &domain.MediationOrg{}
		var cats string
		if err := row.Scan(&o.ID, &o.Code, &o.Name, &o.Kind, &o.OrgCode, &o.OrgName, &o.OrgPath, &cats, &o.Active, &o.Open); err != nil {
			return o, err
		}
		o.Categories = splitList(cats)
		return o, nil
	}, `SELECT m.id, m.code, m.name, m.kind, m.org_code, o.name, o.path, m.categories, m.active,
		(SELECT COUNT(*) FROM cases c WHERE c.mediation_org_id = m.id AND c.status IN `+openStatusList+`)
		FROM mediation_orgs m JOIN orgs o ON o.code = m.org_code
		ORDER BY CASE m.kind WHEN 'studio' THEN 0 WHEN 'people_committee' THEN 1 WHEN 'industry' THEN 2 ELSE 3 END, m.org_code, m.id`)
}

// SaveMediator creates or updates a mediator by name within an organisation.
func (tx *Tx) SaveMediator(ctx context.Context, m *domain.Mediator) error {
	var org any
	if m.OrgCode != "" {
		var id int64
		if err := tx.queryRow(ctx, `SELECT id FROM mediation_orgs WHERE code = $1`, m.OrgCode).Scan(&id); err != nil {
			return tx.scanErr(err, "mediator's organisation "+m.OrgCode)
		}
		org = id
	}
	id := m.ID
	var err error
	if id == 0 {
		err = tx.queryRow(ctx, `SELECT id FROM mediators WHERE name = $1 AND org_id IS NOT DISTINCT FROM $2`, m.Name, org).Scan(&id)
	}
	switch {
	case errors.Is(err, sql.ErrNoRows):
		err = tx.queryRow(ctx, `INSERT INTO mediators (name, kind, org_id, user_id, title, specialties, townships, active) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			m.Name, m.Kind, org, nullID(m.UserID), m.Title, strings.Join(m.Specialties, ","), strings.Join(m.Townships, ","), m.Active).Scan(&m.ID)
		return wrap(err, "insert mediator")
	case err != nil:
		return wrap(err, "find mediator")
	}
	m.ID = id
	res, err := tx.exec(ctx, `UPDATE mediators SET name = $2, org_id = $3, kind = $4, user_id = COALESCE($5, user_id), title = $6, specialties = $7, townships = $8, active = $9, version = version + 1 WHERE id = $1`,
		id, m.Name, org, m.Kind, nullID(m.UserID), m.Title, strings.Join(m.Specialties, ","), strings.Join(m.Townships, ","), m.Active)
	if err != nil {
		return wrap(err, "update mediator")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return &domain.Error{Code: domain.NotFound, Key: "error.not_found"}
	}
	return nil
}

// Mediators lists the pool with each one's load.
func (tx *Tx) Mediators(ctx context.Context) ([]*domain.Mediator, error) {
	return queryAll(ctx, tx, "mediators", func(row rowScanner) (*domain.Mediator, error) {
		m := &domain.Mediator{}
		var sp, tw string
		if err := row.Scan(&m.ID, &m.Name, &m.Kind, &m.Title, &m.OrgCode, &m.OrgName, &m.UserID, &sp, &tw, &m.Active, &m.Version, &m.Load); err != nil {
			return m, err
		}
		m.Specialties, m.Townships = splitList(sp), splitList(tw)
		return m, nil
	}, `SELECT m.id, m.name, m.kind, m.title, COALESCE(o.code, ''), COALESCE(o.name, ''), COALESCE(m.user_id, 0),
		m.specialties, m.townships, m.active, m.version,
		(SELECT COUNT(*) FROM cases c WHERE c.mediator_id = m.id AND c.status IN `+openStatusList+`)
		FROM mediators m LEFT JOIN mediation_orgs o ON o.id = m.org_id ORDER BY m.id`)
}

// SetCaseRouting records the unit, organisation and mediator chosen at
// assessment (0 leaves one unset).
func (tx *Tx) SetCaseRouting(ctx context.Context, caseID, unitID, orgID, mediatorID int64) error {
	_, err := tx.exec(ctx, `UPDATE cases SET unit_id = $2, mediation_org_id = $3, mediator_id = $4 WHERE id = $1`,
		caseID, nullID(unitID), nullID(orgID), nullID(mediatorID))
	if err != nil {
		return wrap(err, "case routing")
	}
	return tx.syncFacts(ctx, caseID)
}

// Routing reads a matter's routing.
func (tx *Tx) Routing(ctx context.Context, caseID int64) (domain.CaseRouting, error) {
	var r domain.CaseRouting
	err := tx.queryRow(ctx, `SELECT COALESCE(u.id, 0), COALESCE(u.name, ''), COALESCE(o.id, 0), COALESCE(o.name, ''), COALESCE(m.id, 0), COALESCE(m.name, '')
		FROM cases c LEFT JOIN units u ON u.id = c.unit_id LEFT JOIN mediation_orgs o ON o.id = c.mediation_org_id LEFT JOIN mediators m ON m.id = c.mediator_id
		WHERE c.id = $1`, caseID).Scan(&r.UnitID, &r.UnitName, &r.OrgID, &r.OrgName, &r.MediatorID, &r.MediatorName)
	return r, tx.scanErr(err, "case routing")
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func staleErr() error { return &domain.Error{Code: domain.Conflict, Key: "error.stale_version"} }

// UnitRef finds a unit by code.
func (tx *Tx) UnitRef(ctx context.Context, code string) (domain.RegistryRef, error) {
	var r domain.RegistryRef
	err := tx.queryRow(ctx, `SELECT id, name, active FROM units WHERE code = $1`, code).Scan(&r.ID, &r.Name, &r.Active)
	return r, tx.scanErr(err, "unit "+code)
}

// MediationOrgRef finds a mediation organisation by code.
func (tx *Tx) MediationOrgRef(ctx context.Context, code string) (domain.RegistryRef, error) {
	var r domain.RegistryRef
	err := tx.queryRow(ctx, `SELECT id, name, active FROM mediation_orgs WHERE code = $1`, code).Scan(&r.ID, &r.Name, &r.Active)
	return r, tx.scanErr(err, "mediation org "+code)
}

// MediatorRef finds a mediator by id.
func (tx *Tx) MediatorRef(ctx context.Context, id int64) (domain.RegistryRef, error) {
	var r domain.RegistryRef
	err := tx.queryRow(ctx, `SELECT id, name, active FROM mediators WHERE id = $1`, id).Scan(&r.ID, &r.Name, &r.Active)
	return r, tx.scanErr(err, "mediator")
}

// SetUserUnit attaches an account to a unit (0: none) — the unit's handlers.
func (tx *Tx) SetUserUnit(ctx context.Context, userID, unitID int64) error {
	_, err := tx.exec(ctx, `UPDATE users SET unit_id = $2 WHERE id = $1`, userID, nullID(unitID))
	return wrap(err, "user unit")
}

// SetWindowUnit staffs a window with a unit (0: none).
func (tx *Tx) SetWindowUnit(ctx context.Context, windowCode string, unitID int64) error {
	r, err := tx.exec(ctx, `UPDATE windows SET unit_id = $2 WHERE code = $1`, windowCode, nullID(unitID))
	if err != nil {
		return wrap(err, "window unit")
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return &domain.Error{Code: domain.NotFound, Key: "error.not_found"}
	}
	return nil
}

// UserUnit returns the code of the unit an account belongs to ("" none).
func (tx *Tx) UserUnit(ctx context.Context, userID int64) (string, error) {
	var code string
	err := tx.queryRow(ctx, `SELECT COALESCE(u.code, '') FROM users s LEFT JOIN units u ON u.id = s.unit_id WHERE s.id = $1`, userID).Scan(&code)
	return code, tx.scanErr(err, "user unit")
}
