// Package identity holds the use-cases of accounts and who they are: sign-in
// and sessions, passwords and their policy, API tokens, users, the
// administrative tree (orgs and divisions) and the audit log's search.
package identity

import (
	"context"
	"sync/atomic"
	"time"

	"jiefen/internal/app"
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
	// The reveal budget: full views of personal data per account per day
	// (beyond it a second person grants more) and per minute.
	RevealDailyCap  int
	RevealPerMinute int
	// An account unused for this long is disabled (AC-6; 0: never).
	AccountIdle     time.Duration
	SecondFactor    string        // who must use a second factor: SecondFactorRoles, SecondFactorAll or SecondFactorOff
	DeviceTrust     time.Duration // a browser that passed the second step skips it for this long (0: asked every time)
	TokenDefaultAge time.Duration // an API token's life when none is asked for
	TokenMaxAge     time.Duration // the longest life a token may be given
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
		RevealDailyCap:   60,
		AccountIdle:      90 * 24 * time.Hour,
		RevealPerMinute:  12,
		SecondFactor:     SecondFactorRoles,
		TokenDefaultAge:  90 * 24 * time.Hour,
		TokenMaxAge:      365 * 24 * time.Hour,
	}
}

// Service holds the identity use-cases.
type Service struct {
	*app.Kernel
	policy Policy
	sleep  func(context.Context, time.Duration)
	onMove MoveHook
	// The audit anchor's last success (Unix seconds) and failures, for /metrics.
	anchorAt, anchorFailures atomic.Int64
}

// MoveHook is told, in the transaction that moves an account to another
// place, of the account as it now is; it answers how many of the
// account's open links (matters in its hands, shared, led or watched) no
// longer hold where it is now. Casework registers it (identity knows
// nothing of matters).
type MoveHook func(ctx context.Context, tx *store.Tx, u *domain.User) (int, error)

// OnMove registers the hook run when an account moves.
func (s *Service) OnMove(h MoveHook) { s.onMove = h }

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
