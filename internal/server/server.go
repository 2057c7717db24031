// Package server is jiefen's root HTTP handler: it runs the middleware every
// request gets (recovery, request ID and actor, access log, security headers,
// body limits) and hands each request to the surface its path prefix names,
// each with its own middleware and mux.
package server

import (
	"log/slog"
	"net/http"
	"strings"

	"jiefen/internal/api"
	"jiefen/internal/httpx"
	"jiefen/internal/metrics"
	"jiefen/internal/service"
	"jiefen/internal/web"
)

// Config is what the HTTP surfaces need from the process configuration.
type Config = httpx.Config

// Surface is one HTTP surface as the root mounts it: its own middleware and
// mux behind Handler, its routes, and how it answers what the root refuses.
type Surface interface {
	Handler() http.Handler
	Routes() []httpx.Route
	// Fail answers an error (the root's recoverer answers a panic with it).
	Fail(w http.ResponseWriter, r *http.Request, err error)
	// RefuseBody answers a request whose body is over the limit.
	RefuseBody(w http.ResponseWriter, r *http.Request)
}

// mount is a surface and the paths it serves.
type mount struct {
	prefix  string // the paths beginning so; "" for every other path
	via     string // the actor's Via
	surface Surface
}

// Server joins the surfaces; it is built once.
type Server struct {
	cfg     Config
	log     *slog.Logger
	svc     *service.Service
	metrics *metrics.Registry
	mounts  []mount // the first whose prefix fits serves the request
}

// New builds every surface (failing on a bad template). The surfaces share
// one metrics registry, so /metrics shows every route.
func New(cfg Config, svc *service.Service, log *slog.Logger) (*Server, error) {
	reg := metrics.New()
	staff, err := web.New(cfg, svc, log, reg)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, log: log, svc: svc, metrics: reg, mounts: []mount{
		{"/api/", "api", api.New(cfg, svc, log, reg)},
		{"", "web", staff},
	}}
	for _, m := range s.mounts {
		if m.prefix != "" {
			staff.Elsewhere(m.prefix) // so "/api" still redirects to "/api/"
		}
	}
	s.addOps(staff)
	s.readAuditMetrics()
	return s, nil
}

// Routes lists every route of every surface and its permission (AC-2).
func (s *Server) Routes() []httpx.Route {
	var out []httpx.Route
	for i := len(s.mounts) - 1; i >= 0; i-- {
		out = append(out, s.mounts[i].surface.Routes()...)
	}
	return out
}

// Handler returns the root handler: the path's prefix picks the surface,
// once, and the shared middleware runs in front of the surface's own.
func (s *Server) Handler() http.Handler {
	chains := make([]http.Handler, len(s.mounts))
	for i, m := range s.mounts {
		chains[i] = s.chain(m)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for i, m := range s.mounts {
			if strings.HasPrefix(r.URL.Path, m.prefix) {
				chains[i].ServeHTTP(w, r)
				return
			}
		}
	})
}

// chain is the middleware every request gets, in the order it runs, in
// front of the surface's handler.
func (s *Server) chain(m mount) http.Handler {
	h := m.surface.Handler()
	h = limitBody(m.surface, h)
	h = securityHeaders(h)
	h = s.requestContext(m.via, h)
	h = s.recoverer(m.surface, h)
	return h
}
