package store

import (
	"context"
	"strconv"
	"time"

	"jiefen/internal/domain"
)

// CountAudit counts username's audit rows of action since t.
func (tx *Tx) CountAudit(ctx context.Context, action, username string, since time.Time) (int, error) {
	var n int
	err := tx.queryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE username = $1 AND action = $2 AND at >= $3`, username, action, ts(since)).Scan(&n)
	return n, tx.scanErr(err, "count audit")
}

// TopRevealers lists the accounts with the most full views of personal data
// since t on matters within path, most first.
func (tx *Tx) TopRevealers(ctx context.Context, path string, since time.Time, limit int) ([]domain.Revealer, error) {
	lo, hi := pathRange(path)
	return queryAll(ctx, tx, "top revealers", func(row rowScanner) (domain.Revealer, error) {
		var r domain.Revealer
		err := row.Scan(&r.Username, &r.Name, &r.N)
		return r, err
	}, `SELECT a.username, COALESCE(MAX(u.name), ''), COUNT(*) FROM audit_log a LEFT JOIN users u ON u.id = a.user_id
		WHERE a.action = 'personal.reveal' AND a.at >= $1 AND a.org_path >= $2 AND a.org_path < $3
		GROUP BY a.username ORDER BY COUNT(*) DESC, a.username LIMIT `+strconv.Itoa(limit), ts(since), lo, hi)
}

// AddRevealGrant records a request for more full views on a day.
func (tx *Tx) AddRevealGrant(ctx context.Context, g *domain.RevealGrant) error {
	g.RequestedAt = tx.Now
	err := tx.queryRow(ctx, `INSERT INTO reveal_grants (user_id, day, extra, reason, org_path, requested_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		g.UserID, g.Day, g.Extra, g.Reason, g.OrgPath, ts(tx.Now)).Scan(&g.ID)
	return tx.scanErr(err, "add reveal grant")
}

const grantCols = `g.id, g.user_id, ru.username, ru.name, g.day, g.extra, g.reason, g.org_path, g.requested_at,
	COALESCE(g.approved_by, 0), COALESCE(au.name, ''), g.approved_at
	FROM reveal_grants g JOIN users ru ON ru.id = g.user_id LEFT JOIN users au ON au.id = g.approved_by`

func scanGrant(row rowScanner) (*domain.RevealGrant, error) {
	g := &domain.RevealGrant{}
	err := row.Scan(&g.ID, &g.UserID, &g.Username, &g.UserName, &g.Day, &g.Extra, &g.Reason, &g.OrgPath, nullTime{&g.RequestedAt},
		&g.ApprovedBy, &g.ApproverName, nullTime{&g.ApprovedAt})
	return g, err
}

// RevealGrant reads one request.
func (tx *Tx) RevealGrant(ctx context.Context, id int64) (*domain.RevealGrant, error) {
	g, err := scanGrant(tx.queryRow(ctx, `SELECT `+grantCols+` WHERE g.id = $1`, id))
	return g, tx.scanErr(err, "reveal grant")
}

// RevealGrants lists the day's requests: user's own (user ≠ 0), or those
// within path awaiting approval (user = 0).
func (tx *Tx) RevealGrants(ctx context.Context, day string, user int64, path string) ([]*domain.RevealGrant, error) {
	lo, hi := pathRange(path)
	return queryAll(ctx, tx, "reveal grants", scanGrant, `SELECT `+grantCols+` WHERE g.day = $1
		AND (g.user_id = $2 OR ($2 = 0 AND g.approved_at IS NULL AND g.org_path >= $3 AND g.org_path < $4)) ORDER BY g.id DESC LIMIT 100`,
		day, user, lo, hi)
}

// ApproveRevealGrant records the approval (once).
func (tx *Tx) ApproveRevealGrant(ctx context.Context, id, approver int64) (bool, error) {
	return tx.execOnce(ctx, "approve reveal grant", `UPDATE reveal_grants SET approved_by = $2, approved_at = $3 WHERE id = $1 AND approved_at IS NULL`, id, approver, ts(tx.Now))
}

// RevealExtra is the extra full views approved for user on day.
func (tx *Tx) RevealExtra(ctx context.Context, user int64, day string) (int, error) {
	var n int
	err := tx.queryRow(ctx, `SELECT COALESCE(SUM(extra), 0) FROM reveal_grants WHERE user_id = $1 AND day = $2 AND approved_at IS NOT NULL`,
		user, day).Scan(&n)
	return n, tx.scanErr(err, "reveal extra")
}

// AddSecurityAlert raises an alert unless one of its kind was raised for
// the account that day; it reports whether it did.
func (tx *Tx) AddSecurityAlert(ctx context.Context, a *domain.SecurityAlert) (bool, error) {
	a.At = tx.Now
	return tx.execOnce(ctx, "add security alert", `INSERT INTO security_alerts (at, day, kind, user_id, org_path, detail) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (kind, user_id, day) DO NOTHING`, ts(tx.Now), a.Day, a.Kind, a.UserID, a.OrgPath, a.Detail)
}

// SecurityAlerts lists the alerts since t about accounts within path, the
// open ones first, newest first.
func (tx *Tx) SecurityAlerts(ctx context.Context, path string, since time.Time) ([]*domain.SecurityAlert, error) {
	lo, hi := pathRange(path)
	return queryAll(ctx, tx, "security alerts", func(row rowScanner) (*domain.SecurityAlert, error) {
		a := &domain.SecurityAlert{}
		err := row.Scan(&a.ID, nullTime{&a.At}, &a.Day, &a.Kind, &a.UserID, &a.Username, &a.UserName, &a.OrgPath, &a.Detail,
			&a.HandledBy, &a.HandlerName, nullTime{&a.HandledAt}, &a.Note)
		return a, err
	}, `SELECT s.id, s.at, s.day, s.kind, s.user_id, u.username, u.name, s.org_path, s.detail, COALESCE(s.handled_by, 0), COALESCE(h.name, ''),
		s.handled_at, s.note FROM security_alerts s JOIN users u ON u.id = s.user_id LEFT JOIN users h ON h.id = s.handled_by
		WHERE s.at >= $1 AND s.org_path >= $2 AND s.org_path < $3
		ORDER BY CASE WHEN s.handled_at IS NULL THEN 0 ELSE 1 END, s.id DESC LIMIT 200`, ts(since), lo, hi)
}

// SecurityAlertPath is the place of an alert's account (for the check).
func (tx *Tx) SecurityAlertPath(ctx context.Context, id int64) (string, error) {
	var p string
	err := tx.queryRow(ctx, `SELECT org_path FROM security_alerts WHERE id = $1`, id).Scan(&p)
	return p, tx.scanErr(err, "security alert")
}

// HandleSecurityAlert marks an alert handled (once).
func (tx *Tx) HandleSecurityAlert(ctx context.Context, id, by int64, note string) (bool, error) {
	return tx.execOnce(ctx, "handle security alert", `UPDATE security_alerts SET handled_by = $2, handled_at = $3, note = $4 WHERE id = $1 AND handled_at IS NULL`, id, nullID(by), ts(tx.Now), note)
}
