// Package server is jiefen's root HTTP handler: it runs the middleware every
// request gets and hands each request to the surface its path belongs to.
package server

import (
	"log/slog"
	"net/http"

	"jiefen/internal/httpx"
	"jiefen/internal/service"
	"jiefen/internal/web"
)

// Config is what the HTTP surfaces need from the process configuration.
type Config = httpx.Config

// Server joins the surfaces; it is built once.
type Server struct {
	web *web.Server
}

// New builds every surface (failing on a bad template).
func New(cfg Config, svc *service.Service, log *slog.Logger) (*Server, error) {
	w, err := web.New(cfg, svc, log)
	if err != nil {
		return nil, err
	}
	return &Server{web: w}, nil
}

// Routes lists every route of every surface and its permission (AC-2).
func (s *Server) Routes() []httpx.Route { return s.web.Routes() }

// Handler returns the root handler.
func (s *Server) Handler() http.Handler { return s.web.Handler() }
