package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"jiefen/internal/domain"
	"jiefen/internal/i18n"
	"jiefen/internal/service"
	"jiefen/internal/service/casework"
	"jiefen/internal/service/report"
)

// stats: the figures of a period, as GET /api/v1/stats gives them.
func (e *env) stats(args []string) error {
	f := e.newFlags("stats")
	db := f.str("db", DefaultDB, "database DSN")
	from := f.String("from", "", "first day YYYY-MM-DD (China time)")
	to := f.String("to", "", "last day YYYY-MM-DD, inclusive")
	org := f.String("org", "", "division code (default: the whole tree)")
	by := f.String("by", "", "breakdown: category, org, unit, channel, risk or month")
	list := f.String("list", "", "list the matters behind a figure (registered, closed, visits, steps_due, …)")
	key := f.String("key", "", "with --list and --by: the group")
	asJSON := f.Bool("json", false, "print JSON")
	if err := f.parse(args); err != nil {
		return err
	}
	a, err1 := time.ParseInLocation("2006-01-02", *from, domain.CST)
	b, err2 := time.ParseInLocation("2006-01-02", *to, domain.CST)
	if err1 != nil || err2 != nil {
		return usageError{"stats: --from and --to must be dates like 2026-10-01"}
	}
	return e.withService(*db, func(svc *service.Service, ctx ctxT) error {
		q := report.StatsQuery{From: a.UTC(), To: b.AddDate(0, 0, 1).UTC(), OrgCode: *org, By: *by}
		if *list != "" {
			return e.statsList(svc, ctx, q, *list, *key)
		}
		st, err := svc.Statistics(ctx, q)
		if err != nil {
			return err
		}
		if *asJSON {
			enc := json.NewEncoder(e.stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(map[string]any{"place": st.Place.Name, "total": st.Total, "groups": st.Groups})
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "GROUP\tREGISTERED\tACCEPTED\tCLOSED\tRESOLVED\tSUCCESS\tVISITS\tSATISFIED\tON-TIME\tAVG DAYS\tP90\tREOPENED\tMERGED\tOVERDUE\tFOLLOW-UP LATE")
		row := func(name string, f report.Figures) {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%.1f%%\t%d\t%.1f%%\t%.1f%%\t%.1f\t%d\t%d\t%d\t%d\t%d\n", name, f.Registered, f.Accepted, f.Closed, f.Resolved,
				100*f.SuccessRate.Value, f.Visits, 100*f.SatisfactionRate.Value, 100*f.OnTimeRate.Value, f.AvgDaysToClose, f.P90DaysToClose, f.Reopened, f.Merged, f.Overdue,
				f.OverdueFollowUp)
		}
		for _, g := range st.Groups {
			row(g.Name, g)
		}
		row("合计 "+st.Place.Name, st.Total)
		if err := tw.Flush(); err != nil {
			return err
		}
		if len(st.CalendarMissing) > 0 {
			fmt.Fprintf(e.stderr, "warning: the holiday calendar lacks %v; working days in those years were counted as plain Monday–Friday weeks (jiefen calendar import)\n", st.CalendarMissing)
		}
		return nil
	})
}

// statsList prints every line behind a figure: the matter's number, when
// and what.
func (e *env) statsList(svc *service.Service, ctx ctxT, q report.StatsQuery, figure, key string) error {
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NUMBER\tAT\tNOTE\tSTATUS")
	total := 0
	for offset := 0; ; offset += 500 {
		l, err := svc.StatsMatters(ctx, q, figure, key, offset, 500)
		if err != nil {
			return err
		}
		for _, it := range l.Items {
			number, status := "?", ""
			if it.Case != nil {
				number, status = it.Case.Number, string(it.Case.Status)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", number, it.At.In(domain.CST).Format("2006-01-02 15:04"), it.Note, status)
		}
		total = l.Total
		if offset+500 >= l.Total {
			break
		}
	}
	fmt.Fprintf(tw, "%d\n", total)
	return tw.Flush()
}

// ledger: the matter ledger (.xlsx) of a selection, masked (the operator
// exports as the CLI, which never unmasks); audited.
func (e *env) ledger(args []string) error {
	f := e.newFlags("ledger")
	db := f.str("db", DefaultDB, "database DSN")
	out := f.String("out", "", "the .xlsx file to write")
	from := f.String("from", "", "registered on or after YYYY-MM-DD")
	to := f.String("to", "", "registered on or before YYYY-MM-DD")
	org := f.String("org", "", "division code")
	category := f.String("category", "", "category code")
	risk := f.String("risk", "", "colour: red, yellow, blue, none")
	status := f.String("status", "", "status")
	if err := f.parse(args); err != nil {
		return err
	}
	if *out == "" {
		return usageError{"ledger: --out FILE.xlsx is required"}
	}
	q := casework.CaseQuery{OrgCode: *org, Category: *category, Risk: *risk}
	if *status != "" {
		st := domain.Status(*status)
		if !st.Valid() {
			return usageError{"ledger: --status must be a status such as in_resolution"}
		}
		q.Statuses = []domain.Status{st}
	}
	var err error
	if q.From, q.To, err = dayRange("ledger", *from, *to); err != nil {
		return err
	}
	return e.withService(*db, func(svc *service.Service, ctx ctxT) error {
		var buf bytes.Buffer
		n, err := svc.Ledger(ctx, q, report.LedgerOptions{}, &buf, func(k string) string { return i18n.T("zh-CN", k) })
		if err != nil {
			return err
		}
		if err := os.WriteFile(*out, buf.Bytes(), 0o600); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%d matters written to %s (personal data masked)\n", n, *out)
		return nil
	})
}

// report: the monthly report as .xlsx.
func (e *env) report(args []string) error {
	f := e.newFlags("report")
	db := f.str("db", DefaultDB, "database DSN")
	month := f.String("month", "", "the month, YYYY-MM")
	org := f.String("org", "", "division code (default: the whole tree)")
	out := f.String("out", "", "the .xlsx file to write")
	centre := f.String("centre-name", "子洲县社会治安综合治理中心", "the centre's name heading the report")
	if err := f.parse(args); err != nil {
		return err
	}
	if *out == "" || *month == "" {
		return usageError{"report: --month YYYY-MM and --out FILE.xlsx are required"}
	}
	return e.withService(*db, func(svc *service.Service, ctx ctxT) error {
		rep, err := svc.MonthlyReport(ctx, *month, *org)
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		if err := svc.ExportReport(ctx, rep, *centre, &buf); err != nil {
			return err
		}
		if err := os.WriteFile(*out, buf.Bytes(), 0o600); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s %s: %d registered, %d closed; written to %s\n", rep.ByOrg.Place.Name, rep.Month, rep.ByOrg.Total.Registered, rep.ByOrg.Total.Closed, *out)
		return nil
	})
}

// board: the command centre's counts now, as the big screen shows them.
func (e *env) board(args []string) error {
	f := e.newFlags("board")
	db := f.str("db", DefaultDB, "database DSN")
	org := f.String("org", "", "division code (default: the whole tree)")
	if err := f.parse(args); err != nil {
		return err
	}
	return e.withService(*db, func(svc *service.Service, ctx ctxT) error {
		b, err := svc.Board(ctx, *org)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s  %s\n", b.Place.Name, b.Now.In(domain.CST).Format("2006-01-02 15:04"))
		fmt.Fprintf(e.stdout, "open %d (red %d, yellow %d, blue %d, none %d)  overdue in hand %d  informing or visit late %d  due within a day %d\n", b.Open,
			b.ByRisk["red"], b.ByRisk["yellow"], b.ByRisk["blue"], b.ByRisk["none"], b.Overdue, b.OverdueFollowUp, b.DueSoon)
		fmt.Fprintf(e.stdout, "today: registered %d, visits %d\n", b.TodayRegistered, b.TodayVisits)
		m, p := b.Slow.Month, b.Slow.Prev
		fmt.Fprintf(e.stdout, "this month %s–%s: registered %d, closed %d, success %.1f%%, on time %.1f%% (same days last month, %s–%s: %d, %d, %.1f%%, %.1f%%)\n",
			b.Slow.MonthFrom.Format("01-02"), b.Slow.MonthTo.Format("01-02"), m.Registered, m.Closed, 100*m.SuccessRate.Value, 100*m.OnTimeRate.Value,
			b.Slow.PrevFrom.Format("01-02"), b.Slow.PrevTo.Format("01-02"), p.Registered, p.Closed, 100*p.SuccessRate.Value, 100*p.OnTimeRate.Value)
		for _, c := range b.Red {
			fmt.Fprintf(e.stdout, "red %s  %s  %s  lead %s\n", c.Number, c.CategoryNm, c.OrgName, c.LeadName)
		}
		return nil
	})
}
