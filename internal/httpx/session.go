package httpx

import (
	"context"
	"net/http"

	"jiefen/internal/domain"
)

// The session cookie's names: the __Host- one is used when cookies are
// Secure (SS-2).
const (
	CookieSession = "jiefen_session"
	CookieHost    = "__Host-jiefen_session"
)

type sessKey struct{}

type expiredKey struct{}

type deadKey struct{}

type replacedKey struct{}

// SessionFrom returns the request's cookie session, nil without one.
func SessionFrom(ctx context.Context) *domain.Session {
	sess, _ := ctx.Value(sessKey{}).(*domain.Session)
	return sess
}

// SessionExpired tells whether the request carried a session that has just
// expired (the sign-in page then says so).
func SessionExpired(ctx context.Context) bool { return ctx.Value(expiredKey{}) != nil }

// DeadCookie returns the session cookie's value when it no longer works
// ("" otherwise): the sign-in page asks whether its session ended and why.
func DeadCookie(ctx context.Context) string { v, _ := ctx.Value(deadKey{}).(string); return v }

// SessionReplaced tells whether the request carried the cookie of a session
// that a sign-in elsewhere ended.
func SessionReplaced(ctx context.Context) bool { return ctx.Value(replacedKey{}) != nil }

// SessionCookie returns the session cookie's value, "" without one.
func SessionCookie(r *http.Request) string {
	for _, name := range []string{CookieHost, CookieSession} {
		if c, err := r.Cookie(name); err == nil && c.Value != "" {
			return c.Value
		}
	}
	return ""
}

// ClearSessionCookie makes the browser forget both session cookies.
func ClearSessionCookie(w http.ResponseWriter, secure bool) {
	for _, name := range []string{CookieSession, CookieHost} {
		http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", HttpOnly: true, Secure: name == CookieHost || secure,
			SameSite: http.SameSiteLaxMode, MaxAge: -1})
	}
}

// Sessions resolves the session cookie into the actor's user.
type Sessions struct {
	// Authenticate checks a session token.
	Authenticate func(ctx context.Context, token string) (*domain.User, *domain.Session, error)
	// Secure tells whether the request's cookies are Secure.
	Secure func(r *http.Request) bool
}

// Resolve returns the request's context with the cookie's session and its
// user in the actor. A bad or expired cookie is cleared and leaves the actor
// anonymous (the route's permission then decides); any other failure is
// returned for the surface to answer.
func (s Sessions) Resolve(w http.ResponseWriter, r *http.Request) (context.Context, error) {
	ctx := r.Context()
	c := SessionCookie(r)
	if c == "" {
		return ctx, nil
	}
	u, sess, err := s.Authenticate(ctx, c)
	switch {
	case err == nil:
		a := domain.ActorFrom(ctx)
		a.User, a.SessionID = u, sess.ID
		ctx = context.WithValue(ctx, sessKey{}, sess)
	case domain.ErrorCode(err) == domain.Unauthorized:
		ClearSessionCookie(w, s.Secure(r))
		ctx = context.WithValue(ctx, deadKey{}, c)
		switch err.(*domain.Error).Key {
		case "session.expired":
			ctx = context.WithValue(ctx, expiredKey{}, true)
		case "session.replaced":
			ctx = context.WithValue(ctx, replacedKey{}, true)
		}
	default:
		return nil, err
	}
	return ctx, nil
}
