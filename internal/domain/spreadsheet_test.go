package domain

import "testing"

// A text that starts like a formula, ASCII or full-width, gets a quote;
// any other text, and a quote inside, stays as it is.
func TestCellText(t *testing.T) {
	for in, want := range map[string]string{"=1+1": "'=1+1", "+86 139": "'+86 139", "-5": "'-5", "@SUM(A1)": "'@SUM(A1)", "\tx": "'\tx",
		"＝HYPERLINK()": "'＝HYPERLINK()", "＋1": "'＋1", "张建军": "张建军", "a=b": "a=b", "": ""} {
		if got := CellText(in); got != want {
			t.Errorf("CellText(%q) = %q, want %q", in, got, want)
		}
	}
}
