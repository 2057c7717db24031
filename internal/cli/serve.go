package cli

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"jiefen/internal/demo"
	"jiefen/internal/domain"
	"jiefen/internal/server"
	"jiefen/internal/service"
	"jiefen/internal/service/identity"
	"jiefen/internal/store"
)

func (e *env) serve(args []string, isDemo bool) error {
	name, defDB := "serve", DefaultDB
	if isDemo {
		name, defDB = "demo", "data/demo.db"
	}
	f := e.newFlags(name)
	addr := f.str("addr", "127.0.0.1:8080", "address to listen on")
	db := f.str("db", defDB, "database DSN")
	logFormat := f.str("log-format", "text", "log format: text or json")
	logLevel := f.str("log-level", "info", "log level: debug, info, warn, error")
	tlsCert := f.str("tls-cert", "", "TLS certificate file (serve HTTPS)")
	tlsKey := f.str("tls-key", "", "TLS private key file")
	secure := f.boolean("secure-cookies", false, "mark cookies Secure (set when a TLS proxy is in front)")
	proxies := f.str("trusted-proxies", "", "comma-separated CIDRs whose X-Forwarded-For is trusted")
	metricsAllow := f.str("metrics-allow", "", "comma-separated CIDRs allowed to read /metrics (loopback always)")
	centre := f.str("centre-name", "子洲县社会治安综合治理中心", "the centre's name shown in the UI")
	seal := f.str("seal-name", "", "the name in the seal area of printed documents (default: the centre's name)")
	dev := f.boolean("dev", false, "read templates and static files from ./internal/ui (development)")
	demoCases := f.Int("cases", demo.DemoCases, "demo: how many matters to create on first start")
	keyFile := f.str("key-file", "", "key file for personal data (default: beside the SQLite file, or data/jiefen.keys)")
	logFile := f.str("log-file", "", "append the log to this file (default: the terminal; the demo: demo.log beside its database)")
	anchor := addAnchorFlags(f)
	policy := policyFlags(f, isDemo)
	lockout := lockoutFlags(f)
	plain := f.boolean("allow-plain-http", isDemo, "let passwords be posted over plain HTTP from other machines (an intranet without TLS; the demo's default)")
	if err := f.parse(args); err != nil {
		return err
	}
	pol, err := joinPolicy(policy, lockout)
	if err != nil {
		return err
	}
	if isDemo {
		*logFile = e.demoStart(*db, *logFile, *demoCases)
	}
	log, closeLog, err := e.serveLogger(*logFormat, *logLevel, *logFile)
	if err != nil {
		return err
	}
	defer closeLog()
	cfg := server.Config{Version: Version, CentreName: *centre, SealName: *seal, SecureCookies: *secure, Dev: *dev, AllowPlainHTTP: *plain}
	if cfg.TrustedProxies, err = parseCIDRs(*proxies); err != nil {
		return usageError{"--trusted-proxies: " + err.Error()}
	}
	if cfg.MetricsAllow, err = parseCIDRs(*metricsAllow); err != nil {
		return usageError{"--metrics-allow: " + err.Error()}
	}
	if (*tlsCert == "") != (*tlsKey == "") {
		return usageError{"--tls-cert and --tls-key go together"}
	}
	st, err := e.openStore(*db)
	if err != nil {
		return err
	}
	defer st.Close()
	svc := service.New(st, log, pol)
	if err := loadKeys(svc, *db, *keyFile); err != nil {
		return err
	}
	anchorCfg, closeAnchor, err := anchor.start(e.ctx, *db, svc)
	if err != nil {
		return err
	}
	defer closeAnchor()
	if err := e.serveStart(svc, st, log, isDemo, *demoCases, *addr, *db, *logFile); err != nil {
		return err
	}
	srv, err := server.New(cfg, svc, log)
	if err != nil {
		return err
	}
	defer startJobs(e.ctx, svc, anchorCfg)()
	return listenAndServe(e.ctx, log, *addr, *tlsCert, *tlsKey, srv.Handler())
}

// startJobs starts the background work of a server; the returned func
// stops it and waits for it to end (after the last request).
func startJobs(ctx context.Context, svc *service.Service, anchorCfg identity.AnchorConfig) (stop func()) {
	jobsCtx, stopJobs := context.WithCancel(ctx)
	jobsDone, eventsDone, anchorDone := make(chan struct{}), make(chan struct{}), make(chan struct{})
	// Due-soon and overdue notices, on the one instance holding the job lease.
	go func() { svc.RunJobs(jobsCtx, time.Minute); close(jobsDone) }()
	// The audit chain's head, outside the database, on the one instance
	// holding the anchor lease; once more as it stops.
	go func() { svc.RunAuditAnchor(jobsCtx, anchorCfg); close(anchorDone) }()
	// The retention rules, once a day on the one instance holding their lease.
	retentionDone := make(chan struct{})
	go func() { svc.RunRetentionJobs(jobsCtx, time.Hour); close(retentionDone) }()
	go svc.WarmAssess(jobsCtx)
	go svc.WarmBoard(domain.WithActor(jobsCtx, domain.OperatorActor())) // the big screen's period figures
	// Events from the other instances (PostgreSQL). When ctx ends this
	// closes the open event streams, so the graceful shutdown is not held up
	// by them.
	go func() { svc.RunEvents(jobsCtx); close(eventsDone) }()
	return func() { stopJobs(); <-jobsDone; <-eventsDone; <-anchorDone; <-retentionDone }
}

// serveStart prepares the demo's database and prints its accounts, or
// warns when a real one has no account yet.
func (e *env) serveStart(svc *service.Service, st *store.Store, log *slog.Logger, isDemo bool, cases int, addr, db, logFile string) error {
	if !isDemo {
		if n, err := countUsers(e.ctx, st); err == nil && n == 0 {
			log.Warn("no accounts yet: create the first administrator with `jiefen user add --role admin --password-stdin …`")
		}
		return nil
	}
	accounts, err := demo.Prepare(e.ctx, svc, cases, func(step string) { fmt.Fprintf(e.stdout, "  … %s\n", step) })
	if err != nil {
		return fmt.Errorf("cannot prepare the demo database: %w", err)
	}
	printDemo(e, addr, db, logFile, svc.Policy(), accounts)
	return nil
}

// policyFlags declares the security policy's flags on f (the demo asks
// nobody for a second factor unless told to); the returned func reads them
// once f is parsed.
func policyFlags(f *flags, isDemo bool) func() (identity.Policy, error) {
	def := identity.SecondFactorRoles
	if isDemo {
		def = identity.SecondFactorOff
	}
	rule := f.str("2fa", def, "who must use a second factor (an authenticator app, TOTP): roles (the administrators and every role that can reveal or export personal data), all, or off")
	trust := f.str("2fa-trust-days", "0", "days a browser that passed the second step may skip it, if its user ticks the box (0: asked every time; at most 30)")
	return func() (identity.Policy, error) {
		p := identity.DefaultPolicy()
		if !slices.Contains(identity.SecondFactorRules, *rule) {
			return p, usageError{"--2fa must be roles, all or off"}
		}
		days, err := strconv.Atoi(*trust)
		if err != nil || days < 0 || days > 30 {
			return p, usageError{"--2fa-trust-days must be a whole number of days from 0 to 30"}
		}
		p.SecondFactor, p.DeviceTrust = *rule, time.Duration(days)*24*time.Hour
		return p, nil
	}
}

// joinPolicy is the security policy serve's flags give: the second factor's
// (policy), the tokens' longest life and the lockout's, budget's and idle
// accounts' values.
func joinPolicy(policy func() (identity.Policy, error), values *identity.Policy) (identity.Policy, error) {
	pol, err := policy()
	if err != nil {
		return pol, err
	}
	pol.TokenMaxAge = values.TokenMaxAge
	pol.LockoutFailures, pol.LockoutWindow, pol.LockoutDuration = values.LockoutFailures, values.LockoutWindow, values.LockoutDuration
	pol.RevealDailyCap, pol.RevealPerMinute, pol.AccountIdle = values.RevealDailyCap, values.RevealPerMinute, values.AccountIdle
	return pol, nil
}

// lockoutFlags declares the flags of the security policy's lockout values
// (SECURITY.md IA-4), the reveal budget and the idle-account days (the
// defaults are identity.DefaultPolicy's) and returns a policy whose values
// parse fills in from them.
func lockoutFlags(f *flags) *identity.Policy {
	p := identity.DefaultPolicy()
	failures := f.str("lockout-failures", strconv.Itoa(p.LockoutFailures), "failed sign-ins within --lockout-window that lock an account")
	window := f.str("lockout-window", p.LockoutWindow.String(), "the time in which failed sign-ins are counted")
	lock := f.str("lockout-duration", p.LockoutDuration.String(), "how long a locked account stays locked (an administrator can unlock it sooner)")
	revealCap := f.str("reveal-daily-cap", strconv.Itoa(p.RevealDailyCap), "full views of personal data an account may make a day before another person must grant more")
	revealRate := f.str("reveal-per-minute", strconv.Itoa(p.RevealPerMinute), "full views of personal data an account may make a minute")
	idleDays := f.str("account-idle-days", strconv.Itoa(int(p.AccountIdle/(24*time.Hour))), "days unused after which an account is disabled (0: never)")
	idle := 0
	tokenMax := f.str("token-max-days", "", "the longest life of an API token, in days (default 365)")
	f.checks = append(f.checks, func() error {
		n, err := strconv.Atoi(*failures)
		if err != nil || n < 1 || n > 100 {
			return usageError{"--lockout-failures must be a number from 1 to 100"}
		}
		p.LockoutFailures = n
		for _, d := range []struct {
			name string
			v    *string
			dst  *time.Duration
		}{{"--lockout-window", window, &p.LockoutWindow}, {"--lockout-duration", lock, &p.LockoutDuration}} {
			v, err := time.ParseDuration(*d.v)
			if err != nil || v < time.Minute || v > 24*time.Hour {
				return usageError{d.name + " must be a duration from 1m to 24h (e.g. 30m)"}
			}
			*d.dst = v
		}
		for _, d := range []struct {
			name    string
			v       *string
			dst     *int
			min, hi int
		}{{"--reveal-daily-cap", revealCap, &p.RevealDailyCap, 1, 10000}, {"--reveal-per-minute", revealRate, &p.RevealPerMinute, 1, 1000},
			{"--account-idle-days", idleDays, &idle, 0, 3650}} {
			n, err := strconv.Atoi(*d.v)
			if err != nil || n < d.min || n > d.hi {
				return usageError{fmt.Sprintf("%s must be a whole number from %d to %d", d.name, d.min, d.hi)}
			}
			*d.dst = n
		}
		p.AccountIdle = time.Duration(idle) * 24 * time.Hour
		tokens, err := servePolicy(*tokenMax)
		p.TokenMaxAge = tokens.TokenMaxAge
		return err
	})
	return &p
}

func countUsers(ctx context.Context, st *store.Store) (int, error) {
	var n int
	err := st.View(ctx, func(tx *store.Tx) error {
		var err error
		n, err = tx.CountUsers(ctx)
		return err
	})
	return n, err
}

// printDemo prints the URL and accounts, and whether a second factor is
// asked for.
func printDemo(e *env, addr, db, logFile string, pol identity.Policy, accounts []demo.Account) {
	host := addr
	if strings.HasPrefix(host, ":") {
		host = "127.0.0.1" + host
	}
	fmt.Fprintf(e.stdout, "\njiefen demo — 子洲县综治中心演示 (database %s)\n\n  Open http://%s/ and sign in with one of these accounts:\n\n", db, host)
	fmt.Fprintf(e.stdout, "  %-14s %-16s %-14s %s\n", "role", "username", "password", "who")
	for _, a := range accounts {
		fmt.Fprintf(e.stdout, "  %-14s %-16s %-14s %s\n", a.Role, a.Username, a.Password, a.Who)
	}
	fmt.Fprintf(e.stdout, "\n  A first walk: sign in as jiedai and register a dispute (登记); as zhiban assess and dispatch it\n"+
		"  (研判、交办); as tiaojie sign for it, record a session and close it; as jiedai inform the parties and\n"+
		"  visit them (告知、回访); as shuji see the command centre (/board) and the statistics.\n")
	if logFile != "" {
		fmt.Fprintf(e.stdout, "  The server's log: %s. Another address: --addr 127.0.0.1:8090.\n", logFile)
	}
	if pol.SecondFactor == identity.SecondFactorOff {
		fmt.Fprintf(e.stdout, "  Two-factor authentication (双因素认证) is off in the demo: start it with --2fa roles to require it, as jiefen serve does.\n")
	} else {
		fmt.Fprintf(e.stdout, "  Two-factor authentication (双因素认证) is required (--2fa %s): at the first sign-in each account enrols an authenticator app.\n", pol.SecondFactor)
	}
	fmt.Fprintf(e.stdout, "\n  Passwords are new each time the demo starts. Press Ctrl+C to stop.\n\n")
}

// demoStart says what the demo is doing while it starts, and picks its log
// file: the demo's terminal is for the person trying it, so the accounts
// stay the last thing printed and the server's log goes beside the database.
func (e *env) demoStart(db, logFile string, cases int) string {
	fmt.Fprintf(e.stdout, "jiefen demo: preparing %s (the first start creates Zizhou's tree, the centre and %d matters: about a minute)…\n", db, cases)
	if logFile == "" && !store.IsPostgres(db) {
		logFile = filepath.Join(filepath.Dir(strings.TrimPrefix(db, "sqlite:")), "demo.log")
	}
	return logFile
}

// serveLogger is newLogger writing to logFile when one is named (appended;
// the returned func closes it).
func (e *env) serveLogger(format, level, logFile string) (*slog.Logger, func(), error) {
	if logFile == "" {
		log, err := newLogger(e, format, level)
		return log, func() {}, err
	}
	if err := os.MkdirAll(filepath.Dir(logFile), 0o750); err != nil {
		return nil, nil, fmt.Errorf("cannot create the log's folder: %w", err)
	}
	f, err := os.OpenFile(logFile, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600) // addresses and usernames
	if err != nil {
		return nil, nil, fmt.Errorf("cannot open the log file: %w", err)
	}
	if fi, err := f.Stat(); err == nil && fi.Mode().Perm()&0o077 != 0 {
		_ = f.Chmod(0o600) // one made before it was kept private
	}
	log, err := newLogger(&env{stderr: f}, format, level)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return log, func() { f.Close() }, nil
}

func newLogger(e *env, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, usageError{"--log-level must be debug, info, warn or error"}
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(e.stderr, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(e.stderr, opts)), nil
	}
	return nil, usageError{"--log-format must be text or json"}
}

func parseCIDRs(s string) ([]*net.IPNet, error) {
	var out []*net.IPNet
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if !strings.Contains(part, "/") {
			if strings.Contains(part, ":") {
				part += "/128"
			} else {
				part += "/32"
			}
		}
		_, n, err := net.ParseCIDR(part)
		if err != nil {
			return nil, fmt.Errorf("%q is not an address or CIDR", part)
		}
		out = append(out, n)
	}
	return out, nil
}

// listenAndServe runs the server until ctx ends, then shuts down gracefully:
// it stops accepting, lets in-flight requests finish (up to 30 s) and returns.
func listenAndServe(ctx context.Context, log *slog.Logger, addr, cert, key string, h http.Handler) error {
	srv := &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		TLSConfig:         &tls.Config{MinVersion: tls.VersionTLS12},
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w", addr, err)
	}
	log.Info("listening", "addr", ln.Addr().String(), "tls", cert != "")
	errc := make(chan error, 1)
	go func() {
		if cert != "" {
			errc <- srv.ServeTLS(ln, cert, key)
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing in-flight requests")
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}
