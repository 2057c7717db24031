package store

import (
	"context"
	"database/sql"
	"errors"
	"jiefen/internal/domain"
	"strings"
	"time"
)

// SetPost names the holder of a post (userID 0 leaves it vacant).
func (tx *Tx) SetPost(ctx context.Context, post, orgCode string, userID int64) error {
	if userID == 0 {
		_, err := tx.exec(ctx, `DELETE FROM posts WHERE post = $1 AND org_code = $2`, post, orgCode)
		return wrap(err, "vacate post")
	}
	_, err := tx.exec(ctx, `INSERT INTO posts (post, org_code, user_id) VALUES ($1, $2, $3)
		ON CONFLICT (post, org_code) DO UPDATE SET user_id = excluded.user_id`, post, orgCode, userID)
	return wrap(err, "set post")
}

// PostHolder returns the holder of a post if they still qualify: active,
// a leader, and with a jurisdiction that holds the post's place (0 if not:
// someone moved or stripped of the role no longer leads).
func (tx *Tx) PostHolder(ctx context.Context, post, orgCode string) (int64, string, error) {
	var id int64
	var name, roles, userPath, postPath string
	err := tx.queryRow(ctx, `SELECT u.id, u.name, u.roles, uo.path, po.path FROM posts p JOIN users u ON u.id = p.user_id
		JOIN orgs uo ON uo.code = u.org_code JOIN orgs po ON po.code = p.org_code
		WHERE p.post = $1 AND p.org_code = $2 AND u.disabled = $3`, post, orgCode, false).Scan(&id, &name, &roles, &userPath, &postPath)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", nil
	}
	if err != nil {
		return 0, "", wrap(err, "post holder")
	}
	if !strings.Contains(","+roles+",", ",leader,") || !strings.HasPrefix(postPath, userPath) {
		return 0, "", nil
	}
	return id, name, nil
}

// Posts lists the posts that are filled.
func (tx *Tx) Posts(ctx context.Context) ([]domain.Post, error) {
	return queryAll(ctx, tx, "posts", func(row rowScanner) (domain.Post, error) {
		var p domain.Post
		err := row.Scan(&p.Post, &p.OrgCode, &p.OrgName, &p.UserID, &p.Username, &p.Name)
		return p, err
	}, `SELECT p.post, p.org_code, o.name, u.id, u.username, u.name FROM posts p
		JOIN users u ON u.id = p.user_id JOIN orgs o ON o.code = p.org_code ORDER BY p.post, p.org_code`)
}

// RedWithoutProgress lists the red matters in resolution whose assignee has
// recorded no progress since since and has not been reminded since then.
func (tx *Tx) RedWithoutProgress(ctx context.Context, since time.Time) ([]domain.DueCase, error) {
	return queryAll(ctx, tx, "red without progress", func(row rowScanner) (domain.DueCase, error) {
		var d domain.DueCase
		err := row.Scan(&d.ID, &d.Number, &d.AssigneeID, &d.OrgPath)
		return d, err
	}, `SELECT c.id, c.number, c.assignee_id, c.org_path FROM cases c
		WHERE c.risk = 'red' AND c.status = 'in_resolution' AND c.assignee_id IS NOT NULL AND c.paused_at IS NULL
		AND NOT EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.id AND e.action IN ('progress', 'session', 'sign', 'milestone_done') AND e.at >= $1)
		AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.case_id = c.id AND n.kind = 'red_daily' AND n.created_at >= $1)
		ORDER BY c.id LIMIT 500`, ts(since))
}
