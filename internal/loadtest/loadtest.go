// Package loadtest drives a running jiefen server over HTTP with concurrent
// clients and reports throughput and latency percentiles per operation, and
// measures the raw single-row insert rate of the database driver at the same
// durability setting, so registration speed can be stated as a ratio of what
// the engine itself can do. It only ever targets the loopback interface.
package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"jiefen/internal/domain"
)

// Options configure a run.
type Options struct {
	URL         string        // the server, e.g. http://127.0.0.1:8080
	Token       string        // an API token of an account that may register and view matters county-wide
	Clients     int           // concurrent clients
	Duration    time.Duration // of the mixed phase; the registration-only phase takes a third of it
	MaxRequests int           // a bound on requests per phase (0: 1,000,000)
	Mix         map[string]int
	Out         io.Writer
}

// Ops are the operations of the mix, in report order.
var Ops = []string{"register", "list", "search", "case", "dashboard"}

// DefaultMix weighs the operations like a working day at the centre: far
// more reading than writing.
var DefaultMix = map[string]int{"register": 1, "list": 3, "search": 3, "case": 3, "dashboard": 2}

// Result is one phase's figures per operation.
type Result struct {
	Phase   string
	Clients int
	Elapsed time.Duration
	Ops     map[string]*OpStats
}

// OpStats are one operation's figures.
type OpStats struct {
	N, Errors int
	Lat       []time.Duration
	FirstErr  string
}

// Percentile returns the p-th percentile latency (p in 0..100).
func (s *OpStats) Percentile(p float64) time.Duration {
	if len(s.Lat) == 0 {
		return 0
	}
	l := slices.Clone(s.Lat)
	slices.Sort(l)
	i := int(float64(len(l)-1) * p / 100)
	return l[i]
}

// CheckLoopback refuses any target but 127.0.0.1, ::1 or localhost.
func CheckLoopback(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return fmt.Errorf("loadtest: --url must be like http://127.0.0.1:8080")
	}
	h := u.Hostname()
	if h == "localhost" {
		return nil
	}
	if ip := net.ParseIP(h); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("loadtest: only the loopback interface may be load-tested, not %s", h)
}

type runner struct {
	opt      Options
	client   *http.Client
	orgs     []string     // village codes to register under
	towns    []string     // township codes to filter by
	maxID    atomic.Int64 // the newest matter id seen (matter pages pick below it)
	words    []string
	statuses []string
}

// Run performs the mixed phase and the registration-only phase.
func Run(ctx context.Context, opt Options) ([]Result, error) {
	if err := CheckLoopback(opt.URL); err != nil {
		return nil, err
	}
	if opt.Clients < 1 || opt.Clients > 256 {
		return nil, fmt.Errorf("loadtest: --clients must be 1–256")
	}
	if opt.Duration <= 0 || opt.Duration > 30*time.Minute {
		return nil, fmt.Errorf("loadtest: --duration must be above 0 and at most 30m")
	}
	if opt.MaxRequests <= 0 {
		opt.MaxRequests = 1_000_000
	}
	if opt.Mix == nil {
		opt.Mix = DefaultMix
	}
	total := 0
	for _, w := range opt.Mix {
		total += w
	}
	if total == 0 {
		return nil, fmt.Errorf("loadtest: --mix gives every operation weight 0")
	}
	tr := &http.Transport{MaxIdleConns: opt.Clients * 2, MaxIdleConnsPerHost: opt.Clients * 2, IdleConnTimeout: time.Minute}
	r := &runner{opt: opt, client: &http.Client{Transport: tr, Timeout: 30 * time.Second},
		words:    []string{"土地", "工资", "宅基", "邻居", "医院", "物业", "借款", "山林", "补偿", "学校", "离婚", "排水", "工地", "赔偿", "青苗"},
		statuses: []string{"registered", "in_resolution", "closed", "archived", "dispatched"}}
	if err := r.discover(ctx); err != nil {
		return nil, err
	}
	mixed := r.phase(ctx, "mixed", opt.Duration, opt.Mix)
	reg := r.phase(ctx, "register only", opt.Duration/3, map[string]int{"register": 1})
	return []Result{mixed, reg}, nil
}

// discover learns the places and the newest matter id.
func (r *runner) discover(ctx context.Context) error {
	var top struct {
		Items []struct {
			Code  string `json:"code"`
			Level string `json:"level"`
		} `json:"items"`
	}
	if err := r.getJSON(ctx, "/api/v1/orgs?parent=610831", &top); err != nil {
		return fmt.Errorf("loadtest: reading the places: %w", err)
	}
	for _, t := range top.Items {
		r.towns = append(r.towns, t.Code)
		var vs struct {
			Items []struct {
				Code string `json:"code"`
			} `json:"items"`
		}
		if err := r.getJSON(ctx, "/api/v1/orgs?parent="+t.Code, &vs); err != nil {
			return err
		}
		for _, v := range vs.Items {
			r.orgs = append(r.orgs, v.Code)
		}
	}
	if len(r.orgs) == 0 {
		return fmt.Errorf("loadtest: the server has no villages under 610831 (run `jiefen seed` or the demo first)")
	}
	var list struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
	}
	if err := r.getJSON(ctx, "/api/v1/cases?limit=1", &list); err != nil {
		return err
	}
	if len(list.Items) > 0 {
		r.maxID.Store(list.Items[0].ID)
	}
	return nil
}

func (r *runner) getJSON(ctx context.Context, path string, v any) error {
	status, body, err := r.do(ctx, "GET", path, nil)
	if err != nil {
		return err
	}
	if status != 200 {
		return fmt.Errorf("GET %s: %d %.200s", path, status, body)
	}
	return json.Unmarshal(body, v)
}

func (r *runner) do(ctx context.Context, method, path string, body []byte) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, r.opt.URL+path, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+r.opt.Token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// phase runs the clients on a mix for d (or until MaxRequests).
func (r *runner) phase(ctx context.Context, name string, d time.Duration, mix map[string]int) Result {
	var wheel []string
	for _, op := range Ops {
		for range mix[op] {
			wheel = append(wheel, op)
		}
	}
	res := Result{Phase: name, Clients: r.opt.Clients, Ops: map[string]*OpStats{}}
	if len(wheel) == 0 {
		return res // every weight 0: nothing to do (Run refuses such a mix)
	}
	for _, op := range Ops {
		res.Ops[op] = &OpStats{}
	}
	var mu sync.Mutex
	var sent int
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for c := range r.opt.Clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(c), uint64(start.UnixNano())))
			for ctx.Err() == nil {
				mu.Lock()
				if sent >= r.opt.MaxRequests {
					mu.Unlock()
					return
				}
				sent++
				mu.Unlock()
				op := wheel[rng.IntN(len(wheel))]
				t0 := time.Now()
				err := r.one(ctx, rng, op)
				lat := time.Since(t0)
				if ctx.Err() != nil {
					return // cut off by the end of the phase: not counted
				}
				mu.Lock()
				s := res.Ops[op]
				s.N++
				s.Lat = append(s.Lat, lat)
				if err != nil {
					s.Errors++
					if s.FirstErr == "" {
						s.FirstErr = err.Error()
					}
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	res.Elapsed = time.Since(start)
	return res
}

// one performs one operation and checks its answer.
func (r *runner) one(ctx context.Context, rng *rand.Rand, op string) error {
	var method, path string
	var body []byte
	want := 200
	switch op {
	case "register":
		method, path, want = "POST", "/api/v1/cases", 201
		body = r.caseBody(rng)
	case "list":
		q := url.Values{"limit": {"50"}, "status": {r.statuses[rng.IntN(len(r.statuses))]}}
		if rng.IntN(2) == 0 {
			q.Set("org_code", r.towns[rng.IntN(len(r.towns))])
		}
		method, path = "GET", "/api/v1/cases?"+q.Encode()
	case "search":
		method, path = "GET", "/api/v1/cases?limit=50&q="+url.QueryEscape(r.words[rng.IntN(len(r.words))])
	case "case":
		top := r.maxID.Load()
		if top == 0 {
			return r.one(ctx, rng, "list") // nothing registered yet
		}
		method, path = "GET", fmt.Sprint("/api/v1/cases/", 1+rng.Int64N(top))
	case "dashboard":
		method, path = "GET", "/api/v1/work"
	}
	status, b, err := r.do(ctx, method, path, body)
	if err != nil {
		return err
	}
	if status != want {
		return fmt.Errorf("%s %s: %d %.200s", method, path, status, b)
	}
	if op == "register" {
		var c struct {
			ID int64 `json:"id"`
		}
		if json.Unmarshal(b, &c) == nil {
			for top := r.maxID.Load(); c.ID > top && !r.maxID.CompareAndSwap(top, c.ID); top = r.maxID.Load() {
			}
		}
	}
	return nil
}

var surnames = []rune("王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗")

// stories are what the load registers: as varied as a centre's day, so the
// newest matters are not all one story (searches depend on that).
var stories = [][2]string{
	{"neighbour", "%s与邻居%s因房后排水沟发生纠纷，雨天积水流入院子，双方多次争吵，请求调解。"},
	{"land_contract", "%s与%s因承包土地边界发生争执，对方翻地时多占两垄，青苗受损，请求重新勘界。"},
	{"wage_arrears", "%s等务工人员在%s承包的工地干活三个月，被拖欠工资，多次讨要未果。"},
	{"marriage", "%s与丈夫%s长期不和，提出离婚并要求分割共同财产和孩子抚养权。"},
	{"traffic", "%s驾驶三轮车与%s的摩托车相撞，双方就医疗费和误工费赔偿发生争议。"},
	{"loan", "%s三年前借给同村%s现金五万元，约定一年内归还，借款至今未还。"},
	{"property_mgmt", "%s所在小区物业公司长期未维修电梯，%s等业主拒交物业费，物业停水施压。"},
	{"medical", "%s在县医院手术后出现感染，家属%s认为医院存在过错，要求赔偿。"},
	{"homestead", "%s与邻居%s因宅基地界线及新建院墙位置发生纠纷，互不相让。"},
	{"forest", "%s与%s对村集体分包的山林权属存在争议，砍伐林木引发冲突。"},
}

func (r *runner) caseBody(rng *rand.Rand) []byte {
	name := func() string {
		return string(surnames[rng.IntN(len(surnames))]) + []string{"建军", "秀兰", "保国", "桂英", "志强"}[rng.IntN(5)]
	}
	a, b := name(), name()
	st := stories[rng.IntN(len(stories))]
	body := map[string]any{
		"channel": "visit", "category": st[0], "org_code": r.orgs[rng.IntN(len(r.orgs))], "address": "三组",
		"description": fmt.Sprintf(st[1], a, b),
		"amount":      float64(rng.IntN(20000)), "people_count": 2 + rng.IntN(5),
		"parties": []map[string]any{
			{"role": "applicant", "name": a, "phone": fmt.Sprintf("139%08d", rng.IntN(100000000)), "id_number": idNumber(rng)},
			{"role": "respondent", "name": b},
		},
	}
	out, _ := json.Marshal(body)
	return out
}

// Report prints a phase's figures as a table.
func Report(w io.Writer, res Result) {
	fmt.Fprintf(w, "\n%s: %d clients for %s\n", res.Phase, res.Clients, res.Elapsed.Round(time.Millisecond))
	fmt.Fprintf(w, "%-10s %8s %8s %10s %9s %9s %9s %9s\n", "operation", "requests", "errors", "req/s", "p50", "p95", "p99", "max")
	total := 0
	for _, op := range Ops {
		s := res.Ops[op]
		if s.N == 0 {
			continue
		}
		total += s.N
		fmt.Fprintf(w, "%-10s %8d %8d %10.1f %9s %9s %9s %9s\n", op, s.N, s.Errors, float64(s.N)/res.Elapsed.Seconds(),
			ms(s.Percentile(50)), ms(s.Percentile(95)), ms(s.Percentile(99)), ms(s.Percentile(100)))
		if s.FirstErr != "" {
			fmt.Fprintf(w, "           first error: %s\n", strings.TrimSpace(s.FirstErr))
		}
	}
	fmt.Fprintf(w, "%-10s %8d %8s %10.1f\n", "all", total, "", float64(total)/res.Elapsed.Seconds())
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }

// idNumber makes a checksum-valid synthetic resident ID (a 15-digit number
// upgraded to 18 digits gets its check character from the standard).
func idNumber(rng *rand.Rand) string {
	id, _ := domain.UpgradeID15(fmt.Sprintf("610831%02d%02d%02d%03d", 50+rng.IntN(50), 1+rng.IntN(12), 1+rng.IntN(28), rng.IntN(1000)))
	return id
}
