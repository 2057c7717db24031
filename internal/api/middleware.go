package api

import (
	"log/slog"
	"net/http"
	"strings"

	"jiefen/internal/domain"
	"jiefen/internal/httpx"
	"jiefen/internal/i18n"
)

// Handler returns the surface's handler with its middleware in the order it
// runs.
func (a *API) Handler() http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(a.crossOriginDenied))
	var h http.Handler = a.mux
	h = a.authenticate(h)
	h = cop.Handler(h)
	return h
}

// Fail answers err as a JSON error.
func (a *API) Fail(w http.ResponseWriter, r *http.Request, err error) {
	httpx.WriteError(w, r, a.log, err)
}

// RefuseBody answers a request body over the limit.
func (a *API) RefuseBody(w http.ResponseWriter, r *http.Request) {
	_, d := httpx.Describe(r, a.log, i18n.Pick(r, ""), &domain.Error{Code: domain.Invalid, Key: "error.body_too_large"})
	httpx.WriteJSON(w, http.StatusRequestEntityTooLarge, httpx.ErrorBody{Error: d})
}

func (a *API) crossOriginDenied(w http.ResponseWriter, r *http.Request) {
	a.Fail(w, r, &domain.Error{Code: domain.Forbidden, Key: "error.cross_origin"})
}

// authenticate resolves a bearer token or else the session cookie into the
// actor's user. A bad token is refused; a bad or expired cookie leaves the
// actor anonymous and the route's permission then decides.
func (a *API) authenticate(next http.Handler) http.Handler {
	sessions := httpx.Sessions{Authenticate: a.svc.Authenticate, Secure: func(r *http.Request) bool { return r.TLS != nil || a.secure }}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if auth := r.Header.Get("Authorization"); auth != "" {
			bearer, ok := strings.CutPrefix(auth, "Bearer ")
			if !ok {
				a.Fail(w, r, &domain.Error{Code: domain.Unauthorized, Key: "token.invalid"})
				return
			}
			u, t, err := a.svc.AuthenticateToken(ctx, strings.TrimSpace(bearer))
			if err != nil {
				a.Fail(w, r, err)
				return
			}
			actor := domain.ActorFrom(ctx)
			actor.User, actor.TokenID, actor.Token = u, t.ID, t
		} else {
			var err error
			if ctx, err = sessions.Resolve(w, r); err != nil {
				a.Fail(w, r, err)
				return
			}
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// mustChangeAllowed are the routes open to a user who must change the
// password (with a cookie session).
var mustChangeAllowed = []string{"GET /api/v1/me"}

func noSession(log *slog.Logger) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if httpx.SessionReplaced(r.Context()) {
			httpx.WriteError(w, r, log, &domain.Error{Code: domain.Unauthorized, Key: "session.replaced"})
			return
		}
		httpx.WriteError(w, r, log, &domain.Error{Code: domain.Unauthorized, Key: "session.none"})
	}
}

func changeDue(log *slog.Logger) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		httpx.WriteError(w, r, log, &domain.Error{Code: domain.Forbidden, Key: "password.change_required"})
	}
}

// enrolDue answers a cookie session that must enrol a second factor (on the
// web account page) first.
func enrolDue(log *slog.Logger) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		httpx.WriteError(w, r, log, &domain.Error{Code: domain.Forbidden, Key: "2fa.enrol_required"})
	}
}
