package identity

import (
	"context"
	"slices"
	"strings"
	"unicode/utf8"

	"jiefen/internal/app"
	"jiefen/internal/authz"
	"jiefen/internal/domain"
	"jiefen/internal/store"
)

// A place picker (发生地 at registration, the 区划 filters) offers the
// places of the actor's jurisdiction by name: a list to choose from, and a
// search by name for the rest.

// PlaceListMax is how many nodes a jurisdiction may hold for its grid
// cells to be listed too; above it the list stops at the villages and the
// cells are reached by their village or by name.
const PlaceListMax = 400

// Place is a node found by name, with the names of the nodes between the
// actor's own and it (何家集镇 · 何家集村) to tell namesakes apart.
type Place struct {
	domain.Org
	Trail string
}

// Places lists the nodes a place picker offers the actor, in tree order:
// their own node and every township and village below it, the grid cells
// too when the jurisdiction is small (PlaceListMax). keep, a node of the
// jurisdiction left out (a grid cell of a large one), is listed in its
// place, so a chosen cell is shown by name. cut says grid cells were
// left out.
func (s *Service) Places(ctx context.Context, keep string) (out []domain.Org, cut bool, err error) {
	u := domain.ActorFrom(ctx).Principal()
	if !authz.Allowed(u, authz.OrgView) || u.OrgPath == "" {
		return nil, false, s.Denied(ctx, app.Forbidden("org.view", "org", "", ""))
	}
	err = s.View(ctx, func(tx *store.Tx) error {
		all, err := tx.OrgsByPrefix(ctx, u.OrgPath, 20000)
		if err != nil {
			return err
		}
		if len(all) <= PlaceListMax {
			out = all
			return nil
		}
		for _, o := range all {
			if o.Level != domain.LevelGrid || o.Code == keep || o.Path == u.OrgPath {
				out = append(out, o)
			} else {
				cut = true
			}
		}
		return nil
	})
	return out, cut, err
}

// SearchPlaces finds up to limit nodes of the actor's jurisdiction whose
// name contains q (GET /api/v1/places, the picker's search).
func (s *Service) SearchPlaces(ctx context.Context, q string, limit int) ([]Place, error) {
	u := domain.ActorFrom(ctx).Principal()
	if !authz.Allowed(u, authz.OrgView) || u.OrgPath == "" {
		return nil, s.Denied(ctx, app.Forbidden("org.view", "org", "", ""))
	}
	q = strings.TrimSpace(q)
	if q == "" || utf8.RuneCountInString(q) > 32 {
		return nil, app.Required("q", "place.q.invalid")
	}
	if limit <= 0 || limit > 50 {
		limit = 20
	}
	var out []Place
	err := s.View(ctx, func(tx *store.Tx) error {
		hits, err := tx.OrgsNamed(ctx, u.OrgPath, q, limit)
		if err != nil {
			return err
		}
		own := len(strings.Split(strings.Trim(u.OrgPath, "/"), "/"))
		var codes []string
		trails := make([][]string, len(hits))
		for i, h := range hits {
			chain := strings.Split(strings.Trim(h.Path, "/"), "/")
			if len(chain) > own {
				trails[i] = chain[own : len(chain)-1]
			}
			for _, c := range trails[i] {
				if !slices.Contains(codes, c) {
					codes = append(codes, c)
				}
			}
		}
		names, err := tx.OrgNames(ctx, codes)
		if err != nil {
			return err
		}
		for i, h := range hits {
			var trail []string
			for _, c := range trails[i] {
				trail = append(trail, names[c])
			}
			out = append(out, Place{Org: h, Trail: strings.Join(trail, " · ")})
		}
		return nil
	})
	return out, err
}
