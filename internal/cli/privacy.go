package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"jiefen/internal/domain"
	"jiefen/internal/i18n"
	"jiefen/internal/service"
)

// privacy: the people's rights over their data at the console (PIPL
// 44–47): find what is held about a person, write an approved request's
// copy, correct a party, the retention rules, the processing record, and
// whose records an account viewed. The operator asks for no copy itself:
// a security administrator asks on the web or the API, another person
// approves, and the copy is written here or downloaded there, once.
func (e *env) privacy(args []string) error {
	if len(args) > 0 && args[0] == "retention" {
		return e.runSub("privacy retention", "run, rules or set", args[1:], map[string]subFunc{
			"run": e.retentionRun, "rules": e.retentionRules, "set": e.retentionSet,
		})
	}
	return e.runSub("privacy", "find, export, correct, retention, record or access", args, map[string]subFunc{
		"find": e.privacyFind, "export": e.privacyExport, "correct": e.privacyCorrect, "record": e.privacyRecord, "access": e.privacyAccess,
	})
}

// personFlags are the flags naming a lawful request's person.
func personFlags(f *flags) (*domain.PersonQuery, *string, *string) {
	q := &domain.PersonQuery{}
	f.StringVar(&q.IDNumber, "id-number", "", "the person's ID number")
	f.StringVar(&q.Phone, "phone", "", "the person's mobile number (parties only)")
	f.StringVar(&q.Name, "name", "", "the person's name (with --org)")
	f.StringVar(&q.OrgCode, "org", "", "the township or village a name is looked for in")
	return q, f.String("ref", "", "the request's reference (登记编号), required"), f.String("reason", "", "why, required")
}

func (e *env) privacyFind(f *flags, db *string, args []string) error {
	q, ref, reason := personFlags(f)
	asJSON := f.Bool("json", false, "print JSON")
	if err := f.parse(args); err != nil {
		return err
	}
	return e.withService(*db, func(svc *service.Service, ctx ctxT) error {
		h, err := svc.FindPerson(ctx, *q, *ref, *reason)
		if err != nil {
			return err
		}
		if *asJSON {
			return json.NewEncoder(e.stdout).Encode(h)
		}
		w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		for _, p := range h.Parties {
			fmt.Fprintf(w, "party\t%s\t%s\t%s\t%s\t%s (party %d)\tholds %s\tmatched by %s\n", p.CaseNumber, p.OrgName, p.Status, p.Party.Role,
				p.Party.Name, p.Party.ID, strings.Join(p.Fields, ","), strings.Join(p.MatchedBy, ","))
		}
		for _, m := range h.Members {
			fmt.Fprintf(w, "household\t%s\t%s\t%s\trow %d\t%s\tholds %s\tmatched by %s\n", m.CaseNumber, m.OrgName, m.VillageName, m.RowNo,
				m.Name, strings.Join(m.Fields, ","), strings.Join(m.MatchedBy, ","))
		}
		w.Flush()
		fmt.Fprintf(e.stdout, "%s: %d party records, %d household rows, %d matters\n", h.Query, len(h.Parties), len(h.Members), h.Matters())
		return nil
	})
}

func (e *env) privacyExport(f *flags, db *string, args []string) error {
	id := f.Int64("request", 0, "the approved request's number")
	out := f.String("out", "", "the .xlsx file to write")
	if err := f.parse(args); err != nil {
		return err
	}
	if *id <= 0 || *out == "" {
		return usageError{"privacy export: give --request N and --out FILE.xlsx (a security administrator asks for the copy on the web or the API, another person approves it)"}
	}
	return e.withService(*db, func(svc *service.Service, ctx ctxT) error {
		var buf bytes.Buffer
		h, err := svc.PersonCopy(ctx, *id, &buf, func(k string) string { return i18n.T("zh-CN", k) })
		if err != nil {
			return err
		}
		if err := os.WriteFile(*out, buf.Bytes(), 0o600); err != nil {
			return fmt.Errorf("privacy export: %w", err)
		}
		fmt.Fprintf(e.stdout, "wrote %s: %d party records, %d household rows (request %d)\n", *out, len(h.Parties), len(h.Members), *id)
		return nil
	})
}

func (e *env) privacyCorrect(f *flags, db *string, args []string) error {
	number := f.String("case", "", "the matter's number (ZZ…)")
	party := f.Int64("party", 0, "the party's number (as privacy find prints it)")
	var in domain.PartyCorrection
	f.StringVar(&in.Field, "field", "", "name, id_number, phone or address")
	f.StringVar(&in.Value, "value", "", "the correct value")
	f.StringVar(&in.Ref, "ref", "", "the request's reference, required")
	f.StringVar(&in.Reason, "reason", "", "why, required")
	if err := f.parse(args); err != nil {
		return err
	}
	if *number == "" || *party <= 0 {
		return usageError{"privacy correct: give --case NUMBER and --party N"}
	}
	return e.withService(*db, func(svc *service.Service, ctx ctxT) error {
		id, err := svc.CaseIDByNumber(ctx, *number)
		if err != nil {
			return err
		}
		if err := svc.CorrectParty(ctx, id, *party, in); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "corrected the %s of party %d of %s (the old value is kept sealed on its timeline)\n", in.Field, *party, *number)
		return nil
	})
}

func (e *env) retentionRun(f *flags, db *string, args []string) error {
	dry := f.Bool("dry-run", false, "say what a run would do and change nothing")
	if err := f.parse(args); err != nil {
		return err
	}
	return e.withService(*db, func(svc *service.Service, ctx ctxT) error {
		rep, err := svc.RunRetention(ctx, *dry)
		if err != nil {
			return err
		}
		for _, m := range rep.Matters {
			fmt.Fprintf(e.stdout, "%s\tarchived %s\t%d parties\t%d household rows\n", m.Number, m.ArchivedAt.In(domain.CST).Format("2006-01-02"), m.Parties, m.Members)
		}
		verb := "anonymised"
		if rep.DryRun {
			verb = "would anonymise (dry run, nothing changed)"
		}
		fmt.Fprintf(e.stdout, "%s %d matters: %d parties, %d household rows\n", verb, rep.Cases, rep.Parties, rep.Members)
		return nil
	})
}

func (e *env) retentionRules(f *flags, db *string, args []string) error {
	if err := f.parse(args); err != nil {
		return err
	}
	return e.withService(*db, func(svc *service.Service, ctx ctxT) error {
		rules, err := svc.RetentionRules(ctx)
		if err != nil {
			return err
		}
		for _, r := range rules {
			fmt.Fprintf(e.stdout, "%s\t%s\t%d days (at least %d)\t%s\n", r.Kind, r.Action, r.KeepDays, r.MinDays, i18n.T(e.lang, "privacy.kind."+r.Kind))
		}
		return nil
	})
}

func (e *env) retentionSet(f *flags, db *string, args []string) error {
	kind := f.String("kind", "", "case_parties, group_members or audit_log")
	days := f.Int("days", 0, "how many days")
	if err := f.parse(args); err != nil {
		return err
	}
	return e.withService(*db, func(svc *service.Service, ctx ctxT) error {
		if err := svc.SetRetentionRule(ctx, *kind, *days); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s: %d days\n", *kind, *days)
		return nil
	})
}

func (e *env) privacyRecord(f *flags, db *string, args []string) error {
	asJSON := f.Bool("json", false, "print JSON")
	if err := f.parse(args); err != nil {
		return err
	}
	return e.withService(*db, func(svc *service.Service, ctx ctxT) error {
		rec, err := svc.ProcessingRecord(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			return json.NewEncoder(e.stdout).Encode(rec)
		}
		w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		t := func(k string) string { return i18n.T(e.lang, k) }
		for _, it := range rec {
			keep := t("privacy.retention." + it.Retention)
			if it.Rule != nil {
				keep = i18n.T(e.lang, "privacy.rule."+it.Rule.Action, it.Rule.KeepDays)
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\tfull: %s\n", t("privacy.record.of."+it.Record), t("privacy.field."+it.Field), t("privacy.purpose."+it.Purpose),
				t("privacy.basis."+it.Basis)+" ("+t("privacy.basis."+it.Basis+".ref")+")", keep, domain.JoinRoles(it.FullRoles))
		}
		return w.Flush()
	})
}

func (e *env) privacyAccess(f *flags, db *string, args []string) error {
	user := f.String("user", "", "the account's username")
	from := f.String("from", "", "the first day, YYYY-MM-DD")
	to := f.String("to", "", "the last day, YYYY-MM-DD")
	if err := f.parse(args); err != nil {
		return err
	}
	start, end, err := dayRange("privacy access", *from, *to)
	if err != nil {
		return err
	}
	if start.IsZero() || end.IsZero() {
		return usageError{"privacy access: give --user, --from and --to"}
	}
	return e.withService(*db, func(svc *service.Service, ctx ctxT) error {
		rep, err := svc.AccessedPersons(ctx, *user, start, end)
		if err != nil {
			return err
		}
		for _, a := range rep.Accesses {
			fmt.Fprintf(e.stdout, "view\t%d\t%s\t%s\t%s\t%d persons\n", a.Seq, a.At.In(domain.CST).Format(time.DateTime), a.Action, a.ObjectID, a.Persons)
		}
		for _, p := range rep.Persons {
			fmt.Fprintf(e.stdout, "person\t%s\t%s\t%s\t%s\t%d views\n", p.Name, p.IDMasked, p.PhoneMasked, strings.Join(p.Records, ","), len(p.Seqs))
		}
		fmt.Fprintf(e.stdout, "%s: %d views reaching %d persons\n", rep.Username, len(rep.Accesses), len(rep.Persons))
		return nil
	})
}
