package store

import (
	"context"
	"strconv"
	"strings"
	"time"

	"jiefen/internal/domain"
)

// AddNotification puts an entry in a user's inbox.
func (tx *Tx) AddNotification(ctx context.Context, n *domain.Notification) error {
	var caseID any
	if n.CaseID != 0 {
		caseID = n.CaseID
	}
	err := tx.queryRow(ctx, `INSERT INTO notifications (user_id, case_id, kind, text, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		n.UserID, caseID, n.Kind, n.Text, ts(tx.Now)).Scan(&n.ID)
	n.CreatedAt = tx.Now
	return tx.scanErr(err, "add notification")
}

// Notifications lists a user's inbox, newest first.
func (tx *Tx) Notifications(ctx context.Context, userID int64, unreadOnly bool, limit int) ([]domain.Notification, error) {
	q := `SELECT n.id, n.user_id, COALESCE(n.case_id, 0), COALESCE(c.number, ''), n.kind, n.text, n.created_at, n.read_at
		FROM notifications n LEFT JOIN cases c ON c.id = n.case_id WHERE n.user_id = $1`
	if unreadOnly {
		q += ` AND n.read_at IS NULL`
	}
	return queryAll(ctx, tx, "list notifications", func(row rowScanner) (domain.Notification, error) {
		var n domain.Notification
		err := row.Scan(&n.ID, &n.UserID, &n.CaseID, &n.CaseNumber, &n.Kind, &n.Text, nullTime{&n.CreatedAt}, nullTime{&n.ReadAt})
		return n, err
	}, q+` ORDER BY n.id DESC LIMIT `+strconv.Itoa(limit), userID)
}

// UnreadCount counts a user's unread entries.
func (tx *Tx) UnreadCount(ctx context.Context, userID int64) (int, error) {
	var n int
	err := tx.queryRow(ctx, `SELECT count(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL`, userID).Scan(&n)
	return n, tx.scanErr(err, "unread count")
}

// MarkNotificationsRead marks all of a user's entries read.
func (tx *Tx) MarkNotificationsRead(ctx context.Context, userID int64) error {
	_, err := tx.exec(ctx, `UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL`, ts(tx.Now), userID)
	return wrap(err, "mark read")
}

var openStatuses = []domain.Status{domain.StatusRegistered, domain.StatusAssessed, domain.StatusDispatched, domain.StatusReturned,
	domain.StatusInResolution, domain.StatusClosed, domain.StatusInformed}

// ClaimDue marks and returns matters whose step is due in [after, before)
// (after may be zero) and
// that have not been announced for this deadline yet (column overdue_sent or
// due_soon_sent). The mark and the claim are one UPDATE, so two instances
// never announce the same deadline twice.
func (tx *Tx) ClaimDue(ctx context.Context, column string, after, before time.Time, limit int) ([]domain.DueCase, error) {
	if column != "overdue_sent" && column != "due_soon_sent" {
		panic("store: ClaimDue column " + column)
	}
	ph := make([]string, len(openStatuses))
	args := []any{ts(before)}
	for i, s := range openStatuses {
		ph[i] = "$" + strconv.Itoa(i+2)
		args = append(args, string(s))
	}
	afterCond := ""
	if !after.IsZero() {
		args = append(args, ts(after))
		afterCond = " AND step_due_at >= $" + strconv.Itoa(len(args))
	}
	q := `UPDATE cases SET ` + column + ` = step_due_at WHERE id IN (SELECT id FROM cases WHERE step_due_at IS NOT NULL AND step_due_at < $1 AND paused_at IS NULL
		AND status IN (` + strings.Join(ph, ",") + `)` + afterCond + ` AND (` + column + ` IS NULL OR ` + column + ` <> step_due_at) ORDER BY step_due_at LIMIT ` + strconv.Itoa(limit) + `)
		AND (` + column + ` IS NULL OR ` + column + ` <> step_due_at)
		RETURNING id, number, COALESCE(assignee_id, 0), org_path, step_due_at`
	return queryAll(ctx, tx, "claim due", func(row rowScanner) (domain.DueCase, error) {
		var d domain.DueCase
		err := row.Scan(&d.ID, &d.Number, &d.AssigneeID, &d.OrgPath, nullTime{&d.Due})
		return d, err
	}, q, args...)
}

// UsersWithRoleOver lists active users holding role whose jurisdiction
// contains path (e.g. the dispatchers responsible for a matter).
func (tx *Tx) UsersWithRoleOver(ctx context.Context, role domain.Role, path string) ([]int64, error) {
	var out []int64
	err := queryEach(ctx, tx, "users with role", func(row rowScanner) error {
		var id int64
		var p string
		if err := row.Scan(&id, &p); err != nil {
			return err
		}
		if strings.HasPrefix(path, p) {
			out = append(out, id)
		}
		return nil
	}, `SELECT u.id, o.path FROM users u JOIN orgs o ON o.code = u.org_code
		WHERE u.disabled = $1 AND (',' || u.roles || ',') LIKE $2`, false, "%,"+string(role)+",%")
	if err != nil {
		return nil, err
	}
	return out, nil
}

// CountCases counts matters matching f (for the work summary).
func (tx *Tx) CountCases(ctx context.Context, f domain.CaseFilter) (int, error) {
	if len(f.Statuses) > 0 && byStatusOnly(f) {
		return tx.CountByStatus(ctx, f.Path, f.AssigneeID, f.Statuses...)
	}
	count := func() (int, error) {
		w := caseWhere(tx, f)
		var n int
		from := " FROM cases c"
		if usesFTS(tx, f) {
			from = " FROM case_fts f JOIN cases c ON c.id = f.rowid"
		}
		err := tx.queryRow(ctx, `SELECT count(*)`+from+w.sql(), w.args...).Scan(&n)
		return n, tx.scanErr(err, "count cases")
	}
	if f.Overdue && isOverdueOnly(f) {
		return tx.countOverdue(ctx, f, count)
	}
	return count()
}

// PausesToResume lists paused matters whose resume date has come.
func (tx *Tx) PausesToResume(ctx context.Context, now time.Time, limit int) ([]int64, error) {
	ids, err := tx.ids(ctx, `SELECT id FROM cases WHERE paused_at IS NOT NULL AND paused_until <= $1 ORDER BY paused_until LIMIT `+strconv.Itoa(limit), []any{ts(now)})
	return ids, wrap(err, "pauses to resume")
}

// ClaimCheckins marks and returns watched matters whose next check-in is due
// and not yet announced (once per check-in date, safe across instances).
func (tx *Tx) ClaimCheckins(ctx context.Context, now time.Time, limit int) ([]domain.DueCase, error) {
	return queryAll(ctx, tx, "claim check-ins", func(row rowScanner) (domain.DueCase, error) {
		var d domain.DueCase
		err := row.Scan(&d.ID, &d.Number, &d.AssigneeID, &d.OrgPath, nullTime{&d.Due})
		return d, err
	}, `UPDATE cases SET checkin_sent = next_checkin_at WHERE id IN (SELECT id FROM cases
		WHERE watcher_id IS NOT NULL AND next_checkin_at < $1 AND (checkin_sent IS NULL OR checkin_sent <> next_checkin_at)
		ORDER BY next_checkin_at LIMIT `+strconv.Itoa(limit)+`) AND (checkin_sent IS NULL OR checkin_sent <> next_checkin_at)
		RETURNING id, number, watcher_id, org_path, next_checkin_at`, ts(now))
}

// AddSupervision records a supervision order.
func (tx *Tx) AddSupervision(ctx context.Context, caseID, leaderID int64, due time.Time) error {
	_, err := tx.exec(ctx, `INSERT INTO supervisions (case_id, leader_id, due_at, created_at) VALUES ($1, $2, $3, $4)`, caseID, leaderID, ts(due), ts(tx.Now))
	return wrap(err, "add supervision")
}

// ReplySupervisions marks a matter's open supervision orders answered and
// returns the leaders who issued them.
func (tx *Tx) ReplySupervisions(ctx context.Context, caseID int64) ([]int64, error) {
	ids, err := tx.ids(ctx, `UPDATE supervisions SET replied_at = $1 WHERE case_id = $2 AND replied_at IS NULL RETURNING leader_id`, []any{ts(tx.Now), caseID})
	return ids, wrap(err, "reply supervisions")
}

// OpenSupervisionLeaders lists the leaders whose supervision orders on the
// matter await a reply.
func (tx *Tx) OpenSupervisionLeaders(ctx context.Context, caseID int64) ([]int64, error) {
	ids, err := tx.ids(ctx, `SELECT leader_id FROM supervisions WHERE case_id = $1 AND replied_at IS NULL`, []any{caseID})
	return ids, wrap(err, "open supervisions")
}

// ClaimUnansweredSupervisions marks and returns supervision orders past their
// deadline without a reply (once each, safe across instances): case and leader.
func (tx *Tx) ClaimUnansweredSupervisions(ctx context.Context, now time.Time, limit int) ([][2]int64, error) {
	return queryAll(ctx, tx, "claim supervisions", func(row rowScanner) ([2]int64, error) {
		var p [2]int64
		err := row.Scan(&p[0], &p[1])
		return p, err
	}, `UPDATE supervisions SET overdue_sent = $1 WHERE id IN (SELECT id FROM supervisions
		WHERE replied_at IS NULL AND overdue_sent IS NULL AND due_at < $1 ORDER BY due_at LIMIT `+strconv.Itoa(limit)+`)
		AND overdue_sent IS NULL RETURNING case_id, leader_id`, ts(now))
}

// UsersWithRoleUnder lists the active users with role whose place lies
// within path (e.g. the grid workers of a village).
func (tx *Tx) UsersWithRoleUnder(ctx context.Context, role domain.Role, path string) ([]int64, error) {
	return tx.ids(ctx, `SELECT u.id FROM users u JOIN orgs o ON o.code = u.org_code
		WHERE u.disabled = $1 AND (',' || u.roles || ',') LIKE $2 AND o.path LIKE $3 ORDER BY u.id`, []any{false, "%," + string(role) + ",%", stripLike(path) + "%"})
}
