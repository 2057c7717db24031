//go:build !windows && !plan9

package cli

import (
	"io"
	"log/syslog"
)

// openSyslog connects to the system log for the audit anchor's lines
// (facility authpriv, kept apart from the application's own log).
func openSyslog() (io.WriteCloser, error) {
	return syslog.New(syslog.LOG_AUTHPRIV|syslog.LOG_NOTICE, "jiefen")
}
