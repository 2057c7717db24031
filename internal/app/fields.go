package app

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"jiefen/internal/domain"
)

// ErrNoSession answers a use-case that needs a signed-in account.
var ErrNoSession = &domain.Error{Code: domain.Unauthorized, Key: "session.none"}

// Required is an invalid-input error naming one field and its message key.
func Required(field, key string) error {
	return &domain.Error{Code: domain.Invalid, Key: "error.invalid", Fields: map[string]string{field: key}}
}

// Text trims v and reports whether it is valid UTF-8 of at most max runes.
func Text(v string, max int) (string, bool) {
	v = strings.TrimSpace(v)
	return v, utf8.ValidString(v) && utf8.RuneCountInString(v) <= max
}

// Choice names how a chosen value relates to the suggested one, for the
// timeline ("accepted" or "overridden").
func Choice(chosen, suggested string) string {
	if chosen == suggested {
		return "accepted"
	}
	return "overridden"
}

// Scope is the subtree the actor may see ("/" for the operator).
func Scope(ctx context.Context) string {
	if u := domain.ActorFrom(ctx).User; u != nil {
		if u.OrgPath == "" {
			return "\x00" // no place: sees nothing (fails closed)
		}
		return u.OrgPath
	}
	return "/"
}

// PlausibleDay reports whether t lies in the years a request may name.
func PlausibleDay(t time.Time) bool { return t.Year() >= 2000 && t.Year() <= 2100 }
