package domain

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// DayKind says how a listed date departs from the Monday–Friday week.
type DayKind string

const (
	// DayHoliday is a statutory holiday (法定节假日), including the weekdays
	// of a holiday block.
	DayHoliday DayKind = "holiday"
	// DayWorkday is a Saturday or Sunday made a working day (调休上班).
	DayWorkday DayKind = "workday"
)

// CalendarDay is one listed date of the State Council's annual holiday
// notice. Only the year, month and day of Date are used, read in Date's own
// location; they name a date in China Standard Time.
type CalendarDay struct {
	Date time.Time
	Kind DayKind
	Name string
}

// Calendar is the Chinese working-day calendar: Monday to Friday are working
// days unless listed as holidays, Saturday and Sunday are not unless listed
// as workdays. Dates outside the listed years follow the plain week; Covers
// and Missing say which years those are, so that a caller can say so
// instead of counting a year without its holidays in silence.
//
// Methods taking a time.Time take an instant and use its date in CST: 23:30
// UTC on 30 September is 1 October in China. Deadlines are returned as the
// last second of the day, 23:59:59 CST.
//
// A Calendar is read-only once built and safe for concurrent use.
type Calendar struct {
	kinds map[civilDay]DayKind
	last  civilDay     // latest listed date; the plain week holds after it
	years map[int]bool // the years with at least one listed date
}

// civilDay counts days since 1970-01-01.
type civilDay int64

func civilOf(y int, m time.Month, d int) civilDay {
	return civilDay(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// cstDay is the CST date of the instant t.
func cstDay(t time.Time) civilDay {
	y, m, d := t.In(CST).Date()
	return civilOf(y, m, d)
}

func (c civilDay) utc() time.Time { return time.Unix(int64(c)*86400, 0).UTC() }

func (c civilDay) weekend() bool {
	wd := c.utc().Weekday()
	return wd == time.Saturday || wd == time.Sunday
}

// end is the last second of the day in CST.
func (c civilDay) end() time.Time {
	y, m, d := c.utc().Date()
	return time.Date(y, m, d, 23, 59, 59, 0, CST)
}

// dateOf is midnight CST of t's CST date.
func dateOf(t time.Time) time.Time {
	y, m, d := t.In(CST).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, CST)
}

// NewCalendar builds a calendar from listed days. A date listed twice takes
// its last entry; kinds other than DayHoliday and DayWorkday are ignored.
// A nil or empty list gives the plain Monday–Friday week.
func NewCalendar(days []CalendarDay) *Calendar {
	c := &Calendar{kinds: make(map[civilDay]DayKind, len(days)), years: map[int]bool{}}
	first := true
	for _, d := range days {
		if d.Kind != DayHoliday && d.Kind != DayWorkday {
			continue
		}
		y, m, dd := d.Date.Date()
		k := civilOf(y, m, dd)
		c.kinds[k] = d.Kind
		c.years[y] = true
		if first || k > c.last {
			c.last, first = k, false
		}
	}
	return c
}

// Covers reports whether the calendar holds the State Council's holiday
// arrangement for year (at least one listed date in it). Every year has
// one, so a year without is a year not yet imported, whose working days
// the calendar counts as a plain Monday–Friday week.
func (c *Calendar) Covers(year int) bool { return c.years[year] }

// Years lists the years the calendar covers, in order.
func (c *Calendar) Years() []int {
	out := make([]int, 0, len(c.years))
	for y := range c.years {
		out = append(out, y)
	}
	slices.Sort(out)
	return out
}

// Missing lists the years from a's CST year to b's that the calendar does
// not cover (none when b is before a).
func (c *Calendar) Missing(a, b time.Time) []int {
	var out []int
	for y := a.In(CST).Year(); y <= b.In(CST).Year(); y++ {
		if !c.years[y] {
			out = append(out, y)
		}
	}
	return out
}

func (c *Calendar) working(d civilDay) bool {
	switch c.kinds[d] {
	case DayHoliday:
		return false
	case DayWorkday:
		return true
	}
	return !d.weekend()
}

// IsWorkingDay reports whether d's CST date is a working day.
func (c *Calendar) IsWorkingDay(d time.Time) bool { return c.working(cstDay(d)) }

// AddWorkingDays returns the deadline of "n 个工作日内" counted from start:
// the day of start is not counted, the n-th working day after it is the
// last day, and the deadline is that day's 23:59:59 CST. For n <= 0 it is
// the end of start's own day.
func (c *Calendar) AddWorkingDays(start time.Time, n int) time.Time {
	d := cstDay(start)
	for n > 0 {
		// Past the listed dates every 7 days hold exactly 5 working days.
		if d >= c.last && n > 5 {
			weeks := (n - 1) / 5
			d += civilDay(7 * weeks)
			n -= 5 * weeks
			continue
		}
		d++
		if c.working(d) {
			n--
		}
	}
	return d.end()
}

// AddCalendarDays returns the deadline of an n-day period counted from
// start: the day of start is not counted and the period ends at 23:59:59 CST
// of the n-th day after it. When that day is not a working day (a statutory
// holiday, or a weekend day that is not a 调休 workday) the period ends with
// the first working day after it instead (民事诉讼法 第八十五条). For n <= 0 it
// is the end of start's own day, unextended.
func (c *Calendar) AddCalendarDays(start time.Time, n int) time.Time {
	d := cstDay(start)
	if n <= 0 {
		return d.end()
	}
	d += civilDay(n)
	for !c.working(d) {
		d++
	}
	return d.end()
}

// WorkingDaysBetween counts the working days after a's CST date up to and
// including b's CST date; it is 0 when b's date is not after a's.
func (c *Calendar) WorkingDaysBetween(a, b time.Time) int {
	n := 0
	for d, end := cstDay(a)+1, cstDay(b); d <= end; d++ {
		if c.working(d) {
			n++
		}
	}
	return n
}

// ParseCalendarCSV reads the holiday list kept in data/cn-holidays.csv:
//
//	date,kind,name
//	2026-10-01,holiday,国庆节
//	2026-10-10,workday,国庆节调休上班
//
// The header is required; a UTF-8 byte-order mark and blank lines are
// ignored and fields are trimmed. Dates are YYYY-MM-DD and are returned as
// midnight CST. Errors are *Error with Code Invalid, a key calendar.*, the
// line number as Args[0], and a wrapped error whose text names the line.
func ParseCalendarCSV(r io.Reader) ([]CalendarDay, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	fail := func(line int, key, format string, args ...any) error {
		return &Error{Code: Invalid, Key: key, Args: []any{line},
			Err: fmt.Errorf("line %d: "+format, append([]any{line}, args...)...)}
	}

	header, err := cr.Read()
	if err == io.EOF {
		return nil, fail(1, "calendar.header", "missing header date,kind,name")
	}
	if err != nil {
		return nil, csvFail(err, fail)
	}
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff")
	}
	if line, _ := cr.FieldPos(0); len(header) != 3 ||
		!strings.EqualFold(strings.TrimSpace(header[0]), "date") ||
		!strings.EqualFold(strings.TrimSpace(header[1]), "kind") ||
		!strings.EqualFold(strings.TrimSpace(header[2]), "name") {
		return nil, fail(line, "calendar.header", "header is %q, want date,kind,name", strings.Join(header, ","))
	}

	var days []CalendarDay
	seen := map[string]int{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return days, nil
		}
		if err != nil {
			return nil, csvFail(err, fail)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != 3 {
			return nil, fail(line, "calendar.columns", "%d fields, want 3", len(rec))
		}
		ds := strings.TrimSpace(rec[0])
		date, err := time.ParseInLocation(time.DateOnly, ds, CST)
		if err != nil {
			return nil, fail(line, "calendar.date", "bad date %q, want YYYY-MM-DD", ds)
		}
		key := date.Format(time.DateOnly)
		if prev, dup := seen[key]; dup {
			return nil, fail(line, "calendar.duplicate", "date %s already listed on line %d", key, prev)
		}
		seen[key] = line
		kind := DayKind(strings.TrimSpace(rec[1]))
		if kind != DayHoliday && kind != DayWorkday {
			return nil, fail(line, "calendar.kind", "unknown kind %q, want holiday or workday", string(kind))
		}
		name := strings.TrimSpace(rec[2])
		if !utf8.ValidString(name) || strings.IndexFunc(name, unicode.IsControl) >= 0 {
			return nil, fail(line, "calendar.name", "name %q holds control characters or invalid UTF-8", name)
		}
		days = append(days, CalendarDay{Date: date, Kind: kind, Name: name})
	}
}

// csvFail turns an encoding/csv syntax error into a calendar.syntax error.
func csvFail(err error, fail func(int, string, string, ...any) error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fail(pe.Line, "calendar.syntax", "%v", pe.Err)
	}
	return &Error{Code: Invalid, Key: "calendar.read", Err: err}
}

// ParseDay reads a date typed as YYYY-MM-DD as the start of that day in
// China Standard Time (forms, filters and API fields all use it).
func ParseDay(s string) (time.Time, error) {
	return time.ParseInLocation("2006-01-02", s, CST)
}

// EndOfDay is the last second of t's day (a deadline "by" that date).
func EndOfDay(t time.Time) time.Time { return t.Add(24*time.Hour - time.Second) }
