package httpx

import (
	"crypto/subtle"
	"net/http"
	"slices"

	"jiefen/internal/authz"
	"jiefen/internal/domain"
)

// Gate is what every route of a surface passes before its handler: the
// permission the route declares, the forced password change, the forced
// enrolment of a second factor and, for a cookie session, the per-session
// CSRF token (SS-6). The surface says how each refusal is answered.
type Gate struct {
	// MustChange tells whether u must change the password first.
	MustChange func(u *domain.User) bool
	// ChangeAllowed are the surface's routes open while a change is due.
	ChangeAllowed []string
	// Anonymous answers a route that needs a user when there is none.
	Anonymous http.HandlerFunc
	// ChangeDue answers a route closed until the password is changed.
	ChangeDue http.HandlerFunc
	// MustEnrol tells whether u must enrol a second factor first (after any
	// password change that is due); nil: never.
	MustEnrol func(u *domain.User) bool
	// EnrolAllowed are the surface's routes open while an enrolment is due.
	EnrolAllowed []string
	// EnrolDue answers a route closed until a second factor is enrolled.
	EnrolDue http.HandlerFunc
	// Fail answers an error.
	Fail func(w http.ResponseWriter, r *http.Request, err error)
	// FormCSRF also takes the CSRF token from the form field csrf.
	FormCSRF bool
}

// Require wraps the route pattern's handler next behind permission perm.
func (g *Gate) Require(pattern string, perm authz.Action, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if perm == authz.Public {
			next.ServeHTTP(w, r)
			return
		}
		a := domain.ActorFrom(r.Context())
		if a.User == nil {
			g.Anonymous(w, r)
			return
		}
		// The forced change holds for a token as for a session (the
		// identity service refuses such a token already; this is the
		// gate's own check).
		if (a.SessionID != 0 || a.TokenID != 0) && g.MustChange(a.User) && !slices.Contains(g.ChangeAllowed, pattern) {
			g.ChangeDue(w, r)
			return
		}
		if a.SessionID != 0 && g.MustEnrol != nil && !g.MustChange(a.User) && g.MustEnrol(a.User) && !slices.Contains(g.EnrolAllowed, pattern) {
			g.EnrolDue(w, r)
			return
		}
		if !authz.Allowed(a.User, perm) {
			g.Fail(w, r, domain.ErrForbidden)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead && a.SessionID != 0 {
			sess := SessionFrom(r.Context())
			got := r.Header.Get("X-CSRF-Token")
			if got == "" && g.FormCSRF {
				got = r.PostFormValue("csrf")
			}
			if sess == nil || subtle.ConstantTimeCompare([]byte(got), []byte(sess.CSRF)) != 1 {
				g.Fail(w, r, &domain.Error{Code: domain.Forbidden, Key: "error.csrf"})
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}
