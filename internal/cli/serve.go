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
	if err := f.parse(args); err != nil {
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
	cfg := server.Config{Version: Version, CentreName: *centre, SealName: *seal, SecureCookies: *secure, Dev: *dev}
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
	svc := service.New(st, log, identity.DefaultPolicy())
	if err := loadKeys(svc, *db, *keyFile); err != nil {
		return err
	}
	if isDemo {
		accounts, err := demo.Prepare(e.ctx, svc, *demoCases, func(step string) { fmt.Fprintf(e.stdout, "  … %s\n", step) })
		if err != nil {
			return fmt.Errorf("cannot prepare the demo database: %w", err)
		}
		defer printDemo(e, *addr, *db, *logFile, accounts)()
	} else if n, err := countUsers(e.ctx, st); err == nil && n == 0 {
		log.Warn("no accounts yet: create the first administrator with `jiefen user add --role admin --password-stdin …`")
	}
	srv, err := server.New(cfg, svc, log)
	if err != nil {
		return err
	}
	jobsCtx, stopJobs := context.WithCancel(e.ctx)
	jobsDone, eventsDone := make(chan struct{}), make(chan struct{})
	// Due-soon and overdue notices, on the one instance holding the job lease.
	go func() { svc.RunJobs(jobsCtx, time.Minute); close(jobsDone) }()
	// The retention rules, once a day on the one instance holding their lease.
	retentionDone := make(chan struct{})
	go func() { svc.RunRetentionJobs(jobsCtx, time.Hour); close(retentionDone) }()
	go svc.WarmAssess(jobsCtx)
	go svc.WarmBoard(domain.WithActor(jobsCtx, domain.OperatorActor())) // the big screen's period figures
	// Events from the other instances (PostgreSQL). When e.ctx ends this
	// closes the open event streams, so the graceful shutdown is not held up
	// by them.
	go func() { svc.RunEvents(jobsCtx); close(eventsDone) }()
	defer func() { stopJobs(); <-jobsDone; <-eventsDone; <-retentionDone }()
	return listenAndServe(e.ctx, log, *addr, *tlsCert, *tlsKey, srv.Handler())
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

// printDemo prints the URL and accounts; it returns a no-op so the call site
// reads as "print, then serve".
func printDemo(e *env, addr, db, logFile string, accounts []demo.Account) func() {
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
	fmt.Fprintf(e.stdout, "\n  Passwords are new each time the demo starts. Press Ctrl+C to stop.\n\n")
	return func() {}
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
	f, err := os.OpenFile(logFile, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o640)
	if err != nil {
		return nil, nil, fmt.Errorf("cannot open the log file: %w", err)
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
