// Package service holds jiefen's use-cases. Each one owns its transaction,
// its authorization check and its audit row; the web pages, the JSON API and
// the CLI all call the same functions.
package service

import (
	"context"
	"log/slog"
	"time"

	"jiefen/internal/app"
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
	*app.Kernel
	filesDir string
	notifier Notifier
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
	return &Service{Kernel: app.New(st, log), st: st, log: log, policy: p, sleep: sleepCtx, notifier: LogNotifier{log}, hub: newHub(st.Engine() == "postgres")}
}

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
