package identity

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"jiefen/internal/authz"
	"jiefen/internal/domain"
	"jiefen/internal/store"
)

// The anchor witnesses the audit chain from outside the database: now and
// then the chain's head (its last entry's seq, seal and key) is appended as
// one sealed line to a file that the database cannot reach, and optionally
// sent to syslog (AU-6). `jiefen audit verify` then checks that every line
// still matches the database, so a database rewritten after an anchor, or
// with entries cut from its end, no longer verifies even if whoever did it
// recomputed every hash.

// AnchorLease is the job lease under which one instance writes anchors.
const AnchorLease = "audit_anchor"

// DefaultAnchorEvery is how often the head is anchored unless told.
const DefaultAnchorEvery = 5 * time.Minute

// AnchorConfig says where and how often the chain's head is anchored.
type AnchorConfig struct {
	Path     string        // the anchor file, appended to (created 0600)
	Syslog   io.Writer     // when not nil, each line is also written here (a log/syslog writer)
	Every    time.Duration // how often RunAuditAnchor writes one
	Instance string        // this process, named in the lease and in each line
}

// AnchorAudit appends the chain's head to the anchor file (and syslog),
// unless the file's last line records that head already (force writes one
// all the same). It first seals an unkeyed chain of old, so no anchor ever
// records an unkeyed head. It reports the line and whether it wrote it.
func (s *Service) AnchorAudit(ctx context.Context, cfg AnchorConfig, force bool) (domain.AuditAnchor, bool, error) {
	a, wrote, err := s.anchor(ctx, cfg, force)
	if err != nil {
		s.anchorFailures.Add(1)
		s.Logger().Error("AUDIT ANCHOR FAILED: the chain's head was not written outside the database", "alarm", "audit_anchor_failed", "file", cfg.Path, "err", err)
		return a, false, err
	}
	s.anchorAt.Store(s.Now().Unix())
	return a, wrote, nil
}

func (s *Service) anchor(ctx context.Context, cfg AnchorConfig, force bool) (domain.AuditAnchor, bool, error) {
	sealer := s.Sealer()
	if sealer == nil {
		return domain.AuditAnchor{}, false, errors.New("anchor: no audit key (the key file was not loaded)")
	}
	if _, err := s.SealAuditChain(ctx); err != nil {
		return domain.AuditAnchor{}, false, err
	}
	var a domain.AuditAnchor
	err := s.Store().View(ctx, func(tx *store.Tx) error {
		var err error
		a.Seq, a.Hash, a.KeyID, err = tx.AuditHead(ctx)
		return err
	})
	if err != nil || a.Seq == 0 {
		return a, false, err // an empty chain has nothing to anchor
	}
	unlock, err := lockAnchor(cfg.Path)
	if err != nil {
		return a, false, err
	}
	defer unlock()
	last, err := lastAnchor(cfg.Path)
	if err != nil {
		return a, false, err
	}
	if !force && last != nil && last.Seq == a.Seq && last.Hash == a.Hash {
		return *last, false, nil
	}
	a.At, a.By, a.MACKey = s.Now().UTC(), cfg.Instance, sealer.AuditKeyID()
	if last != nil {
		a.Prev = last.MAC
	}
	if a.MAC, err = sealer.AuditMAC(a.MACKey, a.SealInput()); err != nil {
		return a, false, err
	}
	line, err := json.Marshal(a)
	if err != nil {
		return a, false, err
	}
	if err := appendLine(cfg.Path, line); err != nil {
		return a, false, err
	}
	if cfg.Syslog != nil {
		if _, err := fmt.Fprintf(cfg.Syslog, "jiefen audit anchor %s", line); err != nil {
			return a, true, fmt.Errorf("anchor: written to %s but not to syslog: %w", cfg.Path, err)
		}
	}
	return a, true, nil
}

// AnchorNow is the operator's `jiefen audit anchor`: it records the
// request in the audit log and anchors the head that includes it.
func (s *Service) AnchorNow(ctx context.Context, cfg AnchorConfig) (domain.AuditAnchor, error) {
	if err := s.Check(ctx, authz.Operate, "audit", "", ""); err != nil {
		return domain.AuditAnchor{}, s.Denied(ctx, err)
	}
	if err := s.Audit(ctx, "audit.anchor", "audit", "", "", "to "+cfg.Path); err != nil {
		return domain.AuditAnchor{}, err
	}
	a, _, err := s.AnchorAudit(ctx, cfg, true)
	return a, err
}

// RunAuditAnchor anchors the head every cfg.Every until ctx ends, on the
// one instance holding the anchor lease (so instances sharing a PostgreSQL
// do not all write), and once more as it stops; then it gives the lease up.
func (s *Service) RunAuditAnchor(ctx context.Context, cfg AnchorConfig) {
	if cfg.Every <= 0 {
		cfg.Every = DefaultAnchorEvery
	}
	t := time.NewTicker(cfg.Every)
	defer t.Stop()
	ttl := 2 * cfg.Every // renewed at every run, so it lapses only when the holder stops
	for {
		s.anchorIfHolder(ctx, cfg, ttl)
		select {
		case <-ctx.Done():
			stop, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			defer cancel()
			if s.anchorIfHolder(stop, cfg, ttl) {
				if err := s.Store().Update(stop, func(tx *store.Tx) error { return tx.ReleaseLease(stop, AnchorLease, cfg.Instance) }); err != nil {
					s.Logger().Warn("release job lease", "lease", AnchorLease, "err", err)
				}
			}
			return
		case <-t.C:
		}
	}
}

// anchorIfHolder anchors the head if this instance holds the anchor lease
// or can take it; it reports whether it held it.
func (s *Service) anchorIfHolder(ctx context.Context, cfg AnchorConfig, ttl time.Duration) bool {
	var held bool
	err := s.Store().Update(ctx, func(tx *store.Tx) error {
		var err error
		held, err = tx.AcquireLease(ctx, AnchorLease, cfg.Instance, ttl)
		return err
	})
	if err != nil {
		if ctx.Err() == nil {
			s.Logger().Error("audit anchor: job lease", "err", err)
		}
		return false
	}
	if !held {
		return false
	}
	if a, wrote, err := s.AnchorAudit(ctx, cfg, false); err == nil && wrote {
		s.Logger().Info("audit anchor written", "seq", a.Seq, "file", cfg.Path)
	}
	return true
}

// AnchorStatus is when this process last anchored the head (zero: not
// yet) and how many times anchoring failed, for /metrics.
func (s *Service) AnchorStatus() (last time.Time, failures int64) {
	if t := s.anchorAt.Load(); t > 0 {
		last = time.Unix(t, 0)
	}
	return last, s.anchorFailures.Load()
}

// appendLine appends one line to the anchor file, opened append-only and
// created 0600, and flushes it to disk.
func appendLine(path string, line []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return fmt.Errorf("anchor: create the anchor file's folder: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("anchor: open %s: %w", path, err)
	}
	_, err = f.Write(append(line, '\n'))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("anchor: write %s: %w", path, err)
	}
	return nil
}

// lastAnchor reads the file's last line (nil when the file is absent or
// empty). A line is a few hundred bytes, so the last 64 KiB hold it.
func lastAnchor(path string) (*domain.AuditAnchor, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("anchor: read %s: %w", path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	off := max(0, fi.Size()-64<<10)
	b := make([]byte, fi.Size()-off)
	if _, err := f.ReadAt(b, off); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("anchor: read %s: %w", path, err)
	}
	b = bytes.TrimRight(b, "\n")
	if len(b) == 0 {
		return nil, nil
	}
	b = b[bytes.LastIndexByte(b, '\n')+1:]
	var a domain.AuditAnchor
	if err := json.Unmarshal(b, &a); err != nil {
		return nil, fmt.Errorf("anchor: the last line of %s is not an anchor (%w): check it with jiefen audit verify", path, err)
	}
	return &a, nil
}

// readAnchors reads and checks the anchor file: each line a sealed anchor
// under a key the key file holds (when sealer is not nil), linked to the
// line before it, its seq never going back. It returns the lines that
// passed, and the first line that did not with why.
func readAnchors(path string, sealer store.AuditSealer) (good []domain.AuditAnchor, badLine int, why string, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	prev, n := "", 0
	for sc.Scan() {
		n++
		var a domain.AuditAnchor
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil || a.Seq < 1 {
			return good, n, "it is not an anchor line", nil
		}
		a.Line = n
		if why := checkAnchor(a, prev, good, sealer); why != "" {
			return good, n, why, nil
		}
		good, prev = append(good, a), a.MAC
	}
	if err := sc.Err(); err != nil {
		return good, 0, "", fmt.Errorf("anchor: read %s: %w", path, err)
	}
	return good, 0, "", nil
}

// checkAnchor checks one line against its seal and the line before it.
func checkAnchor(a domain.AuditAnchor, prev string, before []domain.AuditAnchor, sealer store.AuditSealer) string {
	if sealer != nil {
		mac, err := sealer.AuditMAC(a.MACKey, a.SealInput())
		if err != nil {
			return fmt.Sprintf("it is sealed with audit key %s, which the key file does not hold", a.MACKey)
		}
		if mac != a.MAC {
			return "its contents do not match its seal: the line was altered"
		}
	}
	if a.Prev != prev {
		return "it does not follow the line before it: a line was removed, altered or moved"
	}
	if len(before) > 0 && a.Seq < before[len(before)-1].Seq {
		return fmt.Sprintf("it records entry %d, before the line above it (%d)", a.Seq, before[len(before)-1].Seq)
	}
	return ""
}
