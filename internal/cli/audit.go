package cli

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"jiefen/internal/crypto"
	"jiefen/internal/domain"
	"jiefen/internal/service"
	"jiefen/internal/service/identity"
	"jiefen/internal/store"
)

// The audit commands beside search: verify, anchor and rotate-key.

const (
	keyFileHelp = "the key file with the audit keys (default: beside the SQLite file, or data/jiefen.keys)"
	anchorHelp  = "the audit anchor file (default: <db>.audit-anchor beside the SQLite file, or data/jiefen.audit-anchor)"
)

// anchorPath is the anchor file for dsn: given when not "", else beside
// the SQLite file, or data/jiefen.audit-anchor for PostgreSQL.
func anchorPath(dsn, given string) string {
	if given != "" {
		return given
	}
	if store.IsPostgres(dsn) {
		return "data/jiefen.audit-anchor"
	}
	return sqlitePath(dsn) + ".audit-anchor"
}

// withAuditKeys is withService with the key file named by keyFile; with
// existing, a missing key file is an error instead of a new one (a new key
// could check nothing that the old one sealed).
func (e *env) withAuditKeys(dsn, keyFile string, existing bool, fn func(*service.Service, ctxT) error) error {
	st, err := e.openStore(dsn)
	if err != nil {
		return err
	}
	defer st.Close()
	load := crypto.LoadOrCreate
	if existing {
		load = crypto.Load
	}
	svc, ctx, err := e.cliServiceWith(st, dsn, keyFile, load)
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("no key file at %s: the audit seals can be checked only with the key file that made them (--key-file)", keyPath(dsn, keyFile))
	} else if err != nil {
		return err
	}
	return fn(svc, ctx)
}

func (e *env) auditVerify(f *flags, db *string, args []string) error {
	keyFile := f.str("key-file", "", keyFileHelp)
	anchor := f.str("audit-anchor", "", anchorHelp)
	if err := f.parse(args); err != nil {
		return err
	}
	return e.withAuditKeys(*db, *keyFile, true, func(svc *service.Service, ctx ctxT) error {
		res, err := svc.VerifyAudit(ctx, anchorPath(*db, *anchor))
		if err != nil {
			return err
		}
		return e.reportVerify(res)
	})
}

// reportVerify prints what verify found and fails on any break, naming the
// first broken entry and the first broken anchor line.
func (e *env) reportVerify(res domain.VerifyResult) error {
	var broken []string
	if res.BrokenAt != 0 {
		broken = append(broken, fmt.Sprintf("audit chain BROKEN at entry %d: %s (%d entries checked before it)", res.BrokenAt, res.Reason, max(res.Checked-1, 0)))
	}
	if res.AnchorLine != 0 {
		broken = append(broken, fmt.Sprintf("audit anchor file %s BROKEN at line %d: %s", res.AnchorFile, res.AnchorLine, res.AnchorReason))
	}
	if len(broken) > 0 {
		return errors.New(strings.Join(broken, "\njiefen: "))
	}
	if res.Checked > 0 && res.Unkeyed == res.Checked {
		return fmt.Errorf("audit chain NOT SEALED: its %d entries have unkeyed SHA-256 hashes only, which anyone who can write the database can recompute; jiefen serve seals them under the audit key when it starts (or now: jiefen audit anchor)", res.Checked)
	}
	fmt.Fprintf(e.stdout, "audit chain intact: %d entries verified", res.Checked)
	if len(res.KeyIDs) > 0 {
		fmt.Fprintf(e.stdout, ", sealed under audit key %s", strings.Join(res.KeyIDs, ", "))
	}
	if res.Resealed {
		fmt.Fprintf(e.stdout, " (the first %d, written before audit keys, are sealed by entry %d)", res.Unkeyed, res.Unkeyed+1)
	}
	fmt.Fprintln(e.stdout)
	if res.Unsealed > 0 {
		fmt.Fprintf(e.stdout, "WARNING: the seals of %d entries were not checked (no audit key)\n", res.Unsealed)
	}
	switch {
	case res.AnchorMissed:
		fmt.Fprintf(e.stdout, "WARNING: no anchor file at %s: the chain was checked without it (jiefen serve writes it; jiefen audit anchor writes one now; --audit-anchor names another)\n", res.AnchorFile)
	case res.LastAnchor != nil:
		a := res.LastAnchor
		fmt.Fprintf(e.stdout, "anchor file %s: %d lines match the database; the last records entry %d at %s\n",
			res.AnchorFile, res.Anchors, a.Seq, a.At.In(domain.CST).Format("2006-01-02 15:04:05 -07:00"))
	case res.AnchorFile != "":
		fmt.Fprintf(e.stdout, "WARNING: the anchor file %s is empty\n", res.AnchorFile)
	}
	return nil
}

func (e *env) auditAnchor(f *flags, db *string, args []string) error {
	keyFile := f.str("key-file", "", keyFileHelp)
	anchor := f.str("audit-anchor", "", anchorHelp)
	if err := f.parse(args); err != nil {
		return err
	}
	return e.withAuditKeys(*db, *keyFile, false, func(svc *service.Service, ctx ctxT) error {
		host, _ := os.Hostname()
		cfg := identity.AnchorConfig{Path: anchorPath(*db, *anchor), Instance: fmt.Sprintf("%s:%d:cli", host, os.Getpid())}
		a, err := svc.AnchorNow(ctx, cfg)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "anchored entry %d (seal %s…, audit key %s) to %s\n", a.Seq, a.Hash[:16], a.KeyID, cfg.Path)
		return nil
	})
}

func (e *env) auditRotateKey(f *flags, db *string, args []string) error {
	keyFile := f.str("key-file", "", keyFileHelp)
	if err := f.parse(args); err != nil {
		return err
	}
	return e.withAuditKeys(*db, *keyFile, true, func(svc *service.Service, ctx ctxT) error {
		newID, oldID, err := svc.RotateAuditKey(ctx, keyPath(*db, *keyFile))
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "audit key %s is current; %s stays in %s to verify the entries it sealed\n", newID, oldID, keyPath(*db, *keyFile))
		fmt.Fprintf(e.stderr, "jiefen: restart every jiefen serve so that it seals with %s, copy the key file to every instance, and back it up again (apart from the database)\n", newID)
		return nil
	})
}

// anchorFlags are serve's flags for the audit anchor.
type anchorFlags struct {
	path, every *string
	syslog      *bool
}

func addAnchorFlags(f *flags) anchorFlags {
	return anchorFlags{
		path:   f.str("audit-anchor", "", anchorHelp),
		every:  f.str("audit-anchor-every", "5m", "how often the audit chain's head is appended to the anchor file (and at shutdown)"),
		syslog: f.boolean("audit-syslog", false, "also send each audit anchor line to the system log (syslog, facility authpriv)"),
	}
}

// start seals an unkeyed chain of old once under the audit key (before
// anything else is written) and gives the anchor job its configuration;
// closeFn closes the system log's connection.
func (a anchorFlags) start(ctx ctxT, db string, svc *service.Service) (cfg identity.AnchorConfig, closeFn func(), err error) {
	every, err := time.ParseDuration(*a.every)
	if err != nil || every < time.Second {
		return cfg, nil, usageError{"--audit-anchor-every must be a duration of at least 1s, such as 5m"}
	}
	if _, err := svc.SealAuditChain(ctx); err != nil {
		return cfg, nil, err
	}
	cfg = identity.AnchorConfig{Path: anchorPath(db, *a.path), Every: every, Instance: svc.Instance()}
	if !*a.syslog {
		return cfg, func() {}, nil
	}
	w, err := openSyslog()
	if err != nil {
		return cfg, nil, fmt.Errorf("--audit-syslog: cannot reach the system log: %w", err)
	}
	cfg.Syslog = w
	return cfg, func() { w.Close() }, nil
}
