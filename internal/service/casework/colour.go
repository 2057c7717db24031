package casework

import (
	"context"
	"fmt"
	"strings"
	"time"

	"jiefen/internal/domain"
	"jiefen/internal/store"
)

// RedResolutionDays is how many calendar days a red matter has in
// resolution (the ordinary rule is 30); a matter that turns red keeps the
// earlier of its deadline and this one (domain.StepDeadline, which the
// demo's seeder follows too).
const RedResolutionDays = domain.RedResolutionDays

// leadFor finds who leads a matter of colour risk: the holder of the post,
// or for an uncoloured matter its mediator (the pool's linked account) or a
// mediator assignee.
func (s *Service) leadFor(ctx context.Context, tx *store.Tx, c *domain.Case, risk domain.Risk) (int64, string, error) {
	parts := strings.Split(strings.Trim(c.OrgPath, "/"), "/")
	switch risk {
	case "red":
		id, name, err := tx.PostHolder(ctx, "plc_secretary", parts[0])
		return id, withPost(name, "plc_secretary"), err
	case "blue":
		id, name, err := tx.PostHolder(ctx, "centre_director", parts[0])
		return id, withPost(name, "centre_director"), err
	case "yellow":
		if len(parts) < 2 {
			return 0, "", nil
		}
		id, name, err := tx.PostHolder(ctx, "township_secretary", parts[1])
		return id, withPost(name, "township_secretary"), err
	}
	return 0, "", nil
}

func withPost(name, post string) string {
	if name == "" {
		return ""
	}
	return name + "（" + domain.PostName[post] + "）"
}

// setLead makes the post holder for the matter's colour its lead leader,
// writes them into the 六个一 and tells them. No holder: the lead stays
// as it was and the timeline says the post is vacant.
func (s *Service) setLead(ctx context.Context, tx *store.Tx, c *domain.Case, ev *domain.TimelineEntry) error {
	id, label, err := s.leadFor(ctx, tx, c, c.Risk)
	if err != nil {
		return err
	}
	if c.Risk == "none" {
		if c.Six.LeadLeader == "" {
			c.Six.LeadLeader = "调解员牵头"
		}
		c.LeadID = 0
		return nil
	}
	if id == 0 {
		ev.Data[domain.DataLeadVacant] = domain.PostName[map[domain.Risk]string{"red": "plc_secretary", "yellow": "township_secretary", "blue": "centre_director"}[c.Risk]]
		return nil
	}
	if id == c.LeadID {
		return nil
	}
	c.LeadID, c.Six.LeadLeader = id, label
	ev.Data[domain.DataLeadName] = label
	return s.notify(ctx, tx, []int64{id}, c.ID, "lead", fmt.Sprintf("%s %s事项由您牵头：%s", c.Number, map[domain.Risk]string{"red": "红色", "yellow": "黄色", "blue": "蓝色"}[c.Risk], truncateRunes(c.Description, 40)))
}

// tightenForRed gives a red matter in resolution the red deadline when it
// is earlier than the one it has.
func tightenForRed(cal *domain.Calendar, c *domain.Case, now time.Time) {
	if c.Risk != "red" || c.Status != domain.StatusInResolution || !c.PausedAt.IsZero() {
		return
	}
	if due := domain.RedDeadline(cal, now); c.StepDueAt.IsZero() || due.Before(c.StepDueAt) {
		c.StepDueAt = due
	}
}

// RedProgressHour is the hour (China Standard Time) after which a red
// matter's assignee is reminded if the day has no progress entry yet.
const RedProgressHour = 15

// sweepRedProgress: a red matter in resolution needs a progress entry every
// day; after RedProgressHour its assignee is reminded once that day.
func (s *Service) sweepRedProgress(ctx context.Context) (int, error) {
	now := s.Store().Now().In(domain.CST)
	if now.Hour() < RedProgressHour {
		return 0, nil
	}
	start := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, domain.CST).UTC()
	n := 0
	err := s.Store().Update(ctx, func(tx *store.Tx) error {
		due, err := tx.RedWithoutProgress(ctx, start)
		if err != nil {
			return err
		}
		n = len(due)
		for _, d := range due {
			if err := s.notify(ctx, tx, []int64{d.AssigneeID}, d.ID, "red_daily", d.Number+" 红色事项：今日尚未记录化解进展，请当日报告"); err != nil {
				return err
			}
		}
		return nil
	})
	return n, err
}
