package identity

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"jiefen/internal/authz"
	"jiefen/internal/domain"
	"jiefen/internal/store"
)

// Org reads one node the actor may see: inside the jurisdiction, or one of
// its ancestors (so the breadcrumb up to the county can be shown).
func (s *Service) Org(ctx context.Context, code string) (domain.Org, error) {
	var o domain.Org
	if !domain.ValidCode(code) {
		return o, &domain.Error{Code: domain.Invalid, Key: "org.code.invalid", Fields: map[string]string{"code": "org.code.invalid"}}
	}
	err := s.View(ctx, func(tx *store.Tx) error {
		var err error
		o, err = tx.Org(ctx, code)
		return err
	})
	if err != nil {
		return o, err
	}
	if err := s.mayViewOrg(ctx, o); err != nil {
		return domain.Org{}, err
	}
	return o, nil
}

func (s *Service) mayViewOrg(ctx context.Context, o domain.Org) error {
	u := domain.ActorFrom(ctx).Principal()
	if !authz.Allowed(u, authz.OrgView) {
		return domain.ErrForbidden
	}
	if strings.HasPrefix(u.OrgPath, o.Path) { // an ancestor of the user's node
		return nil
	}
	if authz.Check(u, authz.OrgView, o.Path) != nil {
		return domain.ErrNotFound
	}
	return nil
}

// OrgChildren lists a node's children (parent "" lists the roots the actor
// may see).
func (s *Service) OrgChildren(ctx context.Context, parent string) ([]domain.Org, error) {
	var out []domain.Org
	if parent == "" {
		err := s.View(ctx, func(tx *store.Tx) error {
			var err error
			out, err = tx.OrgRoots(ctx)
			return err
		})
		return out, err
	}
	p, err := s.Org(ctx, parent)
	if err != nil {
		return nil, err
	}
	err = s.View(ctx, func(tx *store.Tx) error {
		out, err = tx.OrgChildren(ctx, p.Code)
		return err
	})
	if err != nil {
		return out, err
	}
	// Above the user's own node, show only the branch that leads to it.
	u := domain.ActorFrom(ctx).Principal()
	if !strings.HasPrefix(p.Path, u.OrgPath) {
		kept := out[:0]
		for _, c := range out {
			if strings.HasPrefix(u.OrgPath, c.Path) {
				kept = append(kept, c)
			}
		}
		out = kept
	}
	return out, nil
}

// OrgAncestors returns the chain from the root to o (o included).
func (s *Service) OrgAncestors(ctx context.Context, o domain.Org) ([]domain.Org, error) {
	var out []domain.Org
	err := s.View(ctx, func(tx *store.Tx) error {
		for _, code := range strings.Split(strings.Trim(o.Path, "/"), "/") {
			a, err := tx.Org(ctx, code)
			if err != nil {
				return err
			}
			out = append(out, a)
		}
		return nil
	})
	return out, err
}

// OrgCounts counts the nodes under path by level.
func (s *Service) OrgCounts(ctx context.Context, path string) (map[domain.Level]int, error) {
	var out map[domain.Level]int
	err := s.View(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.CountOrgs(ctx, path)
		return err
	})
	return out, err
}

// CreateGridCell creates a grid cell under a village; its code is the
// village's 12 digits and a 3-digit sequence.
func (s *Service) CreateGridCell(ctx context.Context, villageCode, name string) (domain.Org, error) {
	var cell domain.Org
	name = strings.TrimSpace(name)
	if name == "" || !utf8.ValidString(name) || utf8.RuneCountInString(name) > 64 {
		key := "field.required"
		if name != "" {
			key = "field.too_long"
		}
		return cell, &domain.Error{Code: domain.Invalid, Key: "error.invalid", Fields: map[string]string{"name": key}}
	}
	err := s.Update(ctx, func(tx *store.Tx) error {
		v, err := tx.Org(ctx, villageCode)
		if domain.ErrorCode(err) == domain.NotFound {
			return &domain.Error{Code: domain.Invalid, Key: "error.invalid", Fields: map[string]string{"parent_code": "org.not_found"}}
		} else if err != nil {
			return err
		}
		if v.Level != domain.LevelVillage {
			return &domain.Error{Code: domain.Invalid, Key: "error.invalid", Fields: map[string]string{"parent_code": "org.grid_parent"}}
		}
		if err := s.Check(ctx, authz.OrgCreate, "org", v.Code, v.Path); err != nil {
			return err
		}
		last, err := tx.MaxChildCode(ctx, v.Code, len(v.Code)+3)
		if err != nil {
			return err
		}
		next := 1
		if last != "" {
			n, _ := strconv.Atoi(last[len(v.Code):])
			next = n + 1
		}
		if next > 999 {
			return domain.Errorf(domain.Invalid, "org.grid_full")
		}
		cell = domain.Org{Code: fmt.Sprintf("%s%03d", v.Code, next), Name: name, Level: domain.LevelGrid, ParentCode: v.Code}
		cell.Path = v.Path + cell.Code + "/"
		if _, err := tx.UpsertOrg(ctx, cell); err != nil {
			return err
		}
		return s.Kernel.Audit(ctx, tx, "org.create", "org", cell.Code, cell.Path, domain.ResultOK, name)
	})
	return cell, err
}
