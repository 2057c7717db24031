// Command pagemeter measures the dispatcher's HTML matter page on a running
// server (docs/PERFORMANCE.md): it signs in through the form (changing the
// initial password), then fetches /cases/{id} for 60 random matters and the
// 40 newest, one at a time, and prints p50/p95 per 100 pages. Like `jiefen
// loadtest` it refuses any target but the loopback interface.
//
//	go run ./internal/loadtest/pagemeter -url http://127.0.0.1:8795 -user pagemeter -password … -new-password …
package main

import (
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strings"
	"time"
)

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func main() {
	base := flag.String("url", "http://127.0.0.1:8796", "server")
	user := flag.String("user", "mp", "username")
	pw := flag.String("password", "", "initial password")
	newPw := flag.String("new-password", "", "password after the forced change")
	max := flag.Int("max", 1000000, "highest matter id")
	rounds := flag.Int("rounds", 2, "rounds of 100 pages")
	flag.Parse()
	if u, err := url.Parse(*base); err != nil || !loopback(u.Hostname()) {
		fmt.Println("pagemeter: the target must be on this machine (127.0.0.1, localhost or ::1)")
		os.Exit(2)
	}
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	csrf := ""
	do := func(method, path string, form url.Values) (int, string) {
		var body io.Reader
		if form != nil {
			if csrf != "" {
				form.Set("csrf", csrf)
			}
			body = strings.NewReader(form.Encode())
		}
		req, _ := http.NewRequest(method, *base+path, body)
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		resp, err := hc.Do(req)
		if err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if m := csrfRE.FindSubmatch(b); m != nil {
			csrf = string(m[1])
		}
		return resp.StatusCode, string(b)
	}
	do("GET", "/login", nil)
	if st, _ := do("POST", "/login", url.Values{"username": {*user}, "password": {*pw}}); st != 303 {
		fmt.Println("login:", st)
		os.Exit(1)
	}
	do("GET", "/account/password", nil)
	do("POST", "/account/password", url.Values{"current": {*pw}, "password": {*newPw}, "confirm": {*newPw}})
	if st, _ := do("GET", "/cases/1", nil); st != 200 {
		fmt.Println("matter page:", st)
		os.Exit(1)
	}
	measure(do, *max, *rounds)
}

func loopback(host string) bool {
	ip := net.ParseIP(host)
	return host == "localhost" || (ip != nil && ip.IsLoopback())
}

// measure fetches rounds × 100 matter pages and prints each round's figures.
func measure(do func(method, path string, form url.Values) (int, string), max, rounds int) {
	for r := 0; r < rounds; r++ {
		var ds []time.Duration
		for i := 0; i < 100; i++ {
			id := max - i + 60 // the 40 newest
			if i < 60 {
				id = 1 + rand.IntN(max)
			}
			t0 := time.Now()
			st, body := do("GET", fmt.Sprintf("/cases/%d", id), nil)
			ds = append(ds, time.Since(t0))
			if st != 200 || !strings.Contains(body, "ZZ") {
				fmt.Println("page", id, st)
				os.Exit(1)
			}
		}
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		fmt.Printf("matter page, 100 pages (60 random, 40 newest): p50 %.1f ms, p95 %.1f ms, max %.1f ms\n",
			float64(ds[49].Microseconds())/1000, float64(ds[94].Microseconds())/1000, float64(ds[99].Microseconds())/1000)
	}
}
