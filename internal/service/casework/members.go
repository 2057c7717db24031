package casework

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"jiefen/internal/app"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

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

// memberColumns are the recognised headings of an import file, by field.
var memberColumns = map[string][]string{
	"name":      {"姓名", "户主", "户主姓名", "name"},
	"village":   {"村", "村组", "村（社区）", "村/社区", "所在村", "village"},
	"id_number": {"身份证号", "身份证号码", "id_number"},
	"phone":     {"电话", "手机", "手机号", "联系电话", "phone"},
	"amount":    {"金额", "金额（元）", "应付金额", "amount"},
	"note":      {"备注", "note"},
}

// ReadTable reads the first sheet of an .xlsx file or a CSV file (UTF-8,
// with or without a byte-order mark) into rows of cells.
func ReadTable(name string, r io.Reader) ([][]string, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxTableBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxTableBytes {
		return nil, app.Required("file", "group.file.too_big") // never a silently cut list
	}
	if strings.EqualFold(filepath.Ext(name), ".xlsx") {
		// Bounded unzipping: an .xlsx is a zip, and a small one can unpack
		// to gigabytes.
		f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: 64 << 20, UnzipXMLSizeLimit: 32 << 20})
		if err != nil {
			return nil, app.Required("file", "group.file.unreadable")
		}
		defer f.Close()
		sheets := f.GetSheetList()
		if len(sheets) == 0 {
			return nil, app.Required("file", "group.file.empty")
		}
		rows, err := f.GetRows(sheets[0])
		if err != nil {
			return nil, app.Required("file", "group.file.unreadable")
		}
		return rows, nil
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		return nil, app.Required("file", "group.file.encoding")
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	rows, err := cr.ReadAll()
	if err != nil {
		return nil, app.Required("file", "group.file.unreadable")
	}
	return rows, nil
}

// ImportMembers adds households to a group matter from a table whose
// first row names the columns (姓名, 村, 身份证号, 电话, 金额, 备注). Every
// row is checked first; if any row is wrong nothing is saved and every
// error comes back as rows[n].field (n is the row number in the file).
// ID numbers and phones are sealed as for parties.
func (s *Service) ImportMembers(ctx context.Context, caseID int64, table [][]string) (int, error) {
	c, err := s.Case(ctx, caseID)
	if err != nil {
		return 0, err
	}
	if !s.mayManageGroup(ctx, c) {
		return 0, s.Denied(ctx, app.Forbidden("case.members", "case", c.Number, c.OrgPath))
	}
	if len(table) < 2 {
		return 0, app.Required("file", "group.file.empty")
	}
	if len(table)-1 > MaxMembers {
		return 0, app.Required("file", "group.too_many") // before any work in the write transaction
	}
	col := map[string]int{}
	for i, h := range table[0] {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		for field, names := range memberColumns {
			if slices.Contains(names, h) {
				col[field] = i
			}
		}
	}
	if _, ok := col["name"]; !ok {
		return 0, app.Required("file", "group.file.no_name")
	}
	if _, ok := col["village"]; !ok {
		return 0, app.Required("file", "group.file.no_village")
	}
	cell := func(row []string, field string) string {
		if i, ok := col[field]; ok && i < len(row) {
			return strings.TrimSpace(row[i])
		}
		return ""
	}
	now := s.Store().Now()
	var n int
	err = s.Update(ctx, func(tx *store.Tx) error {
		// Villages by code and by name, within the matter's township (or
		// the county, for a matter registered at county level).
		scope := townshipPath(c.OrgPath)
		if scope == "" {
			scope = c.OrgPath
		}
		orgs, err := tx.OrgsByPrefix(ctx, scope, 100000)
		if err != nil {
			return err
		}
		// A name that two villages share (in different townships, for a
		// county-level matter) is ambiguous: such rows must give the code.
		byName, byCode := map[string]string{}, map[string]bool{}
		addName := func(n, code string) {
			if have, ok := byName[n]; ok && have != code {
				byName[n] = "?"
				return
			}
			byName[n] = code
		}
		for _, o := range orgs {
			if o.Level == domain.LevelVillage {
				byCode[o.Code] = true
				addName(o.Name, o.Code)
				addName(strings.TrimSuffix(strings.TrimSuffix(o.Name, "村委会"), "社区居委会"), o.Code)
			}
		}
		next, err := tx.NextMemberRow(ctx, caseID)
		if err != nil {
			return err
		}
		fields := map[string]string{}
		var rows []domain.MemberRow
		for i, row := range table[1:] {
			line := i + 2 // the heading is line 1
			if strings.TrimSpace(strings.Join(row, "")) == "" {
				continue
			}
			bad := func(field, key string) {
				if len(fields) < 100 {
					fields[fmt.Sprintf("rows[%d].%s", line, field)] = key
				}
			}
			m := domain.MemberRow{RowNo: next + len(rows), Name: cell(row, "name"), Note: cell(row, "note")}
			if m.Name == "" || utf8.RuneCountInString(m.Name) > 50 {
				bad("name", "field.required")
			}
			v := cell(row, "village")
			switch {
			case byCode[v]:
				m.VillageCode = v
			case byName[v] == "?":
				bad("village", "group.village.ambiguous")
			case byName[v] != "":
				m.VillageCode = byName[v]
			default:
				bad("village", "group.village.unknown")
			}
			if id := domain.NormalizeIDNumber(cell(row, "id_number")); id != "" {
				if err := domain.CheckResidentID(id, now); err != nil {
					key := "id.shape"
					if de, ok := err.(*domain.Error); ok {
						key = de.Key
					}
					bad("id_number", key)
				} else if s.Keys() != nil {
					m.IDMasked, m.IDBidx = domain.MaskID(id), s.Keys().BlindIndex("id", id)
					if m.IDKid, m.IDEnc, err = s.Keys().Encrypt(id, "member.id_number"); err != nil {
						return err
					}
				}
			}
			if p := cell(row, "phone"); p != "" {
				if mobile, ok := domain.NormalizeMobile(p); !ok {
					bad("phone", "phone.invalid")
				} else if s.Keys() != nil {
					m.PhoneMasked = domain.MaskPhone(mobile)
					if m.PhoneKid, m.PhoneEnc, err = s.Keys().Encrypt(mobile, "member.phone"); err != nil {
						return err
					}
				}
			}
			if a := strings.ReplaceAll(cell(row, "amount"), ",", ""); a != "" {
				f, err := strconv.ParseFloat(a, 64)
				if err != nil || !(f >= 0 && f <= 1e10) { // NaN fails both

					bad("amount", "group.amount.invalid")
				}
				m.AmountCents = int64(f*100 + 0.5)
			}
			if utf8.RuneCountInString(m.Note) > 200 {
				bad("note", "field.too_long")
			}
			rows = append(rows, m)
		}
		if len(fields) > 0 {
			return &domain.Error{Code: domain.Invalid, Key: "group.import.rows", Fields: fields}
		}
		if next-1+len(rows) > MaxMembers {
			return app.Required("file", "group.too_many")
		}
		if err := tx.InsertMembers(ctx, caseID, rows); err != nil {
			return err
		}
		n = len(rows)
		villages := map[string]int{}
		for _, m := range rows {
			villages[m.VillageCode]++
		}
		for code, k := range villages {
			org, err := tx.Org(ctx, code)
			if err != nil {
				return err
			}
			gw, err := tx.UsersWithRoleUnder(ctx, domain.RoleGridWorker, org.Path)
			if err != nil {
				return err
			}
			if err := s.notify(ctx, tx, gw, caseID, "rounds", fmt.Sprintf("%s 群体性事项：%s有 %d 户需要巡回确认（名单见 /cases/%d/members）", c.Number, org.Name, k, caseID)); err != nil {
				return err
			}
		}
		aid, aname := actorOf(ctx)
		ev := &domain.Event{ActorID: aid, ActorName: aname, Action: "members_import",
			FromStatus: c.Status, ToStatus: c.Status, Data: map[string]string{"rows": strconv.Itoa(n)}}
		if err := tx.AddEvent(ctx, caseID, ev); err != nil {
			return err
		}
		return s.Kernel.Audit(ctx, tx, "case.members_import", "case", c.Number, c.OrgPath, domain.ResultOK, fmt.Sprintf("%d households", n))
	})
	return n, err
}

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
// after row after, optionally one village's or one status's.
func (s *Service) Group(ctx context.Context, caseID int64, village, status string, after, limit int) (*GroupView, error) {
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
	err = s.View(ctx, func(tx *store.Tx) error {
		out, err = s.groupView(ctx, tx, c, only, village, status, after, limit)
		return err
	})
	return out, err
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
		ev := &domain.Event{ActorID: uid, ActorName: uname, Action: "co_unit", FromStatus: c.Status, ToStatus: c.Status, Note: part,
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

// AuditMembersPrint records that a household list was printed or fetched
// in bulk (AU-1: prints and batch downloads are audited).
func (s *Service) AuditMembersPrint(ctx context.Context, c *domain.Case, village string, rows int) {
	err := s.Store().Update(context.WithoutCancel(ctx), func(tx *store.Tx) error {
		return s.Kernel.Audit(ctx, tx, "case.members_print", "case", c.Number, c.OrgPath, domain.ResultOK, fmt.Sprintf("village %s, %d households", village, rows))
	})
	if err != nil {
		s.Logger().Error("audit write failed", "action", "case.members_print", "err", err)
	}
}
