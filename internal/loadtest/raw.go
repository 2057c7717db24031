package loadtest

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"jiefen/internal/store"
)

// rawRow is about the size of a registration's main row.
var rawRow = strings.Repeat("张建军与李保国因承包地边界发生争执，", 12)

// RawInsertRate measures what the database driver itself does: single-row
// INSERTs, each its own transaction, from `clients` goroutines for d, at the
// durability setting jiefen uses. SQLite: a scratch file beside the database
// (same directory, so the same disk) opened with jiefen's pragmas (WAL,
// store.SQLiteSynchronous, one writer connection); it is removed afterwards.
// PostgreSQL: a scratch table in the same database (synchronous_commit as
// the server has it), dropped afterwards.
func RawInsertRate(ctx context.Context, dsn string, clients int, d time.Duration) (float64, error) {
	var db *sql.DB
	var err error
	var cleanup func()
	if store.IsPostgres(dsn) {
		// Only a database on this machine: the scratch table is created and
		// dropped there.
		u, perr := url.Parse(dsn)
		if perr != nil || CheckLoopback("http://"+u.Host) != nil {
			return 0, fmt.Errorf("loadtest: --db must be a PostgreSQL on 127.0.0.1 or localhost")
		}
		if db, err = sql.Open("pgx", dsn); err != nil {
			return 0, err
		}
		db.SetMaxOpenConns(clients)
		if _, err = db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS jiefen_loadtest_raw (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, body TEXT NOT NULL)`); err != nil {
			db.Close()
			return 0, err
		}
		cleanup = func() { db.ExecContext(context.Background(), `DROP TABLE jiefen_loadtest_raw`); db.Close() }
	} else {
		path := strings.TrimPrefix(dsn, "sqlite:") + ".loadtest-raw"
		os.Remove(path) // a scratch file of an earlier run that was cut short
		os.Remove(path + "-wal")
		os.Remove(path + "-shm")
		db, err = sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous("+store.SQLiteSynchronous+")&_txlock=immediate")
		if err != nil {
			return 0, err
		}
		db.SetMaxOpenConns(1)
		if _, err = db.ExecContext(ctx, `CREATE TABLE raw (id INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL)`); err != nil {
			db.Close()
			return 0, err
		}
		cleanup = func() { db.Close(); os.Remove(path); os.Remove(path + "-wal"); os.Remove(path + "-shm") }
	}
	defer cleanup()
	table := "raw"
	if store.IsPostgres(dsn) {
		table = "jiefen_loadtest_raw"
	}
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var n atomic.Int64
	var first atomic.Value
	start := time.Now()
	var wg sync.WaitGroup
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				if _, err := db.ExecContext(ctx, `INSERT INTO `+table+` (body) VALUES ($1)`, rawRow); err != nil {
					if ctx.Err() == nil {
						first.CompareAndSwap(nil, err)
					}
					return
				}
				n.Add(1)
			}
		}()
	}
	wg.Wait()
	if e, ok := first.Load().(error); ok {
		return 0, fmt.Errorf("loadtest: raw insert: %w", e)
	}
	return float64(n.Load()) / time.Since(start).Seconds(), nil
}

// ServerMemory reads the server's resident memory (now and peak) from its
// /metrics page, which answers loopback callers.
func ServerMemory(ctx context.Context, base string) (rss, peak int64, err error) {
	req, err := http.NewRequestWithContext(ctx, "GET", base+"/metrics", nil)
	if err != nil {
		return 0, 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 2 {
			continue
		}
		v, _ := strconv.ParseFloat(f[1], 64)
		switch f[0] {
		case "process_resident_memory_bytes":
			rss = int64(v)
		case "jiefen_process_resident_memory_peak_bytes":
			peak = int64(v)
		}
	}
	return rss, peak, sc.Err()
}
