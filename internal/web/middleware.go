package web

import (
	"crypto/subtle"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"jiefen/internal/authz"
	"jiefen/internal/domain"
	"jiefen/internal/httpx"
	"jiefen/internal/i18n"
	"jiefen/internal/service/casework"
)

const maxBody = 1 << 20

func isAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }

// recoverer turns a panic into a 500 with a request ID, never a stack trace
// sent to the client (DC-10).
func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				err := fmt.Errorf("panic: %v\n%s", v, debug.Stack())
				s.fail(w, r, err)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// requestContext gives each request an ID, an actor with the client address,
// and an access log line.
func (s *Server) requestContext(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rid := httpx.NewRequestID()
		via := "web"
		if isAPI(r) {
			via = "api"
		}
		a := &domain.Actor{IP: httpx.ClientIP(r, s.cfg.TrustedProxies), RequestID: rid, Via: via}
		ctx := domain.WithActor(httpx.WithRequestID(r.Context(), rid), a)
		w.Header().Set("X-Request-Id", rid)
		sw := &statusRecorder{ResponseWriter: w, status: 200}
		next.ServeHTTP(sw, r.WithContext(ctx))
		if r.URL.Path == "/healthz" || r.URL.Path == "/readyz" || strings.HasPrefix(r.URL.Path, "/static/") {
			return
		}
		var uid int64
		if a.User != nil {
			uid = a.User.ID
		}
		s.log.Info("request", slog.Group("request", "id", rid, "method", r.Method,
			"path", domain.CleanLogValue(r.URL.Path), "status", sw.status, "ms", time.Since(start).Milliseconds(),
			"ip", a.IP, "user_id", uid))
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (w *statusRecorder) WriteHeader(s int)           { w.status = s; w.ResponseWriter.WriteHeader(s) }
func (w *statusRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }
func (w *statusRecorder) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// securityHeaders sets the headers every response carries (DC-8, DC-9).
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(self)")
		if r.TLS != nil {
			h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		}
		if !strings.HasPrefix(r.URL.Path, "/static/") {
			h.Set("Cache-Control", "no-store")
		}
		if r.Method == http.MethodTrace || r.Method == http.MethodConnect {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// limitBody caps every request body (routes that take uploads raise it).
func (s *Server) limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit := int64(maxBody)
		if strings.HasSuffix(r.URL.Path, "/attachments") && r.Method == http.MethodPost {
			limit = casework.MaxAttachment + 1<<20 // the file and the form around it
		}
		if strings.HasSuffix(r.URL.Path, "/members") && r.Method == http.MethodPost {
			limit = 8 << 20 // a household list of thousands (ReadTable reads at most 8 MiB)
		}
		if r.ContentLength > limit {
			w.Header().Set("Connection", "close")
			if isAPI(r) {
				_, d := httpx.Describe(r, s.log, i18n.Pick(r, ""), &domain.Error{Code: domain.Invalid, Key: "error.body_too_large"})
				httpx.WriteJSON(w, http.StatusRequestEntityTooLarge, httpx.ErrorBody{Error: d})
				return
			}
			http.Error(w, "request body too large / 请求内容过大", http.StatusRequestEntityTooLarge)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		next.ServeHTTP(w, r)
	})
}

func (s *Server) crossOriginDenied(w http.ResponseWriter, r *http.Request) {
	s.fail(w, r, &domain.Error{Code: domain.Forbidden, Key: "error.cross_origin"})
}

// authenticate resolves the session cookie (or, on the API, a bearer token)
// into the actor's user. A bad or expired credential leaves the actor
// anonymous; the route's permission then decides.
func (s *Server) authenticate(next http.Handler) http.Handler {
	sessions := httpx.Sessions{Authenticate: s.svc.Authenticate, Secure: s.secure}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/static/") || r.URL.Path == "/healthz" {
			next.ServeHTTP(w, r)
			return
		}
		a := domain.ActorFrom(r.Context())
		ctx := r.Context()
		if auth := r.Header.Get("Authorization"); auth != "" && isAPI(r) {
			bearer, ok := strings.CutPrefix(auth, "Bearer ")
			if !ok {
				httpx.WriteError(w, r, s.log, &domain.Error{Code: domain.Unauthorized, Key: "token.invalid"})
				return
			}
			u, t, err := s.svc.AuthenticateToken(ctx, strings.TrimSpace(bearer))
			if err != nil {
				httpx.WriteError(w, r, s.log, err)
				return
			}
			a.User, a.TokenID = u, t.ID
		} else {
			var err error
			if ctx, err = sessions.Resolve(w, r); err != nil {
				s.fail(w, r, err)
				return
			}
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// mustChangeAllowed are the routes open to a user who must change the password.
var mustChangeAllowed = []string{"GET /account/password", "POST /account/password", "POST /logout", "GET /api/v1/me"}

// requirePerm enforces the route's declared permission, the forced password
// change and the per-session CSRF token (SS-6).
func (s *Server) requirePerm(pattern string, perm authz.Action, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if perm == authz.Public {
			next.ServeHTTP(w, r)
			return
		}
		a := domain.ActorFrom(r.Context())
		if a.User == nil {
			if isAPI(r) {
				httpx.WriteError(w, r, s.log, &domain.Error{Code: domain.Unauthorized, Key: "session.none"})
				return
			}
			q := url.Values{"next": {r.URL.RequestURI()}}
			if httpx.SessionExpired(r.Context()) {
				q.Set("expired", "1")
			}
			http.Redirect(w, r, "/login?"+q.Encode(), http.StatusSeeOther)
			return
		}
		if a.SessionID != 0 && s.svc.MustChangePassword(a.User) && !slices.Contains(mustChangeAllowed, pattern) {
			if isAPI(r) {
				httpx.WriteError(w, r, s.log, &domain.Error{Code: domain.Forbidden, Key: "password.change_required"})
				return
			}
			http.Redirect(w, r, "/account/password", http.StatusSeeOther)
			return
		}
		if !authz.Allowed(a.User, perm) {
			s.fail(w, r, domain.ErrForbidden)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead && a.SessionID != 0 {
			sess := httpx.SessionFrom(r.Context())
			got := r.Header.Get("X-CSRF-Token")
			if got == "" && !isAPI(r) {
				got = r.PostFormValue("csrf")
			}
			if sess == nil || subtle.ConstantTimeCompare([]byte(got), []byte(sess.CSRF)) != 1 {
				s.fail(w, r, &domain.Error{Code: domain.Forbidden, Key: "error.csrf"})
				return
			}
		}
		next.ServeHTTP(w, r)
	})
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

// fail renders err for the surface the request came in on.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	if isAPI(r) {
		httpx.WriteError(w, r, s.log, err)
		return
	}
	s.renderError(w, r, err)
}
