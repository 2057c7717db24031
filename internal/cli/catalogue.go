package cli

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"text/tabwriter"

	"jiefen/internal/domain"
	"jiefen/internal/service"
	"jiefen/internal/service/casework"
)

// calendar import: the working-day calendar (holidays and 调休 working days).
func (e *env) calendar(args []string) error {
	if len(args) == 0 || args[0] != "import" {
		return usageError{"calendar: the only subcommand is import (jiefen calendar import --from FILE.csv)"}
	}
	f := e.newFlags("calendar import")
	db := f.str("db", DefaultDB, "database DSN")
	from := f.String("from", "", "CSV file date,kind,name (kind: holiday or workday), as the State Council publishes each November")
	if err := f.parse(args[1:]); err != nil {
		return err
	}
	if *from == "" {
		return usageError{"calendar import: --from is required"}
	}
	fh, err := os.Open(*from)
	if err != nil {
		return fmt.Errorf("cannot read %s: %w", *from, err)
	}
	defer fh.Close()
	days, err := domain.ParseCalendarCSV(fh)
	if err != nil {
		return err
	}
	return e.withService(*db, func(svc *service.Service, ctx ctxT) error {
		n, err := svc.ImportCalendar(ctx, days)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "recorded %d calendar days\n", n)
		cal, err := svc.Calendar(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "the calendar covers %v\n", cal.Years())
		if gaps, err := svc.CalendarGaps(ctx); err == nil && len(gaps) > 0 {
			fmt.Fprintf(e.stderr, "warning: no holiday arrangement yet for %v: deadlines reaching into it count a plain Monday–Friday week\n", gaps)
		}
		return nil
	})
}

// categories list|add: the dispute catalogue.
func (e *env) categories(args []string) error {
	f, db, err := e.subcommand("categories", "list or add", args)
	if err != nil {
		return err
	}
	switch args[0] {
	case "list":
		if err := f.parse(args[1:]); err != nil {
			return err
		}
		return e.withService(*db, func(svc *service.Service, ctx ctxT) error {
			cats, err := svc.Categories(ctx)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "CODE\tNAME\tPARENT\tACTIVE")
			for _, c := range cats {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%v\n", c.Code, c.Name, c.ParentCode, c.Active)
			}
			return tw.Flush()
		})
	case "add":
		code := f.String("code", "", "code (a-z, 0-9, _)")
		name := f.String("name", "", "name shown to users")
		parent := f.String("parent", "", "parent code (optional)")
		sort := f.Int("sort", 500, "display order")
		inactive := f.Bool("inactive", false, "hide from new registrations")
		if err := f.parse(args[1:]); err != nil {
			return err
		}
		return e.withService(*db, func(svc *service.Service, ctx ctxT) error {
			if err := svc.SaveCategory(ctx, domain.Category{Code: *code, Name: *name, ParentCode: *parent, Sort: *sort, Active: !*inactive}); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "saved category %s\n", *code)
			return nil
		})
	}
	return usageError{fmt.Sprintf("categories: unknown subcommand %q", args[0])}
}

// jobs run: one pass of the background jobs (deadline notices, paused clocks,
// watch check-ins), for operators and cron; serve runs it every minute.
func (e *env) jobs(args []string) error {
	if len(args) == 0 || args[0] != "run" {
		return usageError{"jobs: the only subcommand is run"}
	}
	f := e.newFlags("jobs run")
	db := f.str("db", DefaultDB, "database DSN")
	if err := f.parse(args[1:]); err != nil {
		return err
	}
	return e.withService(*db, func(svc *service.Service, ctx ctxT) error {
		n, err := svc.SweepDeadlines(ctx)
		if err == nil {
			fmt.Fprintf(e.stdout, "sent %d notice(s)\n", n)
		}
		return err
	})
}

// cases list: matters for operators (personal data masked).
func (e *env) cases(args []string) error {
	if len(args) == 0 || args[0] != "list" {
		return usageError{"cases: the only subcommand is list"}
	}
	f := e.newFlags("cases list")
	db := f.str("db", DefaultDB, "database DSN")
	q := f.String("q", "", "search text (two-character Chinese words work), ID number or phone")
	status := f.String("status", "", "only this status")
	overdue := f.Bool("overdue", false, "only overdue matters")
	kind := f.String("overdue-kind", "", "with --overdue: open (not yet closed) or followup (informing or visit late)")
	limit := f.Int("limit", 50, "at most this many (1–200)")
	if err := f.parse(args[1:]); err != nil {
		return err
	}
	if *limit < 1 || *limit > 200 {
		return usageError{"cases list: --limit must be 1–200"}
	}
	cq := casework.CaseQuery{Q: *q, Overdue: *overdue, OverdueKind: *kind, Limit: *limit}
	if *kind != "" && (!*overdue || !slices.Contains(casework.OverdueKinds, *kind)) {
		return usageError{"cases list: --overdue-kind is open or followup, with --overdue"}
	}
	if *status != "" {
		st := domain.Status(*status)
		if !st.Valid() {
			return usageError{fmt.Sprintf("cases list: unknown status %q", *status)}
		}
		cq.Statuses = []domain.Status{st}
	}
	return e.withService(*db, func(svc *service.Service, ctx ctxT) error {
		rows, _, err := svc.CasesAsOperator(ctx, cq)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NUMBER\tSTATUS\tRISK\tCATEGORY\tPLACE\tPARTIES\tDUE")
		for _, r := range rows {
			due := ""
			if !r.StepDueAt.IsZero() {
				due = r.StepDueAt.In(domain.CST).Format("2006-01-02 15:04")
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Number, r.Status, r.Risk, r.CategoryNm, r.OrgName, strings.Join(r.PartyNames, "、"), due)
		}
		return tw.Flush()
	})
}
