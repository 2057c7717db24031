// Package httpx holds what the HTML and JSON surfaces share: the route table
// with a permission per route, the error-code → status table, request IDs,
// client addresses and strict JSON decoding.
package httpx

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"net/http"
	"strconv"
	"strings"

	"jiefen/internal/authz"
	"jiefen/internal/domain"
)

// Route is one registered route and the permission it declares (AC-2).
type Route struct {
	Pattern string
	Perm    authz.Action
}

// Mux wraps http.ServeMux so that every route must declare a permission; the
// declared routes can be listed by tests.
type Mux struct {
	*http.ServeMux
	Routes []Route
	wrap   func(pattern string, perm authz.Action, h http.Handler) http.Handler
}

// NewMux returns a Mux; wrap (may be nil) decorates each handler, e.g. with
// metrics and the permission gate.
func NewMux(wrap func(pattern string, perm authz.Action, h http.Handler) http.Handler) *Mux {
	return &Mux{ServeMux: http.NewServeMux(), wrap: wrap}
}

// Handle registers h for pattern behind permission perm.
func (m *Mux) Handle(pattern string, perm authz.Action, h http.Handler) {
	if perm == "" {
		panic("httpx: route " + pattern + " declares no permission")
	}
	m.Routes = append(m.Routes, Route{pattern, perm})
	if m.wrap != nil {
		h = m.wrap(pattern, perm, h)
	}
	m.ServeMux.Handle(pattern, h)
}

// StatusFor is the one table from error codes to HTTP statuses.
func StatusFor(c domain.Code) int {
	switch c {
	case domain.Invalid:
		return http.StatusUnprocessableEntity
	case domain.NotFound:
		return http.StatusNotFound
	case domain.Conflict:
		return http.StatusConflict
	case domain.Forbidden:
		return http.StatusForbidden
	case domain.Unauthorized:
		return http.StatusUnauthorized
	case domain.TooMany:
		return http.StatusTooManyRequests
	case domain.Unavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

type reqIDKey struct{}

// NewRequestID returns a random 16-hex-digit request ID.
func NewRequestID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// WithRequestID stores id in ctx.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, reqIDKey{}, id)
}

// RequestID returns the request's ID.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(reqIDKey{}).(string)
	return id
}

// ClientIP returns the peer address; when the peer is a trusted proxy the
// last X-Forwarded-For hop it added is used instead.
func ClientIP(r *http.Request, trusted []*net.IPNet) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return host
	}
	for _, n := range trusted {
		if n.Contains(ip) {
			if xff := lastHop(strings.Join(r.Header.Values("X-Forwarded-For"), ",")); xff != "" {
				return xff
			}
		}
	}
	return ip.String()
}

func lastHop(xff string) string {
	for i := len(xff) - 1; i >= 0; i-- {
		if xff[i] == ',' {
			xff = xff[i+1:]
			break
		}
	}
	for len(xff) > 0 && xff[0] == ' ' {
		xff = xff[1:]
	}
	if net.ParseIP(xff) == nil {
		return ""
	}
	return xff
}

// PathInt64 reads a positive integer path parameter; bad input is an
// Invalid error (→ 4xx), never a silent 0.
func PathInt64(r *http.Request, name string) (int64, error) {
	v, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || v <= 0 {
		return 0, &domain.Error{Code: domain.NotFound, Key: "error.not_found"}
	}
	return v, nil
}

// Elsewhere declares a subtree (a prefix ending in a slash) that another
// surface serves: it is not a route of this mux and never reaches it, but a
// request for the prefix without its slash is redirected to the subtree, as
// http.ServeMux does for a subtree it holds.
func (m *Mux) Elsewhere(prefix string) { m.ServeMux.Handle(prefix, http.NotFoundHandler()) }
