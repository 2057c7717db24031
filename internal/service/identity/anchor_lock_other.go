//go:build !unix

package identity

// lockAnchor does not lock where flock(2) is missing: jiefen runs in
// production on Linux, and one writer at a time is then up to the job lease.
func lockAnchor(path string) (unlock func(), err error) { return func() {}, nil }
