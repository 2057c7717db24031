package app

import (
	"context"

	"jiefen/internal/domain"
	"jiefen/internal/store"
)

// FourEyes is the one four-eyes rule every approval asks (an export of
// personal data, an extension, a supervision; later the register's entries,
// data review and warnings issued by rule): the approver is another person
// than the requester. Not the requester's account; not an account the
// requester created or last changed (an administrator cannot make a second
// account to approve for itself); and not an account with the requester's
// phone (two accounts of one person). A refusal is Forbidden and audited
// as a denial of what ("export.approve" …) on the object.
func FourEyes(ctx context.Context, tx *store.Tx, requesterID int64, approver *domain.User, what, objType, objID, objPath string) error {
	refuse := func(key string) error { return Refuse(domain.Forbidden, key, what, objType, objID, objPath) }
	switch {
	case approver == nil:
		return refuse("four_eyes.self") // the operator approves nothing
	case approver.ID == requesterID:
		return refuse("four_eyes.self")
	case requesterID != 0 && (approver.CreatedBy == requesterID || approver.ChangedBy == requesterID):
		return refuse("four_eyes.made_by")
	}
	req, err := tx.User(ctx, requesterID)
	if err != nil {
		return err
	}
	if req.Phone != "" && req.Phone == approver.Phone {
		return refuse("four_eyes.same_person")
	}
	return nil
}
