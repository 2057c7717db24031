package privacy

import (
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"jiefen/internal/domain"
)

// copyFile is the person's copy as a workbook: what the copy is and on
// what basis it was made, the matters where they are a party, and the
// household list rows where they appear, in full.
func copyFile(r *domain.PrivacyRequest, h *domain.Holdings, now time.Time, lang func(string) string) (*excelize.File, error) {
	x := excelize.NewFile()
	head, _ := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DCE6F7"}}})
	about := lang("privacy.copy.sheet.about")
	x.SetSheetName("Sheet1", about)
	day := func(t time.Time) string { return t.In(domain.CST).Format("2006-01-02 15:04") }
	rows := [][]string{
		{lang("privacy.copy.title")},
		{lang("privacy.ref.label"), r.Ref},
		{lang("privacy.copy.person"), r.Subject},
		{lang("privacy.copy.made_at"), day(now)},
		{lang("privacy.copy.requested_by"), r.RequesterName + " · " + day(r.RequestedAt)},
		{lang("privacy.copy.approved_by"), r.ApproverName + " · " + day(r.ApprovedAt)},
		{lang("privacy.copy.basis"), lang("privacy.basis.duty") + "（" + lang("privacy.basis.duty.ref") + "）"},
		{lang("privacy.copy.counts"), strconv.Itoa(len(h.Parties)) + " / " + strconv.Itoa(len(h.Members)) + " / " + strconv.Itoa(h.Matters())},
		{lang("privacy.copy.note"), lang("privacy.copy.note.text")},
	}
	if err := writeSheet(x, about, nil, rows, []float64{18, 80}, head); err != nil {
		return nil, err
	}
	var parties [][]string
	for _, p := range h.Parties {
		parties = append(parties, []string{p.CaseNumber, p.OrgName, day(p.RegisteredAt), lang("status." + string(p.Status)), lang("prole." + p.Party.Role),
			p.Party.Name, lang("privacy.id_type." + p.Party.IDType), p.Party.IDNumber, p.Party.Phone, p.Party.Address, p.Party.NoIDReason,
			strconv.Itoa(p.Corrections)})
	}
	if err := writeSheet(x, lang("privacy.copy.sheet.parties"), headings(lang, "case_number", "place", "registered", "status", "role", "name",
		"id_type", "id_number", "phone", "address", "no_id_reason", "corrections"), parties,
		[]float64{16, 18, 17, 10, 10, 14, 14, 22, 16, 30, 20, 10}, head); err != nil {
		return nil, err
	}
	var members [][]string
	for _, m := range h.Members {
		members = append(members, []string{m.CaseNumber, m.OrgName, m.VillageName, strconv.Itoa(m.RowNo), m.Name, m.IDNumber, m.Phone,
			strconv.FormatFloat(float64(m.AmountCents)/100, 'f', 2, 64), m.Note, lang("group.status." + m.Status)})
	}
	if err := writeSheet(x, lang("privacy.copy.sheet.members"), headings(lang, "case_number", "place", "village", "row", "name", "id_number",
		"phone", "amount", "note", "status"), members, []float64{16, 18, 14, 6, 14, 22, 16, 12, 30, 10}, head); err != nil {
		return nil, err
	}
	return x, nil
}

// headings are the copy's column headings (privacy.copy.col.*).
func headings(lang func(string) string, keys ...string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = lang("privacy.copy.col." + k)
	}
	return out
}

// writeSheet writes one sheet: a heading row (when head is not nil), the
// rows as text, the column widths.
func writeSheet(x *excelize.File, name string, heading []string, rows [][]string, widths []float64, style int) error {
	if idx, _ := x.GetSheetIndex(name); idx < 0 {
		if _, err := x.NewSheet(name); err != nil {
			return err
		}
	}
	sw, err := x.NewStreamWriter(name)
	if err != nil {
		return err
	}
	for i, w := range widths {
		_ = sw.SetColWidth(i+1, i+1, w)
	}
	n := 1
	if heading != nil {
		cells := make([]any, len(heading))
		for i, h := range heading {
			cells[i] = excelize.Cell{StyleID: style, Value: h}
		}
		if err := sw.SetRow("A1", cells); err != nil {
			return err
		}
		n++
	}
	for _, r := range rows {
		cells := make([]any, len(r))
		for i, v := range r {
			cells[i] = domain.CellText(v)
		}
		cell, _ := excelize.CoordinatesToCellName(1, n)
		if err := sw.SetRow(cell, cells); err != nil {
			return err
		}
		n++
	}
	return sw.Flush()
}
