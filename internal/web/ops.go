package web

import (
	"net"
	"net/http"

	"jiefen/internal/domain"
	"jiefen/internal/httpx"
	"jiefen/internal/i18n"
)

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok\n"))
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	if err := s.svc.Ping(r.Context()); err != nil {
		httpx.WriteJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "database": "unreachable"})
		return nil
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]string{"status": "ready", "database": s.svc.Engine()})
	return nil
}

// showMetrics serves Prometheus metrics to the allowed networks only
// (loopback by default), so request figures are not public.
func (s *Server) showMetrics(w http.ResponseWriter, r *http.Request) error {
	ip := net.ParseIP(domain.ActorFrom(r.Context()).IP)
	allowed := ip != nil && ip.IsLoopback()
	for _, n := range s.cfg.MetricsAllow {
		if ip != nil && n.Contains(ip) {
			allowed = true
		}
	}
	if !allowed {
		return domain.ErrForbidden
	}
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	_, err := s.metrics.WriteTo(w)
	return err
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) error {
	return domain.ErrNotFound
}

// renderError shows the error page with a request ID and no internals.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, err error) {
	if domain.ErrorCode(err) == domain.Unauthorized {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	pref := ""
	if u := domain.ActorFrom(r.Context()).User; u != nil {
		pref = u.Lang
	}
	status, d := httpx.Describe(r, s.log, i18n.Pick(r, pref), err)
	p := &page{Title: "error.title", Data: map[string]any{"Status": status, "Message": d.Message, "RequestID": d.RequestID}}
	s.render(w, r, status, "error", p)
}
