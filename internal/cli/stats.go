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
	by := f.String("by", "", "breakdown: category, org, channel, risk or month")
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
		st, err := svc.Statistics(ctx, service.StatsQuery{From: a.UTC(), To: b.AddDate(0, 0, 1).UTC(), OrgCode: *org, By: *by})
		if err != nil {
			return err
		}
		if *asJSON {
			enc := json.NewEncoder(e.stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(map[string]any{"place": st.Place.Name, "total": st.Total, "groups": st.Groups})
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "GROUP\tREGISTERED\tACCEPTED\tCLOSED\tRESOLVED\tSUCCESS\tVISITS\tSATISFIED\tREOPENED\tMERGED\tOVERDUE")
		row := func(name string, f service.Figures) {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%.1f%%\t%d\t%.1f%%\t%d\t%d\t%d\n", name, f.Registered, f.Accepted, f.Closed, f.Resolved,
				100*f.SuccessRate.Value, f.Visits, 100*f.SatisfactionRate.Value, f.Reopened, f.Merged, f.Overdue)
		}
		for _, g := range st.Groups {
			row(g.Name, g)
		}
		row("合计 "+st.Place.Name, st.Total)
		return tw.Flush()
	})
}
