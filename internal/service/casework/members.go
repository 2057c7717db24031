package casework

import (
	"context"
	"fmt"
	"jiefen/internal/app"
	"slices"
	"strings"

	"jiefen/internal/authz"
	"jiefen/internal/domain"
	"jiefen/internal/store"
)

// MaxMembers bounds one matter's household list (the source's largest
// example has 1,642 households); maxTableBytes bounds an import file.
const (
	MaxMembers    = 20000
	maxTableBytes = 8 << 20
)

// MemberStatuses are the confirmation states of a household (巡回确认).
var MemberStatuses = []string{"pending", "confirmed", "disputed", "unreachable"}

// mayManageGroup: the dispatchers of the place, the matter's assignee and
// its co-handlers keep the list.
func (s *Service) mayManageGroup(ctx context.Context, c *domain.Case) bool {
	u := domain.ActorFrom(ctx).Principal()
	if u == nil {
		return false
	}
	if authz.Allowed(u, authz.GroupKeepAny) {
		return true
	}
	if c.Assignee == u.ID || c.IsCoHandler(u.ID) {
		return true
	}
	return u.Has(domain.RoleDispatcher) && authz.Check(u, authz.CaseAct, c.OrgPath) == nil
}

// GroupView is a group matter's list: counts by status and village, and a
// page of households.
type GroupView struct {
	Total       int
	ByStatus    map[string]int
	Villages    []VillageCount
	Rows        []domain.MemberRow
	NextAfter   int // row number to continue after (0: last page)
	CanManage   bool
	OnlyVillage string // a grid worker sees their own village only
	Case        *domain.Case
}

// VillageCount is one village's households by status.
type VillageCount struct {
	Code, Name string
	Total      int
	ByStatus   map[string]int
}

// Group reads a matter's household list (masked); a page of limit rows
// after row after, optionally one village's or one status's. Each page
// read is audited with the rows it showed (AU-1).
func (s *Service) Group(ctx context.Context, caseID int64, village, status string, after, limit int) (*GroupView, error) {
	return s.group(ctx, "case.members_view", caseID, village, status, after, limit)
}

// PrintGroup is Group for a print or a batch download of the list, audited
// as one (AU-1: prints and batch downloads).
func (s *Service) PrintGroup(ctx context.Context, caseID int64, village, status string, after, limit int) (*GroupView, error) {
	return s.group(ctx, "case.members_print", caseID, village, status, after, limit)
}

// group reads a page of the list and audits the read as action.
func (s *Service) group(ctx context.Context, action string, caseID int64, village, status string, after, limit int) (*GroupView, error) {
	c, only, err := s.groupAccess(ctx, caseID)
	if err != nil {
		return nil, err
	}
	if only != "" {
		village = only
	}
	if status != "" && !slices.Contains(MemberStatuses, status) {
		return nil, app.Required("status", "group.status.invalid")
	}
	var out *GroupView
	err = s.Update(ctx, func(tx *store.Tx) error {
		if out, err = s.groupView(ctx, tx, c, only, village, status, after, limit); err != nil {
			return err
		}
		return s.Kernel.Audit(ctx, tx, action, "case", c.Number, c.OrgPath, domain.ResultOK, out.readDetail(village, status))
	})
	return out, err
}

// readDetail says for the audit which rows of the list a read showed, by
// their numbers in the list: "rows 51–100 (50 households) of 1642
// (village 610831101200, status pending)".
func (g *GroupView) readDetail(village, status string) string {
	d := fmt.Sprintf("no households of %d", g.Total)
	if n := len(g.Rows); n > 0 {
		d = fmt.Sprintf("rows %d–%d (%d households) of %d", g.Rows[0].RowNo, g.Rows[n-1].RowNo, n, g.Total)
	}
	var with []string
	if village != "" {
		with = append(with, "village "+village)
	}
	if status != "" {
		with = append(with, "status "+status)
	}
	if len(with) > 0 {
		d += " (" + strings.Join(with, ", ") + ")"
	}
	return d
}

// groupView reads a page of c's household list; only limits it to one
// village (a grid worker's).
func (s *Service) groupView(ctx context.Context, tx *store.Tx, c *domain.Case, only, village, status string, after, limit int) (*GroupView, error) {
	caseID := c.ID
	out := &GroupView{ByStatus: map[string]int{}, CanManage: only == "" && s.mayManageGroup(ctx, c), OnlyVillage: only, Case: c}
	err := func() error {
		counts, err := tx.MemberCounts(ctx, caseID)
		if err != nil {
			return err
		}
		idx := map[string]int{}
		for _, mc := range counts {
			if only != "" && mc.VillageCode != only {
				continue
			}
			out.Total += mc.N
			out.ByStatus[mc.Status] += mc.N
			i, ok := idx[mc.VillageCode]
			if !ok {
				i = len(out.Villages)
				idx[mc.VillageCode] = i
				out.Villages = append(out.Villages, VillageCount{Code: mc.VillageCode, Name: mc.VillageName, ByStatus: map[string]int{}})
			}
			out.Villages[i].Total += mc.N
			out.Villages[i].ByStatus[mc.Status] += mc.N
		}
		if limit <= 0 || limit > 5000 {
			limit = 50
		}
		rows, err := tx.Members(ctx, domain.MemberFilter{CaseID: caseID, VillageCode: village, Status: status, AfterRow: after, Limit: limit + 1})
		if err != nil {
			return err
		}
		if len(rows) > limit {
			rows = rows[:limit]
			out.NextAfter = rows[len(rows)-1].RowNo
		}
		// Names in full only for the roles that handle parties (PI-4):
		// an administrator or a data reviewer sees 张*.
		if u := domain.ActorFrom(ctx).User; u != nil && !authz.Allowed(u, authz.PersonalReveal) {
			for i := range rows {
				rows[i].Name = domain.MaskName(rows[i].Name)
			}
		}
		out.Rows = rows
		return nil
	}()
	return out, err
}

// ConfirmMember records a household's confirmation status (巡回确认): who
// and when go with it. Staff whose jurisdiction holds the household's
// village (a grid worker on their rounds, a mediator, a handler, a
// dispatcher), and the matter's assignee.
func (s *Service) ConfirmMember(ctx context.Context, caseID, memberID int64, status, note string, version int64) error {
	if !slices.Contains(MemberStatuses, status) || status == "pending" {
		return app.Required("status", "group.status.invalid")
	}
	note, ok := app.Text(note, 200)
	if !ok {
		return app.Required("note", "field.too_long")
	}
	c, only, err := s.groupAccess(ctx, caseID)
	if err != nil {
		return err
	}
	u := domain.ActorFrom(ctx).User
	return s.Update(ctx, func(tx *store.Tx) error {
		village, err := tx.MemberVillage(ctx, caseID, memberID)
		if err != nil {
			return err
		}
		if only != "" && village != only {
			return &domain.Error{Code: domain.NotFound, Key: "error.not_found"}
		}
		org, err := tx.Org(ctx, village)
		if err != nil {
			return err
		}
		allowed := u != nil && (c.Assignee == u.ID || c.IsCoHandler(u.ID) ||
			(slices.ContainsFunc([]domain.Role{domain.RoleGridWorker, domain.RoleMediator, domain.RoleHandler, domain.RoleDispatcher}, u.Has) &&
				u.OrgPath != "" && (strings.HasPrefix(org.Path, u.OrgPath) || strings.HasPrefix(u.OrgPath, org.Path))))
		if !allowed {
			return app.Forbidden("case.members", "case", c.Number, c.OrgPath)
		}
		if err := tx.SetMemberStatus(ctx, caseID, memberID, status, note, u.ID, version); err != nil {
			return err
		}
		return s.Kernel.Audit(ctx, tx, "case.member_confirm", "case", c.Number, c.OrgPath, domain.ResultOK, fmt.Sprintf("member %d %s", memberID, status))
	})
}

// AddCoUnit makes a unit act on a matter with the lead unit (部门联动).
func (s *Service) AddCoUnit(ctx context.Context, caseID int64, unitCode, part string) error {
	c, err := s.Case(ctx, caseID)
	if err != nil {
		return err
	}
	if !s.mayManageGroup(ctx, c) {
		return s.Denied(ctx, app.Forbidden("case.units", "case", c.Number, c.OrgPath))
	}
	part, ok := app.Text(part, 200)
	if !ok || part == "" {
		return app.Required("part", "field.required")
	}
	uid, uname := actorOf(ctx)
	return s.Update(ctx, func(tx *store.Tx) error {
		ref, err := tx.UnitRef(ctx, unitCode)
		if err != nil || !ref.Active {
			return app.Required("unit", "registry.unit.unknown")
		}
		r, err := tx.Routing(ctx, caseID)
		if err != nil {
			return err
		}
		if r.UnitID != 0 {
			if err := tx.AddCaseUnit(ctx, caseID, r.UnitID, "lead", "牵头", uid); err != nil {
				return err
			}
		}
		role := "co"
		if r.UnitID == ref.ID {
			role = "lead"
		}
		if err := tx.AddCaseUnit(ctx, caseID, ref.ID, role, part, uid); err != nil {
			return err
		}
		ev := &domain.TimelineEntry{ActorID: uid, ActorName: uname, Action: "co_unit", FromStatus: c.Status, ToStatus: c.Status, Note: part,
			Data: map[string]string{"unit_name": ref.Name}}
		if err := tx.AddEvent(ctx, caseID, ev); err != nil {
			return err
		}
		return s.Kernel.Audit(ctx, tx, "case.co_unit", "case", c.Number, c.OrgPath, domain.ResultOK, unitCode)
	})
}

// CaseUnits lists the units acting on a matter.
func (s *Service) CaseUnits(ctx context.Context, caseID int64) ([]domain.CaseUnit, error) {
	if _, err := s.Case(ctx, caseID); err != nil {
		return nil, err
	}
	var out []domain.CaseUnit
	err := s.View(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.CaseUnits(ctx, caseID)
		return err
	})
	return out, err
}

// groupAccess opens a matter for its household list. Besides everyone who
// may see the matter, a grid worker may see and confirm the households of
// their own village (巡回确认), even when the matter itself is registered
// above their grid; village is then that village's code.
func (s *Service) groupAccess(ctx context.Context, caseID int64) (c *domain.Case, village string, err error) {
	err = s.View(ctx, func(tx *store.Tx) error {
		var err error
		c, err = tx.Case(ctx, caseID)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	verr := s.mayViewCase(ctx, c)
	if verr == nil {
		return c, "", nil
	}
	// Not a refusal yet: a grid worker may see their own village's part.
	u := domain.ActorFrom(ctx).User
	vp := ""
	if u != nil && u.Has(domain.RoleGridWorker) {
		vp = domain.VillagePath(u.OrgPath)
	}
	if vp == "" || !strings.HasPrefix(vp, townshipPath(c.OrgPath)) {
		return nil, "", s.Denied(ctx, verr)
	}
	code := strings.Trim(vp[strings.LastIndex(strings.TrimSuffix(vp, "/"), "/"):], "/")
	var n int
	if err := s.Store().View(ctx, func(tx *store.Tx) error {
		rows, err := tx.Members(ctx, domain.MemberFilter{CaseID: caseID, VillageCode: code, Limit: 1})
		n = len(rows)
		return err
	}); err != nil {
		return nil, "", err
	}
	if n == 0 {
		return nil, "", s.Denied(ctx, verr) // as if the matter did not exist
	}
	return c, code, nil
}

// actorOf names who acts: the user, or the operator's command line.
func actorOf(ctx context.Context) (int64, string) {
	if u := domain.ActorFrom(ctx).User; u != nil {
		return u.ID, u.Name
	}
	return 0, "命令行（运维）"
}

// CaseIDByNumber finds a matter the actor may see by its number.
func (s *Service) CaseIDByNumber(ctx context.Context, number string) (int64, error) {
	var id int64
	err := s.View(ctx, func(tx *store.Tx) error {
		var err error
		id, _, err = tx.CaseIDByNumber(ctx, number)
		return err
	})
	if err != nil {
		return 0, err
	}
	if _, err := s.Case(ctx, id); err != nil {
		return 0, err
	}
	return id, nil
}
