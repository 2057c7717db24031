// Package service holds jiefen's use-cases. Each one owns its transaction,
// its authorization check and its audit row; the web pages, the JSON API and
// the CLI all call the same functions.
package service

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"jiefen/internal/authz"
	"jiefen/internal/crypto"
	"jiefen/internal/domain"
	"jiefen/internal/store"
)

// Policy holds the security values that 等保 assessors expect to be
// configurable (SECURITY.md «» values).
type Policy struct {
	LockoutFailures  int           // failures that lock an account
	LockoutWindow    time.Duration // window in which they count
	LockoutDuration  time.Duration // how long the lock lasts
	IPSlowAfter      int           // failures from one address before answers slow down
	IPBlockAfter     int           // failures from one address before it is refused for the window
	IdleTimeout      time.Duration
	AbsoluteTimeout  time.Duration
	PasswordMaxAge   time.Duration // forced change after this
	InitialPwdMaxAge time.Duration // an initial or reset password expires unused after this
	PasswordHistory  int           // last N passwords may not be reused
	Argon            ArgonParams
}

// DefaultPolicy returns the values documented in the README.
func DefaultPolicy() Policy {
	return Policy{
		LockoutFailures:  5,
		LockoutWindow:    15 * time.Minute,
		LockoutDuration:  15 * time.Minute,
		IPSlowAfter:      10,
		IPBlockAfter:     50,
		IdleTimeout:      30 * time.Minute,
		AbsoluteTimeout:  12 * time.Hour,
		PasswordMaxAge:   90 * 24 * time.Hour,
		InitialPwdMaxAge: 24 * time.Hour,
		PasswordHistory:  5,
		Argon:            DefaultArgon,
	}
}

// Service is built once and shared by every surface.
type Service struct {
	filesDir string
	notifier Notifier
	keys     *crypto.Keyring
	calMu    sync.Mutex
	cal      *domain.Calendar
	st       *store.Store
	log      *slog.Logger
	policy   Policy
	sleep    func(context.Context, time.Duration)
	hub      *hub
	assess   assessState
	board    boardCache
}

// New builds a Service.
func New(st *store.Store, log *slog.Logger, p Policy) *Service {
	return &Service{st: st, log: log, policy: p, sleep: sleepCtx, notifier: LogNotifier{log}, hub: newHub(st.Engine() == "postgres")}
}

// Store exposes the store for read-only helpers (health checks).
func (s *Service) Store() *store.Store { return s.st }

// Policy returns the security policy in force.
func (s *Service) Policy() Policy { return s.policy }

func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// audit writes one audit row for the context's actor inside tx.
func (s *Service) audit(ctx context.Context, tx *store.Tx, action, objType, objID, orgPath, result, detail string) error {
	a := domain.ActorFrom(ctx)
	e := &domain.AuditEntry{
		IP:         domain.CleanLogValue(a.IP),
		RequestID:  a.RequestID,
		Action:     action,
		ObjectType: objType,
		ObjectID:   domain.CleanLogValue(objID),
		OrgPath:    orgPath,
		Result:     result,
		Detail:     domain.CleanLogValue(detail),
	}
	if a.User != nil {
		e.UserID, e.Username, e.Roles = a.User.ID, a.User.Username, domain.JoinRoles(a.User.Roles)
	} else if a.Via == "cli" {
		e.Username = "(cli)"
	}
	return tx.AppendAudit(ctx, e)
}

// auditAlone writes an audit row in its own transaction (for refusals and
// failures, where the main transaction does not commit).
func (s *Service) auditAlone(ctx context.Context, action, objType, objID, orgPath, detail string) {
	err := s.st.Update(context.WithoutCancel(ctx), func(tx *store.Tx) error {
		return s.audit(ctx, tx, action, objType, objID, orgPath, domain.ResultFail, detail)
	})
	if err != nil {
		s.log.Error("audit write failed", "action", action, "err", err)
	}
}

// denial is carried inside a refusal so the audit row can be written once
// the transaction that discovered it has ended.
type denial struct{ action, objType, objID, path string }

func (d *denial) Error() string { return "denied " + d.action + " on " + d.objType + " " + d.objID }

// check runs the central authorization. A refusal carries a denial that
// update, view or denied writes to the audit log.
func (s *Service) check(ctx context.Context, a authz.Action, objType, objID, objPath string) error {
	u := domain.ActorFrom(ctx).User
	if err := authz.Check(u, a, objPath); err != nil {
		return &domain.Error{Code: domain.Forbidden, Key: "error.forbidden", Err: &denial{"denied." + string(a), objType, objID, objPath}}
	}
	return nil
}

// denied audits a refusal carried by err (if any) and returns err.
func (s *Service) denied(ctx context.Context, err error) error {
	if d, ok := errors.AsType[*denial](err); ok {
		s.auditAlone(ctx, d.action, d.objType, d.objID, d.path, "")
	}
	return err
}

// update runs fn in a read-write transaction and audits a refusal after it.
func (s *Service) update(ctx context.Context, fn func(tx *store.Tx) error) error {
	return s.denied(ctx, s.st.Update(ctx, fn))
}

// view runs fn in a read-only transaction and audits a refusal after it.
func (s *Service) view(ctx context.Context, fn func(tx *store.Tx) error) error {
	return s.denied(ctx, s.st.View(ctx, fn))
}

// isCLI reports whether the actor is the operator's CLI, which acts with the
// machine's authority (whoever runs it can read the database file anyway).
func isCLI(ctx context.Context) bool {
	a := domain.ActorFrom(ctx)
	return a.User == nil && a.Via == "cli"
}

// Logger returns the service's logger.
func (s *Service) Logger() *slog.Logger { return s.log }
