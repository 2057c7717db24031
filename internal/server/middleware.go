package server

import (
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"jiefen/internal/domain"
	"jiefen/internal/httpx"
	"jiefen/internal/service/casework"
)

const maxBody = 1 << 20

// recoverer turns a panic into a 500 with a request ID, never a stack trace
// sent to the client (DC-10), answered the way the surface answers errors.
func (s *Server) recoverer(sf Surface, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				err := fmt.Errorf("panic: %v\n%s", v, debug.Stack())
				sf.Fail(w, r, err)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// quiet tells the paths left out of the access log (probes and static files).
func quiet(path string) bool {
	return path == "/healthz" || path == "/readyz" || strings.HasPrefix(path, "/static/")
}

// requestContext gives each request an ID, an actor with the client address
// and the surface it came in on (via), and an access log line.
func (s *Server) requestContext(via string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rid := httpx.NewRequestID()
		a := &domain.Actor{IP: httpx.ClientIP(r, s.cfg.TrustedProxies), RequestID: rid, Via: via}
		ctx := domain.WithActor(httpx.WithRequestID(r.Context(), rid), a)
		w.Header().Set("X-Request-Id", rid)
		sw := &statusRecorder{ResponseWriter: w, status: 200}
		next.ServeHTTP(sw, r.WithContext(ctx))
		if quiet(r.URL.Path) {
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

// limitBody caps every request body (routes that take uploads raise it); the
// surface answers a body over the limit.
func limitBody(sf Surface, next http.Handler) http.Handler {
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
			sf.RefuseBody(w, r)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		next.ServeHTTP(w, r)
	})
}
