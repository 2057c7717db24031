package privacy

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"jiefen/internal/app"
	"jiefen/internal/authz"
	"jiefen/internal/domain"
	"jiefen/internal/store"
)

// CopyTTL is how long a request waits for its approval, and an approved
// request for its copy (RI-3: exports expire within a day).
const CopyTTL = 24 * time.Hour

// subjectAAD binds a request's sealed person to its place.
const subjectAAD = "privacy_request.subject"

// RequestPersonCopy asks for a copy of everything held about a person
// (复制, PIPL 45), for their lawful request; a second person approves it
// (ApprovePersonCopy) before the copy is made. The person is kept sealed;
// pages and the audit log name them masked. The operator of the command
// line asks for none: its request could be approved by the account of the
// same person. Audited.
func (s *Service) RequestPersonCopy(ctx context.Context, q domain.PersonQuery, ref, reason string) (*domain.PrivacyRequest, error) {
	u := domain.ActorFrom(ctx).User
	if u == nil || !authz.Allowed(u, authz.PrivacyHandle) {
		return nil, s.Denied(ctx, app.Forbidden("privacy.request", "privacy_request", "", ""))
	}
	ref, reason, err := checkQuery(s, &q, ref, reason)
	if err != nil {
		return nil, err
	}
	b, _ := json.Marshal(q)
	r := &domain.PrivacyRequest{Ref: ref, Subject: q.Masked(), OrgPath: u.OrgPath, Reason: reason, RequestedBy: u.ID, RequesterName: u.Name}
	if r.SubjectKid, r.SubjectEnc, err = s.Keys().Encrypt(string(b), subjectAAD); err != nil {
		return nil, err
	}
	err = s.Update(ctx, func(tx *store.Tx) error {
		if _, _, err := s.held(ctx, tx, q, u.OrgPath); err != nil { // the place of a name must be found first
			return err
		}
		if err := tx.AddPrivacyRequest(ctx, r); err != nil {
			return err
		}
		return s.Kernel.Audit(ctx, tx, "privacy.request", "privacy_request", strconv.FormatInt(r.ID, 10), r.OrgPath, domain.ResultOK,
			"person "+r.Subject+", "+requestDetail(ref, reason))
	})
	return r, err
}

// ApprovePersonCopy approves another person's request within the
// approver's jurisdiction and a day of the request, by the one four-eyes
// rule (app.FourEyes). Audited.
func (s *Service) ApprovePersonCopy(ctx context.Context, id int64) error {
	u := domain.ActorFrom(ctx).User
	oid := strconv.FormatInt(id, 10)
	return s.Update(ctx, func(tx *store.Tx) error {
		r, err := tx.PrivacyRequest(ctx, id)
		if err != nil {
			return err
		}
		if err := s.Check(ctx, authz.PrivacyApprove, "privacy_request", oid, r.OrgPath); err != nil {
			return err
		}
		if err := app.FourEyes(ctx, tx, r.RequestedBy, u, string(authz.PrivacyApprove), "privacy_request", oid, r.OrgPath); err != nil {
			return err
		}
		switch {
		case !r.ApprovedAt.IsZero():
			return &domain.Error{Code: domain.Conflict, Key: "export.approved"}
		case tx.Now.Sub(r.RequestedAt) > CopyTTL:
			return &domain.Error{Code: domain.Conflict, Key: "export.expired"}
		}
		if ok, err := tx.ApprovePrivacyRequest(ctx, id, u.ID); err != nil || !ok {
			return cmp.Or(err, error(&domain.Error{Code: domain.Conflict, Key: "export.approved"}))
		}
		return s.Kernel.Audit(ctx, tx, "privacy.approve", "privacy_request", oid, r.OrgPath, domain.ResultOK,
			"person "+r.Subject+", requested by "+r.RequesterName+", "+requestDetail(r.Ref, r.Reason))
	})
}

// PersonCopyRequests lists the caller's requests of the last week and
// those in their jurisdiction they may approve.
func (s *Service) PersonCopyRequests(ctx context.Context) (mine, toApprove []*domain.PrivacyRequest, err error) {
	u := domain.ActorFrom(ctx).User
	if u == nil || !(authz.Allowed(u, authz.PrivacyHandle) || authz.Allowed(u, authz.PrivacyApprove)) {
		return nil, nil, s.Denied(ctx, app.Forbidden("privacy.requests", "privacy_request", "", ""))
	}
	err = s.View(ctx, func(tx *store.Tx) error {
		if mine, err = tx.PrivacyRequests(ctx, tx.Now.Add(-7*24*time.Hour), u.ID, "/"); err != nil {
			return err
		}
		if !authz.Allowed(u, authz.PrivacyApprove) {
			return nil
		}
		all, err := tx.PrivacyRequests(ctx, tx.Now.Add(-CopyTTL), 0, u.OrgPath)
		for _, r := range all {
			if r.ApprovedAt.IsZero() && r.RequestedBy != u.ID {
				toApprove = append(toApprove, r)
			}
		}
		return err
	})
	return mine, toApprove, err
}

// Usable reports whether an approved request's copy may be made now.
func Usable(r *domain.PrivacyRequest, now time.Time) bool {
	return !r.ApprovedAt.IsZero() && r.UsedAt.IsZero() && now.Sub(r.ApprovedAt) <= CopyTTL
}

// PersonCopy writes the copy of an approved request (.xlsx): everything
// held about the person, in full — it is their own data. Only its
// requester makes it (or the operator at the console, for the request an
// account made and another approved), once, within a day of the
// approval. Audited with what it held.
func (s *Service) PersonCopy(ctx context.Context, id int64, w io.Writer, lang func(string) string) (*domain.Holdings, error) {
	r, q, err := s.usableRequest(ctx, id)
	if err != nil {
		return nil, err
	}
	var h *domain.Holdings
	err = s.View(ctx, func(tx *store.Tx) error {
		parties, members, err := s.held(ctx, tx, q, r.OrgPath)
		h = holdings(s, q, parties, members, true)
		return err
	})
	if err != nil {
		return nil, err
	}
	file, err := copyFile(r, h, s.Now(), lang)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	err = s.Update(ctx, func(tx *store.Tx) error {
		if ok, err := tx.UsePrivacyRequest(ctx, id); err != nil || !ok {
			return cmp.Or(err, error(&domain.Error{Code: domain.Conflict, Key: "export.used"}))
		}
		return s.Kernel.Audit(ctx, tx, "privacy.export", "privacy_request", strconv.FormatInt(id, 10), r.OrgPath, domain.ResultOK,
			fmt.Sprintf("person %s, %s, approved by %s, %s", r.Subject, requestDetail(r.Ref, r.Reason), r.ApproverName, foundDetail(h)))
	})
	if err != nil {
		return nil, err
	}
	return h, file.Write(w)
}

// usableRequest reads a request whose copy the actor may make now, and
// its person.
func (s *Service) usableRequest(ctx context.Context, id int64) (*domain.PrivacyRequest, domain.PersonQuery, error) {
	var r *domain.PrivacyRequest
	var q domain.PersonQuery
	err := s.View(ctx, func(tx *store.Tx) error {
		var err error
		r, err = tx.PrivacyRequest(ctx, id)
		return err
	})
	if err != nil {
		return nil, q, err
	}
	a := domain.ActorFrom(ctx)
	mine := a.User != nil && a.User.ID == r.RequestedBy
	if !authz.Allowed(a.Principal(), authz.PrivacyHandle) || !(mine || a.User == nil) {
		return nil, q, s.Denied(ctx, app.Forbidden("privacy.export", "privacy_request", strconv.FormatInt(id, 10), r.OrgPath))
	}
	switch {
	case r.ApprovedAt.IsZero():
		return nil, q, &domain.Error{Code: domain.Conflict, Key: "export.not_approved"}
	case !r.UsedAt.IsZero():
		return nil, q, &domain.Error{Code: domain.Conflict, Key: "export.used"}
	case !Usable(r, s.Now()):
		return nil, q, &domain.Error{Code: domain.Conflict, Key: "export.expired"}
	}
	plain, err := s.Keys().Decrypt(r.SubjectKid, r.SubjectEnc, subjectAAD)
	if err != nil {
		return nil, q, fmt.Errorf("privacy: request %d: %w", id, err)
	}
	return r, q, json.Unmarshal([]byte(plain), &q)
}
