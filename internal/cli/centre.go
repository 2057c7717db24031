package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"text/tabwriter"

	"jiefen/internal/service"
	"jiefen/internal/service/registry"
)

// centreImport records a centre set-up file.
func (e *env) centreImport(f *flags, db *string, args []string) error {
	from := f.String("from", "", "JSON file (the shape of internal/demo/data/zizhou-centre.json)")
	weeks := f.Int("weeks", 8, "put the rotating units on the roster for this many weeks from today")
	if err := f.parse(args); err != nil {
		return err
	}
	b, err := os.ReadFile(*from)
	if err != nil {
		return usageError{fmt.Sprintf("centre import: read --from: %v", err)}
	}
	var in registry.CentreSetup
	if err := json.Unmarshal(b, &in); err != nil {
		return usageError{fmt.Sprintf("centre import: %s is not a centre set-up: %v", *from, err)}
	}
	if *weeks < 0 || *weeks > 104 {
		return usageError{"centre import: --weeks must be between 0 and 104"}
	}
	return e.withService(*db, func(svc *service.Service, ctx ctxT) error {
		summary, err := svc.ImportCentre(ctx, in, *weeks)
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, "recorded", summary)
		return nil
	})
}

// centrePost fills (or vacates) a leader's post.
func (e *env) centrePost(f *flags, db *string, args []string) error {
	post := f.String("post", "", "plc_secretary, centre_director or township_secretary")
	org := f.String("org", "", "division code: the county for the county posts, a township for its secretary")
	username := f.String("username", "", "the leader's account (empty: vacant)")
	if err := f.parse(args); err != nil {
		return err
	}
	return e.withService(*db, func(svc *service.Service, ctx ctxT) error {
		if err := svc.SetPost(ctx, *post, *org, *username); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "post %s at %s: %s\n", *post, *org, map[bool]string{true: "vacant", false: *username}[*username == ""])
		return nil
	})
}

// centreAssign makes an account one of a unit's handlers (or none's).
func (e *env) centreAssign(f *flags, db *string, args []string) error {
	username := f.String("username", "", "the account (a handler of the unit)")
	unit := f.String("unit", "", "unit code (empty: no unit)")
	if err := f.parse(args); err != nil {
		return err
	}
	return e.withService(*db, func(svc *service.Service, ctx ctxT) error {
		if err := svc.AssignToUnit(ctx, *username, *unit); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s now belongs to unit %q\n", *username, *unit)
		return nil
	})
}

// centreShow prints the units (and whether each is at the centre today)
// and counts the other registries.
func (e *env) centreShow(f *flags, db *string, args []string) error {
	if err := f.parse(args); err != nil {
		return err
	}
	return e.withService(*db, func(svc *service.Service, ctx ctxT) error {
		reg, err := svc.Centre(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "UNIT\tNAME\tKIND\tDUTIES\tTODAY")
		today := map[string]bool{}
		for _, u := range reg.Today {
			today[u.Code] = true
		}
		for _, u := range reg.Units {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%v\n", u.Code, u.Name, u.Kind, len(u.Duties), today[u.Code])
		}
		tw.Flush()
		fmt.Fprintf(e.stdout, "%d zones, %d mediation organisations, %d mediators\n", len(reg.Zones), len(reg.Orgs), len(reg.Mediators))
		return nil
	})
}

// centre import | show: the centre's registries (units and their two lists,
// roster, zones and windows, mediation organisations, mediators).
func (e *env) centre(args []string) error {
	return e.runSub("centre", "import, post, assign or show", args, map[string]subFunc{
		"import": e.centreImport,
		"post":   e.centrePost,
		"assign": e.centreAssign,
		"show":   e.centreShow,
	})
}
