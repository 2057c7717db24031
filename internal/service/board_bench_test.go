package service_test

import (
	"context"
	"os"
	"testing"
	"time"

	"jiefen/internal/domain"
	"jiefen/internal/jftest"
	"jiefen/internal/service/report"
	"jiefen/internal/store"
)

// BenchmarkBoardMillion measures the board and its parts on a seeded
// database (JIEFEN_BENCH_DB, e.g. a million matters from `jiefen seed`):
//
//	JIEFEN_BENCH_DB=/tmp/m2.db go test ./internal/service -run '^$' -bench BoardMillion -benchtime 20x
func BenchmarkBoardMillion(b *testing.B) {
	dsn := os.Getenv("JIEFEN_BENCH_DB")
	if dsn == "" {
		b.Skip("JIEFEN_BENCH_DB not set")
	}
	ctx := context.Background()
	st, err := store.Open(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	svc := jftest.Service(st)
	var leader *domain.User
	err = st.View(ctx, func(tx *store.Tx) error {
		leader, err = tx.UserByUsername(ctx, "shuji")
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	as := jftest.As(leader, "127.0.0.1")
	if _, err := svc.Board(as, ""); err != nil { // the period figures, once (then kept)
		b.Fatal(err)
	}
	parts := map[string]func(tx *store.Tx) error{
		"open_by_risk": func(tx *store.Tx) error { _, err := tx.OpenByRisk(ctx, "/610831/"); return err },
		"overdue": func(tx *store.Tx) error {
			_, err := tx.CountCases(ctx, domain.CaseFilter{Path: "/610831/", Overdue: true, Now: time.Now()})
			return err
		},
		"due_soon": func(tx *store.Tx) error {
			_, err := tx.CountCases(ctx, domain.CaseFilter{Path: "/610831/", DueSoon: true, Now: time.Now()})
			return err
		},
		"latest": func(tx *store.Tx) error {
			_, err := tx.Cases(ctx, domain.CaseFilter{Path: "/610831/", Limit: 12})
			return err
		},
		"red": func(tx *store.Tx) error {
			_, err := tx.Cases(ctx, domain.CaseFilter{Path: "/610831/", Risk: "red", Statuses: domain.OpenStatuses, Limit: 10})
			return err
		},
		"visits_today": func(tx *store.Tx) error {
			d := time.Now().Truncate(24 * time.Hour)
			_, err := tx.CountEvents(ctx, "visit", d, d.Add(24*time.Hour), "/610831/")
			return err
		},
	}
	for name, fn := range parts {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if err := st.View(ctx, fn); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("board", func(b *testing.B) {
		for b.Loop() {
			if _, err := svc.Board(as, ""); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("month_statistics", func(b *testing.B) {
		now := time.Now().In(domain.CST)
		first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, domain.CST)
		for b.Loop() {
			if _, err := svc.Statistics(as, report.StatsQuery{From: first.AddDate(0, -1, 0), To: first}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
