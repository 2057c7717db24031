// Package web is jiefen's HTML surface and the root HTTP handler that joins it
// with the JSON API, the static files and the operations endpoints.
package web

import (
	"log/slog"
	"net/http"
	"time"

	"jiefen/internal/api"
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
	api     *api.API
	// heartbeat is the event streams' keep-alive interval.
	heartbeat time.Duration
}

// New builds the server and parses every template (failing on a bad one).
func New(cfg httpx.Config, svc *service.Service, log *slog.Logger) (*Server, error) {
	s := &Server{cfg: cfg, svc: svc, log: log, metrics: metrics.New(), heartbeat: eventHeartbeat}
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
	s.mux = httpx.NewMux(s.gate)
	s.api = api.New(svc, log, cfg.Version).WithCentre(cfg.CentreName)
	s.routes()
	s.api.Register(s.mux)
	return s, nil
}

// Routes lists every registered route and its permission (for AC-2 tests).
func (s *Server) Routes() []httpx.Route { return s.mux.Routes }

// Handler returns the root handler with the middleware in the order it runs.
func (s *Server) Handler() http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(s.crossOriginDenied))
	var h http.Handler = s.mux
	h = s.authenticate(h)
	h = cop.Handler(h)
	h = s.limitBody(h)
	h = securityHeaders(h)
	h = s.requestContext(h)
	h = s.recoverer(h)
	return h
}

// gate wraps each route: metrics, then the permission declared for it.
func (s *Server) gate(pattern string, perm authz.Action, h http.Handler) http.Handler {
	return s.metrics.Wrap(pattern, s.requirePerm(pattern, perm, h))
}
