package report_test

import (
	"testing"
	"time"

	"jiefen/internal/domain"
	"jiefen/internal/service/report"
)

// Day averages are rounded half up to one decimal from whole numbers.
func TestAverageDays(t *testing.T) {
	for _, c := range []struct {
		sum, n int
		want   float64
	}{
		{29, 4, 7.3},   // 7.25
		{181, 25, 7.2}, // 7.24
		{1, 20, 0.1},   // 0.05
		{2, 3, 0.7},    // 0.666…
		{15, 2, 7.5},
		{0, 5, 0},
		{3, 0, 0},
		{6115, 1000, 6.1}, // 6.115 → 6.1 (one decimal, not two)
		{6150, 1000, 6.2}, // 6.15
	} {
		if got := report.AverageDays(c.sum, c.n); got != c.want {
			t.Errorf("AverageDays(%d, %d) = %v, want %v", c.sum, c.n, got, c.want)
		}
	}
}

// The board compares this month so far with the same days of the month
// before.
func TestSameDaysLastMonth(t *testing.T) {
	d := func(s string) time.Time {
		t.Helper()
		x, err := domain.ParseDay(s)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	for _, c := range []struct{ now, from, to, prevFrom, prevTo string }{
		{"2026-12-03", "2026-12-01", "2026-12-04", "2026-11-01", "2026-11-04"},
		{"2026-03-31", "2026-03-01", "2026-04-01", "2026-02-01", "2026-03-01"}, // all of February
		{"2024-03-30", "2024-03-01", "2024-03-31", "2024-02-01", "2024-03-01"}, // a leap February
		{"2026-01-15", "2026-01-01", "2026-01-16", "2025-12-01", "2025-12-16"},
		{"2026-12-01", "2026-12-01", "2026-12-02", "2026-11-01", "2026-11-02"},
	} {
		// Late in the evening in China is still that day.
		now := d(c.now).Add(23*time.Hour + 30*time.Minute).UTC()
		from, to, pf, pt := report.SameDaysLastMonth(now)
		if !from.Equal(d(c.from)) || !to.Equal(d(c.to)) || !pf.Equal(d(c.prevFrom)) || !pt.Equal(d(c.prevTo)) {
			t.Errorf("%s: [%s, %s) and [%s, %s), want [%s, %s) and [%s, %s)", c.now, from.Format("01-02"), to.Format("01-02"),
				pf.Format("01-02"), pt.Format("01-02"), c.from, c.to, c.prevFrom, c.prevTo)
		}
	}
}
