package store

import (
	"context"
	"fmt"
	"strings"

	"jiefen/internal/domain"
)

const orgCols = `code, name, level, COALESCE(parent_code, ''), path`

func scanOrg(sc interface{ Scan(...any) error }, o *domain.Org) error {
	var lvl string
	err := sc.Scan(&o.Code, &o.Name, &lvl, &o.ParentCode, &o.Path)
	o.Level = domain.Level(lvl)
	return err
}

// Org reads one node by code.
func (tx *Tx) Org(ctx context.Context, code string) (domain.Org, error) {
	var o domain.Org
	err := scanOrg(tx.queryRow(ctx, `SELECT `+orgCols+` FROM orgs WHERE code = $1`, code), &o)
	return o, tx.scanErr(err, "get org "+code)
}

// OrgChildren lists the direct children of a node, by code.
func (tx *Tx) OrgChildren(ctx context.Context, parent string) ([]domain.Org, error) {
	return tx.orgs(ctx, `SELECT `+orgCols+` FROM orgs WHERE parent_code = $1 ORDER BY code`, parent)
}

// OrgRoots lists the nodes without a parent.
func (tx *Tx) OrgRoots(ctx context.Context) ([]domain.Org, error) {
	return tx.orgs(ctx, `SELECT `+orgCols+` FROM orgs WHERE parent_code IS NULL ORDER BY code`)
}

// OrgsByPrefix lists the subtree under path, up to limit rows, ordered by path.
func (tx *Tx) OrgsByPrefix(ctx context.Context, path string, limit int) ([]domain.Org, error) {
	return tx.orgs(ctx, `SELECT `+orgCols+` FROM orgs WHERE path LIKE $1 ORDER BY path LIMIT $2`, stripLike(path)+"%", limit)
}

func (tx *Tx) orgs(ctx context.Context, q string, args ...any) ([]domain.Org, error) {
	return queryAll(ctx, tx, "list orgs", func(row rowScanner) (domain.Org, error) {
		var o domain.Org
		if err := scanOrg(row, &o); err != nil {
			return o, fmt.Errorf("store: scan org: %w", err)
		}
		return o, nil
	}, q, args...)
}

// CountOrgs counts nodes by level under path.
func (tx *Tx) CountOrgs(ctx context.Context, path string) (map[domain.Level]int, error) {
	out := map[domain.Level]int{}
	err := queryEach(ctx, tx, "count orgs", func(row rowScanner) error {
		var l string
		var n int
		if err := row.Scan(&l, &n); err != nil {
			return err
		}
		out[domain.Level(l)] = n
		return nil
	}, `SELECT level, count(*) FROM orgs WHERE path LIKE $1 GROUP BY level`, stripLike(path)+"%")
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UpsertOrg inserts a node or updates its name and level; it reports whether
// the row was new. The caller has computed Path.
func (tx *Tx) UpsertOrg(ctx context.Context, o domain.Org) (created bool, err error) {
	var parent any
	if o.ParentCode != "" {
		parent = o.ParentCode
	}
	existing, err := tx.Org(ctx, o.Code)
	switch {
	case err == nil:
		if existing.Name == o.Name && existing.Level == o.Level && existing.ParentCode == o.ParentCode {
			return false, nil
		}
		_, err = tx.exec(ctx, `UPDATE orgs SET name = $1, level = $2, parent_code = $3, path = $4, updated_at = $5 WHERE code = $6`,
			o.Name, string(o.Level), parent, o.Path, ts(tx.Now), o.Code)
		return false, wrap(err, "update org "+o.Code)
	case domain.ErrorCode(err) == domain.NotFound:
		_, err = tx.exec(ctx, `INSERT INTO orgs (code, name, level, parent_code, path, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)`,
			o.Code, o.Name, string(o.Level), parent, o.Path, ts(tx.Now))
		return err == nil, wrap(err, "insert org "+o.Code)
	default:
		return false, err
	}
}

// MaxChildCode returns the greatest child code under parent with the given
// length, or "" when there is none (used to number new grid cells).
func (tx *Tx) MaxChildCode(ctx context.Context, parent string, length int) (string, error) {
	var c string
	err := tx.queryRow(ctx, `SELECT COALESCE(MAX(code), '') FROM orgs WHERE parent_code = $1 AND length(code) = $2`, parent, length).Scan(&c)
	return c, tx.scanErr(err, "max child code")
}

func wrap(err error, what string) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("store: %s: %w", what, err)
}

// stripLike drops LIKE wildcards; paths hold only digits and slashes, but
// callers may pass user text.
func stripLike(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' || s[i] == '_' || s[i] == '\\' {
			continue
		}
		out = append(out, s[i])
	}
	return string(out)
}

// escapeLike makes s match itself in a LIKE pattern with ESCAPE '\'.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// OrgsAtLevel lists the nodes of one level, by code.
func (tx *Tx) OrgsAtLevel(ctx context.Context, level domain.Level) ([]domain.Org, error) {
	return tx.orgs(ctx, `SELECT `+orgCols+` FROM orgs WHERE level = $1 ORDER BY code`, string(level))
}

// pathRange turns a subtree prefix into a half-open range [lo, hi), which
// both engines answer from an index (SQLite uses no index for LIKE on a
// column of the default collation).
func pathRange(prefix string) (lo, hi string) {
	prefix = stripLike(prefix)
	if prefix == "" {
		return "", "\xff"
	}
	b := []byte(prefix)
	b[len(b)-1]++
	return prefix, string(b)
}
