package identity

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"jiefen/internal/app"
	"jiefen/internal/authz"
	"jiefen/internal/domain"
	"jiefen/internal/store"
)

// The reveal budget (issue 14, point 5; SECURITY.md PI-3): every full view
// of personal data counts against the viewer's day. A clerk's honest day
// stays far below the cap (Policy.RevealDailyCap, 60 by default: the
// busiest window registers about 30 matters a day); beyond it a second
// person grants more for that day (RequestRevealGrant, ApproveRevealGrant),
// and views faster than Policy.RevealPerMinute are refused for a moment.
// Either raises an alert to the security administrators over the account,
// once per kind, account and day, shown on their security page.

// cstDay is t's day in Beijing time.
func cstDay(t time.Time) string { return t.In(domain.CST).Format("2006-01-02") }

// CheckRevealBudget refuses the actor's next full view when it would pass
// the rate or the day's cap (with the approved extra). The alert it raises
// is committed even though the view is refused.
func (s *Service) CheckRevealBudget(ctx context.Context) error {
	u := domain.ActorFrom(ctx).User
	if u == nil {
		return nil // the operator never reveals (authz refuses it)
	}
	// The common case only reads; the alert of a refusal is written in a
	// transaction of its own, so that it stays when the view is refused.
	var refusal error
	var alert *domain.SecurityAlert
	err := s.View(ctx, func(tx *store.Tx) error {
		day := cstDay(tx.Now)
		start, _ := domain.ParseDay(day)
		today, err := tx.CountAudit(ctx, "personal.reveal", u.Username, start)
		if err != nil {
			return err
		}
		recent, err := tx.CountAudit(ctx, "personal.reveal", u.Username, tx.Now.Add(-time.Minute))
		if err != nil {
			return err
		}
		extra, err := tx.RevealExtra(ctx, u.ID, day)
		if err != nil {
			return err
		}
		cap := s.policy.RevealDailyCap + extra
		alert = &domain.SecurityAlert{Day: day, UserID: u.ID, OrgPath: u.OrgPath}
		switch {
		case s.policy.RevealPerMinute > 0 && recent >= s.policy.RevealPerMinute:
			alert.Kind, alert.Detail = domain.AlertRevealRate, fmt.Sprintf("%d full views within a minute (rate %d a minute)", recent, s.policy.RevealPerMinute)
			refusal = app.Refuse(domain.TooMany, "reveal.too_fast", "personal.reveal", "user", u.Username, u.OrgPath)
		case s.policy.RevealDailyCap > 0 && today >= cap:
			alert.Kind, alert.Detail = domain.AlertRevealBudget, fmt.Sprintf("%d full views today (cap %d)", today, cap)
			refusal = app.Refuse(domain.Forbidden, "reveal.budget", "personal.reveal", "user", u.Username, u.OrgPath)
		}
		return nil
	})
	if err != nil || refusal == nil {
		return err
	}
	if err := s.Update(ctx, func(tx *store.Tx) error { return s.raiseAlert(ctx, tx, alert) }); err != nil {
		return err
	}
	return s.Denied(ctx, refusal)
}

// raiseAlert records an alert (once per kind, account and day) and tells
// the security administrators over the account's place.
func (s *Service) raiseAlert(ctx context.Context, tx *store.Tx, a *domain.SecurityAlert) error {
	added, err := tx.AddSecurityAlert(ctx, a)
	if err != nil || !added {
		return err
	}
	admins, err := tx.UsersWithRoleOver(ctx, domain.RoleSecurityAdmin, a.OrgPath)
	if err != nil {
		return err
	}
	u := domain.ActorFrom(ctx).User
	for _, id := range admins {
		text := fmt.Sprintf("安全提醒：%s（%s）%s", u.Name, u.Username, alertWords[a.Kind])
		if err := tx.AddNotification(ctx, &domain.Notification{UserID: id, Kind: "security", Text: text}); err != nil {
			return err
		}
	}
	return s.Kernel.Audit(ctx, tx, "security.alert", "user", u.Username, a.OrgPath, domain.ResultOK, a.Kind+": "+a.Detail)
}

// alertWords says each alert in the security administrator's notice.
var alertWords = map[string]string{
	domain.AlertRevealRate:   "一分钟内查看完整个人信息次数过多，已暂停其查看。",
	domain.AlertRevealBudget: "今日查看完整个人信息已达上限，再查看须另一人批准增加额度。",
}

// RequestRevealGrant asks for more full views today, with a reason; another
// person over the account's place approves it (ApproveRevealGrant).
func (s *Service) RequestRevealGrant(ctx context.Context, reason string) (*domain.RevealGrant, error) {
	u := domain.ActorFrom(ctx).User
	if err := s.Check(ctx, authz.PersonalReveal, "user", "", u.OrgPathOrEmpty()); err != nil {
		return nil, s.Denied(ctx, err)
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > 200 {
		return nil, app.Required("reason", "reveal.grant.reason")
	}
	g := &domain.RevealGrant{UserID: u.ID, Extra: s.policy.RevealDailyCap, Reason: reason, OrgPath: u.OrgPath}
	err := s.Update(ctx, func(tx *store.Tx) error {
		g.Day = cstDay(tx.Now)
		if err := tx.AddRevealGrant(ctx, g); err != nil {
			return err
		}
		return s.Kernel.Audit(ctx, tx, "reveal.grant_request", "user", u.Username, u.OrgPath, domain.ResultOK,
			fmt.Sprintf("%d more today, reason: %s", g.Extra, reason))
	})
	return g, err
}

// ApproveRevealGrant approves another person's request for today, within
// the approver's jurisdiction (the four-eyes rule).
func (s *Service) ApproveRevealGrant(ctx context.Context, id int64) error {
	u := domain.ActorFrom(ctx).User
	return s.Update(ctx, func(tx *store.Tx) error {
		g, err := tx.RevealGrant(ctx, id)
		if err != nil {
			return err
		}
		obj := strconv.FormatInt(id, 10)
		if err := s.Check(ctx, authz.ExportApprove, "reveal_grant", obj, g.OrgPath); err != nil {
			return err
		}
		if err := app.FourEyes(ctx, tx, g.UserID, u, "reveal.grant_approve", "reveal_grant", obj, g.OrgPath); err != nil {
			return err
		}
		if g.Day != cstDay(tx.Now) {
			return &domain.Error{Code: domain.Conflict, Key: "reveal.grant.expired"}
		}
		if ok, err := tx.ApproveRevealGrant(ctx, id, u.ID); err != nil || !ok {
			if err != nil {
				return err
			}
			return &domain.Error{Code: domain.Conflict, Key: "export.approved"}
		}
		return s.Kernel.Audit(ctx, tx, "reveal.grant_approve", "user", g.Username, g.OrgPath, domain.ResultOK,
			fmt.Sprintf("%d more on %s for %s, reason: %s", g.Extra, g.Day, g.UserName, g.Reason))
	})
}

// RevealGrants lists today's requests: the actor's own, and those it may
// approve (others', within its jurisdiction, not yet approved).
func (s *Service) RevealGrants(ctx context.Context) (mine, toApprove []*domain.RevealGrant, err error) {
	u := domain.ActorFrom(ctx).User
	if u == nil {
		return nil, nil, domain.ErrForbidden
	}
	err = s.View(ctx, func(tx *store.Tx) error {
		day := cstDay(tx.Now)
		if mine, err = tx.RevealGrants(ctx, day, u.ID, "/"); err != nil {
			return err
		}
		if !authz.Allowed(u, authz.ExportApprove) {
			return nil
		}
		all, err := tx.RevealGrants(ctx, day, 0, u.OrgPath)
		for _, g := range all {
			if g.UserID != u.ID {
				toApprove = append(toApprove, g)
			}
		}
		return err
	})
	return mine, toApprove, err
}
