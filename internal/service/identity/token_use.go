package identity

import (
	"context"
	"fmt"
	"strings"
	"time"

	"jiefen/internal/domain"
	"jiefen/internal/store"
)

var errTokenInvalid = &domain.Error{Code: domain.Unauthorized, Key: "token.invalid"}

// AuthenticateToken resolves an API bearer token to its user. An unknown
// token is invalid; an expired or revoked one, or one of a disabled account,
// is refused with its reason, and so is a token of an account that must
// change its password (the forced change holds for tokens as for
// sessions). Refusals of a known token are audited at most once an hour per
// token. The last use (time and address) is written at most once a minute.
func (s *Service) AuthenticateToken(ctx context.Context, bearer string) (*domain.User, *domain.Token, error) {
	if !strings.HasPrefix(bearer, tokenPrefix) || len(bearer) > 100 {
		return nil, nil, errTokenInvalid
	}
	var u *domain.User
	var t *domain.Token
	err := s.View(ctx, func(tx *store.Tx) error {
		var err error
		if t, err = tx.TokenByHash(ctx, hashToken(bearer)); err != nil {
			return err
		}
		u, err = tx.User(ctx, t.UserID)
		return err
	})
	if domain.ErrorCode(err) == domain.NotFound {
		return nil, nil, errTokenInvalid
	}
	if err != nil {
		return nil, nil, err
	}
	now := s.Now()
	if refusal, why := s.tokenRefusal(now, t, u); refusal != nil {
		s.refuseToken(ctx, t, u, why)
		return nil, nil, refusal
	}
	if now.Sub(t.LastUsedAt) > tokenTouchEvery {
		ip := domain.ActorFrom(ctx).IP
		if err := s.Update(ctx, func(tx *store.Tx) error { return tx.TouchToken(ctx, t.ID, ip, tx.Now.Add(-tokenTouchEvery)) }); err != nil {
			return nil, nil, err
		}
	}
	return u, t, nil
}

// tokenRefusal says why t of u may not be used at now (nil when it may),
// with the reason for the audit.
func (s *Service) tokenRefusal(now time.Time, t *domain.Token, u *domain.User) (error, string) {
	switch {
	case !t.RevokedAt.IsZero():
		return &domain.Error{Code: domain.Unauthorized, Key: "token.revoked"}, "revoked (" + t.RevokeReason + ")"
	case !now.Before(t.ExpiresAt):
		return &domain.Error{Code: domain.Unauthorized, Key: "token.expired"}, "expired"
	case u.Disabled:
		return errTokenInvalid, "account disabled"
	case s.MustChangePassword(u):
		return &domain.Error{Code: domain.Forbidden, Key: "token.password_change"}, "the account must change its password"
	}
	return nil, ""
}

// RefuseTokenScope records that the actor's token was refused a route
// needing scope need (audited at most once an hour per token).
func (s *Service) RefuseTokenScope(ctx context.Context, need domain.Scope) {
	a := domain.ActorFrom(ctx)
	if a.Token == nil || a.User == nil {
		return
	}
	s.refuseToken(ctx, a.Token, a.User, fmt.Sprintf("out of scope: needs %s, has %s", need, domain.JoinScopes(a.Token.Scopes)))
}

// refuseToken audits a refused use of t (owned by u) unless one was audited
// within the hour; the claim on the token's row makes it one row however
// many requests race.
func (s *Service) refuseToken(ctx context.Context, t *domain.Token, u *domain.User, why string) {
	if s.Now().Sub(t.RefusalAuditedAt) < tokenRefusalEvery {
		return
	}
	err := s.Store().Update(context.WithoutCancel(ctx), func(tx *store.Tx) error {
		claimed, err := tx.ClaimTokenRefusal(ctx, t.ID, tx.Now.Add(-tokenRefusalEvery))
		if err != nil || !claimed {
			return err
		}
		return s.Kernel.Audit(ctx, tx, "token.refused", "user", u.Username, u.OrgPath, domain.ResultFail,
			fmt.Sprintf("token %d: %s (refusals of this token are audited once an hour)", t.ID, why))
	})
	if err != nil {
		s.Logger().Error("audit write failed", "action", "token.refused", "err", err)
	}
}
