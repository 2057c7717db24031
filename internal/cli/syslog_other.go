//go:build windows || plan9

package cli

import (
	"errors"
	"io"
)

// openSyslog: there is no log/syslog on this system.
func openSyslog() (io.WriteCloser, error) {
	return nil, errors.New("syslog is not available on this system")
}
