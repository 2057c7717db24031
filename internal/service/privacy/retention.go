package privacy

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
	"unicode"
	"unicode/utf8"

	"jiefen/internal/app"
	"jiefen/internal/authz"
	"jiefen/internal/domain"
	"jiefen/internal/store"
)

// RetentionRules lists the retention rules (kept as data; the processing
// record shows them too).
func (s *Service) RetentionRules(ctx context.Context) ([]domain.RetentionRule, error) {
	if err := s.Denied(ctx, s.Check(ctx, authz.PrivacyRecord, "retention_rule", "", "")); err != nil {
		return nil, err
	}
	var out []domain.RetentionRule
	err := s.View(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.RetentionRules(ctx)
		return err
	})
	return out, err
}

// MaxRetentionDays bounds a retention period (a hundred years).
const MaxRetentionDays = 36500

// SetRetentionRule changes how many days a kind of record is kept, never
// under the kind's floor (three years after archiving for matters; 180
// days for the audit log, AU-5). Audited.
func (s *Service) SetRetentionRule(ctx context.Context, kind string, days int) error {
	if err := s.Denied(ctx, s.Check(ctx, authz.PrivacyHandle, "retention_rule", kind, "")); err != nil {
		return err
	}
	return s.Update(ctx, func(tx *store.Tx) error {
		rules, err := tx.RetentionRules(ctx)
		if err != nil {
			return err
		}
		for _, r := range rules {
			if r.Kind != kind {
				continue
			}
			if days < r.MinDays || days > MaxRetentionDays {
				return &domain.Error{Code: domain.Invalid, Key: "privacy.retention.range", Args: []any{r.MinDays, MaxRetentionDays},
					Fields: map[string]string{"keep_days": "privacy.retention.range_short"}}
			}
			id, _ := actorName(ctx)
			if err := tx.SetRetentionRule(ctx, kind, days, id); err != nil {
				return err
			}
			return s.Kernel.Audit(ctx, tx, "privacy.retention.set", "retention_rule", kind, "", domain.ResultOK,
				fmt.Sprintf("%d → %d days", r.KeepDays, days))
		}
		return app.Required("kind", "privacy.retention.kind")
	})
}

// RunRetention applies the retention rules now (the job does so daily): the
// parties of matters archived longer ago than their rule, and the
// households of group matters' lists, are anonymised — names become the
// anonymised marker, sealed values, blind indexes and masked forms are
// removed, the names are scrubbed from the matter's free text and its
// search index, the sealed old values of corrections dropped — and each
// matter's timeline records it. A dry run changes nothing and says what a
// run would do. Only an administrator of the whole tree runs it. The
// statistics do not change: they count matters, not people. Every run is
// audited with its counts.
func (s *Service) RunRetention(ctx context.Context, dryRun bool) (*domain.RetentionReport, error) {
	err := s.View(ctx, func(tx *store.Tx) error {
		roots, err := tx.OrgRoots(ctx)
		for _, r := range roots {
			if err == nil {
				err = s.Check(ctx, authz.PrivacyHandle, "retention", "", r.Path)
			}
		}
		if err == nil && len(roots) == 0 {
			err = s.Check(ctx, authz.PrivacyHandle, "retention", "", "")
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.runRetention(ctx, dryRun)
}

// retentionBatch is how many matters one pass of a run reads.
const retentionBatch = 50

// runRetention is RunRetention below the authorization check (the job's).
func (s *Service) runRetention(ctx context.Context, dryRun bool) (*domain.RetentionReport, error) {
	rep := &domain.RetentionReport{DryRun: dryRun, At: s.Now(), Cutoff: map[string]time.Time{}}
	err := s.View(ctx, func(tx *store.Tx) error {
		rules, err := tx.RetentionRules(ctx)
		for _, r := range rules {
			if r.Action == domain.RetentionAnonymise {
				rep.Cutoff[r.Kind] = tx.Now.AddDate(0, 0, -r.KeepDays)
			}
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(rep.Cutoff) != 2 {
		return nil, fmt.Errorf("privacy: the retention rules of %s and %s are missing", domain.RetainParties, domain.RetainMembers)
	}
	if dryRun {
		err = s.View(ctx, func(tx *store.Tx) error {
			all, err := tx.PastRetention(ctx, rep.Cutoff[domain.RetainParties], rep.Cutoff[domain.RetainMembers], 0)
			for _, m := range all {
				count(rep, m)
			}
			return err
		})
	} else {
		err = s.anonymiseAll(ctx, rep)
	}
	s.auditRun(ctx, rep, err)
	return rep, err
}

// count adds one matter to the report (listing the first ones).
func count(rep *domain.RetentionReport, m domain.RetentionMatter) {
	rep.Cases++
	rep.Parties += m.Parties
	rep.Members += m.Members
	if len(rep.Matters) < domain.RetentionListLimit {
		rep.Matters = append(rep.Matters, m)
	}
}

// anonymiseAll anonymises the matters past retention, one transaction per
// matter, a batch at a time, until none is left.
func (s *Service) anonymiseAll(ctx context.Context, rep *domain.RetentionReport) error {
	for pass := 0; ; pass++ {
		var batch []domain.RetentionMatter
		err := s.View(ctx, func(tx *store.Tx) error {
			var err error
			batch, err = tx.PastRetention(ctx, rep.Cutoff[domain.RetainParties], rep.Cutoff[domain.RetainMembers], retentionBatch)
			return err
		})
		if err != nil || len(batch) == 0 {
			return err
		}
		if pass > 1_000_000/retentionBatch {
			return fmt.Errorf("privacy: retention keeps finding matters (%d passes)", pass)
		}
		for _, m := range batch {
			err := s.Update(ctx, func(tx *store.Tx) error { return s.anonymiseMatter(ctx, tx, &m) })
			if err != nil {
				return fmt.Errorf("privacy: anonymise matter %s: %w", m.Number, err)
			}
			count(rep, m)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// anonymiseMatter anonymises what of one matter is past retention and
// records it on the matter's timeline; m's counts become what was done.
func (s *Service) anonymiseMatter(ctx context.Context, tx *store.Tx, m *domain.RetentionMatter) error {
	var parties, members int64
	var kinds []string
	if m.Parties > 0 {
		names, err := tx.PersonNames(ctx, m.CaseID)
		if err != nil {
			return err
		}
		for _, n := range names {
			if scrubbable(n) {
				if err := tx.ScrubName(ctx, m.CaseID, n); err != nil {
					return err
				}
			}
		}
		if err := dropOldValues(ctx, tx, m.CaseID); err != nil {
			return err
		}
		if parties, err = tx.AnonymiseParties(ctx, m.CaseID); err != nil {
			return err
		}
		if err := reindex(ctx, tx, m.CaseID); err != nil {
			return err
		}
		kinds = append(kinds, domain.RetainParties)
	}
	if m.Members > 0 {
		var err error
		if members, err = tx.AnonymiseMembers(ctx, m.CaseID); err != nil {
			return err
		}
		kinds = append(kinds, domain.RetainMembers)
	}
	m.Parties, m.Members = int(parties), int(members)
	id, name := actorName(ctx)
	return tx.AddEvent(ctx, m.CaseID, &domain.TimelineEntry{ActorID: id, ActorName: name, Action: AnonymiseAction,
		FromStatus: domain.StatusArchived, ToStatus: domain.StatusArchived, Data: map[string]string{
			"parties": strconv.FormatInt(parties, 10), "members": strconv.FormatInt(members, 10), "rules": joinKinds(kinds)}})
}

// AnonymiseAction is the timeline action of an anonymisation.
const AnonymiseAction = "anonymise"

func joinKinds(k []string) string {
	b, _ := json.Marshal(k)
	return string(b)
}

// scrubbable reports whether a name can be replaced in free text safely:
// two characters or more, letters, marks and the middle dot only (so no
// JSON or SQL structure can be matched).
func scrubbable(n string) bool {
	if utf8.RuneCountInString(n) < 2 {
		return false
	}
	for _, r := range n {
		if !unicode.IsLetter(r) && !unicode.IsMark(r) && r != '·' && r != '•' {
			return false
		}
	}
	return true
}

// dropOldValues removes the sealed old values from a matter's
// corrections: past retention nothing of the person is kept.
func dropOldValues(ctx context.Context, tx *store.Tx, caseID int64) error {
	evs, err := tx.CorrectionEvents(ctx, caseID)
	if err != nil {
		return err
	}
	for id, raw := range evs {
		var d map[string]string
		if err := json.Unmarshal([]byte(raw), &d); err != nil {
			return fmt.Errorf("privacy: correction %d: %w", id, err)
		}
		delete(d, DataOldKid)
		delete(d, DataOldSealed)
		b, _ := json.Marshal(d)
		if err := tx.SetEventData(ctx, caseID, id, string(b)); err != nil {
			return err
		}
	}
	return nil
}

// auditRun writes a run's audit row with its counts (a failed run's too).
func (s *Service) auditRun(ctx context.Context, rep *domain.RetentionReport, runErr error) {
	action, result := "privacy.retention.run", domain.ResultOK
	if rep.DryRun {
		action = "privacy.retention.preview"
	}
	detail := fmt.Sprintf("%d matters, %d parties, %d household rows; archived before %s (parties), %s (household lists)",
		rep.Cases, rep.Parties, rep.Members, day(rep.Cutoff[domain.RetainParties]), day(rep.Cutoff[domain.RetainMembers]))
	if runErr != nil {
		result, detail = domain.ResultFail, detail+"; stopped: "+runErr.Error()
	}
	err := s.Store().Update(context.WithoutCancel(ctx), func(tx *store.Tx) error {
		return s.Kernel.Audit(ctx, tx, action, "retention", "", "", result, detail)
	})
	if err != nil {
		s.Logger().Error("audit write failed", "action", action, "err", err)
	}
}

func day(t time.Time) string { return t.In(domain.CST).Format("2006-01-02") }
