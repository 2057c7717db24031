package casework

import (
	"context"

	"jiefen/internal/app"
	"jiefen/internal/domain"
	"jiefen/internal/store"
)

// waiting are the lists of matters that wait for u to act, the home page's
// work tiles that ask for an action (WorkSummary): to sign for, in hand
// (being resolved, or closed and to be informed), a supervision to answer
// (handlers and mediators); to assess, to dispatch or re-dispatch, to
// re-grade (dispatchers, in their area); to visit back (receptionists and
// dispatchers, in their area). Not the tiles that only watch (due soon,
// overdue: parts of these lists; co-handling; the leader's matters).
func waiting(u *domain.User) []domain.CaseFilter {
	var out []domain.CaseFilter
	if u.Has(domain.RoleHandler) || u.Has(domain.RoleMediator) {
		mine := domain.CaseFilter{Path: u.OrgPath, AssigneeID: u.ID}
		out = append(out, withStatus(mine, domain.StatusDispatched, domain.StatusInResolution, domain.StatusClosed))
		reply := mine
		reply.ToReply = true
		out = append(out, reply)
	}
	if u.Has(domain.RoleDispatcher) {
		area := domain.CaseFilter{Path: u.OrgPath}
		out = append(out, withStatus(area, domain.StatusRegistered, domain.StatusAssessed, domain.StatusReturned),
			domain.CaseFilter{Path: u.OrgPath, Regrade: true})
	}
	if u.Has(domain.RoleReceptionist) || u.Has(domain.RoleDispatcher) {
		out = append(out, withStatus(domain.CaseFilter{Path: u.OrgPath}, domain.StatusInformed))
	}
	return out
}

// NextWork is the matter that waits next for the actor, other than except
// (the one just acted on): the most urgent of the waiting lists, in one
// query. Only its id, number and status are read; domain.ErrNotFound when
// nothing else waits.
func (s *Service) NextWork(ctx context.Context, except int64) (*domain.Case, error) {
	u := domain.ActorFrom(ctx).User
	if u == nil {
		return nil, app.ErrNoSession
	}
	var c *domain.Case
	err := s.Store().View(ctx, func(tx *store.Tx) error {
		var err error
		c, err = tx.NextCase(ctx, waiting(u), except)
		return err
	})
	return c, err
}
