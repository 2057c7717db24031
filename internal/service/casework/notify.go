package casework

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"jiefen/internal/app"
	"jiefen/internal/domain"
	"jiefen/internal/store"
)

// Notifier sends a notification outside the application (an SMS gateway, a
// webhook). The in-app inbox is always written; the notifier is extra.
type Notifier interface {
	Notify(ctx context.Context, userID int64, kind, text string) error
}

// LogNotifier is the default Notifier: it writes to the log.
type LogNotifier struct{ Log *slog.Logger }

// Notify logs that a notification went out, not its text: the text can
// quote a matter's description and so name the parties, and logs are not
// the place for personal data (PIPL; the inbox keeps the text).
func (n LogNotifier) Notify(ctx context.Context, userID int64, kind, text string) error {
	n.Log.Info("notify", "user_id", userID, "kind", kind, "chars", len([]rune(text)))
	return nil
}

var _ Notifier = LogNotifier{}

// SetNotifier replaces the outbound notifier.
func (s *Service) SetNotifier(n Notifier) { s.notifier = n }

// notify writes inbox entries for users inside tx; the outbound notifier is
// called and the open pages are told once the transaction has committed.
func (s *Service) notify(ctx context.Context, tx *store.Tx, users []int64, caseID int64, kind, text string) error {
	seen := map[int64]bool{}
	actor := domain.ActorFrom(ctx).User
	number := ""
	for _, u := range users {
		if u == 0 || seen[u] || (actor != nil && actor.ID == u && kind != "due_soon" && kind != "overdue") {
			continue
		}
		seen[u] = true
		if err := tx.AddNotification(ctx, &domain.Notification{UserID: u, CaseID: caseID, Kind: kind, Text: text}); err != nil {
			return err
		}
		if number == "" && caseID != 0 {
			var err error
			if number, err = tx.CaseNumber(ctx, caseID); err != nil {
				return err
			}
		}
		// The event names the matter and the kind, never the text (which
		// may quote the parties).
		if err := s.publish(ctx, tx, Broadcast{Kind: BroadcastNotification, UserID: u, CaseID: caseID, Number: number, Notice: kind}); err != nil {
			return err
		}
		if s.notifier != nil {
			n, u := s.notifier, u
			tx.AfterCommit(func() {
				if err := n.Notify(context.WithoutCancel(ctx), u, kind, text); err != nil {
					s.Logger().Warn("outbound notification failed", "user_id", u, "kind", kind, "err", err)
				}
			})
		}
	}
	return nil
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// SweepDeadlines tells owners about steps due within a day and steps that are
// overdue, once per deadline: a notice per matter due soon; for overdue
// matters a notice per matter to those who asked for it
// (domain.NoticeEach), and to everyone else one digest a day listing
// their overdue matters (sweepDigests). It returns how many deadlines it
// announced and digests it sent.
//
// It is safe to run from several instances at once, even though RunJobs
// lets only the lease holder run it: every notice is written in the same
// transaction as the mark that claims it (ClaimDue, ClaimCheckins,
// ClaimUnansweredSupervisions), and each claim is one UPDATE … RETURNING
// whose WHERE repeats "not yet marked" outside its subquery. On PostgreSQL a
// second sweep that chose the same row waits for the first one's row lock and
// then re-checks that condition against the committed row, so it skips it
// (and claims it after all if the first rolled back, notices included); on
// SQLite the single writer runs the two transactions one after the other.
// Pauses resume through UpdateCase's version check, so only one sweep
// resumes a matter.
func (s *Service) SweepDeadlines(ctx context.Context) (int, error) {
	ctx = domain.WithActor(ctx, domain.JobActor())
	total, err := s.ResumeDuePauses(ctx)
	if err != nil {
		return total, err
	}
	unanswered, err := s.sweepSupervisions(ctx)
	total += unanswered
	if err != nil {
		return total, err
	}
	checkins, err := s.sweepCheckins(ctx)
	total += checkins
	if err != nil {
		return total, err
	}
	red, err := s.sweepRedProgress(ctx)
	total += red
	if err != nil {
		return total, err
	}
	digests, err := s.sweepDigests(ctx)
	total += digests
	if err != nil {
		return total, err
	}
	for _, kind := range []string{"overdue", "due_soon"} {
		now := s.Store().Now()
		col, after, before := "overdue_sent", time.Time{}, now
		if kind == "due_soon" {
			col, after, before = "due_soon_sent", now, now.Add(24*time.Hour)
		}
		for {
			var n int
			err := s.Store().Update(ctx, func(tx *store.Tx) error {
				due, err := tx.ClaimDue(ctx, col, after, before, 100)
				if err != nil {
					return err
				}
				n = len(due)
				each := map[int64]bool(nil) // who asked for a notice per overdue matter
				if kind == "overdue" && n > 0 {
					if each, err = tx.UsersNoticedEach(ctx); err != nil {
						return err
					}
				}
				for _, d := range due {
					users := []int64{d.AssigneeID}
					if d.AssigneeID == 0 {
						if users, err = tx.UsersWithRoleOver(ctx, domain.RoleDispatcher, d.OrgPath); err != nil {
							return err
						}
					}
					if kind == "overdue" {
						// The others are told in their daily digest.
						users = slices.DeleteFunc(users, func(u int64) bool { return !each[u] })
					}
					text := fmt.Sprintf("%s 本环节期限 %s %s", d.Number, d.Due.In(domain.CST).Format("01-02 15:04"), map[string]string{"overdue": "已超期", "due_soon": "即将到期"}[kind])
					if err := s.notify(ctx, tx, users, d.ID, kind, text); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				return total, err
			}
			total += n
			if n < 100 {
				break
			}
		}
	}
	return total, nil
}

// Inbox lists the actor's notifications.
func (s *Service) Inbox(ctx context.Context, unreadOnly bool) ([]domain.Notification, int, error) {
	u := domain.ActorFrom(ctx).User
	if u == nil {
		return nil, 0, app.ErrNoSession
	}
	var out []domain.Notification
	var unread int
	err := s.Store().View(ctx, func(tx *store.Tx) error {
		var err error
		if out, err = tx.Notifications(ctx, u.ID, unreadOnly, 100); err != nil {
			return err
		}
		unread, err = tx.UnreadCount(ctx, u.ID)
		return err
	})
	return out, unread, err
}

// UnreadCount counts the actor's unread notifications (the badge).
func (s *Service) UnreadCount(ctx context.Context) int {
	u := domain.ActorFrom(ctx).User
	if u == nil {
		return 0
	}
	var n int
	s.Store().View(ctx, func(tx *store.Tx) error {
		var err error
		n, err = tx.UnreadCount(ctx, u.ID)
		return err
	})
	return n
}

// MarkInboxRead marks all the actor's notifications read.
func (s *Service) MarkInboxRead(ctx context.Context) error {
	u := domain.ActorFrom(ctx).User
	if u == nil {
		return app.ErrNoSession
	}
	return s.Store().Update(ctx, func(tx *store.Tx) error { return tx.MarkNotificationsRead(ctx, u.ID) })
}

// WorkSummary counts the actor's work by kind: to sign for, in hand, due
// soon, overdue (in hand, and late in informing or visiting), supervision
// to answer, co-handling (handlers and mediators); to assess, to dispatch,
// returned, overdue in the area (the same two kinds; dispatchers); to
// visit (receptionists and dispatchers).
func (s *Service) WorkSummary(ctx context.Context) (map[string]int, error) {
	u, out, now := domain.ActorFrom(ctx).User, map[string]int{}, s.Store().Now()
	err := s.Store().View(ctx, func(tx *store.Tx) error {
		count := func(key string, f domain.CaseFilter) error {
			f.Now = now
			n, err := tx.CountCases(ctx, f)
			out[key] = n
			return err
		}
		mine := domain.CaseFilter{Path: u.OrgPath, AssigneeID: u.ID}
		steps := []struct {
			key string
			f   domain.CaseFilter
		}{
			{"to_sign", withStatus(mine, domain.StatusDispatched)},
			{"in_hand", withStatus(mine, domain.StatusInResolution, domain.StatusClosed)},
			{"mine_overdue", overdueOf(mine, domain.OpenStatuses)},
			{"mine_overdue_followup", overdueOf(mine, domain.FollowUpStatuses)},
			{"due_soon", func() domain.CaseFilter { f := mine; f.DueSoon = true; return f }()},
			{"to_reply", func() domain.CaseFilter { f := mine; f.ToReply = true; return f }()},
			{"cohandling", domain.CaseFilter{Path: u.OrgPath, CoHandlerID: u.ID}},
		}
		if !u.Has(domain.RoleHandler) && !u.Has(domain.RoleMediator) {
			// Only handlers and mediators are given matters: the others
			// would see six tiles that are always 0.
			steps = steps[:0]
		}
		if u.Has(domain.RoleDispatcher) {
			area := domain.CaseFilter{Path: u.OrgPath}
			steps = append(steps,
				struct {
					key string
					f   domain.CaseFilter
				}{"to_assess", withStatus(area, domain.StatusRegistered)},
				struct {
					key string
					f   domain.CaseFilter
				}{"to_dispatch", withStatus(area, domain.StatusAssessed, domain.StatusReturned)},
				struct {
					key string
					f   domain.CaseFilter
				}{"returned", withStatus(area, domain.StatusReturned)},
				struct {
					key string
					f   domain.CaseFilter
				}{"area_overdue", overdueOf(area, domain.OpenStatuses)},
				struct {
					key string
					f   domain.CaseFilter
				}{"area_overdue_followup", overdueOf(area, domain.FollowUpStatuses)},
			)
		}
		if u.Has(domain.RoleLeader) {
			steps = append(steps, struct {
				key string
				f   domain.CaseFilter
			}{"leading", withStatus(domain.CaseFilter{Path: "/", LeadID: u.ID}, domain.OpenStatuses...)})
		}
		if u.Has(domain.RoleDispatcher) {
			steps = append(steps, struct {
				key string
				f   domain.CaseFilter
			}{"to_regrade", domain.CaseFilter{Path: u.OrgPath, Regrade: true}})
		}
		if u.Has(domain.RoleReceptionist) || u.Has(domain.RoleDispatcher) {
			steps = append(steps, struct {
				key string
				f   domain.CaseFilter
			}{"to_visit", withStatus(domain.CaseFilter{Path: u.OrgPath}, domain.StatusInformed)})
		}
		for _, st := range steps {
			if err := count(st.key, st.f); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

func withStatus(f domain.CaseFilter, ss ...domain.Status) domain.CaseFilter {
	f.Statuses = ss
	return f
}

// overdueOf narrows f to its overdue matters in the statuses ss (in hand,
// or in follow-up).
func overdueOf(f domain.CaseFilter, ss []domain.Status) domain.CaseFilter {
	f.Overdue, f.Statuses = true, ss
	return f
}

// sweepCheckins reminds grid workers of the watched matters whose check-in is due.
func (s *Service) sweepCheckins(ctx context.Context) (int, error) {
	n := 0
	err := s.Store().Update(ctx, func(tx *store.Tx) error {
		due, err := tx.ClaimCheckins(ctx, tx.Now, 200)
		if err != nil {
			return err
		}
		n = len(due)
		for _, d := range due {
			if err := s.notify(ctx, tx, []int64{d.AssigneeID}, d.ID, "checkin", fmt.Sprintf("%s 网格管控：请走访并记录（应于 %s 前）", d.Number, d.Due.In(domain.CST).Format("01-02"))); err != nil {
				return err
			}
		}
		return nil
	})
	return n, err
}

// sweepSupervisions tells the leader and the assignee once when a supervision
// order passes its deadline without a reply.
func (s *Service) sweepSupervisions(ctx context.Context) (int, error) {
	n := 0
	err := s.Store().Update(ctx, func(tx *store.Tx) error {
		due, err := tx.ClaimUnansweredSupervisions(ctx, tx.Now, 200)
		if err != nil {
			return err
		}
		n = len(due)
		for _, d := range due {
			c, err := tx.Case(ctx, d[0])
			if err != nil {
				return err
			}
			if err := s.notify(ctx, tx, []int64{d[1], c.Assignee}, c.ID, "supervision_overdue", c.Number+" 督办已到期，尚未回复"); err != nil {
				return err
			}
		}
		return nil
	})
	return n, err
}

// idOf is the id of a username the action just resolved (0 if it vanished,
// which notify skips).
func idOf(ctx context.Context, tx *store.Tx, username string) int64 {
	u, err := tx.UserByUsername(ctx, username)
	if err != nil {
		return 0
	}
	return u.ID
}
