package service_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"jiefen/internal/domain"
	"jiefen/internal/jftest"
	"jiefen/internal/service/casework"
	"jiefen/internal/service/report"
	"jiefen/internal/store"
)

// Issue 14, point 9: a text that starts like a formula (= + - @, a tab or
// a carriage return) reaches no .xlsx cell as it was typed: it is written
// after a single quote, so it stays text when the file is re-saved (as CSV
// too) and opened again. Every text cell of every sheet of the ledger and
// the monthly report is checked, and the cells the test typed are found.
func TestSpreadsheetFormulasInert(t *testing.T) {
	jftest.Engines(t, func(t *testing.T, st *store.Store) {
		e := newCaseEnv(t, st)
		if err := e.svc.SaveCategory(jftest.CLI(), domain.Category{Code: "land", Name: "=1+2 土地纠纷", Active: true}); err != nil {
			t.Fatal(err)
		}
		in := landCase("610831101200")
		in.Description = `=HYPERLINK("http://evil.example/","详情")张家与李家因土地承包经营权边界发生争执，李家扬言要毁坏青苗。`
		in.Address = "+何家集村三组"
		in.Parties[0].Name = "@张建军"
		if _, err := e.svc.RegisterCase(as(e.recep), in); err != nil {
			t.Fatal(err)
		}
		var ledger bytes.Buffer
		if _, err := e.svc.Ledger(as(e.disp), casework.CaseQuery{}, report.LedgerOptions{}, &ledger, func(k string) string { return k }); err != nil {
			t.Fatal(err)
		}
		texts := inertTexts(t, ledger.Bytes())
		for _, want := range []string{`'=HYPERLINK("http://evil.example/","详情")张家`, "'+何家集村三组", "'@***", "'=1+2 土地纠纷"} {
			if !hasPrefix(texts, want) {
				t.Errorf("the ledger has no cell starting %q", want)
			}
		}
		rep, err := e.svc.MonthlyReport(as(e.leader), time.Now().In(domain.CST).Format("2006-01"), "")
		if err != nil {
			t.Fatal(err)
		}
		var monthly bytes.Buffer
		if err := e.svc.ExportReport(as(e.leader), rep, "-综治中心", &monthly); err != nil {
			t.Fatal(err)
		}
		texts = inertTexts(t, monthly.Bytes())
		for _, want := range []string{"'=1+2 土地纠纷", "'-综治中心"} {
			if !hasPrefix(texts, want) {
				t.Errorf("the monthly report has no cell starting %q", want)
			}
		}
	})
}

// inertTexts opens an .xlsx and returns its text cells, failing the test
// on a formula or a text a spreadsheet would take for one.
func inertTexts(t *testing.T, b []byte) []string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	for _, sheet := range f.GetSheetList() {
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		for r, row := range rows {
			for c, v := range row {
				cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
				if formula, _ := f.GetCellFormula(sheet, cell); formula != "" {
					t.Errorf("%s!%s is a formula: %s", sheet, cell, formula)
				}
				typ, _ := f.GetCellType(sheet, cell)
				if typ != excelize.CellTypeInlineString && typ != excelize.CellTypeSharedString {
					continue
				}
				if v != "" && strings.ContainsAny(v[:1], "=+-@\t\r") {
					t.Errorf("%s!%s starts like a formula: %q", sheet, cell, v)
				}
				out = append(out, v)
			}
		}
	}
	return out
}

func hasPrefix(texts []string, prefix string) bool {
	for _, s := range texts {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}
