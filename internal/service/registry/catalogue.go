package registry

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"jiefen/internal/authz"
	"jiefen/internal/domain"
	"jiefen/internal/store"
)

// ImportCalendar records holidays and 调休 working days (a new year's State
// Council notice); existing dates are updated. Administrators and the CLI.
func (s *Service) ImportCalendar(ctx context.Context, days []domain.CalendarDay) (int, error) {
	if err := s.Denied(ctx, s.Check(ctx, authz.UserManage, "calendar", "", "/")); err != nil {
		return 0, err
	}
	err := s.Update(ctx, func(tx *store.Tx) error {
		for _, d := range days {
			if err := tx.UpsertCalendarDay(ctx, d.Date.Format("2006-01-02"), string(d.Kind), d.Name); err != nil {
				return err
			}
		}
		return s.Kernel.Audit(ctx, tx, "calendar.import", "calendar", "", "", domain.ResultOK, fmt.Sprintf("%d days", len(days)))
	})
	if err != nil {
		return 0, err
	}
	s.ForgetCalendar()
	return len(days), nil
}

var categoryCode = regexp.MustCompile(`^[a-z][a-z0-9_]{1,31}$`)

// SaveCategory adds or renames a catalogue entry (administrators, CLI).
func (s *Service) SaveCategory(ctx context.Context, c domain.Category) error {
	f := domain.FieldErrors{}
	if !categoryCode.MatchString(c.Code) {
		f.Add("code", "category.code.invalid")
	}
	c.Name = strings.TrimSpace(c.Name)
	if c.Name == "" || utf8.RuneCountInString(c.Name) > 40 {
		f.Add("name", "field.required")
	}
	if err := f.Err(); err != nil {
		return err
	}
	if err := s.Denied(ctx, s.Check(ctx, authz.UserManage, "category", c.Code, "/")); err != nil {
		return err
	}
	return s.Update(ctx, func(tx *store.Tx) error {
		if c.ParentCode != "" {
			if ok, err := s.CategoryExists(ctx, tx, c.ParentCode); err != nil {
				return err
			} else if !ok {
				return &domain.Error{Code: domain.Invalid, Key: "error.invalid", Fields: map[string]string{"parent": "case.category.unknown"}}
			}
		}
		if err := tx.UpsertCategory(ctx, c); err != nil {
			return err
		}
		return s.Kernel.Audit(ctx, tx, "category.save", "category", c.Code, "", domain.ResultOK, fmt.Sprintf("%s active=%v parent=%s", c.Name, c.Active, c.ParentCode))
	})
}

// CategoryExists reports whether code is an active category; a database
// error is returned as such, not taken for "no such category".
func (s *Service) CategoryExists(ctx context.Context, tx *store.Tx, code string) (bool, error) {
	cats, err := tx.Categories(ctx)
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(cats, func(c domain.Category) bool { return c.Code == code && c.Active }), nil
}

// Categories lists the catalogue.
func (s *Service) Categories(ctx context.Context) ([]domain.Category, error) {
	var out []domain.Category
	err := s.View(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.Categories(ctx)
		return err
	})
	return out, err
}
