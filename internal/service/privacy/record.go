package privacy

import (
	"context"
	"slices"

	"jiefen/internal/authz"
	"jiefen/internal/domain"
	"jiefen/internal/store"
)

// ProcessingRecord is the processing record (个人信息处理活动记录: the
// record of processing a controller keeps, GB/T 35273-2020 11.3;
// SECURITY.md PI-1), generated
// from the field inventory (domain.PersonalInventory): what is held,
// why, on what legal basis, how long (the retention rules as they stand),
// how it is protected and which roles see it — read from the
// authorization policy itself, so the record cannot drift from it.
func (s *Service) ProcessingRecord(ctx context.Context) ([]domain.ProcessingItem, error) {
	if err := s.Denied(ctx, s.Check(ctx, authz.PrivacyRecord, "processing_record", "", "")); err != nil {
		return nil, err
	}
	var rules []domain.RetentionRule
	if err := s.View(ctx, func(tx *store.Tx) error {
		var err error
		rules, err = tx.RetentionRules(ctx)
		return err
	}); err != nil {
		return nil, err
	}
	out := make([]domain.ProcessingItem, 0, len(domain.PersonalInventory))
	for _, f := range domain.PersonalInventory {
		it := domain.ProcessingItem{PersonalField: f, SeeRoles: rolesOf(f.See), FullRoles: rolesOf(f.Full)}
		for i := range rules {
			if rules[i].Kind == f.Retention {
				it.Rule = &rules[i]
			}
		}
		out = append(out, it)
	}
	return out, nil
}

// rolesOf lists the accounts' roles allowed any of the actions, in the
// roles' display order (the operator of the command line is no account).
func rolesOf(actions []string) []domain.Role {
	var out []domain.Role
	for _, r := range domain.AllRoles {
		for _, a := range actions {
			if slices.Contains(authz.Roles(authz.Action(a)), r) && !slices.Contains(out, r) {
				out = append(out, r)
			}
		}
	}
	return out
}
