// Package cli implements the jiefen command: serve, demo, migrate, user,
// token, divisions, audit and version. Every flag can also be set from a
// JIEFEN_* environment variable (the flag wins).
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"runtime/pprof"
	"sort"
	"strings"
	"time"

	"jiefen/internal/crypto"
	"jiefen/internal/domain"
	"jiefen/internal/i18n"
	"jiefen/internal/service"
	"jiefen/internal/store"
)

// Version is set at build time with -ldflags "-X jiefen/internal/cli.Version=…".
var Version = "0.1.0-dev"

// DefaultDB is the SQLite file used when no --db is given.
const DefaultDB = "data/jiefen.db"

// env is the process environment and streams, passed in so tests can run
// commands in-process.
type env struct {
	ctx    context.Context
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	lang   string
}

// usageError marks a mistake in the command line (exit status 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// Main runs one command and returns the process exit status.
func Main(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{ctx: ctx, getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr, lang: cliLang(getenv)}
	if p := getenv("JIEFEN_CPUPROFILE"); p != "" {
		// Profiling for operators and developers: where a command (a bulk
		// load, a server under a load test) spends its time.
		if f, err := os.Create(p); err == nil {
			pprof.StartCPUProfile(f)
			defer f.Close()
			defer pprof.StopCPUProfile()
		}
	}
	err := e.run(args)
	if err == nil {
		return 0
	}
	fmt.Fprintln(stderr, "jiefen: "+e.describe(err))
	if _, ok := errors.AsType[usageError](err); ok {
		return 2
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	return 1
}

func cliLang(getenv func(string) string) string {
	if l := i18n.Supported(getenv("JIEFEN_LANG")); l != "" {
		return l
	}
	if strings.HasPrefix(getenv("LANG"), "zh") {
		return "zh-CN"
	}
	return "en"
}

// describe turns an error into one sentence (plus field lines) for the operator.
func (e *env) describe(err error) string {
	if de, ok := errors.AsType[*domain.Error](err); ok && de.Code != domain.Internal {
		msg := i18n.T(e.lang, de.Key, de.Args...)
		var fields []string
		for f, k := range de.Fields {
			fields = append(fields, fmt.Sprintf("  %s: %s", f, i18n.T(e.lang, k)))
		}
		sort.Strings(fields)
		if len(fields) > 0 {
			msg += "\n" + strings.Join(fields, "\n")
		}
		return msg
	}
	return err.Error()
}

const usage = `jiefen — the county 综治中心 dispute-resolution platform

Usage:
  jiefen serve      [--addr HOST:PORT] [--db DSN]     run the web server
  jiefen demo       [--addr HOST:PORT] [--db DSN]     create a demo database for Zizhou County and serve it
  jiefen migrate    [--db DSN]                        apply database migrations
  jiefen backup     --out FILE [--db DSN] [--force]   consistent copy of a live SQLite database
  jiefen restore    --from FILE [--db DSN] [--force]  put a backup in place (the old file is kept)
  jiefen user add   --username U --name N --role R[,R] --org CODE --password-stdin
  jiefen user list | disable | enable | unlock | reset-password   (see "jiefen user -h")
  jiefen token create --username U [--name LABEL] [--scope S,S] [--days N]   print a new API token
  jiefen token list [--username U] [--all] | revoke --id N
  jiefen divisions import --from PATH [--county CODE] [--county-name NAME]
  jiefen calendar import --from FILE.csv              record holidays and 调休 working days
  jiefen categories list | add --code C --name N [--parent P]
  jiefen centre import --from FILE.json [--weeks N] | show   units, roster, windows, mediators
  jiefen centre post --post P --org CODE --username U   who leads red / yellow / blue matters
  jiefen centre assign --username U --unit CODE        make an account one of a unit's handlers
  jiefen group import --case NUMBER --from FILE.xlsx|.csv | show --case NUMBER   household lists (群体性)
  jiefen stats --from DATE --to DATE [--org CODE] [--by category|org|unit|channel|risk|month] [--list FIGURE [--key K]] [--json]   figures with written definitions, or the matters behind one
  jiefen ledger --out FILE.xlsx [--from DATE] [--to DATE] [--org CODE] [--category C] [--risk R] [--status S]   the matter ledger (masked; audited)
  jiefen report --month YYYY-MM [--org CODE] --out FILE.xlsx   the monthly report
  jiefen board [--org CODE]   the command centre's counts now
  jiefen assess suggest --description TEXT [--org CODE]  suggested category and risk colour, with reasons
  jiefen assess rules | set-rules --from FILE --note N   the assessment rules (JSON), versioned
  jiefen security report [--json]                     the security alerts of 30 days, today's full views of personal data, the policy
  jiefen audit verify [--audit-anchor FILE] [--key-file FILE]   check every audit entry's seal, the links and the anchor file
  jiefen audit anchor                                 write the audit chain's head to the anchor file now
  jiefen audit rotate-key [--key-file FILE]           a new current audit key (the old ones stay, to verify)
  jiefen audit search [--user U] [--action A] [--object ID] [--result ok|fail] [--from DATE] [--to DATE] [--limit N]
                                                      the audit entries as written, newest first (audited)
  jiefen privacy find (--id-number X | --phone P | --name N --org CODE) --ref R --reason T [--json]
                                                      everything held about a person: the fields, not the values (audited)
  jiefen privacy export --request N --out FILE.xlsx   a person's copy, of a request an account made and another approved
  jiefen privacy correct --case NUMBER --party N --field name|id_number|phone|address --value V --ref R --reason T
  jiefen privacy retention run [--dry-run] | rules | set --kind K --days N   anonymise what is past retention
  jiefen privacy record [--json]                      the processing record (个人信息处理活动记录)
  jiefen privacy access --user U --from DATE --to DATE   whose records an account viewed (breach notification)
  jiefen workflow                                     print the workflow table (docs/WORKFLOW.md)
  jiefen cases list [--q TEXT] [--status S] [--overdue]  matters, personal data masked
  jiefen jobs run                                     one pass of the deadline and watch notices
  jiefen seed       --cases N [--persons M] [--db DSN]  bulk synthetic matters (load tests, benchmarks)
  jiefen loadtest   --url URL --token T [--clients C] [--duration D]  drive a running server, print latencies
  jiefen version

DSN: postgres://… selects PostgreSQL; anything else is an SQLite file path
(an optional sqlite: prefix is accepted). Default: ` + DefaultDB + `.
Every flag can be given as an environment variable: --db → JIEFEN_DB.
`

func (e *env) run(args []string) error {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, usage)
		return usageError{"no command given"}
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return e.serve(rest, false)
	case "demo":
		return e.serve(rest, true)
	case "migrate":
		return e.migrate(rest)
	case "backup":
		return e.backup(rest)
	case "restore":
		return e.restore(rest)
	case "user":
		return e.user(rest)
	case "token":
		return e.token(rest)
	case "divisions":
		return e.divisions(rest)
	case "audit":
		return e.audit(rest)
	case "security":
		return e.security(rest)
	case "jobs":
		return e.jobs(rest)
	case "cases":
		return e.cases(rest)
	case "privacy":
		return e.privacy(rest)
	case "workflow":
		fmt.Fprint(e.stdout, domain.WorkflowMarkdown())
		return nil
	case "calendar":
		return e.calendar(rest)
	case "categories":
		return e.categories(rest)
	case "assess":
		return e.assess(rest)
	case "centre":
		return e.centre(rest)
	case "group":
		return e.group(rest)
	case "stats":
		return e.stats(rest)
	case "ledger":
		return e.ledger(rest)
	case "report":
		return e.report(rest)
	case "board":
		return e.board(rest)
	case "seed":
		return e.seed(rest)
	case "loadtest":
		return e.loadtest(rest)
	case "version", "--version", "-v":
		fmt.Fprintln(e.stdout, "jiefen", Version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(e.stdout, usage)
		return nil
	}
	fmt.Fprint(e.stderr, usage)
	return usageError{fmt.Sprintf("unknown command %q", cmd)}
}

// flags builds a flag set whose defaults come from JIEFEN_* variables.
type flags struct {
	*flag.FlagSet
	e      *env
	checks []func() error // run by parse once the flags are read
}

func (e *env) newFlags(name string) *flags {
	fs := flag.NewFlagSet("jiefen "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	return &flags{FlagSet: fs, e: e}
}

// subcommand starts a command that takes a subcommand (assess suggest,
// centre import…): without one it is a usage error saying what to give
// (give); the subcommand's flag set has --db.
func (e *env) subcommand(name, give string, args []string) (*flags, *string, error) {
	if len(args) == 0 {
		return nil, nil, usageError{name + ": give " + give}
	}
	f := e.newFlags(name + " " + args[0])
	return f, f.str("db", DefaultDB, "database DSN"), nil
}

// subFunc runs one subcommand: its flags go on f (which has --db), args
// are what follows its name.
type subFunc func(f *flags, db *string, args []string) error

// runSub runs the subcommand args[0] of command name from subs; give says
// what to give when there is none.
func (e *env) runSub(name, give string, args []string, subs map[string]subFunc) error {
	f, db, err := e.subcommand(name, give, args)
	if err != nil {
		return err
	}
	run, ok := subs[args[0]]
	if !ok {
		return usageError{fmt.Sprintf("%s: unknown subcommand %q", name, args[0])}
	}
	return run(f, db, args[1:])
}

func envName(flagName string) string {
	return "JIEFEN_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

func (f *flags) str(name, def, help string) *string {
	if v := f.e.getenv(envName(name)); v != "" {
		def = v
	}
	return f.String(name, def, help+" (env "+envName(name)+")")
}

func (f *flags) boolean(name string, def bool, help string) *bool {
	switch strings.ToLower(f.e.getenv(envName(name))) {
	case "1", "true", "yes", "on":
		def = true
	case "0", "false", "no", "off":
		def = false
	}
	return f.Bool(name, def, help+" (env "+envName(name)+")")
}

func (f *flags) parse(args []string) error {
	if err := f.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	if f.NArg() > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", f.Arg(0))}
	}
	for _, check := range f.checks {
		if err := check(); err != nil {
			return err
		}
	}
	return nil
}

// openStore opens and migrates the database for a command.
func (e *env) openStore(dsn string) (*store.Store, error) {
	st, err := store.Open(e.ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("cannot open the database %s: %w", redactDSN(dsn), err)
	}
	if _, err := st.Migrate(e.ctx); err != nil {
		st.Close()
		return nil, fmt.Errorf("cannot migrate the database: %w", err)
	}
	return st, nil
}

// redactDSN hides a password in a PostgreSQL DSN.
func redactDSN(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && store.IsPostgres(dsn) {
		return u.Redacted()
	}
	return dsn
}

// cliService builds a service acting as the operator's CLI.
func (e *env) cliService(st *store.Store, dsn string) (*service.Service, context.Context, error) {
	return e.cliServiceWith(st, dsn, e.getenv("JIEFEN_KEY_FILE"), crypto.LoadOrCreate)
}

// cliServiceWith is cliService with the key file keyFile read by load.
func (e *env) cliServiceWith(st *store.Store, dsn, keyFile string, load func(string) (*crypto.Keyring, error)) (*service.Service, context.Context, error) {
	log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	policy, err := servePolicy(e.getenv("JIEFEN_TOKEN_MAX_DAYS")) // the server's bound holds for the operator's tokens too
	if err != nil {
		return nil, nil, err
	}
	svc := service.New(st, log, policy)
	if err := loadKeysWith(svc, dsn, keyFile, load); err != nil {
		return nil, nil, err
	}
	return svc, domain.WithActor(e.ctx, domain.OperatorActor()), nil
}

// loadKeys opens (creating on first use) the key file that seals personal
// data and the audit log: by default beside the SQLite file, or
// data/jiefen.keys for PostgreSQL.
func loadKeys(svc *service.Service, dsn, keyFile string) error {
	return loadKeysWith(svc, dsn, keyFile, crypto.LoadOrCreate)
}

// keyPath is the key file for dsn: keyFile when given, else beside the
// SQLite file, or data/jiefen.keys for PostgreSQL.
func keyPath(dsn, keyFile string) string {
	if keyFile != "" {
		return keyFile
	}
	if store.IsPostgres(dsn) {
		return "data/jiefen.keys"
	}
	return strings.TrimPrefix(dsn, "sqlite:") + ".keys"
}

// loadKeysWith is loadKeys reading the key file with load.
func loadKeysWith(svc *service.Service, dsn, keyFile string, load func(string) (*crypto.Keyring, error)) error {
	k, err := load(keyPath(dsn, keyFile))
	if err != nil {
		return err
	}
	svc.SetKeys(k)
	// Attachments live beside the SQLite file, or in data/files for PostgreSQL
	// (point JIEFEN_FILES_DIR at shared storage when several instances run).
	files := "data/files"
	if !store.IsPostgres(dsn) {
		files = strings.TrimPrefix(dsn, "sqlite:") + ".files"
	}
	if d := os.Getenv("JIEFEN_FILES_DIR"); d != "" {
		files = d
	}
	svc.SetFilesDir(files)
	return nil
}

func (e *env) migrate(args []string) error {
	f := e.newFlags("migrate")
	db := f.str("db", DefaultDB, "database DSN")
	if err := f.parse(args); err != nil {
		return err
	}
	st, err := store.Open(e.ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	applied, err := st.Migrate(e.ctx)
	if err != nil {
		return err
	}
	v, _, err := st.SchemaVersion(e.ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "applied %d migration(s); schema version %d (%s)\n", len(applied), v, st.Engine())
	return nil
}

// dayRange reads a command's optional --from and --to days (Beijing time):
// the first day's start and the end of the last (the next midnight); a
// zero time for a day not given.
func dayRange(cmd, from, to string) (start, end time.Time, err error) {
	for _, d := range []struct {
		v    string
		dst  *time.Time
		next bool
	}{{from, &start, false}, {to, &end, true}} {
		if d.v == "" {
			continue
		}
		t, err := domain.ParseDay(d.v)
		if err != nil {
			return start, end, usageError{cmd + ": --from and --to must be dates like 2026-10-01"}
		}
		if d.next {
			t = t.AddDate(0, 0, 1)
		}
		*d.dst = t
	}
	return start, end, nil
}
