package web

import (
	"net/http"
	"net/url"
	"strings"

	"jiefen/internal/domain"
	"jiefen/internal/httpx"
)

func (s *Server) crossOriginDenied(w http.ResponseWriter, r *http.Request) {
	s.fail(w, r, &domain.Error{Code: domain.Forbidden, Key: "error.cross_origin"})
}

// authenticate resolves the session cookie into the actor's user. A bad or
// expired cookie leaves the actor anonymous; the route's permission then
// decides. Static files and the liveness probe do not look at it.
func (s *Server) authenticate(next http.Handler) http.Handler {
	sessions := httpx.Sessions{Authenticate: s.svc.Authenticate, Secure: s.secure}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/static/") || r.URL.Path == "/healthz" {
			next.ServeHTTP(w, r)
			return
		}
		ctx, err := sessions.Resolve(w, r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if dead := httpx.DeadCookie(ctx); dead != "" {
			s.keepEndedCookie(w, r, dead)
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// mustChangeAllowed are the pages open to a user who must change the password.
var mustChangeAllowed = []string{"GET /account/password", "POST /account/password", "POST /logout"}

// toLogin sends an anonymous visitor to the sign-in page and back.
func (s *Server) toLogin(w http.ResponseWriter, r *http.Request) {
	next := r.URL.RequestURI()
	if v := r.URL.Query(); domain.IdentifyingSearch(v.Get("q")) {
		v.Del("q") // nor does an ID number or a phone ride along in the sign-in's address
		next = (&url.URL{Path: r.URL.Path, RawQuery: v.Encode()}).RequestURI()
	}
	q := url.Values{"next": {next}}
	if httpx.SessionExpired(r.Context()) {
		q.Set("expired", "1")
	}
	http.Redirect(w, r, "/login?"+q.Encode(), http.StatusSeeOther)
}

// toPasswordChange sends a user who must change the password to do so.
func toPasswordChange(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/account/password", http.StatusSeeOther)
}

func (s *Server) secure(r *http.Request) bool { return r.TLS != nil || s.cfg.SecureCookies }

func (s *Server) setSessionCookie(w http.ResponseWriter, r *http.Request, token string) {
	name := httpx.CookieSession
	if s.secure(r) {
		name = httpx.CookieHost
	}
	http.SetCookie(w, &http.Cookie{Name: name, Value: token, Path: "/", HttpOnly: true, Secure: s.secure(r),
		SameSite: http.SameSiteLaxMode, MaxAge: int(s.svc.Policy().AbsoluteTimeout.Seconds())})
}

func (s *Server) clearSessionCookie(w http.ResponseWriter, r *http.Request) {
	httpx.ClearSessionCookie(w, s.secure(r))
}

// fail renders err as the error page.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	s.renderError(w, r, err)
}
