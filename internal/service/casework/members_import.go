package casework

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"jiefen/internal/app"
	"jiefen/internal/domain"
	"jiefen/internal/store"
)

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
	col, err := memberColumnsOf(table[0])
	if err != nil {
		return 0, err
	}
	now := s.Store().Now()
	var n int
	err = s.Update(ctx, func(tx *store.Tx) error {
		villages, err := readVillages(ctx, tx, c)
		if err != nil {
			return err
		}
		next, err := tx.NextMemberRow(ctx, caseID)
		if err != nil {
			return err
		}
		rows, err := s.memberRows(table[1:], col, villages, next, now)
		if err != nil {
			return err
		}
		if next-1+len(rows) > MaxMembers {
			return app.Required("file", "group.too_many")
		}
		if err := tx.InsertMembers(ctx, caseID, rows); err != nil {
			return err
		}
		n = len(rows)
		if err := s.notifyRounds(ctx, tx, c, rows); err != nil {
			return err
		}
		aid, aname := actorOf(ctx)
		ev := &domain.TimelineEntry{ActorID: aid, ActorName: aname, Action: "members_import",
			FromStatus: c.Status, ToStatus: c.Status, Data: map[string]string{"rows": strconv.Itoa(n)}}
		if err := tx.AddEvent(ctx, caseID, ev); err != nil {
			return err
		}
		return s.Kernel.Audit(ctx, tx, "case.members_import", "case", c.Number, c.OrgPath, domain.ResultOK, fmt.Sprintf("%d households", n))
	})
	return n, err
}

// memberCols is an import file's heading read: the column of each field.
type memberCols map[string]int

// memberColumnsOf reads the heading row; the name and village columns are
// required.
func memberColumnsOf(heading []string) (memberCols, error) {
	col := memberCols{}
	for i, h := range heading {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		for field, names := range memberColumns {
			if slices.Contains(names, h) {
				col[field] = i
			}
		}
	}
	if _, ok := col["name"]; !ok {
		return nil, app.Required("file", "group.file.no_name")
	}
	if _, ok := col["village"]; !ok {
		return nil, app.Required("file", "group.file.no_village")
	}
	return col, nil
}

// cell is a row's trimmed cell for field ("" when the file has no such
// column or the row is short).
func (col memberCols) cell(row []string, field string) string {
	if i, ok := col[field]; ok && i < len(row) {
		return strings.TrimSpace(row[i])
	}
	return ""
}

// villageIndex finds a village by code or by name.
type villageIndex struct {
	byName map[string]string // "?" for a name two villages share
	byCode map[string]bool
}

// readVillages indexes the villages by code and by name, within the
// matter's township (or the county, for a matter registered at county
// level).
func readVillages(ctx context.Context, tx *store.Tx, c *domain.Case) (*villageIndex, error) {
	scope := townshipPath(c.OrgPath)
	if scope == "" {
		scope = c.OrgPath
	}
	orgs, err := tx.OrgsByPrefix(ctx, scope, 100000)
	if err != nil {
		return nil, err
	}
	// A name that two villages share (in different townships, for a
	// county-level matter) is ambiguous: such rows must give the code.
	v := &villageIndex{byName: map[string]string{}, byCode: map[string]bool{}}
	addName := func(n, code string) {
		if have, ok := v.byName[n]; ok && have != code {
			v.byName[n] = "?"
			return
		}
		v.byName[n] = code
	}
	for _, o := range orgs {
		if o.Level == domain.LevelVillage {
			v.byCode[o.Code] = true
			addName(o.Name, o.Code)
			addName(strings.TrimSuffix(strings.TrimSuffix(o.Name, "村委会"), "社区居委会"), o.Code)
		}
	}
	return v, nil
}

// memberRows checks and seals the table's rows, numbering them from next;
// any wrong row makes the whole import an error naming every wrong cell
// (the first hundred).
func (s *Service) memberRows(table [][]string, col memberCols, villages *villageIndex, next int, now time.Time) ([]domain.MemberRow, error) {
	fields := map[string]string{}
	var rows []domain.MemberRow
	for i, row := range table {
		line := i + 2 // the heading is line 1
		if strings.TrimSpace(strings.Join(row, "")) == "" {
			continue
		}
		bad := func(field, key string) {
			if len(fields) < 100 {
				fields[fmt.Sprintf("rows[%d].%s", line, field)] = key
			}
		}
		m, err := s.memberRow(row, col, villages, next+len(rows), now, bad)
		if err != nil {
			return nil, err
		}
		rows = append(rows, m)
	}
	if len(fields) > 0 {
		return nil, &domain.Error{Code: domain.Invalid, Key: "group.import.rows", Fields: fields}
	}
	return rows, nil
}

// memberRow reads one household, reporting each wrong cell to bad; the
// error is only a sealing failure.
func (s *Service) memberRow(row []string, col memberCols, villages *villageIndex, rowNo int, now time.Time, bad func(field, key string)) (domain.MemberRow, error) {
	var err error
	m := domain.MemberRow{RowNo: rowNo, Name: col.cell(row, "name"), Note: col.cell(row, "note")}
	if m.Name == "" || utf8.RuneCountInString(m.Name) > 50 {
		bad("name", "field.required")
	}
	v := col.cell(row, "village")
	switch {
	case villages.byCode[v]:
		m.VillageCode = v
	case villages.byName[v] == "?":
		bad("village", "group.village.ambiguous")
	case villages.byName[v] != "":
		m.VillageCode = villages.byName[v]
	default:
		bad("village", "group.village.unknown")
	}
	if id := domain.NormalizeIDNumber(col.cell(row, "id_number")); id != "" {
		if err := domain.CheckResidentID(id, now); err != nil {
			key := "id.shape"
			if de, ok := err.(*domain.Error); ok {
				key = de.Key
			}
			bad("id_number", key)
		} else if s.Keys() != nil {
			m.IDMasked, m.IDBidx = domain.MaskID(id), s.Keys().BlindIndex("id", id)
			if m.IDKid, m.IDEnc, err = s.Keys().Encrypt(id, "member.id_number"); err != nil {
				return m, err
			}
		}
	}
	if p := col.cell(row, "phone"); p != "" {
		if mobile, ok := domain.NormalizePhone(p); !ok {
			bad("phone", "party.phone.invalid")
		} else if s.Keys() != nil {
			m.PhoneMasked = domain.MaskPhone(mobile)
			if m.PhoneKid, m.PhoneEnc, err = s.Keys().Encrypt(mobile, "member.phone"); err != nil {
				return m, err
			}
		}
	}
	if a := strings.ReplaceAll(col.cell(row, "amount"), ",", ""); a != "" {
		f, err := strconv.ParseFloat(a, 64)
		if err != nil || !(f >= 0 && f <= 1e10) { // NaN fails both
			bad("amount", "group.amount.invalid")
		}
		m.AmountCents = int64(f*100 + 0.5)
	}
	if utf8.RuneCountInString(m.Note) > 200 {
		bad("note", "field.too_long")
	}
	return m, nil
}

// notifyRounds tells each village's grid workers how many of its
// households await confirmation.
func (s *Service) notifyRounds(ctx context.Context, tx *store.Tx, c *domain.Case, rows []domain.MemberRow) error {
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
		if err := s.notify(ctx, tx, gw, c.ID, "rounds", fmt.Sprintf("%s 群体性事项：%s有 %d 户需要巡回确认（名单见 /cases/%d/members）", c.Number, org.Name, k, c.ID)); err != nil {
			return err
		}
	}
	return nil
}
