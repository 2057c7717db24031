package faulttest

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // driver "pgx"
	_ "modernc.org/sqlite"             // driver "sqlite"
)

// openRaw opens dsn directly, beside the server, for read-only checks; the
// caller closes it.
func openRaw(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	driver := "pgx"
	if !strings.HasPrefix(dsn, "postgres://") {
		driver = "sqlite"
		dsn = "file:" + (&url.URL{Path: dsn}).EscapedPath() + "?_pragma=busy_timeout(10000)&_pragma=query_only(ON)"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

var numberRE = regexp.MustCompile(`^ZZ(\d{4})(\d{6})$`)

// checkDatabase reads every matter straight from the database and checks
// that no registration is half-written and numbering has no gap:
//   - every acknowledged matter is there with its number and all its parties;
//   - every matter has parties, exactly as many as its register event says,
//     exactly one register event and one audit row;
//   - per year the numbers are 1…N with none missing or repeated, and the
//     counter stands at N.
//
// It returns how many matters the database holds.
func checkDatabase(t *testing.T, dsn string, acked []ack) int {
	t.Helper()
	db := openRaw(t, dsn)
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	type row struct {
		number         string
		parties, regs  int
		registeredWith string
	}
	byID := map[int64]row{}
	rows, err := db.QueryContext(ctx, `SELECT c.id, c.number,
		(SELECT COUNT(*) FROM parties p WHERE p.case_id = c.id),
		(SELECT COUNT(*) FROM case_events e WHERE e.case_id = c.id AND e.action = 'register'),
		COALESCE((SELECT MIN(e.data) FROM case_events e WHERE e.case_id = c.id AND e.action = 'register'), '{}')
		FROM cases c`)
	if err != nil {
		t.Fatalf("read matters: %v", err)
	}
	for rows.Next() {
		var id int64
		var r row
		var data string
		if err := rows.Scan(&id, &r.number, &r.parties, &r.regs, &data); err != nil {
			t.Fatal(err)
		}
		var d map[string]string
		if err := json.Unmarshal([]byte(data), &d); err != nil {
			t.Fatalf("matter %s: register event data %q: %v", r.number, data, err)
		}
		r.registeredWith = d["parties"]
		byID[id] = r
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()

	ids, numbers := map[int64]bool{}, map[string]bool{}
	for _, a := range acked {
		if ids[a.ID] || numbers[a.Number] {
			t.Errorf("acknowledged twice: id %d number %s", a.ID, a.Number)
		}
		ids[a.ID], numbers[a.Number] = true, true
		r, ok := byID[a.ID]
		switch {
		case !ok:
			t.Errorf("acknowledged matter %d (%s) is not in the database", a.ID, a.Number)
		case r.number != a.Number:
			t.Errorf("acknowledged matter %d was %s, the database says %s", a.ID, a.Number, r.number)
		case r.parties != a.Parties:
			t.Errorf("acknowledged matter %s was sent with %d parties, the database has %d", a.Number, a.Parties, r.parties)
		}
	}

	seqs := map[int][]int{}
	for id, r := range byID {
		if r.parties == 0 || strconv.Itoa(r.parties) != r.registeredWith || r.regs != 1 {
			t.Errorf("matter %d (%s) is half-written: %d parties, %d register events saying %q parties", id, r.number, r.parties, r.regs, r.registeredWith)
		}
		m := numberRE.FindStringSubmatch(r.number)
		if m == nil {
			t.Errorf("matter %d: number %q is not ZZ<year><6 digits>", id, r.number)
			continue
		}
		year, _ := strconv.Atoi(m[1])
		seq, _ := strconv.Atoi(m[2])
		seqs[year] = append(seqs[year], seq)
	}
	last := map[int]int{}
	crows, err := db.QueryContext(ctx, `SELECT year, last FROM case_numbers WHERE prefix = 'ZZ'`)
	if err != nil {
		t.Fatal(err)
	}
	for crows.Next() {
		var y, l int
		if err := crows.Scan(&y, &l); err != nil {
			t.Fatal(err)
		}
		last[y] = l
	}
	if err := crows.Err(); err != nil {
		t.Fatal(err)
	}
	crows.Close()
	for year, s := range seqs {
		slices.Sort(s)
		for i, n := range s {
			if n != i+1 {
				t.Errorf("numbers of %d: expected %06d at position %d, found %06d (a gap or a duplicate)", year, i+1, i, n)
				break
			}
		}
		if last[year] != len(s) {
			t.Errorf("numbers of %d: the counter stands at %d but %d matters exist", year, last[year], len(s))
		}
	}

	audited := map[string]int{}
	arows, err := db.QueryContext(ctx, `SELECT object_id FROM audit_log WHERE action = 'case.register' AND result = 'ok'`)
	if err != nil {
		t.Fatal(err)
	}
	for arows.Next() {
		var n string
		if err := arows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		audited[n]++
	}
	if err := arows.Err(); err != nil {
		t.Fatal(err)
	}
	arows.Close()
	for _, r := range byID {
		if audited[r.number] != 1 {
			t.Errorf("matter %s has %d case.register audit rows", r.number, audited[r.number])
		}
		delete(audited, r.number)
	}
	for n := range audited {
		t.Errorf("audit row for registering %s, which is not in the database", n)
	}
	return len(byID)
}
