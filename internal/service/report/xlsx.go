package report

import "jiefen/internal/domain"

// cellTexts applies domain.CellText to the text values of a row.
func cellTexts(row []any) []any {
	for i, v := range row {
		if s, ok := v.(string); ok {
			row[i] = domain.CellText(s)
		}
	}
	return row
}
