package identity

import (
	"context"
	"fmt"

	"jiefen/internal/domain"
	"jiefen/internal/store"
)

// SessionEndLocked is the end reason of the sessions that a lock by wrong
// current passwords ended.
const SessionEndLocked = "locked: wrong current passwords"

// checkCurrentPassword checks the current password of the change-password
// form like a sign-in (IA-4): a wrong one is a failed sign-in of the
// account, audited, and its answer says how many tries are left; the one
// that reaches the limit, or any try while the account is locked, locks it
// and ends its sessions (a guesser at an unattended browser is signed out).
// A right one counts as a good sign-in, so the count starts again. It
// returns the refusal (nil: the password is right).
func (s *Service) checkCurrentPassword(ctx context.Context, tx *store.Tx, u *domain.User, current, hash string) (failure, err error) {
	p, a := s.policy, domain.ActorFrom(ctx)
	fails, err := tx.FailedLogins(ctx, u.Username, tx.Now.Add(-p.LockoutWindow))
	if err != nil {
		return nil, err
	}
	locked := fails >= p.LockoutFailures || u.LockedUntil.After(tx.Now)
	if !locked && CheckPasswordHash(current, hash) {
		return nil, tx.RecordLogin(ctx, u.Username, a.IP, true)
	}
	detail := "current password wrong"
	if locked {
		detail = "account locked"
	} else if err := tx.RecordLogin(ctx, u.Username, a.IP, false); err != nil {
		return nil, err
	}
	if left := p.LockoutFailures - fails - 1; !locked && left > 0 {
		failure = &domain.Error{Code: domain.Invalid, Key: "password.current_wrong_left", Args: []any{left, int(p.LockoutDuration.Minutes())},
			Fields: map[string]string{"current": "password.current_wrong"}}
		return failure, s.Kernel.Audit(ctx, tx, "password.change", "user", u.Username, u.OrgPath, domain.ResultFail,
			fmt.Sprintf("%s; %d tries left", detail, left))
	}
	if !locked {
		if err := tx.SetLockedUntil(ctx, u.ID, tx.Now.Add(p.LockoutDuration)); err != nil {
			return nil, err
		}
		detail += "; account locked"
	}
	n, err := tx.EndUserSessions(ctx, u.ID, 0, SessionEndLocked)
	if err != nil {
		return nil, err
	}
	failure = &domain.Error{Code: domain.Unauthorized, Key: "password.locked", Args: []any{int(p.LockoutDuration.Minutes())}}
	return failure, s.Kernel.Audit(ctx, tx, "password.change", "user", u.Username, u.OrgPath, domain.ResultFail,
		fmt.Sprintf("%s; %d session(s) ended", detail, n))
}
