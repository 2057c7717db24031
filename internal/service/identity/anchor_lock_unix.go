//go:build unix

package identity

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lockAnchor takes an exclusive lock on the anchor file (creating it 0600),
// so that a `jiefen audit anchor` and the server's job, or two servers
// sharing the file, never link two lines to the same line before them.
func lockAnchor(path string) (unlock func(), err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("anchor: create the anchor file's folder: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("anchor: open %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("anchor: lock %s: %w", path, err)
	}
	return func() { f.Close() }, nil // closing releases the lock
}
