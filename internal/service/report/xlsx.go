package report

import "strings"

// formulaLead are the first characters that make a spreadsheet read a
// text as a formula (OWASP "CSV injection"), the full-width ones that
// Chinese input methods type included.
const formulaLead = "=+-@\t\r＝＋－＠"

// cellText is s as a spreadsheet cell's text: a text that starts like a
// formula gets a single quote in front. The .xlsx cells are written as
// text already, which no spreadsheet evaluates; the quote keeps them text
// when the file is re-saved, as CSV especially, and opened again.
func cellText(s string) string {
	if s != "" && strings.ContainsRune(formulaLead, []rune(s)[0]) {
		return "'" + s
	}
	return s
}

// cellTexts applies cellText to the text values of a row.
func cellTexts(row []any) []any {
	for i, v := range row {
		if s, ok := v.(string); ok {
			row[i] = cellText(s)
		}
	}
	return row
}
