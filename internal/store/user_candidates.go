package store

import (
	"context"
	"strings"

	"jiefen/internal/domain"
)

// StaffAround lists the enabled accounts holding one of roles whose node
// lies on path's chain (path itself or one of its ancestors) and, with
// below, also inside path's subtree, each with its unit. The callers
// apply the full rule themselves; this only narrows the rows read.
func (tx *Tx) StaffAround(ctx context.Context, roles []domain.Role, path string, below bool) ([]domain.Assignable, error) {
	w := where{}
	w.add("u.disabled = ?", false)
	var ors []string
	var args []any
	for _, r := range roles {
		ors = append(ors, "(',' || u.roles || ',') LIKE ?")
		args = append(args, "%,"+string(r)+",%") // role codes are constants; "_" matches itself
	}
	w.add("("+strings.Join(ors, " OR ")+")", args...)
	chain := []string{}
	parts := strings.Split(strings.Trim(path, "/"), "/")
	for i := range parts {
		chain = append(chain, "/"+strings.Join(parts[:i+1], "/")+"/")
	}
	place := "o.path IN (" + strings.TrimSuffix(strings.Repeat("?, ", len(chain)), ", ") + ")"
	chainArgs := make([]any, len(chain))
	for i, p := range chain {
		chainArgs[i] = p
	}
	if below {
		place = "(" + place + " OR o.path LIKE ?)"
		chainArgs = append(chainArgs, stripLike(path)+"%")
	}
	w.add(place, chainArgs...)
	q := `SELECT u.id, u.username, u.name, u.roles, u.org_code, o.name, o.path, COALESCE(un.id, 0), COALESCE(un.code, ''), COALESCE(un.name, '')
		FROM users u JOIN orgs o ON o.code = u.org_code LEFT JOIN units un ON un.id = u.unit_id` + w.sql() + ` ORDER BY u.id LIMIT 500`
	return queryAll(ctx, tx, "staff around", func(row rowScanner) (domain.Assignable, error) {
		var c domain.Assignable
		var rs string
		err := row.Scan(&c.ID, &c.Username, &c.Name, &rs, &c.OrgCode, &c.OrgName, &c.OrgPath, &c.UnitID, &c.UnitCode, &c.UnitName)
		for _, r := range roles {
			if c.Role == "" && strings.Contains(","+rs+",", ","+string(r)+",") {
				c.Role = r
			}
		}
		return c, err
	}, q, w.args...)
}

// loadQueries count, per account, what a picker shows as their load.
var loadQueries = map[string]string{
	"assignee": `SELECT assignee_id, COUNT(*) FROM cases WHERE status IN ` + openStatusList + ` AND assignee_id IN (%s) GROUP BY assignee_id`,
	"lead":     `SELECT lead_id, COUNT(*) FROM cases WHERE status IN ` + openStatusList + ` AND lead_id IN (%s) GROUP BY lead_id`,
	"watch":    `SELECT watcher_id, COUNT(*) FROM cases WHERE watcher_id IN (%s) GROUP BY watcher_id`,
	"cohandle": `SELECT h.user_id, COUNT(*) FROM case_cohandlers h JOIN cases c ON c.id = h.case_id
		WHERE h.ended_at IS NULL AND c.status IN ` + openStatusList + ` AND h.user_id IN (%s) GROUP BY h.user_id`,
}

// Loads counts per account (by id) the open matters in their hands
// ("assignee"), the open matters they lead ("lead"), the matters they
// watch ("watch") or the open matters they co-handle ("cohandle").
func (tx *Tx) Loads(ctx context.Context, kind string, ids []int64) (map[int64]int, error) {
	out := map[int64]int{}
	q, ok := loadQueries[kind]
	if !ok || len(ids) == 0 {
		return out, nil
	}
	in, args := idsIn(ids, 1)
	err := queryEach(ctx, tx, "loads", func(row rowScanner) error {
		var id int64
		var n int
		if err := row.Scan(&id, &n); err != nil {
			return err
		}
		out[id] = n
		return nil
	}, strings.Replace(q, "%s", in, 1), args...)
	return out, err
}

// MediatorUser returns the login account tied to a mediator of the pool
// (0: none).
func (tx *Tx) MediatorUser(ctx context.Context, mediatorID int64) (int64, error) {
	var id int64
	err := tx.queryRow(ctx, `SELECT COALESCE(user_id, 0) FROM mediators WHERE id = $1`, mediatorID).Scan(&id)
	return id, tx.scanErr(err, "mediator user")
}
