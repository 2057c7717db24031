package report

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"jiefen/internal/app"
	"jiefen/internal/domain"
	"jiefen/internal/store"
)

// Report is the monthly report (月报) of a place: the month's figures by
// the place's children and by category, with the previous month beside
// the total.
type Report struct {
	Month string // 2026-11
	ByOrg *Stats
	ByCat *Stats
	Prev  Figures
}

// MonthlyReport computes the monthly report of a place (default the
// actor's jurisdiction).
func (s *Service) MonthlyReport(ctx context.Context, month, orgCode string) (*Report, error) {
	m, err := time.ParseInLocation("2006-01", month, domain.CST)
	if err != nil {
		return nil, app.Required("month", "report.month.invalid")
	}
	next := m.AddDate(0, 1, 0)
	r := &Report{Month: month}
	if r.ByOrg, err = s.Statistics(ctx, StatsQuery{From: m.UTC(), To: next.UTC(), OrgCode: orgCode, By: "org"}); err != nil {
		return nil, err
	}
	if r.ByCat, err = s.Statistics(ctx, StatsQuery{From: m.UTC(), To: next.UTC(), OrgCode: orgCode, By: "category"}); err != nil {
		return nil, err
	}
	prev, err := s.Statistics(ctx, StatsQuery{From: m.AddDate(0, -1, 0).UTC(), To: m.UTC(), OrgCode: orgCode})
	if err != nil {
		return nil, err
	}
	r.Prev = prev.Total
	return r, nil
}

// ReportColumns are the monthly report's columns: a figure's key (from
// Definitions) each.
var ReportColumns = []string{"registered", "referred", "accepted", "closed", "resolved", "success_rate", "visits", "satisfaction_rate",
	"visit_rate", "on_time_rate", "inform_on_time_rate", "avg_days_to_close", "p90_days_to_close", "reopened", "merged"}

// ReportValue is one cell of the monthly report: a count, or a rate in
// per cent with one decimal ("" when there is nothing to divide).
func ReportValue(f Figures, key string) any {
	r := func(x Rate) any {
		if x.Denominator == 0 {
			return ""
		}
		return float64(int(x.Value*1000+0.5)) / 10
	}
	switch key {
	case "registered":
		return f.Registered
	case "referred":
		return f.Referred
	case "accepted":
		return f.Accepted
	case "closed":
		return f.Closed
	case "resolved":
		return f.Resolved
	case "success_rate":
		return r(f.SuccessRate)
	case "visits":
		return f.Visits
	case "satisfaction_rate":
		return r(f.SatisfactionRate)
	case "visit_rate":
		return r(f.VisitRate)
	case "on_time_rate":
		return r(f.OnTimeRate)
	case "inform_on_time_rate":
		return r(f.InformOnTimeRate)
	case "avg_days_to_close":
		return f.AvgDaysToClose
	case "p90_days_to_close":
		return f.P90DaysToClose
	case "reopened":
		return f.Reopened
	case "merged":
		return f.Merged
	}
	return ""
}

// ExportReport writes the monthly report as .xlsx and audits the export.
func (s *Service) ExportReport(ctx context.Context, r *Report, centre string, w io.Writer) error {
	if err := s.Update(ctx, func(tx *store.Tx) error {
		return s.Kernel.Audit(ctx, tx, "report.export", "report", r.Month, r.ByOrg.Place.Path, domain.ResultOK, "monthly report "+r.Month+" of "+r.ByOrg.Place.Code)
	}); err != nil {
		return err
	}
	return WriteReport(r, centre, w)
}

// WriteReport writes the monthly report as .xlsx: one sheet by place, one
// by category, one of definitions.
func WriteReport(r *Report, centre string, w io.Writer) error {
	x := excelize.NewFile()
	defer x.Close()
	names := map[string]string{}
	for _, d := range Definitions {
		names[d.Key] = d.Name
	}
	bold, _ := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{WrapText: true, Vertical: "center"}})
	title, _ := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}})
	sheet := func(name, first string, st *Stats, withPrev bool) {
		idx, _ := x.NewSheet(name)
		_ = idx
		_ = x.SetCellValue(name, "A1", domain.CellText(fmt.Sprintf("%s %s矛盾纠纷化解工作月报（%s）", centre, st.Place.Name, r.Month)))
		_ = x.SetCellStyle(name, "A1", "A1", title)
		head := []any{first}
		for _, k := range ReportColumns {
			n := names[k]
			if strings.HasSuffix(k, "_rate") {
				n += "（%）"
			}
			head = append(head, n)
		}
		_ = x.SetSheetRow(name, "A3", &head)
		end, _ := excelize.CoordinatesToCellName(len(head), 3)
		_ = x.SetCellStyle(name, "A3", end, bold)
		_ = x.SetColWidth(name, "A", "A", 22)
		row := 4
		put := func(label string, f Figures) {
			vals := []any{domain.CellText(label)}
			for _, k := range ReportColumns {
				vals = append(vals, ReportValue(f, k))
			}
			cell, _ := excelize.CoordinatesToCellName(1, row)
			_ = x.SetSheetRow(name, cell, &vals)
			row++
		}
		for _, g := range st.Groups {
			put(g.Name, g)
		}
		put("合计", st.Total)
		if withPrev {
			put("上月合计", r.Prev)
		}
		last, _ := excelize.CoordinatesToCellName(1, row-1)
		_ = x.SetCellStyle(name, last, last, bold)
	}
	sheet("按地区", "地区", r.ByOrg, true)
	sheet("按类别", "类别", r.ByCat, false)
	_, _ = x.NewSheet("指标定义")
	for i, d := range Definitions {
		_ = x.SetSheetRow("指标定义", fmt.Sprintf("A%d", i+1), &[]any{d.Name, d.Key, d.Text})
	}
	_ = x.SetColWidth("指标定义", "C", "C", 90)
	_ = x.DeleteSheet("Sheet1")
	return x.Write(w)
}
