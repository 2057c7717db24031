package cli

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"
	"time"

	"jiefen/internal/domain"
	"jiefen/internal/service"
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
		q := service.StatsQuery{From: a.UTC(), To: b.AddDate(0, 0, 1).UTC(), OrgCode: *org, By: *by}
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
		fmt.Fprintln(tw, "GROUP\tREGISTERED\tACCEPTED\tCLOSED\tRESOLVED\tSUCCESS\tVISITS\tSATISFIED\tON-TIME\tAVG DAYS\tP90\tREOPENED\tMERGED\tOVERDUE")
		row := func(name string, f service.Figures) {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%.1f%%\t%d\t%.1f%%\t%.1f%%\t%.1f\t%d\t%d\t%d\t%d\n", name, f.Registered, f.Accepted, f.Closed, f.Resolved,
				100*f.SuccessRate.Value, f.Visits, 100*f.SatisfactionRate.Value, 100*f.OnTimeRate.Value, f.AvgDaysToClose, f.P90DaysToClose, f.Reopened, f.Merged, f.Overdue)
		}
		for _, g := range st.Groups {
			row(g.Name, g)
		}
		row("合计 "+st.Place.Name, st.Total)
		return tw.Flush()
	})
}

// statsList prints every line behind a figure: the matter's number, when
// and what.
func (e *env) statsList(svc *service.Service, ctx ctxT, q service.StatsQuery, figure, key string) error {
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
