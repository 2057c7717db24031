package server

import (
	"net"
	"net/http"

	"jiefen/internal/authz"
	"jiefen/internal/domain"
	"jiefen/internal/httpx"
	"jiefen/internal/web"
)

// addOps adds the operations endpoints to the staff web surface, whose chain
// they have always had: no session on /healthz (the web surface skips it),
// the cookie session on /readyz and /metrics, the error page for a refused
// /metrics.
func (s *Server) addOps(staff *web.Server) {
	answer := func(fn func(http.ResponseWriter, *http.Request) error) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if err := fn(w, r); err != nil {
				staff.Fail(w, r, err)
			}
		})
	}
	staff.Handle("GET /healthz", authz.Public, http.HandlerFunc(healthz))
	staff.Handle("GET /readyz", authz.Public, answer(s.readyz))
	staff.Handle("GET /metrics", authz.Public, answer(s.showMetrics))
}

func healthz(w http.ResponseWriter, r *http.Request) {
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

// readAuditMetrics puts the audit alarms on /metrics (AU-8): rows that
// could not be written (every one refused its action), and the anchor's
// failures and last success, so an operator can alert on any failure and
// on an anchor grown old.
func (s *Server) readAuditMetrics() {
	s.metrics.Read("jiefen_audit_write_failures_total", "counter",
		"Audit rows this process could not write; each one's action was refused with it. Alert on any increase.",
		func() float64 { return float64(s.svc.Kernel().AuditFailures()) })
	s.metrics.Read("jiefen_audit_anchor_failures_total", "counter",
		"Failed attempts to append the audit chain's head to the anchor file (or syslog). Alert on any increase.",
		func() float64 { _, n := s.svc.AnchorStatus(); return float64(n) })
	s.metrics.Read("jiefen_audit_anchor_last_success_timestamp_seconds", "gauge",
		"When this process last anchored the audit chain's head (0: not yet; only the instance holding the anchor lease anchors).",
		func() float64 {
			if t, _ := s.svc.AnchorStatus(); !t.IsZero() {
				return float64(t.Unix())
			}
			return 0
		})
}
