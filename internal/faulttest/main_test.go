// Package faulttest runs the real jiefen binary against faults: the process
// killed mid-write (SQLite and PostgreSQL) and PostgreSQL unreachable for a
// moment behind a TCP proxy. Everything listens on 127.0.0.1; every test is
// bounded in requests and time.
package faulttest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"jiefen/internal/crypto"
	"jiefen/internal/domain"
	"jiefen/internal/service"
	"jiefen/internal/service/identity"
	"jiefen/internal/store"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// binDir holds the jiefen binary, built once per test run (see jiefenBin).
var (
	binDir   string
	binOnce  sync.Once
	binPath  string
	binError error
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "jiefen-faulttest-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// jiefenBin builds ./cmd/jiefen from the module root on first use and
// returns the path of the binary.
func jiefenBin(t testing.TB) string {
	t.Helper()
	binOnce.Do(func() {
		root, err := moduleRoot()
		if err != nil {
			binError = err
			return
		}
		goTool, err := exec.LookPath("go")
		if err != nil {
			goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
		}
		binPath = filepath.Join(binDir, "jiefen")
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, goTool, "build", "-o", binPath, "./cmd/jiefen")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			binError = fmt.Errorf("go build ./cmd/jiefen: %w\n%s", err, out)
		}
	})
	if binError != nil {
		t.Fatal(binError)
	}
	return binPath
}

// moduleRoot walks up from the working directory to the go.mod of jiefen.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && bytes.HasPrefix(b, []byte("module jiefen\n")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod of module jiefen not found above the working directory")
		}
		dir = parent
	}
}

// instance is one prepared database: migrated, Zizhou's tree imported, a
// receptionist account with an API token.
type instance struct {
	bin   string
	dir   string // working directory: key file, attachments, logs
	dsn   string
	token string
	env   []string
}

const password = "Tq7#mLw2vX9p"

// prepare readies dsn with the CLI, as an operator would.
func prepare(t *testing.T, dsn string) *instance {
	t.Helper()
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	in := &instance{bin: jiefenBin(t), dir: dir, dsn: dsn}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "JIEFEN_") && !strings.HasPrefix(kv, "LANG=") {
			in.env = append(in.env, kv)
		}
	}
	in.env = append(in.env, "JIEFEN_LANG=en", "JIEFEN_KEY_FILE="+filepath.Join(dir, "jiefen.keys"),
		"JIEFEN_FILES_DIR="+filepath.Join(dir, "files"))
	in.cli(t, "", "migrate", "--db", dsn)
	in.cli(t, "", "divisions", "import", "--db", dsn, "--from", filepath.Join(root, "internal", "demo", "data", "zizhou-divisions.csv"),
		"--county", "610831", "--county-name", "子洲县")
	in.cli(t, password+"\n", "user", "add", "--db", dsn, "--username", "recep", "--name", "接待员甲",
		"--role", "receptionist", "--org", "610831", "--password-stdin")
	changeInitialPassword(t, dsn, filepath.Join(dir, "jiefen.keys"), "recep")
	in.token = strings.TrimSpace(in.cli(t, "", "token", "create", "--db", dsn, "--username", "recep", "--name", "faulttest",
		"--scope", "cases:read,cases:write"))
	if !strings.HasPrefix(in.token, "jf_") {
		t.Fatalf("token create printed %q", in.token)
	}
	return in
}

// cli runs one jiefen command and returns its standard output; it fails the
// test unless the command exits 0 within a minute.
func (in *instance) cli(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, in.bin, args...)
	cmd.Dir, cmd.Env, cmd.Stdin = in.dir, in.env, strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("jiefen %s: %v\n%s%s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// server is a running `jiefen serve`.
type server struct {
	cmd  *exec.Cmd
	base string
	log  string
	done chan struct{}
}

// start runs `jiefen serve` on dsn (the instance's, or a proxied one) on a
// free loopback port and waits until /readyz answers 200. The process is
// killed at cleanup if still running.
func (in *instance) start(t *testing.T, dsn string) *server {
	t.Helper()
	addr := freeAddr(t)
	logf, err := os.CreateTemp(in.dir, "serve-*.log")
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	cmd := exec.Command(in.bin, "serve", "--db", dsn, "--addr", addr, "--key-file", filepath.Join(in.dir, "jiefen.keys"), "--log-level", "warn")
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = in.dir, in.env, logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, base: "http://" + addr, log: logf.Name(), done: make(chan struct{})}
	go func() { cmd.Wait(); close(s.done) }()
	t.Cleanup(func() {
		s.kill(t)
		if t.Failed() {
			s.dumpLog(t)
		}
	})
	c := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			s.dumpLog(t)
			t.Fatalf("jiefen serve exited before it was ready: %v", cmd.ProcessState)
		default:
		}
		if resp, err := c.Get(s.base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.dumpLog(t)
	t.Fatalf("jiefen serve on %s was not ready within 30 s", addr)
	return nil
}

// kill sends SIGKILL and waits for the process to end.
func (s *server) kill(t testing.TB) {
	select {
	case <-s.done:
		return
	default:
	}
	if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil && !errors.Is(err, os.ErrProcessDone) {
		t.Errorf("kill jiefen serve: %v", err)
	}
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		t.Errorf("jiefen serve did not end 10 s after SIGKILL")
	}
}

func (s *server) dumpLog(t testing.TB) {
	b, _ := os.ReadFile(s.log)
	if len(b) > 8000 {
		b = append([]byte("…"), b[len(b)-8000:]...)
	}
	t.Logf("server log %s:\n%s", s.log, b)
}

func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// changeInitialPassword changes username's initial password as its owner
// would at the first sign-in: an account that must change its password can
// have no API token (issue 14).
func changeInitialPassword(t *testing.T, dsn, keyFile, username string) {
	t.Helper()
	if !store.IsPostgres(dsn) && !strings.HasPrefix(dsn, "sqlite:") {
		dsn = "sqlite:" + dsn
	}
	st, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc := service.New(st, slog.New(slog.DiscardHandler), identity.DefaultPolicy())
	k, err := crypto.LoadOrCreate(keyFile) // the server's key: the audit entry is sealed with it
	if err != nil {
		t.Fatal(err)
	}
	svc.SetKeys(k)
	u, err := svc.UserByUsername(domain.WithActor(context.Background(), domain.OperatorActor()), username)
	if err != nil {
		t.Fatal(err)
	}
	ctx := domain.WithActor(context.Background(), &domain.Actor{User: u, IP: "127.0.0.1", Via: "web"})
	if _, err := svc.ChangePassword(ctx, password, "Zx9#kLm2pQw7", "Zx9#kLm2pQw7"); err != nil {
		t.Fatalf("change %s's initial password: %v", username, err)
	}
}
