package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
)

//go:embed migrations
var migrationsFS embed.FS

// Migration is one embedded, forward-only schema file.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations lists the embedded migrations for an engine ("sqlite" or
// "postgres") in order.
func Migrations(engine string) ([]Migration, error) {
	dir := "migrations/" + engine
	entries, err := fs.ReadDir(migrationsFS, dir)
	if err != nil {
		return nil, fmt.Errorf("store: read %s: %w", dir, err)
	}
	var out []Migration
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("store: migration %s has no number", name)
		}
		b, err := fs.ReadFile(migrationsFS, dir+"/"+name)
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: name, SQL: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

// Migrate applies every migration not yet recorded in schema_migrations, each
// in its own transaction. It returns the names it applied.
func (s *Store) Migrate(ctx context.Context) ([]string, error) { return s.migrate(ctx, 0) }

// migrate applies the migrations not yet recorded, stopping before version
// until (0: all of them; tests of a data backfill stop short of it).
func (s *Store) migrate(ctx context.Context, until int) ([]string, error) {
	if _, err := s.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
		return nil, fmt.Errorf("store: create schema_migrations: %w", s.dialect.mapErr(err))
	}
	ms, err := Migrations(s.dialect.name())
	if err != nil {
		return nil, err
	}
	var applied []string
	for _, m := range ms {
		if until > 0 && m.Version >= until {
			break
		}
		err := s.Update(ctx, func(tx *Tx) error {
			if q := s.dialect.migrationLock(); q != "" {
				if _, err := tx.exec(ctx, q); err != nil {
					return err
				}
			}
			var n int
			if err := tx.queryRow(ctx, `SELECT count(*) FROM schema_migrations WHERE version = $1`, m.Version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if _, err := tx.exec(ctx, m.SQL); err != nil {
				return fmt.Errorf("store: migration %s: %w", m.Name, err)
			}
			if _, err := tx.exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
				m.Version, m.Name, ts(tx.Now)); err != nil {
				return err
			}
			applied = append(applied, m.Name)
			return nil
		})
		if err != nil {
			return applied, err
		}
	}
	return applied, nil
}

// SchemaVersion returns the highest applied migration and the highest embedded one.
func (s *Store) SchemaVersion(ctx context.Context) (applied, latest int, err error) {
	ms, err := Migrations(s.dialect.name())
	if err != nil {
		return 0, 0, err
	}
	if len(ms) > 0 {
		latest = ms[len(ms)-1].Version
	}
	err = s.read.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&applied)
	return applied, latest, s.dialect.mapErr(err)
}
