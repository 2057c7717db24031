package cli_test

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"jiefen/internal/cli"
)

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// The demo creates Zizhou's tree and one account per role, prints working
// credentials, serves, and shuts down gracefully when the context ends; a
// second start reuses the database and prints new passwords.
func TestDemoServeAndShutdown(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	var printed []string
	for round := range 2 {
		addr := freeAddr(t)
		ctx, cancel := context.WithCancel(context.Background())
		out, errb := &syncBuf{}, &syncBuf{}
		done := make(chan int, 1)
		go func() {
			done <- cli.Main(ctx, []string{"demo", "--addr", addr, "--db", db, "--cases", "30"}, func(string) string { return "" }, strings.NewReader(""), out, errb)
		}()
		base := "http://" + addr
		var resp *http.Response
		var err error
		for range 1200 { // up to 2 minutes: the first start builds 840 grid cells, slow under -race
			if resp, err = http.Get(base + "/healthz"); err == nil {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if err != nil {
			cancel()
			t.Fatalf("server did not come up: %v\n%s", err, errb.String())
		}
		resp.Body.Close()
		m := regexp.MustCompile(`(?m)^\s+dispatcher\s+(\S+)\s+(\S+)`).FindStringSubmatch(out.String())
		if m == nil {
			t.Fatalf("no dispatcher account printed:\n%s", out.String())
		}
		printed = append(printed, m[2])
		// The printed password signs in.
		form := strings.NewReader("username=" + m[1] + "&password=" + urlEscape(m[2]))
		req, _ := http.NewRequest("POST", base+"/login", form)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err = (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
		if err != nil || resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
			t.Fatalf("round %d: demo login: %v %v", round, err, resp)
		}
		// A slow in-flight request finishes during shutdown.
		slow := make(chan int, 1)
		go func() {
			r, err := http.Get(base + "/readyz")
			if err != nil {
				slow <- 0
				return
			}
			io.Copy(io.Discard, r.Body)
			r.Body.Close()
			slow <- r.StatusCode
		}()
		time.Sleep(50 * time.Millisecond)
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errb.String())
			}
		case <-time.After(40 * time.Second):
			t.Fatal("no graceful shutdown")
		}
		if code := <-slow; code != 200 {
			t.Fatalf("in-flight request got %d", code)
		}
		// The terminal says what the demo does while it starts and ends with
		// the accounts; the server's log goes to demo.log beside the database.
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		if !strings.HasPrefix(lines[0], "jiefen demo: preparing") || !strings.Contains(out.String(), "… 演示事项") ||
			!strings.Contains(out.String(), "双因素认证) is off in the demo: start it with --2fa roles") ||
			!strings.Contains(lines[len(lines)-1], "Press Ctrl+C to stop") {
			t.Fatalf("round %d: the terminal:\n%s", round, out.String())
		}
		logged, err := os.ReadFile(filepath.Join(filepath.Dir(db), "demo.log"))
		if err != nil || !strings.Contains(string(logged), "stopped") || !strings.Contains(string(logged), "listening") {
			t.Fatalf("no server log in demo.log (%v):\n%s", err, logged)
		}
		if strings.Contains(errb.String(), "level=") {
			t.Fatalf("the server's log reached the terminal: %s", errb.String())
		}
	}
	if printed[0] == printed[1] {
		t.Fatal("demo passwords must be new on each start")
	}
}

func urlEscape(s string) string {
	r := strings.NewReplacer("%", "%25", "+", "%2B", "#", "%23", "&", "%26", "=", "%3D", "@", "%40")
	return r.Replace(s)
}
