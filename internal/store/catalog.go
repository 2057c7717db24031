package store

import (
	"cmp"
	"context"
	"jiefen/internal/domain"
)

// UpsertCategory adds or renames a catalogue entry.
func (tx *Tx) UpsertCategory(ctx context.Context, c domain.Category) error {
	var oldParent string
	moved := tx.queryRow(ctx, `SELECT COALESCE(parent_code, '') FROM categories WHERE code = $1`, c.Code).Scan(&oldParent) == nil && oldParent != c.ParentCode
	var parent any
	if c.ParentCode != "" {
		parent = c.ParentCode
	}
	_, err := tx.exec(ctx, `INSERT INTO categories (code, name, parent_code, sort, active) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (code) DO UPDATE SET name = excluded.name, parent_code = excluded.parent_code, sort = excluded.sort, active = excluded.active`,
		c.Code, c.Name, parent, c.Sort, c.Active)
	if err != nil || !moved {
		return wrap(err, "upsert category")
	}
	// The statistics' facts carry the top-level category: a category moved
	// under another parent moves its matters' facts with it.
	_, err = tx.exec(ctx, `UPDATE case_facts SET category = $2 WHERE case_id IN (SELECT id FROM cases WHERE category_code = $1) AND category <> $2`,
		c.Code, cmp.Or(c.ParentCode, c.Code))
	return wrap(err, "case facts category")
}

// Categories lists the catalogue in display order.
func (tx *Tx) Categories(ctx context.Context) ([]domain.Category, error) {
	return queryAll(ctx, tx, "list categories", func(row rowScanner) (domain.Category, error) {
		var c domain.Category
		err := row.Scan(&c.Code, &c.Name, &c.ParentCode, &c.Sort, &c.Active)
		return c, err
	}, `SELECT code, name, COALESCE(parent_code, ''), sort, active FROM categories ORDER BY sort, code`)
}

// UpsertCalendarDay records a holiday or a 调休 working day.
func (tx *Tx) UpsertCalendarDay(ctx context.Context, day, kind, name string) error {
	_, err := tx.exec(ctx, `INSERT INTO calendar_days (day, kind, name) VALUES ($1, $2, $3)
		ON CONFLICT (day) DO UPDATE SET kind = excluded.kind, name = excluded.name`, day, kind, name)
	return wrap(err, "upsert calendar day")
}

// CalendarDays lists every recorded day.
func (tx *Tx) CalendarDays(ctx context.Context) ([][3]string, error) {
	return queryAll(ctx, tx, "calendar", func(row rowScanner) ([3]string, error) {
		var d [3]string
		err := row.Scan(&d[0], &d[1], &d[2])
		return d, err
	}, `SELECT day, kind, name FROM calendar_days ORDER BY day`)
}
