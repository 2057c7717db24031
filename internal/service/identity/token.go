package identity

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"jiefen/internal/authz"
	"jiefen/internal/domain"
	"jiefen/internal/store"
)

// tokenPrefix marks jiefen API tokens so secret scanners can find leaked ones.
const tokenPrefix = "jf_"

// tokenTouchEvery is how often a token's last use is written: a busy client
// writes once a minute, not on every request.
const tokenTouchEvery = time.Minute

// tokenRefusalEvery is how often a refused use of one token is audited:
// a script retrying an expired token leaves one row an hour, not one per try.
const tokenRefusalEvery = time.Hour

// TokenRequest is what a token is made of: whose it is, a label, what it
// may be used for (none: read only) and for how many days (0: the policy's
// default).
type TokenRequest struct {
	Username string
	Name     string
	Scopes   []domain.Scope
	Days     int
}

// CreateToken issues an API token and returns the secret, shown once. A
// user may create tokens for themselves; an administrator (or the CLI) for
// accounts in their jurisdiction. The life may not pass the policy's
// maximum; each scope must be of use to the account; a token used to make
// another bounds it (no scope it lacks, no later expiry).
func (s *Service) CreateToken(ctx context.Context, in TokenRequest) (string, *domain.Token, error) {
	t, err := s.checkTokenRequest(ctx, &in)
	if err != nil {
		return "", nil, err
	}
	secret := tokenPrefix + RandomToken(32)
	t.Hash, t.Prefix = hashToken(secret), secret[:9]
	err = s.Update(ctx, func(tx *store.Tx) error {
		u, err := tx.UserByUsername(ctx, in.Username)
		if err != nil {
			return err
		}
		if err := s.mayActOnAccount(ctx, u); err != nil {
			return err
		}
		t.UserID, t.ExpiresAt = u.ID, tx.Now.Add(time.Duration(in.Days)*24*time.Hour)
		if err := s.checkTokenHolder(ctx, u, t); err != nil {
			return err
		}
		if err := tx.CreateToken(ctx, t); err != nil {
			return err
		}
		return s.Kernel.Audit(ctx, tx, "token.create", "user", u.Username, u.OrgPath, domain.ResultOK,
			fmt.Sprintf("token %d %q scopes=%s expires=%s", t.ID, t.Name, domain.JoinScopes(t.Scopes), t.ExpiresAt.Format(time.DateOnly)))
	})
	if err != nil {
		return "", nil, err
	}
	return secret, t, nil
}

// checkTokenRequest checks the request's own fields (name, days, scopes)
// and returns the token they describe.
func (s *Service) checkTokenRequest(ctx context.Context, in *TokenRequest) (*domain.Token, error) {
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" {
		in.Name = "api"
	}
	f := domain.FieldErrors{}
	if utf8.RuneCountInString(in.Name) > 64 || !utf8.ValidString(in.Name) {
		f.Add("name", "field.too_long")
	}
	maxDays := s.TokenMaxDays()
	if in.Days == 0 {
		in.Days = min(int(s.policy.TokenDefaultAge/(24*time.Hour)), maxDays)
	}
	if in.Days < 1 || in.Days > maxDays {
		f.Add("days", "token.days.range_field")
	}
	if len(in.Scopes) == 0 {
		in.Scopes = domain.DefaultScopes
	}
	for _, sc := range in.Scopes {
		if !sc.Valid() {
			f.Add("scopes", "token.scope.unknown_field")
		}
	}
	if f["days"] != "" {
		return nil, &domain.Error{Code: domain.Invalid, Key: "token.days.range", Args: []any{maxDays}, Fields: f}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	return &domain.Token{Name: in.Name, Scopes: domain.SortScopes(in.Scopes)}, nil
}

// checkTokenHolder checks that the account may hold t: an active account
// not waiting for a password change, each scope of use to it, and within
// the bounds of the token the request came with, if any.
func (s *Service) checkTokenHolder(ctx context.Context, u *domain.User, t *domain.Token) error {
	switch {
	case u.Disabled:
		return domain.Errorf(domain.Invalid, "user.disabled")
	case s.MustChangePassword(u):
		return domain.Errorf(domain.Invalid, "token.create.password_change")
	}
	for _, sc := range t.Scopes {
		if !authz.ScopeUsable(u, sc) {
			return &domain.Error{Code: domain.Invalid, Key: "token.scope.unusable", Args: []any{string(sc)},
				Fields: map[string]string{"scopes": "token.scope.unusable_field"}}
		}
	}
	if via := domain.ActorFrom(ctx).Token; via != nil {
		for _, sc := range t.Scopes {
			if !domain.Covers(via.Scopes, sc) {
				return &domain.Error{Code: domain.Forbidden, Key: "token.scope", Args: []any{string(sc)}}
			}
		}
		if t.ExpiresAt.After(via.ExpiresAt) {
			return &domain.Error{Code: domain.Invalid, Key: "token.days.past_own", Fields: map[string]string{"days": "token.days.past_own"}}
		}
	}
	return nil
}

// TokenMaxDays is the longest life, in days, a token may be given.
func (s *Service) TokenMaxDays() int { return max(1, int(s.policy.TokenMaxAge/(24*time.Hour))) }

// TokenDefaultDays is the life, in days, of a token when none is asked for.
func (s *Service) TokenDefaultDays() int {
	return min(max(1, int(s.policy.TokenDefaultAge/(24*time.Hour))), s.TokenMaxDays())
}

// RevokeToken revokes a token. With reason domain.TokenRevokedSelf the
// token must be the actor's own (another's is not found); with
// domain.TokenRevokedAdmin the actor manages the owner's account (an
// administrator in whose jurisdiction it lies, or the CLI). Revoking a
// revoked token changes nothing.
func (s *Service) RevokeToken(ctx context.Context, id int64, reason string) error {
	return s.Update(ctx, func(tx *store.Tx) error {
		t, err := tx.Token(ctx, id)
		if err != nil {
			return err
		}
		u, err := tx.User(ctx, t.UserID)
		if err != nil {
			return err
		}
		switch a := domain.ActorFrom(ctx); reason {
		case domain.TokenRevokedSelf:
			if a.User == nil || a.User.ID != u.ID {
				return domain.ErrNotFound
			}
		case domain.TokenRevokedAdmin:
			if err := s.checkManage(ctx, u); err != nil {
				return err
			}
		default:
			return fmt.Errorf("identity: revoke token: reason %q is not the actor's to give", reason)
		}
		done, err := tx.RevokeToken(ctx, id, actorName(ctx), reason)
		if err != nil || !done {
			return err
		}
		return s.Kernel.Audit(ctx, tx, "token.revoke", "user", u.Username, u.OrgPath, domain.ResultOK, fmt.Sprintf("token %d; reason %s", id, reason))
	})
}

// revokeAccountTokens revokes every token of u in tx for reason (a password
// change or reset, a disabled account), one audit row each, and says how
// many it revoked.
func (s *Service) revokeAccountTokens(ctx context.Context, tx *store.Tx, u *domain.User, reason string) (int, error) {
	ids, err := tx.RevokeUserTokens(ctx, u.ID, actorName(ctx), reason)
	if err != nil {
		return 0, err
	}
	for _, id := range ids {
		if err := s.Kernel.Audit(ctx, tx, "token.revoke", "user", u.Username, u.OrgPath, domain.ResultOK, fmt.Sprintf("token %d; reason %s", id, reason)); err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}

// actorName is who acts, as a revoked token records it: the account's
// username, or the operator's "(cli)".
func actorName(ctx context.Context) string {
	if p := domain.ActorFrom(ctx).Principal(); p != nil {
		return p.Username
	}
	return ""
}

// Tokens lists an account's tokens (own, or administrator in jurisdiction).
func (s *Service) Tokens(ctx context.Context, userID int64) ([]*domain.Token, error) {
	var out []*domain.Token
	err := s.View(ctx, func(tx *store.Tx) error {
		u, err := tx.User(ctx, userID)
		if err != nil {
			return err
		}
		if err := s.mayActOnAccount(ctx, u); err != nil {
			return err
		}
		out, err = tx.Tokens(ctx, userID)
		return err
	})
	return out, err
}

// AllTokens lists the tokens of every account in the actor's jurisdiction
// (administrators and the CLI), newest first.
func (s *Service) AllTokens(ctx context.Context, f domain.TokenFilter) ([]*domain.Token, error) {
	p := domain.ActorFrom(ctx).Principal()
	if err := s.Check(ctx, authz.UserView, "token", "", p.OrgPathOrEmpty()); err != nil {
		return nil, s.Denied(ctx, err)
	}
	if f.Path == "" || !strings.HasPrefix(f.Path, p.OrgPath) {
		f.Path = p.OrgPath
	}
	var out []*domain.Token
	err := s.View(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.TokensIn(ctx, f)
		return err
	})
	return out, err
}

// mayActOnAccount allows the account's owner, the CLI, and administrators
// whose jurisdiction holds the account.
func (s *Service) mayActOnAccount(ctx context.Context, u *domain.User) error {
	a := domain.ActorFrom(ctx)
	if a.User != nil && a.User.ID == u.ID {
		return nil
	}
	return s.Check(ctx, authz.UserManage, "user", u.Username, u.OrgPath)
}
