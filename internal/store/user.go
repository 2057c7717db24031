package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"jiefen/internal/domain"
)

const userCols = `u.id, u.username, u.name, u.phone, u.roles, u.org_code, o.path, o.name, u.lang,
	u.disabled, u.must_change_pwd, u.password_changed_at, u.locked_until, u.created_at, u.version, u.overdue_notices,
	COALESCE(u.created_by, 0), COALESCE(u.changed_by, 0), u.second_factor`

func scanUser(sc interface{ Scan(...any) error }, u *domain.User) error {
	var roles string
	err := sc.Scan(&u.ID, &u.Username, &u.Name, &u.Phone, &roles, &u.OrgCode, &u.OrgPath, &u.OrgName, &u.Lang,
		&u.Disabled, &u.MustChangePwd, nullTime{&u.PasswordChangedAt}, nullTime{&u.LockedUntil}, nullTime{&u.CreatedAt}, &u.Version, &u.OverdueNotices,
		&u.CreatedBy, &u.ChangedBy, &u.SecondFactor)
	if err != nil {
		return err
	}
	u.Roles = nil
	for r := range strings.SplitSeq(roles, ",") {
		if r != "" {
			u.Roles = append(u.Roles, domain.Role(r))
		}
	}
	return nil
}

const userFrom = ` FROM users u JOIN orgs o ON o.code = u.org_code`

// User reads one account by ID.
func (tx *Tx) User(ctx context.Context, id int64) (*domain.User, error) {
	u := &domain.User{}
	err := scanUser(tx.queryRow(ctx, `SELECT `+userCols+userFrom+` WHERE u.id = $1`, id), u)
	return u, tx.scanErr(err, fmt.Sprintf("get user %d", id))
}

// UserByUsername reads one account by its (normalised) login ID.
func (tx *Tx) UserByUsername(ctx context.Context, username string) (*domain.User, error) {
	u := &domain.User{}
	err := scanUser(tx.queryRow(ctx, `SELECT `+userCols+userFrom+` WHERE u.username = $1`, domain.NormalizeUsername(username)), u)
	return u, tx.scanErr(err, "get user "+username)
}

// PasswordHash returns the stored hash of an account.
func (tx *Tx) PasswordHash(ctx context.Context, id int64) (string, error) {
	var h string
	err := tx.queryRow(ctx, `SELECT password_hash FROM users WHERE id = $1`, id).Scan(&h)
	return h, tx.scanErr(err, "get password hash")
}

// Users lists accounts in a subtree, by ID, keyset-paginated.
func (tx *Tx) Users(ctx context.Context, f domain.UserFilter) ([]*domain.User, error) {
	w := where{}
	w.add("o.path LIKE ?", stripLike(f.Path)+"%")
	if f.Query != "" {
		q := "%" + stripLike(strings.ToLower(f.Query)) + "%"
		w.add("(u.username LIKE ? OR u.name LIKE ?)", q, q)
	}
	if f.Role != "" {
		w.add("(',' || u.roles || ',') LIKE ?", "%,"+stripLike(string(f.Role))+",%")
	}
	if f.Disabled != nil {
		w.add("u.disabled = ?", *f.Disabled)
	}
	if f.AfterID > 0 {
		w.add("u.id > ?", f.AfterID)
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	q := `SELECT ` + userCols + userFrom + w.sql() + fmt.Sprintf(` ORDER BY u.id LIMIT %d`, f.Limit)
	return queryAll(ctx, tx, "list users", func(row rowScanner) (*domain.User, error) {
		u := &domain.User{}
		if err := scanUser(row, u); err != nil {
			return nil, fmt.Errorf("store: scan user: %w", err)
		}
		return u, nil
	}, q, w.args...)
}

// CreateUser inserts an account with its password hash and returns its ID.
func (tx *Tx) CreateUser(ctx context.Context, u *domain.User, hash string) (int64, error) {
	var id int64
	err := tx.queryRow(ctx, `INSERT INTO users (username, name, phone, roles, org_code, lang, disabled, must_change_pwd,
		password_hash, password_changed_at, created_at, updated_at, version, created_by, changed_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $10, 1, $11, $11) RETURNING id`,
		u.Username, u.Name, u.Phone, domain.JoinRoles(u.Roles), u.OrgCode, u.Lang, u.Disabled, u.MustChangePwd,
		hash, ts(tx.Now), nullID(u.CreatedBy)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: create user %s: %w", u.Username, tx.d.mapErr(err))
	}
	if err := tx.AddPasswordHistory(ctx, id, hash); err != nil {
		return 0, err
	}
	return id, nil
}

// UpdateUser saves the editable fields, refusing a stale version (conflict).
func (tx *Tx) UpdateUser(ctx context.Context, u *domain.User) error {
	r, err := tx.exec(ctx, `UPDATE users SET name = $1, phone = $2, roles = $3, org_code = $4, lang = $5, disabled = $6,
		updated_at = $7, version = version + 1, changed_by = $10 WHERE id = $8 AND version = $9`,
		u.Name, u.Phone, domain.JoinRoles(u.Roles), u.OrgCode, u.Lang, u.Disabled, ts(tx.Now), u.ID, u.Version, nullID(u.ChangedBy))
	if err != nil {
		return fmt.Errorf("store: update user %d: %w", u.ID, err)
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return domain.Errorf(domain.Conflict, "error.stale_version")
	}
	u.Version++
	return nil
}

// SetPassword stores a new hash; mustChange marks an initial or reset password.
func (tx *Tx) SetPassword(ctx context.Context, id int64, hash string, mustChange bool) error {
	_, err := tx.exec(ctx, `UPDATE users SET password_hash = $1, must_change_pwd = $2, password_changed_at = $3,
		locked_until = NULL, updated_at = $3, version = version + 1 WHERE id = $4`, hash, mustChange, ts(tx.Now), id)
	if err != nil {
		return fmt.Errorf("store: set password %d: %w", id, err)
	}
	return tx.AddPasswordHistory(ctx, id, hash)
}

// AddPasswordHistory records a hash so it cannot be reused.
func (tx *Tx) AddPasswordHistory(ctx context.Context, id int64, hash string) error {
	_, err := tx.exec(ctx, `INSERT INTO password_history (user_id, password_hash, created_at) VALUES ($1, $2, $3)`, id, hash, ts(tx.Now))
	return wrap(err, "add password history")
}

// RecentPasswordHashes returns the last n hashes of an account.
func (tx *Tx) RecentPasswordHashes(ctx context.Context, id int64, n int) ([]string, error) {
	return queryAll(ctx, tx, "password history", func(row rowScanner) (string, error) {
		var h string
		err := row.Scan(&h)
		return h, err
	}, `SELECT password_hash FROM password_history WHERE user_id = $1 ORDER BY id DESC LIMIT $2`, id, n)
}

// SetLockedUntil locks an account until t (zero unlocks).
func (tx *Tx) SetLockedUntil(ctx context.Context, id int64, t time.Time) error {
	_, err := tx.exec(ctx, `UPDATE users SET locked_until = $1 WHERE id = $2`, ts(t), id)
	return wrap(err, "lock user")
}

// CountUsers counts all accounts.
func (tx *Tx) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := tx.queryRow(ctx, `SELECT count(*) FROM users`).Scan(&n)
	return n, tx.scanErr(err, "count users")
}

// IdleAccounts lists the enabled accounts created before t that have not
// been used since: no session seen and no API token used at or after t
// (SECURITY.md AC-6).
func (tx *Tx) IdleAccounts(ctx context.Context, t time.Time) ([]int64, error) {
	return tx.ids(ctx, `SELECT u.id FROM users u WHERE u.disabled = $2 AND u.created_at < $1
		AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.user_id = u.id AND s.last_seen_at >= $1)
		AND NOT EXISTS (SELECT 1 FROM api_tokens k WHERE k.user_id = u.id AND k.last_used_at >= $1) ORDER BY u.id`, []any{ts(t), false})
}
