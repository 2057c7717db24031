package identity

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"jiefen/internal/authz"
	"jiefen/internal/crypto"
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

// ExportAudit is SearchAudit for a file: at most 10,000 entries, the
// export audited with its count (the audit administrator's, AU-7).
func (s *Service) ExportAudit(ctx context.Context, f domain.AuditFilter) ([]*domain.AuditEntry, error) {
	f.Limit, f.BeforeSeq = 10000, 0
	out, err := s.SearchAudit(ctx, f)
	if err != nil {
		return nil, err
	}
	return out, s.Update(ctx, func(tx *store.Tx) error {
		return s.Kernel.Audit(ctx, tx, "audit.export", "audit", "", "", domain.ResultOK,
			fmt.Sprintf("%d entries, user=%q action=%q result=%q object=%q", len(out), f.Username, f.Action, f.Result, f.ObjectID))
	})
}

// VerifyAudit walks the chain (operators, CLI): every entry's seal under
// its key (when the keys are loaded), the links and the head, and, when
// anchorFile is not "", every line of the anchor file against it. A missing
// anchor file is reported (AnchorMissed), not a failure: it may not have
// been written yet, or be kept on another host.
func (s *Service) VerifyAudit(ctx context.Context, anchorFile string) (domain.VerifyResult, error) {
	sealer := s.Sealer()
	var anchors []domain.AuditAnchor
	var badLine int
	var why string
	missed := false
	if anchorFile != "" {
		var err error
		anchors, badLine, why, err = readAnchors(anchorFile, sealer)
		if missed = errors.Is(err, os.ErrNotExist); err != nil && !missed {
			return domain.VerifyResult{}, err
		}
	}
	res, err := s.Store().VerifyAudit(ctx, sealer, anchors)
	if err != nil {
		return res, err
	}
	res.AnchorFile, res.AnchorMissed = anchorFile, missed
	res.Anchors, res.AnchorLine, res.AnchorReason = len(anchors), badLine, why
	if len(anchors) > 0 {
		res.LastAnchor = &anchors[len(anchors)-1]
	}
	return res, nil
}

// SealAuditChain seals an unkeyed chain of old under the audit key, once
// (the domain.AuditReseal entry); run at every start, it does nothing after
// the first. It returns how many unkeyed entries it sealed.
func (s *Service) SealAuditChain(ctx context.Context) (int64, error) {
	var n int64
	err := s.Store().Update(ctx, func(tx *store.Tx) error {
		var err error
		n, err = tx.SealUnkeyedAudit(ctx, s.Sealer())
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("seal the audit chain: %w", err)
	}
	if n > 0 {
		s.Logger().Info("audit chain sealed under the audit key", "unkeyed_entries", n, "key", s.Sealer().AuditKeyID())
	}
	return n, nil
}

// RotateAuditKey adds a new audit key to the key file at keyFile and makes
// it current (the old keys stay, so the entries they sealed still verify),
// loads it, and records the rotation in an entry sealed by the new key.
// Other processes go on sealing with the key they loaded until restarted.
func (s *Service) RotateAuditKey(ctx context.Context, keyFile string) (newID, oldID string, err error) {
	if err := s.Check(ctx, authz.Operate, "audit", "", ""); err != nil {
		return "", "", s.Denied(ctx, err)
	}
	if newID, oldID, err = crypto.RotateAuditKey(keyFile); err != nil {
		return "", "", err
	}
	k, err := crypto.Load(keyFile)
	if err != nil {
		return "", "", err
	}
	s.SetKeys(k)
	detail := fmt.Sprintf("audit key %s is current (was %s); %s stays in the key file to verify the entries it sealed", newID, oldID, oldID)
	return newID, oldID, s.Audit(ctx, "audit.key_rotate", "audit", newID, "", detail)
}

// Audit records an event that has no other state change (e.g. an export)
// for the context's actor.
func (s *Service) Audit(ctx context.Context, action, objType, objID, orgPath, detail string) error {
	return s.Update(ctx, func(tx *store.Tx) error {
		return s.Kernel.Audit(ctx, tx, action, objType, objID, orgPath, domain.ResultOK, detail)
	})
}
