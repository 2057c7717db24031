package identity

import (
	"context"
	"fmt"
	"strings"

	"jiefen/internal/authz"
	"jiefen/internal/domain"
	"jiefen/internal/store"
)

// SearchAudit lists audit entries in the actor's jurisdiction. Entries with
// no place in the tree (a failed sign-in of an unknown username, the
// county's registries and calendar) are the whole tree's: only an account
// at a root of the tree (the county) or the operator sees them, and only
// when searching its whole jurisdiction. The search itself is audited
// (AU-1), at the searcher's place.
func (s *Service) SearchAudit(ctx context.Context, f domain.AuditFilter) ([]*domain.AuditEntry, error) {
	u := domain.ActorFrom(ctx).Principal()
	if err := s.Check(ctx, authz.AuditView, "audit", "", u.OrgPathOrEmpty()); err != nil {
		return nil, s.Denied(ctx, err)
	}
	if f.Path == "" || !strings.HasPrefix(f.Path, u.OrgPath) {
		f.Path = u.OrgPath
	}
	// A root's path has one part ("/610831/"); the operator's is "/".
	f.Placeless = f.Path == u.OrgPath && strings.Count(u.OrgPath, "/") <= 2
	place := u.OrgPath // the operator's "/" is no place: its searches are the county's
	if place == "/" {
		place = ""
	}
	var out []*domain.AuditEntry
	err := s.Update(ctx, func(tx *store.Tx) error {
		var err error
		if out, err = tx.Audit(ctx, f); err != nil {
			return err
		}
		if f.BeforeSeq > 0 {
			return nil // paging through one search is one audited query
		}
		return s.Kernel.Audit(ctx, tx, "audit.search", "audit", "", place, domain.ResultOK,
			fmt.Sprintf("user=%q action=%q result=%q object=%q", f.Username, f.Action, f.Result, f.ObjectID))
	})
	return out, err
}

// VerifyAudit walks the chain (operators, CLI).
func (s *Service) VerifyAudit(ctx context.Context) (domain.VerifyResult, error) {
	return s.Store().VerifyAudit(ctx)
}

// Audit records an event that has no other state change (e.g. an export)
// for the context's actor.
func (s *Service) Audit(ctx context.Context, action, objType, objID, orgPath, detail string) error {
	return s.Update(ctx, func(tx *store.Tx) error {
		return s.Kernel.Audit(ctx, tx, action, objType, objID, orgPath, domain.ResultOK, detail)
	})
}
