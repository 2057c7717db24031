package registry

import (
	"context"
	"jiefen/internal/app"
	"jiefen/internal/domain"
	"jiefen/internal/store"
	"slices"
	"strings"
)

// SetPost names who holds a leader's post (county administrators and the
// CLI). orgCode: the county for the county posts, a township for its
// secretary. username "" leaves the post vacant.
func (s *Service) SetPost(ctx context.Context, post, orgCode, username string) error {
	if err := s.MayAdminister(ctx, "registry"); err != nil {
		return err
	}
	if !slices.Contains(domain.Posts, post) {
		return app.Required("post", "post.unknown")
	}
	return s.Update(ctx, func(tx *store.Tx) error {
		org, err := tx.Org(ctx, orgCode)
		if err != nil {
			return app.Required("org_code", "org.not_found")
		}
		if (post == "township_secretary") != (org.Level == domain.LevelTownship) {
			return app.Required("org_code", "post.level")
		}
		var uid int64
		if username != "" {
			u, err := tx.UserByUsername(ctx, username)
			if err != nil || u.Disabled || !u.Has(domain.RoleLeader) {
				return app.Required("username", "post.not_leader")
			}
			if !strings.HasPrefix(org.Path, u.OrgPath) {
				return app.Required("username", "case.assignee.place")
			}
			uid = u.ID
		}
		if err := tx.SetPost(ctx, post, orgCode, uid); err != nil {
			return err
		}
		return s.Kernel.Audit(ctx, tx, "registry.post", "post", post+"@"+orgCode, org.Path, domain.ResultOK, username)
	})
}

// LeaderPosts lists the filled posts.
func (s *Service) LeaderPosts(ctx context.Context) ([]domain.Post, error) {
	if err := s.MayReadRegistries(ctx); err != nil {
		return nil, err
	}
	var out []domain.Post
	err := s.View(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.Posts(ctx)
		return err
	})
	return out, err
}
