package privacy

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"jiefen/internal/app"
	"jiefen/internal/authz"
	"jiefen/internal/domain"
	"jiefen/internal/store"
)

// AccessedPersons answers, for a breach's notification (PIPL 57,
// SECURITY.md PI-8), which persons' records account username viewed in
// [from, to): from the audit log, its reveals, prints, household lists
// printed or fetched, attachments downloaded, ledgers exported and
// persons' copies made, each read back into the persons it reached (one
// person once, told apart by the ID number's blind index), masked. A
// ledger's export names its filter and count, not its matters: it is
// listed with them. It reads the audit log, so it is the audit
// administrator's (AU-7), within their jurisdiction; it is audited.
func (s *Service) AccessedPersons(ctx context.Context, username string, from, to time.Time) (*domain.AccessReport, error) {
	u := domain.ActorFrom(ctx).Principal()
	if err := s.Denied(ctx, s.Check(ctx, authz.AuditView, "audit", "", u.OrgPathOrEmpty())); err != nil {
		return nil, err
	}
	username = strings.TrimSpace(username)
	f := domain.FieldErrors{}
	if username == "" {
		f.Add("user", "field.required")
	}
	if from.IsZero() || to.IsZero() || !to.After(from) || !app.PlausibleDay(from) || !app.PlausibleDay(to) {
		f.Add("to", "privacy.access.period")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	rep := &domain.AccessReport{Username: domain.NormalizeUsername(username), From: from, To: to}
	err := s.Update(ctx, func(tx *store.Tx) error {
		entries, err := tx.AuditOf(ctx, username, from, to, domain.ViewActions, domain.AccessLimit+1)
		if err != nil {
			return err
		}
		if len(entries) > domain.AccessLimit {
			entries, rep.Truncated = entries[:domain.AccessLimit], true
		}
		if err := s.expand(ctx, tx, rep, entries, u.OrgPath); err != nil {
			return err
		}
		return s.Kernel.Audit(ctx, tx, "privacy.access", "user", rep.Username, "", domain.ResultOK,
			fmt.Sprintf("%s – %s: %d views, %d persons", day(from), day(to.Add(-time.Second)), len(rep.Accesses), len(rep.Persons)))
	})
	return rep, err
}

// expand reads each entry (within scope) into the persons it reached.
func (s *Service) expand(ctx context.Context, tx *store.Tx, rep *domain.AccessReport, entries []*domain.AuditEntry, scope string) error {
	at := map[string]int{}
	for _, e := range entries {
		if e.OrgPath != "" && !strings.HasPrefix(e.OrgPath, scope) {
			continue
		}
		rows, err := s.reached(ctx, tx, e)
		if err != nil {
			return err
		}
		a := domain.Access{Seq: e.Seq, At: e.At, Action: e.Action, ObjectID: e.ObjectID, Detail: e.Detail, Persons: len(rows)}
		if e.Action == "ledger.export" {
			a.Persons = -1
		}
		rep.Accesses = append(rep.Accesses, a)
		for _, r := range rows {
			i, ok := at[r.Key]
			if !ok {
				if len(rep.Persons) >= domain.AccessLimit {
					rep.Truncated = true
					continue
				}
				i, at[r.Key] = len(rep.Persons), len(rep.Persons)
				rep.Persons = append(rep.Persons, domain.AccessedPerson{Name: domain.MaskName(r.Name), IDMasked: r.IDMasked, PhoneMasked: r.PhoneMasked})
			}
			p := &rep.Persons[i]
			where := r.CaseNumber
			if r.RowNo > 0 {
				where += "#" + strconv.Itoa(r.RowNo)
			}
			if !slices.Contains(p.Records, where) {
				p.Records = append(p.Records, where)
			}
			if len(p.Seqs) == 0 || p.Seqs[len(p.Seqs)-1] != e.Seq {
				p.Seqs = append(p.Seqs, e.Seq)
			}
		}
	}
	return nil
}

// reached is the persons one audited view reached.
func (s *Service) reached(ctx context.Context, tx *store.Tx, e *domain.AuditEntry) ([]store.PersonRow, error) {
	number, rest, _ := strings.Cut(e.ObjectID, "/")
	switch e.Action {
	case "personal.reveal":
		id, err := strconv.ParseInt(rest, 10, 64)
		if err != nil || id <= 0 {
			return nil, nil // an entry of another shape: listed, reaching no one known
		}
		return tx.MatterParties(ctx, number, id)
	case "case.print", "case.attachment.download":
		return tx.MatterParties(ctx, number, 0)
	case "case.members_print", "case.members_view":
		// "rows 1–50 (50 households) of 1642 (village 610831101200, …)":
		// the village's rows, or the whole list's (the safe side for a
		// notification: everyone the read could have shown).
		village := ""
		if _, v, ok := strings.Cut(e.Detail, "village "); ok {
			village = strings.TrimSpace(strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ')' })[0])
		}
		return tx.MatterMembers(ctx, number, village, domain.AccessLimit)
	case "privacy.export":
		id, err := strconv.ParseInt(e.ObjectID, 10, 64)
		if err != nil {
			return nil, nil
		}
		r, err := tx.PrivacyRequest(ctx, id)
		if domain.ErrorCode(err) == domain.NotFound {
			return nil, nil
		} else if err != nil {
			return nil, err
		}
		return []store.PersonRow{{Key: "request:" + e.ObjectID, CaseNumber: r.Ref, Name: "", IDMasked: r.Subject}}, nil
	}
	return nil, nil
}
