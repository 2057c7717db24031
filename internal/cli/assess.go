package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"jiefen/internal/assess"
	"jiefen/internal/domain"
	"jiefen/internal/service"
)

// assessSuggest prints the suggestions for a description (as text, or as
// the API's JSON).
func (e *env) assessSuggest(f *flags, db *string, args []string) error {
	desc := f.String("description", "", "the matter's description (事由)")
	org := f.String("org", "", "division code of the place (optional: recent red matters there count)")
	people := f.Int("people", 0, "people involved, as registered")
	amount := f.Float64("amount", 0, "sum involved in yuan, as registered")
	asJSON := f.Bool("json", false, "print JSON (as the API answers)")
	if err := f.parse(args); err != nil {
		return err
	}
	if strings.TrimSpace(*desc) == "" {
		return usageError{"assess suggest: --description is required"}
	}
	return e.withService(*db, func(svc *service.Service, ctx ctxT) error {
		sug, err := svc.Suggest(ctx, domain.CaseInput{Description: *desc, OrgCode: *org, PeopleCount: *people, AmountYuan: *amount})
		if err != nil {
			return err
		}
		if *asJSON {
			enc := json.NewEncoder(e.stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(sug)
		}
		fmt.Fprintf(e.stdout, "category: %s %s (%.0f%%)\n", sug.Category.Code, sug.Category.Name, 100*sug.Category.Confidence)
		for _, r := range sug.Category.Reasons {
			fmt.Fprintf(e.stdout, "  - %s\n", r.Text)
		}
		for _, a := range sug.Alternatives {
			fmt.Fprintf(e.stdout, "  or %s %s (%.0f%%)\n", a.Code, a.Name, 100*a.Confidence)
		}
		fmt.Fprintf(e.stdout, "risk: %s\n", sug.Risk.Color)
		for _, r := range sug.Risk.Reasons {
			fmt.Fprintf(e.stdout, "  - %s\n", r.Text)
		}
		fmt.Fprintf(e.stdout, "(rules version %d; model learned from %d matters)\n", sug.ConfigVersion, sug.Learned)
		return nil
	})
}

// assessRules prints the rules in force with their version, as JSON.
func (e *env) assessRules(f *flags, db *string, args []string) error {
	if err := f.parse(args); err != nil {
		return err
	}
	return e.withService(*db, func(svc *service.Service, ctx ctxT) error {
		cfg, v, err := svc.AssessRules(ctx)
		if err != nil {
			return err
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"version": v, "rules": cfg})
	})
}

// assessSetRules saves a rules file (as assess rules prints it) as a new
// version.
func (e *env) assessSetRules(f *flags, db *string, args []string) error {
	from := f.String("from", "", "JSON file as printed by 'jiefen assess rules'")
	note := f.String("note", "", "what changed and why (kept with the version)")
	if err := f.parse(args); err != nil {
		return err
	}
	b, err := os.ReadFile(*from)
	if err != nil {
		return usageError{fmt.Sprintf("assess set-rules: read --from: %v", err)}
	}
	var in struct {
		Version int64         `json:"version"`
		Rules   assess.Config `json:"rules"`
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return usageError{fmt.Sprintf("assess set-rules: %s is not a rules file: %v", *from, err)}
	}
	return e.withService(*db, func(svc *service.Service, ctx ctxT) error {
		v, err := svc.SaveAssessRules(ctx, in.Version, in.Rules, *note)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "saved assessment rules version %d\n", v)
		return nil
	})
}

// assess suggest | rules | set-rules: the assessment suggestions and the
// rules behind them (the same use-cases as the assessment page and
// /api/v1/cases/suggest, /api/v1/assess/rules).
func (e *env) assess(args []string) error {
	return e.runSub("assess", "suggest, rules or set-rules", args, map[string]subFunc{
		"suggest":   e.assessSuggest,
		"rules":     e.assessRules,
		"set-rules": e.assessSetRules,
	})
}
