package identity

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"jiefen/internal/app"
	"jiefen/internal/authz"
	"jiefen/internal/domain"
	"jiefen/internal/store"
)

// SecurityReport is the security administrator's page: the alerts of the
// last 30 days (open first), who viewed personal data in full today and
// how often, and the policy in force.
type SecurityReport struct {
	Alerts    []*domain.SecurityAlert
	Revealers []domain.Revealer
	Policy    Policy
	At        time.Time
}

// SecurityReport reads the report for the actor's jurisdiction (the
// security administrator's; the operator's: the whole tree). Audited.
func (s *Service) SecurityReport(ctx context.Context) (*SecurityReport, error) {
	u := domain.ActorFrom(ctx).Principal()
	if err := s.Check(ctx, authz.SecurityView, "security", "", u.OrgPathOrEmpty()); err != nil {
		return nil, s.Denied(ctx, err)
	}
	r := &SecurityReport{Policy: s.policy}
	err := s.Update(ctx, func(tx *store.Tx) error {
		r.At = tx.Now
		var err error
		if r.Alerts, err = tx.SecurityAlerts(ctx, u.OrgPath, tx.Now.AddDate(0, 0, -30)); err != nil {
			return err
		}
		start, _ := domain.ParseDay(cstDay(tx.Now))
		if r.Revealers, err = tx.TopRevealers(ctx, u.OrgPath, start, 20); err != nil {
			return err
		}
		return s.Kernel.Audit(ctx, tx, "security.report", "security", "", u.OrgPath, domain.ResultOK, "")
	})
	return r, err
}

// HandleAlert marks an alert handled with a note of what was done.
func (s *Service) HandleAlert(ctx context.Context, id int64, note string) error {
	note = strings.TrimSpace(note)
	if note == "" || utf8.RuneCountInString(note) > 500 {
		return app.Required("note", "security.alert.note")
	}
	return s.Update(ctx, func(tx *store.Tx) error {
		path, err := tx.SecurityAlertPath(ctx, id)
		if err != nil {
			return err
		}
		obj := strconv.FormatInt(id, 10)
		if err := s.Check(ctx, authz.SecurityView, "security_alert", obj, path); err != nil {
			return err
		}
		by := int64(0)
		if u := domain.ActorFrom(ctx).User; u != nil {
			by = u.ID
		}
		if ok, err := tx.HandleSecurityAlert(ctx, id, by, note); err != nil || !ok {
			if err != nil {
				return err
			}
			return &domain.Error{Code: domain.Conflict, Key: "security.alert.handled"}
		}
		return s.Kernel.Audit(ctx, tx, "security.alert_handle", "security_alert", obj, path, domain.ResultOK, "note: "+note)
	})
}
