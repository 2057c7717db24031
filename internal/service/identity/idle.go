package identity

import (
	"context"
	"fmt"

	"jiefen/internal/domain"
	"jiefen/internal/store"
)

// DisableIdleAccounts disables every account unused (no session seen, no
// API token used) for the policy's AccountIdle, as the operator would: its
// sessions end and its tokens are revoked, and an administrator re-enables
// it on the user page (SECURITY.md AC-6). The background jobs run it; it
// returns how many it disabled.
func (s *Service) DisableIdleAccounts(ctx context.Context) (int, error) {
	if s.policy.AccountIdle <= 0 {
		return 0, nil
	}
	var ids []int64
	err := s.View(ctx, func(tx *store.Tx) error {
		var err error
		ids, err = tx.IdleAccounts(ctx, tx.Now.Add(-s.policy.AccountIdle))
		return err
	})
	if err != nil {
		return 0, err
	}
	op := domain.WithActor(ctx, domain.OperatorActor())
	yes, n := true, 0
	for _, id := range ids {
		u, err := s.UpdateUser(op, id, UserPatch{Disabled: &yes})
		if err != nil {
			return n, err
		}
		n++
		if err := s.Audit(op, "user.disable_idle", "user", u.Username, u.OrgPath,
			fmt.Sprintf("unused for %d days", int(s.policy.AccountIdle.Hours()/24))); err != nil {
			return n, err
		}
	}
	return n, nil
}
