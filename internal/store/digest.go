package store

import (
	"context"
	"strconv"
	"strings"
	"time"

	"jiefen/internal/domain"
)

// The daily digest of overdue matters (one inbox entry a day per person
// instead of one per matter): who wants which, what is overdue, and the
// claim that makes one day's digest go out once.

// SetOverdueNotices records how a user is told of overdue matters
// (domain.NoticeDigest or domain.NoticeEach).
func (tx *Tx) SetOverdueNotices(ctx context.Context, userID int64, mode string) error {
	_, err := tx.exec(ctx, `UPDATE users SET overdue_notices = $1, updated_at = $2 WHERE id = $3`, mode, ts(tx.Now), userID)
	return wrap(err, "set overdue notices")
}

// UsersNoticedEach lists the users who asked for one notice per overdue
// matter.
func (tx *Tx) UsersNoticedEach(ctx context.Context) (map[int64]bool, error) {
	ids, err := tx.ids(ctx, `SELECT id FROM users WHERE overdue_notices = $1`, []any{domain.NoticeEach})
	out := map[int64]bool{}
	for _, id := range ids {
		out[id] = true
	}
	return out, wrap(err, "users noticed each")
}

// OverdueNow lists every matter whose step is overdue at now (a paused
// clock is not), with the status it waits in, oldest deadline first.
func (tx *Tx) OverdueNow(ctx context.Context, now time.Time) ([]domain.DueCase, error) {
	ph := make([]string, len(openStatuses))
	args := []any{ts(now)}
	for i, s := range openStatuses {
		ph[i] = "$" + strconv.Itoa(i+2)
		args = append(args, string(s))
	}
	return queryAll(ctx, tx, "overdue now", func(row rowScanner) (domain.DueCase, error) {
		var d domain.DueCase
		var st string
		err := row.Scan(&d.ID, &d.Number, &d.AssigneeID, &d.OrgPath, nullTime{&d.Due}, &st)
		d.Status = domain.Status(st)
		return d, err
	}, `SELECT id, number, COALESCE(assignee_id, 0), org_path, step_due_at, status FROM cases
		WHERE step_due_at IS NOT NULL AND step_due_at < $1 AND paused_at IS NULL AND status IN (`+strings.Join(ph, ",")+`)
		ORDER BY step_due_at, id`, args...)
}

// RolePlaces lists the active users holding role with the path of their
// jurisdiction (the dispatchers an unassigned matter belongs to).
func (tx *Tx) RolePlaces(ctx context.Context, role domain.Role) (map[int64]string, error) {
	out := map[int64]string{}
	err := queryEach(ctx, tx, "role places", func(row rowScanner) error {
		var id int64
		var p string
		if err := row.Scan(&id, &p); err != nil {
			return err
		}
		out[id] = p
		return nil
	}, `SELECT u.id, o.path FROM users u JOIN orgs o ON o.code = u.org_code
		WHERE u.disabled = $1 AND (',' || u.roles || ',') LIKE $2`, false, "%,"+string(role)+",%")
	return out, err
}

// ClaimDigest marks that user's digest of day (YYYY-MM-DD, China time) as
// sent and reports whether this call did so: of two sweeps that try at
// once, one wins (a user who asked for one notice per matter never is).
func (tx *Tx) ClaimDigest(ctx context.Context, userID int64, day string) (bool, error) {
	r, err := tx.exec(ctx, `UPDATE users SET overdue_digest_on = $1 WHERE id = $2 AND disabled = $3 AND overdue_notices <> $4
		AND (overdue_digest_on IS NULL OR overdue_digest_on <> $1)`, day, userID, false, domain.NoticeEach)
	if err != nil {
		return false, wrap(err, "claim digest")
	}
	n, _ := r.RowsAffected()
	return n == 1, nil
}

// SupersedeNotifications marks a user's unread entries of kind read (a
// new digest replaces yesterday's).
func (tx *Tx) SupersedeNotifications(ctx context.Context, userID int64, kind string) error {
	_, err := tx.exec(ctx, `UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND kind = $3 AND read_at IS NULL`, ts(tx.Now), userID, kind)
	return wrap(err, "supersede notifications")
}
