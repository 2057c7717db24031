package identity

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"jiefen/internal/authz"
	"jiefen/internal/domain"
	"jiefen/internal/store"
)

// tokenPrefix marks jiefen API tokens so secret scanners can find leaked ones.
const tokenPrefix = "jf_"

// CreateToken issues an API token for a user and returns the secret, shown
// once. A user may create tokens for themselves; an administrator (or the
// CLI) for accounts in their jurisdiction.
func (s *Service) CreateToken(ctx context.Context, username, label string) (string, *domain.Token, error) {
	label = strings.TrimSpace(label)
	if label == "" {
		label = "api"
	}
	if utf8.RuneCountInString(label) > 64 || !utf8.ValidString(label) {
		return "", nil, &domain.Error{Code: domain.Invalid, Key: "error.invalid", Fields: map[string]string{"name": "field.too_long"}}
	}
	secret := tokenPrefix + RandomToken(32)
	t := &domain.Token{Name: label, Hash: hashToken(secret), Prefix: secret[:9]}
	err := s.Update(ctx, func(tx *store.Tx) error {
		u, err := tx.UserByUsername(ctx, username)
		if err != nil {
			return err
		}
		if err := s.mayActOnAccount(ctx, u); err != nil {
			return err
		}
		if u.Disabled {
			return domain.Errorf(domain.Invalid, "user.disabled")
		}
		t.UserID = u.ID
		if err := tx.CreateToken(ctx, t); err != nil {
			return err
		}
		return s.Kernel.Audit(ctx, tx, "token.create", "user", u.Username, u.OrgPath, domain.ResultOK, fmt.Sprintf("token %d %q", t.ID, label))
	})
	if err != nil {
		return "", nil, err
	}
	return secret, t, nil
}

// RevokeToken revokes a token of the actor's own, or (administrator, CLI) of
// an account in the jurisdiction.
func (s *Service) RevokeToken(ctx context.Context, id int64) error {
	return s.Update(ctx, func(tx *store.Tx) error {
		t, err := tx.Token(ctx, id)
		if err != nil {
			return err
		}
		u, err := tx.User(ctx, t.UserID)
		if err != nil {
			return err
		}
		if err := s.mayActOnAccount(ctx, u); err != nil {
			return err
		}
		if err := tx.RevokeToken(ctx, id); err != nil {
			return err
		}
		return s.Kernel.Audit(ctx, tx, "token.revoke", "user", u.Username, u.OrgPath, domain.ResultOK, fmt.Sprintf("token %d", id))
	})
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

// mayActOnAccount allows the account's owner, the CLI, and administrators
// whose jurisdiction holds the account.
func (s *Service) mayActOnAccount(ctx context.Context, u *domain.User) error {
	a := domain.ActorFrom(ctx)
	if a.User != nil && a.User.ID == u.ID {
		return nil
	}
	return s.Check(ctx, authz.UserManage, "user", u.Username, u.OrgPath)
}
