package domain

import "strings"

// formulaLead are the first characters that make a spreadsheet read a
// text as a formula (OWASP "CSV injection"), the full-width ones that
// Chinese input methods type included.
const formulaLead = "=+-@\t\r＝＋－＠"

// CellText is s as a spreadsheet cell's text: a text that starts like a
// formula gets a single quote in front, so that it stays text when a
// ledger, a copy or a CSV file is opened, saved and opened again. Every
// file jiefen writes for a spreadsheet passes its texts through it.
func CellText(s string) string {
	if s != "" && strings.ContainsRune(formulaLead, []rune(s)[0]) {
		return "'" + s
	}
	return s
}
