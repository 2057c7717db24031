package cli

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"jiefen/internal/loadtest"
)

// loadtest: drive a running server on the loopback interface and print
// throughput and latency percentiles per operation.
func (e *env) loadtest(args []string) error {
	f := e.newFlags("loadtest")
	target := f.str("url", "http://127.0.0.1:8080", "the server to drive (loopback only)")
	token := f.str("token", "", "API token of a county-level account that may register and view matters")
	clients := f.Int("clients", 16, "concurrent clients")
	duration := f.Duration("duration", 30e9, "length of the mixed phase (the registration-only phase takes a third of it)")
	maxReq := f.Int("max-requests", 1000000, "at most this many requests per phase")
	db := f.str("db", "", "the server's database DSN: also measure the driver's raw single-row insert rate there")
	mixFlag := f.String("mix", "register=1,list=3,search=3,case=3,dashboard=2", "weights of the operations in the mixed phase")
	if err := f.parse(args); err != nil {
		return err
	}
	if *token == "" {
		return usageError{"loadtest: --token is required (create one with `jiefen token create --scope read,write`)"}
	}
	if err := loadtest.CheckLoopback(*target); err != nil {
		return usageError{err.Error()}
	}
	mix := map[string]int{}
	for _, kv := range strings.Split(*mixFlag, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(kv), "=")
		n, err := strconv.Atoi(v)
		if !ok || err != nil || n < 0 || n > 100 || !slices.Contains(loadtest.Ops, k) {
			return usageError{fmt.Sprintf("loadtest: --mix takes op=weight pairs of %s, not %q", strings.Join(loadtest.Ops, ", "), kv)}
		}
		mix[k] = n
	}
	res, err := loadtest.Run(e.ctx, loadtest.Options{URL: *target, Token: *token, Clients: *clients, Duration: *duration, MaxRequests: *maxReq, Mix: mix})
	if err != nil {
		return err
	}
	for _, r := range res {
		loadtest.Report(e.stdout, r)
	}
	if rss, peak, err := loadtest.ServerMemory(e.ctx, *target); err == nil && rss > 0 {
		fmt.Fprintf(e.stdout, "\nserver resident memory: %.0f MB now, %.0f MB peak\n", float64(rss)/(1<<20), float64(peak)/(1<<20))
	}
	if *db != "" {
		rate, err := loadtest.RawInsertRate(e.ctx, *db, *clients, *duration/3)
		if err != nil {
			return err
		}
		reg := res[1].Ops["register"]
		regRate := float64(reg.N-reg.Errors) / res[1].Elapsed.Seconds()
		fmt.Fprintf(e.stdout, "raw driver single-row inserts (%d clients, own transaction each): %.0f rows/s\n", *clients, rate)
		fmt.Fprintf(e.stdout, "registration: %.0f matters/s = %.2f × the raw insert rate\n", regRate, regRate/rate)
	}
	return nil
}
