package identity

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"jiefen/internal/app"
	"jiefen/internal/authz"
	"jiefen/internal/domain"
	"jiefen/internal/store"
)

// NewUser is what an administrator (or the CLI) enters to create an account.
type NewUser struct {
	Username string
	Name     string
	Phone    string
	Roles    []domain.Role
	OrgCode  string
	Lang     string
	Password string // initial password: must be changed at first login
	// NoForcedChange skips the first-login change (demo accounts only).
	NoForcedChange bool
}

// CreateUser validates and stores an account. The account must lie in the
// actor's jurisdiction; the password must meet the policy.
func (s *Service) CreateUser(ctx context.Context, in NewUser) (*domain.User, error) {
	u := &domain.User{Username: in.Username, Name: in.Name, Phone: in.Phone, Roles: in.Roles, OrgCode: strings.TrimSpace(in.OrgCode),
		Lang: in.Lang, MustChangePwd: !in.NoForcedChange}
	f := domain.FieldErrors{}
	if err := domain.ValidateUser(u); err != nil {
		f = err.(*domain.Error).Fields
	}
	if err := domain.CheckPassword(in.Password, u); err != nil {
		f.Add("password", err.(*domain.Error).Key)
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	if err := s.checkRoleGrant(ctx, nil, u.Roles); err != nil {
		return nil, err
	}
	if a := domain.ActorFrom(ctx).User; a != nil {
		u.CreatedBy = a.ID
	}
	hash, err := HashPassword(in.Password, s.policy.Argon)
	if err != nil {
		return nil, err
	}
	err = s.Update(ctx, func(tx *store.Tx) error {
		if err := s.checkPlacement(ctx, tx, u); err != nil {
			return err
		}
		if _, err := tx.UserByUsername(ctx, u.Username); err == nil {
			return &domain.Error{Code: domain.Conflict, Key: "user.username.taken", Fields: map[string]string{"username": "user.username.taken"}}
		}
		id, err := tx.CreateUser(ctx, u, hash)
		if domain.ErrorCode(err) == domain.Conflict {
			return &domain.Error{Code: domain.Conflict, Key: "user.username.taken", Fields: map[string]string{"username": "user.username.taken"}}
		}
		if err != nil {
			return err
		}
		if u, err = tx.User(ctx, id); err != nil {
			return err
		}
		return s.Kernel.Audit(ctx, tx, "user.create", "user", u.Username, u.OrgPath, domain.ResultOK,
			fmt.Sprintf("roles=%s org=%s", domain.JoinRoles(u.Roles), u.OrgCode))
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// UserPatch changes an account; nil fields are left alone. Version must be
// the one the editor read (optimistic locking).
type UserPatch struct {
	Name     *string
	Phone    *string
	Roles    []domain.Role
	OrgCode  *string
	Lang     *string
	Disabled *bool
	Version  int64
}

// UpdateUser applies a patch. Disabling an account ends its sessions at once
// (SS-4); role and jurisdiction changes end them too (privilege change).
func (s *Service) UpdateUser(ctx context.Context, id int64, p UserPatch) (*domain.User, error) {
	var out *domain.User
	err := s.Update(ctx, func(tx *store.Tx) error {
		u, err := tx.User(ctx, id)
		if err != nil {
			return err
		}
		if err := s.checkManage(ctx, u); err != nil {
			return err
		}
		before := *u
		p.apply(u)
		if err := domain.ValidateUser(u); err != nil {
			return err
		}
		if err := s.checkRoleGrant(ctx, &before, u.Roles); err != nil {
			return err
		}
		a := domain.ActorFrom(ctx)
		if a.User != nil && a.User.ID == u.ID && u.Disabled {
			return &domain.Error{Code: domain.Invalid, Key: "user.self_lockout", Fields: map[string]string{"disabled": "user.self_lockout"}}
		}
		privilege := domain.JoinRoles(before.Roles) != domain.JoinRoles(u.Roles) || before.OrgCode != u.OrgCode
		if privilege || before.Disabled != u.Disabled {
			u.ChangedBy = 0 // the operator
			if a.User != nil {
				u.ChangedBy = a.User.ID
			}
		}
		if u.OrgCode != before.OrgCode {
			if err := s.checkPlacement(ctx, tx, u); err != nil {
				return err
			}
		}
		if p.Version != 0 {
			u.Version = p.Version
		}
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		changes := userChanges(&before, u)
		if before.OrgCode != u.OrgCode && s.onMove != nil {
			moved, err := tx.User(ctx, u.ID)
			if err != nil {
				return err
			}
			n, err := s.onMove(ctx, tx, moved)
			if err != nil {
				return err
			}
			if n > 0 {
				changes = append(changes, fmt.Sprintf("%d open matter(s) left outside the new place, their dispatchers told", n))
			}
		}
		if u.Disabled || privilege {
			n, err := tx.EndUserSessions(ctx, u.ID, 0, "account changed")
			if err != nil {
				return err
			}
			if n > 0 {
				changes = append(changes, fmt.Sprintf("ended %d session(s)", n))
			}
		}
		if u.Disabled {
			// Re-enabling the account later does not revive them.
			n, err := s.revokeAccountTokens(ctx, tx, u, domain.TokenRevokedDisabled)
			if err != nil {
				return err
			}
			if n > 0 {
				changes = append(changes, fmt.Sprintf("revoked %d API token(s)", n))
			}
		}
		if out, err = tx.User(ctx, id); err != nil {
			return err
		}
		return s.Kernel.Audit(ctx, tx, "user.update", "user", u.Username, out.OrgPath, domain.ResultOK, strings.Join(changes, "; "))
	})
	return out, err
}

// apply writes the patch's set fields onto u.
func (p UserPatch) apply(u *domain.User) {
	if p.Name != nil {
		u.Name = *p.Name
	}
	if p.Phone != nil {
		u.Phone = *p.Phone
	}
	if p.Roles != nil {
		u.Roles = p.Roles
	}
	if p.OrgCode != nil {
		u.OrgCode = strings.TrimSpace(*p.OrgCode)
	}
	if p.Lang != nil {
		u.Lang = *p.Lang
	}
	if p.Disabled != nil {
		u.Disabled = *p.Disabled
	}
}

// userChanges names what changed from before to u, for the audit.
func userChanges(before, u *domain.User) []string {
	var changes []string
	if before.Name != u.Name {
		changes = append(changes, "name")
	}
	if before.Phone != u.Phone {
		changes = append(changes, "phone")
	}
	if domain.JoinRoles(before.Roles) != domain.JoinRoles(u.Roles) {
		changes = append(changes, "roles "+domain.JoinRoles(before.Roles)+" → "+domain.JoinRoles(u.Roles))
	}
	if before.OrgCode != u.OrgCode {
		changes = append(changes, "org "+before.OrgCode+" → "+u.OrgCode)
	}
	if before.Lang != u.Lang {
		changes = append(changes, "lang")
	}
	if before.Disabled != u.Disabled {
		changes = append(changes, fmt.Sprintf("disabled=%v", u.Disabled))
	}
	return changes
}

// checkPlacement checks that u's node exists and lies in the actor's
// jurisdiction (an account may only be placed where its manager may manage).
func (s *Service) checkPlacement(ctx context.Context, tx *store.Tx, u *domain.User) error {
	org, err := tx.Org(ctx, u.OrgCode)
	if domain.ErrorCode(err) == domain.NotFound {
		return &domain.Error{Code: domain.Invalid, Key: "error.invalid", Fields: map[string]string{"org": "org.not_found"}}
	} else if err != nil {
		return err
	}
	return s.Check(ctx, authz.UserManage, "user", u.Username, org.Path)
}

// ResetPassword sets a new initial password (generated when pw is empty) that
// the user must change at next login and that expires unused after the
// policy's initial-password age. It unlocks the account and ends its
// sessions. It returns the password to hand over.
func (s *Service) ResetPassword(ctx context.Context, id int64, pw string) (string, error) {
	if pw == "" {
		pw = GeneratePassword()
	}
	err := s.Update(ctx, func(tx *store.Tx) error {
		u, err := tx.User(ctx, id)
		if err != nil {
			return err
		}
		if err := s.checkManage(ctx, u); err != nil {
			return err
		}
		if err := domain.CheckPassword(pw, u); err != nil {
			return err
		}
		hash, err := HashPassword(pw, s.policy.Argon)
		if err != nil {
			return err
		}
		if err := tx.SetPassword(ctx, u.ID, hash, true); err != nil {
			return err
		}
		// A success marker restarts the failure count (see FailedLogins).
		if err := tx.RecordLogin(ctx, u.Username, "reset", true); err != nil {
			return err
		}
		if _, err := tx.EndUserSessions(ctx, u.ID, 0, "password reset"); err != nil {
			return err
		}
		tokens, err := s.revokeAccountTokens(ctx, tx, u, domain.TokenRevokedPasswordReset)
		if err != nil {
			return err
		}
		return s.Kernel.Audit(ctx, tx, "user.reset_password", "user", u.Username, u.OrgPath, domain.ResultOK,
			fmt.Sprintf("sessions ended, account unlocked; %d API token(s) revoked", tokens))
	})
	if err != nil {
		return "", err
	}
	return pw, nil
}

// Unlock lifts a lockout early.
func (s *Service) Unlock(ctx context.Context, id int64) error {
	return s.Update(ctx, func(tx *store.Tx) error {
		u, err := tx.User(ctx, id)
		if err != nil {
			return err
		}
		if err := s.checkManage(ctx, u); err != nil {
			return err
		}
		if err := tx.SetLockedUntil(ctx, u.ID, time.Time{}); err != nil {
			return err
		}
		if err := tx.RecordLogin(ctx, u.Username, "unlock", true); err != nil {
			return err
		}
		return s.Kernel.Audit(ctx, tx, "user.unlock", "user", u.Username, u.OrgPath, domain.ResultOK, "")
	})
}

// EndSessions ends every session of one account (SS-4).
func (s *Service) EndSessions(ctx context.Context, id int64) (int64, error) {
	var n int64
	err := s.Update(ctx, func(tx *store.Tx) error {
		u, err := tx.User(ctx, id)
		if err != nil {
			return err
		}
		if err := s.checkManage(ctx, u); err != nil {
			return err
		}
		keep := int64(0)
		if a := domain.ActorFrom(ctx); a.User != nil && a.User.ID == u.ID {
			keep = a.SessionID
		}
		if n, err = tx.EndUserSessions(ctx, u.ID, keep, "ended by administrator"); err != nil {
			return err
		}
		return s.Kernel.Audit(ctx, tx, "user.end_sessions", "user", u.Username, u.OrgPath, domain.ResultOK, fmt.Sprintf("%d session(s)", n))
	})
	return n, err
}

// EndAllSessions ends everyone's sessions but the actor's own (county
// administrators and the CLI only).
func (s *Service) EndAllSessions(ctx context.Context) (int64, error) {
	a := domain.ActorFrom(ctx)
	if err := s.Check(ctx, authz.UserManage, "session", "all", "/"); err != nil {
		return 0, s.Denied(ctx, err)
	}
	var n int64
	err := s.Update(ctx, func(tx *store.Tx) error {
		var err error
		if n, err = tx.EndAllSessions(ctx, a.SessionID, "ended all by administrator"); err != nil {
			return err
		}
		return s.Kernel.Audit(ctx, tx, "session.end_all", "session", "all", "", domain.ResultOK, fmt.Sprintf("%d session(s)", n))
	})
	return n, err
}

// User reads one account the actor may see (own, or user.view in jurisdiction).
func (s *Service) User(ctx context.Context, id int64) (*domain.User, error) {
	var u *domain.User
	err := s.View(ctx, func(tx *store.Tx) error {
		var err error
		u, err = tx.User(ctx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	a := domain.ActorFrom(ctx)
	if a.User != nil && a.User.ID == u.ID {
		return u, nil
	}
	if err := authz.Check(a.Principal(), authz.UserView, u.OrgPath); err != nil {
		// Outside the jurisdiction the account does not exist for this user (AC-3).
		s.AuditAlone(ctx, "denied.user.view", "user", u.Username, u.OrgPath, "")
		return nil, domain.ErrNotFound
	}
	return u, nil
}

// Users lists accounts in the actor's jurisdiction.
func (s *Service) Users(ctx context.Context, f domain.UserFilter) ([]*domain.User, error) {
	u := domain.ActorFrom(ctx).Principal()
	if err := s.Check(ctx, authz.UserView, "user", "", u.OrgPathOrEmpty()); err != nil {
		return nil, s.Denied(ctx, err)
	}
	if f.Path == "" || !strings.HasPrefix(f.Path, u.OrgPath) {
		f.Path = u.OrgPath
	}
	var out []*domain.User
	err := s.View(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.Users(ctx, f)
		return err
	})
	return out, err
}

// UserByUsername reads an account by login ID (CLI and admin pages).
func (s *Service) UserByUsername(ctx context.Context, username string) (*domain.User, error) {
	var id int64
	err := s.View(ctx, func(tx *store.Tx) error {
		u, err := tx.UserByUsername(ctx, username)
		if err == nil {
			id = u.ID
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.User(ctx, id)
}

// MustChangePassword reports whether u must change the password before
// doing anything else (initial, reset or expired password).
func (s *Service) MustChangePassword(u *domain.User) bool {
	return u.MustChangePwd || (s.policy.PasswordMaxAge > 0 && s.Store().Now().Sub(u.PasswordChangedAt) > s.policy.PasswordMaxAge)
}

// LiveSessions lists the actor's own live sessions.
func (s *Service) LiveSessions(ctx context.Context) ([]*domain.Session, error) {
	a := domain.ActorFrom(ctx)
	if a.User == nil {
		return nil, app.ErrNoSession
	}
	var out []*domain.Session
	err := s.View(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.LiveSessions(ctx, a.User.ID)
		return err
	})
	return out, err
}

// UpdateOwnLang saves the actor's language preference.
func (s *Service) UpdateOwnLang(ctx context.Context, lang string) (*domain.User, error) {
	a := domain.ActorFrom(ctx)
	if a.User == nil {
		return nil, app.ErrNoSession
	}
	var out *domain.User
	err := s.Update(ctx, func(tx *store.Tx) error {
		u, err := tx.User(ctx, a.User.ID)
		if err != nil {
			return err
		}
		u.Lang = lang
		if err := domain.ValidateUser(u); err != nil {
			return err
		}
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		out = u
		return s.Kernel.Audit(ctx, tx, "user.update", "user", u.Username, u.OrgPath, domain.ResultOK, "lang")
	})
	return out, err
}

// SetOwnOverdueNotices chooses how the actor is told of overdue matters:
// domain.NoticeDigest (one digest a day) or domain.NoticeEach (one notice
// per matter). Audited.
func (s *Service) SetOwnOverdueNotices(ctx context.Context, mode string) (*domain.User, error) {
	a := domain.ActorFrom(ctx)
	if a.User == nil {
		return nil, app.ErrNoSession
	}
	if !slices.Contains(domain.NoticeModes, mode) {
		return nil, app.Required("overdue_notices", "account.notices.invalid")
	}
	var out *domain.User
	err := s.Update(ctx, func(tx *store.Tx) error {
		if err := tx.SetOverdueNotices(ctx, a.User.ID, mode); err != nil {
			return err
		}
		u, err := tx.User(ctx, a.User.ID)
		if err != nil {
			return err
		}
		out = u
		return s.Kernel.Audit(ctx, tx, "user.update", "user", u.Username, u.OrgPath, domain.ResultOK, "overdue notices: "+mode)
	})
	return out, err
}

// SetDemoPassword sets a password without the forced change (demo accounts;
// CLI only).
func (s *Service) SetDemoPassword(ctx context.Context, id int64, pw string) error {
	if authz.Check(domain.ActorFrom(ctx).Principal(), authz.Operate, "") != nil {
		return domain.ErrForbidden
	}
	hash, err := HashPassword(pw, s.policy.Argon)
	if err != nil {
		return err
	}
	return s.Update(ctx, func(tx *store.Tx) error {
		u, err := tx.User(ctx, id)
		if err != nil {
			return err
		}
		if err := tx.SetPassword(ctx, id, hash, false); err != nil {
			return err
		}
		if err := tx.RecordLogin(ctx, u.Username, "demo", true); err != nil {
			return err
		}
		return s.Kernel.Audit(ctx, tx, "user.reset_password", "user", u.Username, u.OrgPath, domain.ResultOK, "demo start")
	})
}
