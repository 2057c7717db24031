package httpx

import (
	"net"
	"time"
)

// Config is what the HTTP surfaces need from the process configuration.
type Config struct {
	Version       string
	CentreName    string
	SealName      string // the name in the seal area of printed documents (default CentreName)
	SecureCookies bool   // force Secure cookies (set automatically under TLS)
	// AllowPlainHTTP lets a password be posted over plain HTTP from another
	// machine (an intranet without TLS); otherwise only TLS, a TLS proxy
	// (SecureCookies) or this machine may sign in (SECURITY.md IA-8).
	AllowPlainHTTP bool
	TrustedProxies []*net.IPNet // peers whose X-Forwarded-For is believed
	MetricsAllow   []*net.IPNet // who may read /metrics
	Dev            bool         // templates from disk
	// Heartbeat is the event streams' keep-alive interval (0: the default;
	// tests shorten it).
	Heartbeat time.Duration
}
