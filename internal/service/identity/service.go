// Package identity holds the use-cases of accounts and who they are: sign-in
// and sessions, passwords and their policy, API tokens, users, the
// administrative tree (orgs and divisions) and the audit log's search.
package identity

import (
	"context"
	"time"

	"jiefen/internal/app"
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
		LockoutDuration:  30 * time.Minute, // SECURITY.md IA-4
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

// Service holds the identity use-cases.
type Service struct {
	*app.Kernel
	policy Policy
	sleep  func(context.Context, time.Duration)
}

// New builds the identity use-cases on the kernel with the policy p.
func New(k *app.Kernel, p Policy) *Service { return &Service{Kernel: k, policy: p, sleep: sleepCtx} }

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
