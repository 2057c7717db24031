// Package metrics keeps request counts and latency histograms by route and
// writes them in the Prometheus text exposition format. It is small enough
// that the official client library (and its dependency tree) is not needed.
package metrics

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

var buckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

type key struct{ route, method, code string }

type series struct {
	counts []uint64 // per bucket, cumulative computed on output
	sum    float64
	n      uint64
}

// Registry holds the request metrics of one process, and values read from
// elsewhere at each scrape.
type Registry struct {
	mu    sync.Mutex
	start time.Time
	req   map[key]*series
	read  []readValue
}

// readValue is a metric whose value is read when the metrics are written.
type readValue struct {
	name, kind, help string
	fn               func() float64
}

// Read registers a metric (kind "counter" or "gauge") whose value fn gives
// at each scrape.
func (m *Registry) Read(name, kind, help string, fn func() float64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.read = append(m.read, readValue{name, kind, help, fn})
}

// New returns an empty registry.
func New() *Registry { return &Registry{start: time.Now(), req: map[key]*series{}} }

// Observe records one request.
func (m *Registry) Observe(route, method string, status int, d time.Duration) {
	k := key{route, method, strconv.Itoa(status)}
	sec := d.Seconds()
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.req[k]
	if s == nil {
		s = &series{counts: make([]uint64, len(buckets))}
		m.req[k] = s
	}
	for i, b := range buckets {
		if sec <= b {
			s.counts[i]++
			break
		}
	}
	s.sum += sec
	s.n++
}

// Wrap returns h instrumented under the route name.
func (m *Registry) Wrap(route string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: 200}
		h.ServeHTTP(sw, r)
		m.Observe(route, r.Method, sw.status, time.Since(t))
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (w *statusWriter) WriteHeader(s int) {
	if !w.wrote {
		w.status, w.wrote = s, true
	}
	w.ResponseWriter.WriteHeader(s)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Flush lets server-sent events through the wrapper.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func esc(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}

// WriteTo writes the metrics in Prometheus text format.
func (m *Registry) WriteTo(w io.Writer) (int64, error) {
	var b strings.Builder
	m.mu.Lock()
	keys := make([]key, 0, len(m.req))
	for k := range m.req {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, c := keys[i], keys[j]
		return a.route+a.method+a.code < c.route+c.method+c.code
	})
	b.WriteString("# HELP jiefen_http_requests_total HTTP requests by route, method and status.\n# TYPE jiefen_http_requests_total counter\n")
	for _, k := range keys {
		fmt.Fprintf(&b, "jiefen_http_requests_total{route=\"%s\",method=\"%s\",code=\"%s\"} %d\n", esc(k.route), k.method, k.code, m.req[k].n)
	}
	b.WriteString("# HELP jiefen_http_request_duration_seconds HTTP request latency by route.\n# TYPE jiefen_http_request_duration_seconds histogram\n")
	for _, k := range keys {
		s := m.req[k]
		lbl := fmt.Sprintf("route=\"%s\",method=\"%s\",code=\"%s\"", esc(k.route), k.method, k.code)
		var cum uint64
		for i, bk := range buckets {
			cum += s.counts[i]
			fmt.Fprintf(&b, "jiefen_http_request_duration_seconds_bucket{%s,le=\"%g\"} %d\n", lbl, bk, cum)
		}
		fmt.Fprintf(&b, "jiefen_http_request_duration_seconds_bucket{%s,le=\"+Inf\"} %d\n", lbl, s.n)
		fmt.Fprintf(&b, "jiefen_http_request_duration_seconds_sum{%s} %g\n", lbl, s.sum)
		fmt.Fprintf(&b, "jiefen_http_request_duration_seconds_count{%s} %d\n", lbl, s.n)
	}
	fmt.Fprintf(&b, "# HELP jiefen_uptime_seconds Seconds since the process started.\n# TYPE jiefen_uptime_seconds gauge\njiefen_uptime_seconds %g\n", time.Since(m.start).Seconds())
	read := m.read
	m.mu.Unlock()
	for _, v := range read {
		fmt.Fprintf(&b, "# HELP %[1]s %[2]s\n# TYPE %[1]s %[3]s\n%[1]s %[4]g\n", v.name, v.help, v.kind, v.fn())
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Fprintf(&b, "# HELP go_memstats_heap_inuse_bytes Bytes in in-use heap spans.\n# TYPE go_memstats_heap_inuse_bytes gauge\ngo_memstats_heap_inuse_bytes %d\n", ms.HeapInuse)
	fmt.Fprintf(&b, "# HELP go_goroutines Number of goroutines.\n# TYPE go_goroutines gauge\ngo_goroutines %d\n", runtime.NumGoroutine())
	if rss, hwm, ok := residentMemory(); ok {
		fmt.Fprintf(&b, "# HELP process_resident_memory_bytes Resident memory size in bytes.\n# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes %d\n", rss)
		fmt.Fprintf(&b, "# HELP jiefen_process_resident_memory_peak_bytes Peak resident memory (VmHWM) in bytes.\n# TYPE jiefen_process_resident_memory_peak_bytes gauge\njiefen_process_resident_memory_peak_bytes %d\n", hwm)
	}
	n, err := io.WriteString(w, b.String())
	return int64(n), err
}

// residentMemory reads the current and peak resident set size from
// /proc/self/status (Linux; ok is false elsewhere).
func residentMemory() (rss, hwm int64, ok bool) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, 0, false
	}
	for _, line := range strings.Split(string(data), "\n") {
		var kb int64
		switch {
		case strings.HasPrefix(line, "VmRSS:"):
			fmt.Sscan(strings.TrimPrefix(line, "VmRSS:"), &kb)
			rss = kb * 1024
		case strings.HasPrefix(line, "VmHWM:"):
			fmt.Sscan(strings.TrimPrefix(line, "VmHWM:"), &kb)
			hwm = kb * 1024
		}
	}
	return rss, hwm, rss > 0
}
