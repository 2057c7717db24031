// Package web is jiefen's staff HTML surface: the pages, their cookie
// sessions, cross-origin protection and HTML error pages, on a mux of its
// own (with the static files, and the operations endpoints the root adds).
package web

import (
	"log/slog"
	"net/http"
	"time"

	"jiefen/internal/authz"
	"jiefen/internal/httpx"
	"jiefen/internal/metrics"
	"jiefen/internal/service"
)

// Server holds the handlers' dependencies; it is built once.
type Server struct {
	cfg     httpx.Config
	svc     *service.Service
	log     *slog.Logger
	tpl     *templates
	metrics *metrics.Registry
	static  *staticFiles
	mux     *httpx.Mux
	gate    *httpx.Gate
	// heartbeat is the event streams' keep-alive interval.
	heartbeat time.Duration
}

// New builds the surface and parses every template (failing on a bad one);
// its routes are counted in reg.
func New(cfg httpx.Config, svc *service.Service, log *slog.Logger, reg *metrics.Registry) (*Server, error) {
	s := &Server{cfg: cfg, svc: svc, log: log, metrics: reg, heartbeat: eventHeartbeat}
	if cfg.Heartbeat > 0 {
		s.heartbeat = cfg.Heartbeat
	}
	var err error
	if s.static, err = loadStatic(cfg.Dev); err != nil {
		return nil, err
	}
	if s.tpl, err = parseTemplates(cfg.Dev, s.static); err != nil {
		return nil, err
	}
	s.gate = &httpx.Gate{MustChange: svc.MustChangePassword, ChangeAllowed: mustChangeAllowed,
		Anonymous: s.toLogin, ChangeDue: toPasswordChange, Fail: s.fail, FormCSRF: true,
		MustEnrol: svc.MustEnrol, EnrolAllowed: enrolAllowed, EnrolDue: toEnrol}
	s.mux = httpx.NewMux(s.wrapRoute)
	s.routes()
	return s, nil
}

// Routes lists every route of the surface and its permission (AC-2).
func (s *Server) Routes() []httpx.Route { return s.mux.Routes }

// Handle adds a route the root serves on this surface, behind the same
// metrics, permission gate and middleware as the pages.
func (s *Server) Handle(pattern string, perm authz.Action, h http.Handler) {
	s.mux.Handle(pattern, perm, h)
}

// Elsewhere declares a subtree another surface serves (see httpx.Mux).
func (s *Server) Elsewhere(prefix string) { s.mux.Elsewhere(prefix) }

// Handler returns the surface's handler with its middleware in the order it
// runs.
func (s *Server) Handler() http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(s.crossOriginDenied))
	var h http.Handler = s.mux
	h = s.authenticate(h)
	h = cop.Handler(h)
	return h
}

// Fail answers err with the error page.
func (s *Server) Fail(w http.ResponseWriter, r *http.Request, err error) { s.fail(w, r, err) }

// RefuseBody answers a request body over the limit.
func (s *Server) RefuseBody(w http.ResponseWriter, r *http.Request) {
	http.Error(w, "request body too large / 请求内容过大", http.StatusRequestEntityTooLarge)
}

// wrapRoute wraps each route: metrics, then the permission declared for it.
func (s *Server) wrapRoute(pattern string, perm authz.Action, h http.Handler) http.Handler {
	return s.metrics.Wrap(pattern, s.gate.Require(pattern, perm, h))
}
