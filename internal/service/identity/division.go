package identity

import (
	"context"
	"fmt"
	"sort"

	"jiefen/internal/authz"
	"jiefen/internal/division"
	"jiefen/internal/domain"
	"jiefen/internal/store"
)

// ImportResult counts what an import did.
type ImportResult struct {
	Added, Updated, Unchanged int
}

// ImportDivisions loads nodes into the tree in one transaction: new codes are
// added, changed names updated, nothing duplicated or removed. The county
// node is created with countyName when the file has no row for it. Parents
// must be in the file or already in the database. Operators only (CLI).
func (s *Service) ImportDivisions(ctx context.Context, nodes []division.Node, county, countyName string) (ImportResult, error) {
	var res ImportResult
	if authz.Check(domain.ActorFrom(ctx).Principal(), authz.Operate, "") != nil {
		return res, domain.ErrForbidden
	}
	sort.SliceStable(nodes, func(i, j int) bool { return nodes[i].Level.Depth() < nodes[j].Level.Depth() })
	err := s.Update(ctx, func(tx *store.Tx) error {
		paths := map[string]string{}
		pathOf := func(code string) (string, error) {
			if p, ok := paths[code]; ok {
				return p, nil
			}
			o, err := tx.Org(ctx, code)
			if err != nil {
				return "", err
			}
			paths[code] = o.Path
			return o.Path, nil
		}
		if county != "" {
			if _, err := pathOf(county); domain.ErrorCode(err) == domain.NotFound {
				hasRoot := len(nodes) > 0 && nodes[0].Code == county
				if !hasRoot {
					if countyName == "" {
						countyName = "县级行政区 " + county
					}
					root := domain.Org{Code: county, Name: countyName, Level: domain.LevelCounty, Path: "/" + county + "/"}
					if _, err := tx.UpsertOrg(ctx, root); err != nil {
						return err
					}
					res.Added++
					paths[county] = root.Path
				}
			}
		}
		for _, n := range nodes {
			o := domain.Org{Code: n.Code, Name: n.Name, Level: n.Level, ParentCode: n.ParentCode}
			if n.ParentCode == "" {
				o.Path = "/" + n.Code + "/"
			} else {
				pp, err := pathOf(n.ParentCode)
				if domain.ErrorCode(err) == domain.NotFound {
					return domain.Errorf(domain.Invalid, "division.parent_missing", n.Code, n.ParentCode)
				} else if err != nil {
					return err
				}
				o.Path = pp + n.Code + "/"
			}
			if err := o.Validate(); err != nil {
				return fmt.Errorf("division %s: %w", n.Code, err)
			}
			before, err := tx.Org(ctx, o.Code)
			if err == nil && before.Name == o.Name && before.Level == o.Level && before.ParentCode == o.ParentCode {
				res.Unchanged++
				paths[o.Code] = before.Path
				continue
			}
			created, err := tx.UpsertOrg(ctx, o)
			if err != nil {
				return err
			}
			if created {
				res.Added++
			} else {
				res.Updated++
			}
			paths[o.Code] = o.Path
		}
		return s.Kernel.Audit(ctx, tx, "org.import", "org", county, "", domain.ResultOK,
			fmt.Sprintf("added %d, updated %d, unchanged %d", res.Added, res.Updated, res.Unchanged))
	})
	return res, err
}
