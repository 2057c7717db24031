package report

import (
	"context"
	"slices"

	"jiefen/internal/domain"
	"jiefen/internal/store"
)

// PrintForms are the printed documents of a matter.
var PrintForms = []string{"registration", "agreement", "visit", "notice", "supervision"}

// CaseForPrint reads a matter for one of its printed documents; the print
// is audited (a printed form carries the parties' names).
func (s *Service) CaseForPrint(ctx context.Context, id int64, form string) (*domain.Case, []domain.Supervision, error) {
	if !slices.Contains(PrintForms, form) {
		return nil, nil, &domain.Error{Code: domain.NotFound, Key: "print.unknown"}
	}
	c, err := s.cases.Case(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	var sv []domain.Supervision
	err = s.Update(ctx, func(tx *store.Tx) error {
		if sv, err = tx.Supervisions(ctx, id); err != nil {
			return err
		}
		return s.Kernel.Audit(ctx, tx, "case.print", "case", c.Number, c.OrgPath, domain.ResultOK, "form: "+form)
	})
	return c, sv, err
}
