// Package service joins jiefen's use-case packages — identity, registry,
// casework, report, privacy — into the one value every surface (web pages, JSON API,
// CLI) is given. Each use-case owns its transaction, its authorization
// check and its audit row; the surfaces call the same functions.
package service

import (
	"context"
	"log/slog"
	"time"

	"jiefen/internal/app"
	"jiefen/internal/crypto"
	"jiefen/internal/domain"
	"jiefen/internal/service/casework"
	"jiefen/internal/service/identity"
	"jiefen/internal/service/privacy"
	"jiefen/internal/service/registry"
	"jiefen/internal/service/report"
	"jiefen/internal/store"
)

// The context packages' services under the names the surfaces use.
type (
	Identity = identity.Service
	Registry = registry.Service
	Casework = casework.Service
	Reports  = report.Service
	Privacy  = privacy.Service
)

// Service is built once and shared by every surface. Its use-cases live in
// the context packages; their methods are promoted here.
type Service struct {
	*Identity
	*Registry
	*Casework
	*Reports
	*Privacy
	kernel *app.Kernel
}

// New builds every context on one kernel over st.
func New(st *store.Store, log *slog.Logger, p identity.Policy) *Service {
	k := app.New(st, log)
	id := identity.New(k, p)
	reg := registry.New(k)
	cases := casework.New(k, id, reg, st.Shared())
	return &Service{Identity: id, Registry: reg, Casework: cases, Reports: report.New(k, cases), Privacy: privacy.New(k), kernel: k}
}

// Kernel is the shared kernel (store, clock, keys, calendar).
func (s *Service) Kernel() *app.Kernel { return s.kernel }

// Store is the store, for the operator's bulk tools (seed, demo); the
// surfaces use Now, Ping and Engine.
func (s *Service) Store() *store.Store { return s.kernel.Store() }

// Now is the clock the use-cases run on.
func (s *Service) Now() time.Time { return s.kernel.Now() }

// Ping checks that the database answers (readiness).
func (s *Service) Ping(ctx context.Context) error { return s.kernel.Store().Ping(ctx) }

// Engine names the database engine ("sqlite" or "postgres").
func (s *Service) Engine() string { return s.kernel.Store().Engine() }

// Logger returns the logger.
func (s *Service) Logger() *slog.Logger { return s.kernel.Logger() }

// SetKeys gives the service the keyring that seals personal data.
func (s *Service) SetKeys(k *crypto.Keyring) { s.kernel.SetKeys(k) }

// Keys returns the keyring that seals personal data, for a bulk load that
// writes parties without going through RegisterCase.
func (s *Service) Keys() *crypto.Keyring { return s.kernel.Keys() }

// Calendar returns the working-day calendar the deadlines are reckoned on.
func (s *Service) Calendar(ctx context.Context) (*domain.Calendar, error) {
	return s.kernel.Calendar(ctx)
}

// CalendarGaps lists the years a deadline set now can reach that the
// holiday calendar lacks (counted as plain weeks until imported).
func (s *Service) CalendarGaps(ctx context.Context) ([]int, error) {
	return s.kernel.CalendarGaps(ctx)
}
