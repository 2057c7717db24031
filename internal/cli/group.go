package cli

import (
	"fmt"
	"os"

	"jiefen/internal/service"
	"jiefen/internal/service/casework"
)

// group import | show: a group matter's household list.
func (e *env) group(args []string) error {
	f, db, err := e.subcommand("group", "import or show", args)
	if err != nil {
		return err
	}
	number := f.String("case", "", "the matter's number (ZZ…)")
	switch args[0] {
	case "import":
		from := f.String("from", "", ".xlsx or .csv file; first row: 姓名, 村, [身份证号, 电话, 金额, 备注]")
		if err := f.parse(args[1:]); err != nil {
			return err
		}
		file, err := os.Open(*from)
		if err != nil {
			return usageError{fmt.Sprintf("group import: open --from: %v", err)}
		}
		defer file.Close()
		table, err := casework.ReadTable(*from, file)
		if err != nil {
			return err
		}
		return e.withService(*db, func(svc *service.Service, ctx ctxT) error {
			id, err := svc.CaseIDByNumber(ctx, *number)
			if err != nil {
				return err
			}
			n, err := svc.ImportMembers(ctx, id, table)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "imported %d households into %s\n", n, *number)
			return nil
		})
	case "show":
		if err := f.parse(args[1:]); err != nil {
			return err
		}
		return e.withService(*db, func(svc *service.Service, ctx ctxT) error {
			id, err := svc.CaseIDByNumber(ctx, *number)
			if err != nil {
				return err
			}
			g, err := svc.Group(ctx, id, "", "", 0, 1)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s: %d households; confirmed %d, pending %d, disputed %d, unreachable %d\n", *number, g.Total,
				g.ByStatus["confirmed"], g.ByStatus["pending"], g.ByStatus["disputed"], g.ByStatus["unreachable"])
			for _, v := range g.Villages {
				fmt.Fprintf(e.stdout, "  %s %s: %d (confirmed %d)\n", v.Code, v.Name, v.Total, v.ByStatus["confirmed"])
			}
			return nil
		})
	}
	return usageError{fmt.Sprintf("group: unknown subcommand %q", args[0])}
}
