package service

import (
	"context"

	"jiefen/internal/crypto"
	"jiefen/internal/domain"
)

// Keys returns the keyring that seals personal data, for a bulk load that
// writes parties without going through RegisterCase.
func (s *Service) Keys() *crypto.Keyring { return s.keys }

// Calendar returns the working-day calendar the deadlines are reckoned on.
func (s *Service) Calendar(ctx context.Context) (*domain.Calendar, error) { return s.calendar(ctx) }

// NewQueryCode makes a citizen's random query code (XXXXX-XXXXX).
func NewQueryCode() string { return queryCode() }
