package casework

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"jiefen/internal/domain"
	"jiefen/internal/store"
)

// The kinds of overdue matters a list may ask for (?overdue=open,
// ?overdue=followup; ?overdue=1 is both).
const (
	OverdueInHand   = "open"     // 在办超期: not yet closed
	OverdueFollowUp = "followup" // 告知/回访超期: closed, informing or visit late
)

// OverdueKinds are the accepted values of CaseQuery.OverdueKind.
var OverdueKinds = []string{OverdueInHand, OverdueFollowUp}

// overdueStatuses narrows a list's statuses (none: any) to those of an
// overdue kind; a status outside the kind leaves nothing.
func overdueStatuses(asked []domain.Status, kind string) []domain.Status {
	kindOf := domain.OpenStatuses
	if kind == OverdueFollowUp {
		kindOf = domain.FollowUpStatuses
	}
	if len(asked) == 0 {
		return kindOf
	}
	var out []domain.Status
	for _, st := range asked {
		if slices.Contains(kindOf, st) {
			out = append(out, st)
		}
	}
	if len(out) == 0 {
		out = []domain.Status{"-"} // matches no matter
	}
	return out
}

// DigestHour is the hour (China time) from which the day's overdue digest
// goes out: the start of the working day, after the night has made the
// day before's missed deadlines overdue (deadlines end at 23:59:59).
const DigestHour = 8

// DigestKind is the inbox kind of the daily overdue digest.
const DigestKind = "overdue_digest"

// digestShown is how many matters a digest names; the list behind the
// home page's tiles has them all.
const digestShown = 10

// sweepDigests sends, once a day from DigestHour, every person who has
// overdue matters and did not ask for a notice per matter one inbox entry
// listing them: their own (they are the assignee) and, for a dispatcher,
// the unassigned ones in their area, in hand and in follow-up apart. A
// new digest replaces the unread one of the day before. Each person's
// digest of the day is claimed in the transaction that writes it, so two
// instances never send it twice.
func (s *Service) sweepDigests(ctx context.Context) (int, error) {
	now := s.Store().Now().In(domain.CST)
	day := now.Format("2006-01-02")
	s.digestMu.Lock()
	done := s.digestDay == day
	s.digestMu.Unlock()
	if now.Hour() < DigestHour || done {
		return 0, nil
	}
	per, err := s.overdueByPerson(ctx, now)
	if err != nil {
		return 0, err
	}
	users := make([]int64, 0, len(per))
	for u := range per {
		users = append(users, u)
	}
	slices.Sort(users)
	sent := 0
	for start := 0; start < len(users); start += 50 {
		n := 0
		err := s.Store().Update(ctx, func(tx *store.Tx) error {
			n = 0
			for _, u := range users[start:min(start+50, len(users))] {
				ok, err := tx.ClaimDigest(ctx, u, day)
				if err != nil {
					return err
				}
				if !ok {
					continue // sent already today (by another instance)
				}
				if err := tx.SupersedeNotifications(ctx, u, DigestKind); err != nil {
					return err
				}
				if err := s.notify(ctx, tx, []int64{u}, 0, DigestKind, digestText(now, per[u])); err != nil {
					return err
				}
				n++
			}
			return nil
		})
		if err != nil {
			return sent, err
		}
		sent += n
	}
	s.digestMu.Lock()
	s.digestDay = day
	s.digestMu.Unlock()
	return sent, nil
}

// overdueByPerson lists each person's overdue matters now, oldest deadline
// first: a matter's assignee's, or when it has none (waiting to be
// assessed or dispatched) every dispatcher's whose area holds it. Those
// who asked for a notice per matter are left out.
func (s *Service) overdueByPerson(ctx context.Context, now time.Time) (map[int64][]domain.DueCase, error) {
	per := map[int64][]domain.DueCase{}
	err := s.Store().View(ctx, func(tx *store.Tx) error {
		over, err := tx.OverdueNow(ctx, now)
		if err != nil || len(over) == 0 {
			return err
		}
		dispatchers, err := tx.RolePlaces(ctx, domain.RoleDispatcher)
		if err != nil {
			return err
		}
		each, err := tx.UsersNoticedEach(ctx)
		if err != nil {
			return err
		}
		for _, d := range over {
			if d.AssigneeID != 0 {
				per[d.AssigneeID] = append(per[d.AssigneeID], d)
				continue
			}
			for u, path := range dispatchers {
				if strings.HasPrefix(d.OrgPath, path) {
					per[u] = append(per[u], d)
				}
			}
		}
		for u := range each {
			delete(per, u)
		}
		return nil
	})
	return per, err
}

// digestText is a digest's text: how many are overdue, in hand and in
// follow-up, and the first numbers (the text names no party).
func digestText(now time.Time, items []domain.DueCase) string {
	open := 0
	for _, d := range items {
		if d.Status.Open() {
			open++
		}
	}
	numbers := make([]string, 0, digestShown)
	for _, d := range items[:min(len(items), digestShown)] {
		numbers = append(numbers, d.Number)
	}
	more := ""
	if len(items) > digestShown {
		more = fmt.Sprintf(" 等（共 %d 件，见首页“我的工作”）", len(items))
	}
	return fmt.Sprintf("%s 超期汇总：%d 件事项已过期限（在办超期 %d 件，告知/回访超期 %d 件）：%s%s",
		now.Format("1月2日"), len(items), open, len(items)-open, strings.Join(numbers, "、"), more)
}
