package domain_test

import (
	"bytes"
	"encoding/csv"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"jiefen/internal/domain"
)

// holidaysCSV is the real 2023–2026 State Council holiday list.
const holidaysCSV = "../demo/data/cn-holidays.csv"

func realCalendar(t testing.TB) *domain.Calendar {
	t.Helper()
	f, err := os.Open(holidaysCSV)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	days, err := domain.ParseCalendarCSV(f)
	if err != nil {
		t.Fatalf("ParseCalendarCSV(%s): %v", holidaysCSV, err)
	}
	return domain.NewCalendar(days)
}

// day parses YYYY-MM-DD as midnight CST.
func day(t testing.TB, s string) time.Time {
	t.Helper()
	d, err := time.ParseInLocation(time.DateOnly, s, domain.CST)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// endOf is 23:59:59 CST of the date s.
func endOf(t testing.TB, s string) time.Time {
	return day(t, s).Add(24*time.Hour - time.Second)
}

func TestParseCalendarCSVRealData(t *testing.T) {
	f, err := os.Open(holidaysCSV)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	days, err := domain.ParseCalendarCSV(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(days) != 143 {
		t.Errorf("%d days, want 143", len(days))
	}
	first := domain.CalendarDay{Date: day(t, "2023-01-01"), Kind: domain.DayHoliday, Name: "元旦"}
	last := domain.CalendarDay{Date: day(t, "2026-10-10"), Kind: domain.DayWorkday, Name: "国庆节调休上班"}
	if got := days[0]; !got.Date.Equal(first.Date) || got.Kind != first.Kind || got.Name != first.Name {
		t.Errorf("first day %+v, want %+v", got, first)
	}
	if got := days[len(days)-1]; !got.Date.Equal(last.Date) || got.Kind != last.Kind || got.Name != last.Name {
		t.Errorf("last day %+v, want %+v", got, last)
	}
	holidays, workdays := 0, 0
	for _, d := range days {
		if d.Date.Location() != domain.CST || d.Date.Hour() != 0 || d.Date.Minute() != 0 || d.Date.Second() != 0 {
			t.Errorf("%v is not midnight CST", d.Date)
		}
		switch d.Kind {
		case domain.DayHoliday:
			holidays++
		case domain.DayWorkday:
			workdays++
			// A 调休 workday only ever replaces a Saturday or Sunday.
			if wd := d.Date.Weekday(); wd != time.Saturday && wd != time.Sunday {
				t.Errorf("workday %s is a %s", d.Date.Format(time.DateOnly), wd)
			}
		}
	}
	// 2023: 26 and 7; 2024: 30 and 8; 2025: 28 and 5; 2026: 33 and 6.
	if holidays != 117 || workdays != 26 {
		t.Errorf("%d holidays, %d workdays; want 117, 26", holidays, workdays)
	}
}

func TestIsWorkingDay(t *testing.T) {
	cal := realCalendar(t)
	tests := []struct {
		date string
		want bool
	}{
		{"2026-09-18", true},  // Friday
		{"2026-09-19", false}, // Saturday
		{"2026-09-20", true},  // Sunday, 国庆节调休上班
		{"2026-09-25", false}, // Friday, 中秋节
		{"2026-09-27", false}, // Sunday, 中秋节
		{"2026-09-28", true},  // Monday
		{"2026-10-01", false}, // Thursday, 国庆节
		{"2026-10-05", false}, // Monday, 国庆节
		{"2026-10-07", false}, // Wednesday, 国庆节
		{"2026-10-08", true},  // Thursday
		{"2026-10-10", true},  // Saturday, 国庆节调休上班
		{"2026-10-11", false}, // Sunday
		{"2026-01-01", false}, // 元旦
		{"2026-01-04", true},  // Sunday, 元旦调休上班
		{"2026-02-14", true},  // Saturday, 春节调休上班
		{"2026-02-16", false}, // Monday, 春节
		{"2026-02-23", false}, // Monday, 春节
		{"2026-02-24", true},  // Tuesday
		{"2026-02-28", true},  // Saturday, 春节调休上班
		{"2025-10-08", false}, // Wednesday, 国庆节、中秋节
		{"2025-10-11", true},  // Saturday, 国庆节调休上班
		{"2024-02-04", true},  // Sunday, 春节调休上班
		{"2024-02-09", true},  // Friday, 除夕 (a working day that year)
		{"2024-02-12", false}, // Monday, 春节
		{"2024-02-16", false}, // Friday, 春节
		{"2024-02-18", true},  // Sunday, 春节调休上班
		{"2024-04-07", true},  // Sunday, 清明节调休上班
		{"2024-05-02", false}, // Thursday, 劳动节
		{"2024-05-11", true},  // Saturday, 劳动节调休上班
		{"2024-06-10", false}, // Monday, 端午节
		{"2024-09-14", true},  // Saturday, 中秋节调休上班
		{"2024-09-16", false}, // Monday, 中秋节
		{"2024-10-07", false}, // Monday, 国庆节
		{"2024-10-12", true},  // Saturday, 国庆节调休上班
		{"2023-01-28", true},  // Saturday, 春节调休上班
		{"2023-10-05", false}, // Thursday, 中秋节、国庆节
		{"2023-10-08", true},  // Sunday, 国庆节调休上班
		{"2027-01-01", true},  // Friday; 2027 is not in the data yet
		{"2027-01-02", false}, // Saturday
	}
	for _, tt := range tests {
		if got := cal.IsWorkingDay(day(t, tt.date)); got != tt.want {
			t.Errorf("IsWorkingDay(%s %s) = %v, want %v", tt.date, day(t, tt.date).Weekday(), got, tt.want)
		}
	}
}

func TestIsWorkingDayUsesCSTDate(t *testing.T) {
	cal := realCalendar(t)
	// 2026-09-30 17:00 UTC is 2026-10-01 01:00 in China: a holiday.
	if cal.IsWorkingDay(time.Date(2026, 9, 30, 17, 0, 0, 0, time.UTC)) {
		t.Error("01:00 CST on 1 October counted as a working day")
	}
	// 2026-10-07 15:59:59 UTC is still 7 October in China.
	if cal.IsWorkingDay(time.Date(2026, 10, 7, 15, 59, 59, 0, time.UTC)) {
		t.Error("23:59:59 CST on 7 October counted as a working day")
	}
	if !cal.IsWorkingDay(time.Date(2026, 10, 7, 16, 0, 0, 0, time.UTC)) {
		t.Error("00:00 CST on 8 October not counted as a working day")
	}
}

func TestAddWorkingDays(t *testing.T) {
	cal := realCalendar(t)
	tests := []struct {
		name  string
		start string
		n     int
		want  string
	}{
		// Every case checked against cn-holidays.csv. The brief for this
		// file said 1 working day after Friday 2026-09-18 is Monday
		// 2026-09-21, but Sunday 2026-09-20 is a listed 调休 workday and is
		// the first working day after the Friday.
		{"Fri 9-18, next day Sat off, Sun 调休", "2026-09-18", 1, "2026-09-20"},
		{"Fri 9-18 +2 reaches Monday", "2026-09-18", 2, "2026-09-21"},
		{"Sat 9-19 +1 is Sunday 调休", "2026-09-19", 1, "2026-09-20"},
		{"Thu 9-24 +3 skips 中秋 25–27", "2026-09-24", 3, "2026-09-30"},
		{"Wed 9-30 +1 skips 国庆 10-01..07", "2026-09-30", 1, "2026-10-08"},
		{"Thu 10-08 +2 lands on Sat 10-10 调休", "2026-10-08", 2, "2026-10-10"},
		{"Fri 9-18 +15", "2026-09-18", 15, "2026-10-15"},
		{"New Year 2026: Wed 12-31 +1 is Sun 1-04 调休", "2025-12-31", 1, "2026-01-04"},
		{"Spring Festival: Fri 2-13 +1 is Sat 2-14 调休", "2026-02-13", 1, "2026-02-14"},
		{"Spring Festival: Fri 2-13 +2 skips 2-15..23", "2026-02-13", 2, "2026-02-24"},
		{"Spring Festival: Fri 2-13 +3", "2026-02-13", 3, "2026-02-25"},
		{"Labour Day 2026: Thu 4-30 +5", "2026-04-30", 5, "2026-05-11"},
		{"Spring Festival 2025: Fri 1-24 +1 is Sun 1-26 调休", "2025-01-24", 1, "2025-01-26"},
		{"Spring Festival 2024: Fri 2-02 +1 is Sun 2-04 调休", "2024-02-02", 1, "2024-02-04"},
		{"Spring Festival 2024: Fri 2-09 +1 skips 2-10..17 to Sun 2-18 调休", "2024-02-09", 1, "2024-02-18"},
		{"Spring Festival 2024: Thu 2-08 +3", "2024-02-08", 3, "2024-02-19"},
		{"National Day 2024: Sun 9-29 调休 +1 is Mon 9-30", "2024-09-28", 2, "2024-09-30"},
		{"National Day 2025: Tue 9-30 +1 skips 10-01..08", "2025-09-30", 1, "2025-10-09"},
		{"holiday start counts from the next day", "2026-10-03", 1, "2026-10-08"},
		{"past the data: plain week", "2026-12-31", 10, "2027-01-14"},
		{"n = 0 is the end of the start day", "2026-10-03", 0, "2026-10-03"},
		{"n < 0 is the end of the start day", "2026-09-18", -5, "2026-09-18"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Any time of the start day gives the same deadline.
			for _, clock := range []time.Duration{0, 9*time.Hour + 30*time.Minute, 24*time.Hour - time.Nanosecond} {
				start := day(t, tt.start).Add(clock)
				got := cal.AddWorkingDays(start, tt.n)
				if !got.Equal(endOf(t, tt.want)) {
					t.Errorf("AddWorkingDays(%s, %d) = %v, want %s 23:59:59 CST", start, tt.n, got, tt.want)
				}
				if got.Location() != domain.CST {
					t.Errorf("AddWorkingDays(%s, %d) in %v, want CST", start, tt.n, got.Location())
				}
			}
		})
	}
}

func TestAddWorkingDaysStartInOtherZone(t *testing.T) {
	cal := realCalendar(t)
	// Friday 2026-09-18 20:00 UTC is Saturday 04:00 in China, so counting
	// starts on Sunday 9-20 (a 调休 workday) and one day later is Monday.
	start := time.Date(2026, 9, 18, 20, 0, 0, 0, time.UTC)
	if got := cal.AddWorkingDays(start, 1); !got.Equal(endOf(t, "2026-09-20")) {
		t.Errorf("AddWorkingDays(%v, 1) = %v, want 2026-09-20 23:59:59 CST", start, got)
	}
	// Wednesday 2026-09-30 16:00 UTC is already 1 October in China.
	start = time.Date(2026, 9, 30, 16, 0, 0, 0, time.UTC)
	if got := cal.AddWorkingDays(start, 2); !got.Equal(endOf(t, "2026-10-09")) {
		t.Errorf("AddWorkingDays(%v, 2) = %v, want 2026-10-09 23:59:59 CST", start, got)
	}
}

// naiveAddWorkingDays steps one day at a time, as the definition reads.
func naiveAddWorkingDays(cal *domain.Calendar, start time.Time, n int) time.Time {
	y, m, d := start.In(domain.CST).Date()
	cur := time.Date(y, m, d, 12, 0, 0, 0, domain.CST)
	for n > 0 {
		cur = cur.AddDate(0, 0, 1)
		if cal.IsWorkingDay(cur) {
			n--
		}
	}
	y, m, d = cur.Date()
	return time.Date(y, m, d, 23, 59, 59, 0, domain.CST)
}

func TestAddWorkingDaysInvariants(t *testing.T) {
	cal := realCalendar(t)
	empty := domain.NewCalendar(nil)
	for start := day(t, "2024-12-20"); start.Before(day(t, "2027-01-10")); start = start.AddDate(0, 0, 1) {
		for _, n := range []int{1, 2, 3, 5, 6, 7, 10, 11, 15, 20, 30, 60, 400} {
			for _, c := range []*domain.Calendar{cal, empty} {
				got := c.AddWorkingDays(start, n)
				if want := naiveAddWorkingDays(c, start, n); !got.Equal(want) {
					t.Fatalf("AddWorkingDays(%s, %d) = %v, stepping gives %v", start.Format(time.DateOnly), n, got, want)
				}
				if !c.IsWorkingDay(got) {
					t.Fatalf("AddWorkingDays(%s, %d) = %v, not a working day", start.Format(time.DateOnly), n, got)
				}
				if k := c.WorkingDaysBetween(start, got); k != n {
					t.Fatalf("WorkingDaysBetween(%s, AddWorkingDays(_, %d)) = %d", start.Format(time.DateOnly), n, k)
				}
			}
		}
	}
}

func TestAddCalendarDays(t *testing.T) {
	cal := realCalendar(t)
	tests := []struct {
		name  string
		start string
		n     int
		want  string
	}{
		{"Mon 9-28 +7 is 10-05, a holiday: moves to 10-08", "2026-09-28", 7, "2026-10-08"},
		{"Fri 9-18 +1 is Sat 9-19, off: moves to Sun 9-20 调休", "2026-09-18", 1, "2026-09-20"},
		{"Fri 9-18 +2 is Sun 9-20, a 调休 workday: stays", "2026-09-18", 2, "2026-09-20"},
		{"Fri 2-13 +1 is Sat 2-14, a 调休 workday: stays", "2026-02-13", 1, "2026-02-14"},
		{"Fri 2-13 +2 is Sun 2-15, 春节: moves to Tue 2-24", "2026-02-13", 2, "2026-02-24"},
		{"Fri 2-13 +15 is Sat 2-28, a 调休 workday: stays", "2026-02-13", 15, "2026-02-28"},
		{"Fri 6-12 +7 is Fri 6-19, 端午: moves to Mon 6-22", "2026-06-12", 7, "2026-06-22"},
		{"Fri 6-12 +30 is Sun 7-12: moves to Mon 7-13", "2026-06-12", 30, "2026-07-13"},
		{"Tue 4-28 +5 is Sun 5-03, 劳动节: moves to Wed 5-06", "2026-04-28", 5, "2026-05-06"},
		{"Mon 9-21 +15 is Tue 10-06: moves to 10-08", "2026-09-21", 15, "2026-10-08"},
		{"ordinary weekday stays", "2026-03-02", 10, "2026-03-12"},
		{"n = 0 is the end of the start day", "2026-10-03", 0, "2026-10-03"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := day(t, tt.start).Add(15 * time.Hour)
			got := cal.AddCalendarDays(start, tt.n)
			if !got.Equal(endOf(t, tt.want)) || got.Location() != domain.CST {
				t.Errorf("AddCalendarDays(%s, %d) = %v, want %s 23:59:59 CST", tt.start, tt.n, got, tt.want)
			}
		})
	}
}

func TestWorkingDaysBetween(t *testing.T) {
	cal := realCalendar(t)
	tests := []struct {
		a, b string
		want int
	}{
		{"2026-09-18", "2026-09-18", 0},
		{"2026-09-18", "2026-09-19", 0},
		{"2026-09-18", "2026-09-20", 1}, // Sunday 调休
		{"2026-09-18", "2026-09-21", 2},
		{"2026-09-24", "2026-09-30", 3},
		{"2026-09-30", "2026-10-07", 0},
		{"2026-09-30", "2026-10-08", 1},
		{"2026-09-30", "2026-10-31", 18},
		{"2025-12-31", "2026-12-31", 248}, // all of 2026
		{"2024-12-31", "2025-12-31", 248}, // all of 2025
		{"2026-10-08", "2026-09-30", 0},   // b before a
	}
	for _, tt := range tests {
		a := day(t, tt.a).Add(18 * time.Hour)
		b := day(t, tt.b).Add(1 * time.Hour)
		if got := cal.WorkingDaysBetween(a, b); got != tt.want {
			t.Errorf("WorkingDaysBetween(%s, %s) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestNewCalendar(t *testing.T) {
	// The plain week without a list.
	empty := domain.NewCalendar(nil)
	if !empty.IsWorkingDay(day(t, "2026-10-01")) || empty.IsWorkingDay(day(t, "2026-09-20")) {
		t.Error("empty calendar is not the plain Monday–Friday week")
	}
	// Date is read by its own year, month and day, whatever its location or
	// clock: 2026-09-20 23:00 in New York is 9-21 in China but names 9-20.
	ny := time.FixedZone("EDT", -4*3600)
	cal := domain.NewCalendar([]domain.CalendarDay{
		{Date: time.Date(2026, 9, 20, 23, 0, 0, 0, ny), Kind: domain.DayWorkday},
		{Date: time.Date(2026, 9, 22, 0, 0, 0, 0, time.UTC), Kind: domain.DayHoliday},
		{Date: time.Date(2026, 9, 23, 0, 0, 0, 0, time.UTC), Kind: "bogus"},
		{Date: time.Date(2026, 9, 24, 0, 0, 0, 0, time.UTC), Kind: domain.DayHoliday},
		{Date: time.Date(2026, 9, 24, 0, 0, 0, 0, time.UTC), Kind: domain.DayWorkday}, // last wins
	})
	for _, tt := range []struct {
		date string
		want bool
	}{{"2026-09-20", true}, {"2026-09-21", true}, {"2026-09-22", false}, {"2026-09-23", true}, {"2026-09-24", true}} {
		if got := cal.IsWorkingDay(day(t, tt.date)); got != tt.want {
			t.Errorf("IsWorkingDay(%s) = %v, want %v", tt.date, got, tt.want)
		}
	}
}

func TestParseCalendarCSVErrors(t *testing.T) {
	const header = "date,kind,name\n"
	tests := []struct {
		name string
		in   string
		key  string
		line int
	}{
		{"empty input", "", "calendar.header", 1},
		{"no header", "2026-10-01,holiday,国庆节\n", "calendar.header", 1},
		{"wrong header", "day,kind,name\n", "calendar.header", 1},
		{"two columns", header + "2026-10-01,holiday,国庆节\n2026-10-02,holiday\n", "calendar.columns", 3},
		{"four columns", header + "2026-10-01,holiday,国庆节,x\n", "calendar.columns", 2},
		{"bad date", header + "2026-10-01,holiday,国庆节\n2026-10-32,holiday,国庆节\n", "calendar.date", 3},
		{"30 February", header + "2026-02-30,holiday,春节\n", "calendar.date", 2},
		{"slashes", header + "2026/10/01,holiday,国庆节\n", "calendar.date", 2},
		{"unpadded", header + "2026-10-1,holiday,国庆节\n", "calendar.date", 2},
		{"unknown kind", header + "2026-10-01,holiday,国庆节\n2026-10-10,work,调休\n", "calendar.kind", 3},
		{"upper-case kind", header + "2026-10-01,Holiday,国庆节\n", "calendar.kind", 2},
		{"duplicate date", header + "2026-10-01,holiday,国庆节\n2026-10-02,holiday,国庆节\n2026-10-01,workday,x\n", "calendar.duplicate", 4},
		{"control character in name", header + "2026-10-01,holiday,\"国庆\n节\"\n", "calendar.name", 2},
		{"bare quote", header + "2026-10-01,holiday,国\"庆节\n", "calendar.syntax", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			days, err := domain.ParseCalendarCSV(strings.NewReader(tt.in))
			if err == nil {
				t.Fatalf("ParseCalendarCSV accepted it: %+v", days)
			}
			if days != nil {
				t.Errorf("days %+v returned with an error", days)
			}
			if key := errKey(t, err); key != tt.key {
				t.Errorf("key %q, want %q (%v)", key, tt.key, err)
			}
			de := err.(*domain.Error)
			if len(de.Args) != 1 || de.Args[0] != tt.line {
				t.Errorf("Args %v, want [%d] (%v)", de.Args, tt.line, err)
			}
			if want := "line " + strconv.Itoa(tt.line) + ":"; !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not name %q", err, want)
			}
		})
	}
}

func TestParseCalendarCSVLenient(t *testing.T) {
	in := "\ufeffDate, Kind ,Name\r\n\r\n 2026-10-01 , holiday , 国庆节 \r\n2026-10-10,workday,\r\n"
	days, err := domain.ParseCalendarCSV(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(days) != 2 || !days[0].Date.Equal(day(t, "2026-10-01")) || days[0].Kind != domain.DayHoliday ||
		days[0].Name != "国庆节" || !days[1].Date.Equal(day(t, "2026-10-10")) || days[1].Kind != domain.DayWorkday || days[1].Name != "" {
		t.Errorf("got %+v", days)
	}
	// A header alone is an empty list.
	days, err = domain.ParseCalendarCSV(strings.NewReader("date,kind,name\n"))
	if err != nil || len(days) != 0 {
		t.Errorf("header only: %+v, %v", days, err)
	}
}

func FuzzParseCalendarCSV(f *testing.F) {
	data, err := os.ReadFile(holidaysCSV)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(data))
	f.Add("date,kind,name\n2026-10-01,holiday,国庆节\n2026-10-10,workday,国庆节调休上班\n")
	f.Add("date,kind,name\n2026-10-01,holiday,国庆节\n2026-10-01,workday,x\n")
	f.Add("date,kind,name\n2026-02-30,holiday,x\n")
	f.Add("\ufeffdate,kind,name\r\n\"2026-10-01\",\"holiday\",\"a,b\"\r\n")
	f.Add("")
	f.Fuzz(func(t *testing.T, in string) {
		days, err := domain.ParseCalendarCSV(strings.NewReader(in))
		if err != nil {
			errKey(t, err)
			if de := err.(*domain.Error); !strings.HasPrefix(de.Key, "calendar.") || !strings.Contains(err.Error(), "line ") {
				t.Fatalf("error %v", err)
			}
			if days != nil {
				t.Fatalf("days returned with error %v", err)
			}
			return
		}
		seen := map[string]bool{}
		for _, d := range days {
			k := d.Date.Format(time.DateOnly)
			if seen[k] {
				t.Fatalf("duplicate %s accepted", k)
			}
			seen[k] = true
			if d.Kind != domain.DayHoliday && d.Kind != domain.DayWorkday {
				t.Fatalf("kind %q accepted", d.Kind)
			}
			if d.Date.Location() != domain.CST || !d.Date.Equal(day(t, k)) {
				t.Fatalf("date %v is not midnight CST", d.Date)
			}
		}
		cal := domain.NewCalendar(days)
		for _, d := range days {
			if got := cal.IsWorkingDay(d.Date); got != (d.Kind == domain.DayWorkday) {
				t.Fatalf("%s listed as %s but IsWorkingDay = %v", d.Date.Format(time.DateOnly), d.Kind, got)
			}
		}
		// Writing the days back out and reading them again gives the same list.
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		w.Write([]string{"date", "kind", "name"})
		for _, d := range days {
			w.Write([]string{d.Date.Format(time.DateOnly), string(d.Kind), d.Name})
		}
		w.Flush()
		again, err := domain.ParseCalendarCSV(&buf)
		if err != nil || len(again) != len(days) {
			t.Fatalf("round trip: %d days, %v; want %d", len(again), err, len(days))
		}
		for i := range days {
			if !again[i].Date.Equal(days[i].Date) || again[i].Kind != days[i].Kind || again[i].Name != days[i].Name {
				t.Fatalf("round trip: %+v became %+v", days[i], again[i])
			}
		}
	})
}

// The calendar says which years it holds, so a year without its holidays
// is reported instead of counted as plain weeks in silence.
func TestCalendarCoverage(t *testing.T) {
	cal := realCalendar(t)
	for _, y := range []int{2023, 2024, 2025, 2026} {
		if !cal.Covers(y) {
			t.Errorf("%d not covered", y)
		}
	}
	if cal.Covers(2022) || cal.Covers(2027) {
		t.Error("a year without a listed date counted as covered")
	}
	if got := cal.Years(); len(got) != 4 || got[0] != 2023 || got[3] != 2026 {
		t.Errorf("years %v", got)
	}
	if got := cal.Missing(day(t, "2022-12-30"), day(t, "2027-01-04")); len(got) != 2 || got[0] != 2022 || got[1] != 2027 {
		t.Errorf("missing %v, want [2022 2027]", got)
	}
	if got := cal.Missing(day(t, "2024-02-01"), day(t, "2024-03-01")); len(got) != 0 {
		t.Errorf("missing %v within 2024", got)
	}
	// 23:30 UTC on 31 December 2026 is 2027 in China.
	if got := cal.Missing(time.Date(2026, 12, 31, 17, 0, 0, 0, time.UTC), time.Date(2026, 12, 31, 17, 0, 0, 0, time.UTC)); len(got) != 1 || got[0] != 2027 {
		t.Errorf("missing %v at 01:00 CST on 1 January 2027", got)
	}
}

// A red matter's resolution step gets the shorter of its rules; other steps
// and colours the ordinary rule (the service and the seeder both use it).
func TestStepDeadline(t *testing.T) {
	cal := realCalendar(t)
	start := day(t, "2026-11-02").Add(10 * time.Hour)
	if got := domain.StepDeadline(cal, domain.StatusInResolution, start, false, "red"); !got.Equal(endOf(t, "2026-11-17")) {
		t.Errorf("red in resolution due %v, want 2026-11-17 (15 days)", got.In(domain.CST))
	}
	if got := domain.StepDeadline(cal, domain.StatusInResolution, start, false, "yellow"); !got.Equal(endOf(t, "2026-12-02")) {
		t.Errorf("yellow in resolution due %v, want 2026-12-02 (30 days)", got.In(domain.CST))
	}
	if got := domain.StepDeadline(cal, domain.StatusInResolution, start, true, "red"); !got.Equal(endOf(t, "2026-11-17")) {
		t.Errorf("red petition due %v, want the red 15 days", got.In(domain.CST))
	}
	if got := domain.StepDeadline(cal, domain.StatusRegistered, start, false, "red"); !got.Equal(endOf(t, "2026-11-03")) {
		t.Errorf("red registered due %v, want the next working day", got.In(domain.CST))
	}
	if got := domain.StepDeadline(cal, domain.StatusArchived, start, false, "red"); !got.IsZero() {
		t.Errorf("archived has a deadline %v", got)
	}
}
