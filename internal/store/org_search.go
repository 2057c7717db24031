package store

import (
	"context"
	"strings"

	"jiefen/internal/domain"
)

// OrgsNamed finds the nodes of the subtree under path whose name contains
// q, the shallower first (townships before villages before grid cells),
// up to limit.
func (tx *Tx) OrgsNamed(ctx context.Context, path, q string, limit int) ([]domain.Org, error) {
	return tx.orgs(ctx, `SELECT `+orgCols+` FROM orgs WHERE path LIKE $1 AND name LIKE $2 ORDER BY length(path), path LIMIT $3`,
		stripLike(path)+"%", "%"+stripLike(strings.TrimSpace(q))+"%", limit)
}

// OrgNames returns the names of the nodes with the given codes.
func (tx *Tx) OrgNames(ctx context.Context, codes []string) (map[string]string, error) {
	out := map[string]string{}
	if len(codes) == 0 {
		return out, nil
	}
	w := where{}
	args := make([]any, len(codes))
	for i, c := range codes {
		args[i] = c
	}
	w.add("code IN ("+strings.TrimSuffix(strings.Repeat("?, ", len(codes)), ", ")+")", args...)
	err := queryEach(ctx, tx, "org names", func(row rowScanner) error {
		var code, name string
		if err := row.Scan(&code, &name); err != nil {
			return err
		}
		out[code] = name
		return nil
	}, `SELECT code, name FROM orgs`+w.sql(), w.args...)
	return out, err
}
