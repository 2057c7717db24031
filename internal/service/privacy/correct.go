package privacy

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"jiefen/internal/authz"
	"jiefen/internal/domain"
	"jiefen/internal/store"
)

// The keys of a correction's timeline data: the party, the field, the
// request's reference, and the old value sealed (removed when the matter
// is anonymised past retention).
const (
	DataParty     = "party"
	DataPartyRole = "party_role"
	DataField     = "field"
	DataRef       = "ref"
	DataOldKid    = "old_kid"
	DataOldSealed = "old_sealed"
)

// oldAAD binds a correction's sealed old value to its place.
func oldAAD(field string) string { return "party_correct.old." + field }

// CorrectParty corrects one field of a party — name, ID number, phone or
// address — for the person's lawful request (更正, PIPL 46). The
// correction is an event on the matter's timeline holding the request's
// reference and the old value sealed; nothing is deleted. The matter's
// search index follows a new name or address. Audited.
func (s *Service) CorrectParty(ctx context.Context, caseID, partyID int64, in domain.PartyCorrection) error {
	if s.Keys() == nil {
		return errNoKeys
	}
	ref, reason, err := lawful(in.Ref, in.Reason)
	if !slices.Contains(domain.CorrectableFields, in.Field) {
		return mergeFields(err, &domain.Error{Fields: map[string]string{"field": "privacy.correct.field"}})
	}
	if err != nil {
		return err
	}
	return s.Update(ctx, func(tx *store.Tx) error {
		c, err := tx.Case(ctx, caseID)
		if err != nil {
			return err
		}
		obj := fmt.Sprintf("%s/%d", c.Number, partyID)
		if err := s.Check(ctx, authz.PrivacyHandle, "party", obj, c.OrgPath); err != nil {
			return err
		}
		p, err := tx.PartyStored(ctx, caseID, partyID)
		if err != nil {
			return err
		}
		if p.Name == domain.AnonymisedName {
			return &domain.Error{Code: domain.Conflict, Key: "privacy.anonymised"}
		}
		old, err := s.setField(&p, in.Field, in.Value)
		if err != nil {
			return err
		}
		if err := tx.SetPartyData(ctx, caseID, p); err != nil {
			return err
		}
		if err := s.recordCorrection(ctx, tx, c, p, in.Field, old, ref, reason); err != nil {
			return err
		}
		return s.Kernel.Audit(ctx, tx, "privacy.correct", "party", obj, c.OrgPath, domain.ResultOK,
			"field "+in.Field+", "+requestDetail(ref, reason))
	})
}

// setField puts the new value of field into p (sealed, indexed and
// masked as a registration would) and returns the old one.
func (s *Service) setField(p *store.PartyRow, field, value string) (string, error) {
	bad := func(key string) error {
		return &domain.Error{Code: domain.Invalid, Key: "error.invalid", Fields: map[string]string{"value": key}}
	}
	value = strings.TrimSpace(value)
	if !utf8.ValidString(value) || strings.ContainsFunc(value, isControl) || utf8.RuneCountInString(value) > 200 {
		return "", bad("field.invalid_text")
	}
	var old string
	var err error
	switch field {
	case domain.FieldName:
		if value == "" || utf8.RuneCountInString(value) > 100 {
			return "", bad("field.required")
		}
		old, p.Name = p.Name, value
	case domain.FieldAddress:
		old, p.Address = p.Address, value
	case domain.FieldPhone:
		if old, err = s.Keys().Decrypt(p.PhoneKid, p.PhoneEnc, "party.phone"); err != nil {
			return "", err
		}
		if value != "" {
			v, ok := domain.NormalizePhone(value)
			if !ok {
				return "", bad("party.phone.invalid")
			}
			value = v
		}
		p.PhoneMask, p.PhoneBidx = maskOr(value, domain.MaskPhone), s.index("phone", value)
		p.PhoneKid, p.PhoneEnc, err = s.Keys().Encrypt(value, "party.phone")
	case domain.FieldIDNumber:
		if old, err = s.Keys().Decrypt(p.IDKid, p.IDEnc, "party.id_number"); err != nil {
			return "", err
		}
		if value, err = checkIDNumber(p, value, s.Now()); err != nil {
			return "", bad(err.Error())
		}
		p.IDMasked, p.IDBidx = maskOr(value, domain.MaskID), s.index("id", value)
		p.IDKid, p.IDEnc, err = s.Keys().Encrypt(value, "party.id_number")
	}
	if err == nil && old == value {
		return "", bad("privacy.correct.same")
	}
	return old, err
}

// checkIDNumber normalises a corrected ID number for the party's kind of
// document (a resident ID by default) and names a bad one's message key
// as the error's text.
func checkIDNumber(p *store.PartyRow, v string, now time.Time) (string, error) {
	v = domain.NormalizeIDNumber(v)
	switch {
	case p.Kind == "org":
		return "", fmt.Errorf("privacy.correct.org") // an organisation is identified by its USCC
	case v == "":
		return "", fmt.Errorf("field.required")
	case p.IDType == "foreign" || p.IDType == "hk_mo_tw":
		if len(v) < 6 || len(v) > 30 {
			return "", fmt.Errorf("id.shape")
		}
	default:
		if err := domain.CheckResidentID(v, now); err != nil {
			return "", fmt.Errorf("%s", domain.ErrorKey(err))
		}
		p.IDType = "resident"
	}
	return v, nil
}

func maskOr(v string, mask func(string) string) string {
	if v == "" {
		return ""
	}
	return mask(v)
}

func (s *Service) index(kind, v string) string { return s.Keys().BlindIndex(kind, v) }

// recordCorrection writes the correction's timeline entry, the old value
// sealed, and re-indexes the matter when its search text changed.
func (s *Service) recordCorrection(ctx context.Context, tx *store.Tx, c *domain.Case, p store.PartyRow, field, old, ref, reason string) error {
	kid, sealed, err := s.Keys().Encrypt(old, oldAAD(field))
	if err != nil {
		return err
	}
	id, name := actorName(ctx)
	ev := &domain.TimelineEntry{ActorID: id, ActorName: name, Action: store.PartyCorrectAction, FromStatus: c.Status, ToStatus: c.Status, Note: reason,
		Data: map[string]string{DataParty: strconv.FormatInt(p.ID, 10), DataPartyRole: p.Role, DataField: field, DataRef: ref, DataOldKid: kid, DataOldSealed: sealed}}
	if err := tx.AddEvent(ctx, c.ID, ev); err != nil {
		return err
	}
	if field != domain.FieldName && field != domain.FieldAddress {
		return nil
	}
	return reindex(ctx, tx, c.ID)
}

// reindex rebuilds a matter's search text from what it holds now.
func reindex(ctx context.Context, tx *store.Tx, caseID int64) error {
	c, err := tx.Case(ctx, caseID)
	if err != nil {
		return err
	}
	text, err := tx.CaseSearchText(ctx, caseID)
	if err != nil {
		return err
	}
	return tx.SetCaseText(ctx, caseID, c.Description, c.Address, strings.Join(domain.SearchTokens(c.Description+" "+c.Address+" "+text), " "))
}

// OldValue opens a correction's sealed old value (for the person's copy
// and the operator; "" when it was removed by anonymisation).
func (s *Service) OldValue(data map[string]string) (string, error) {
	if data[DataOldSealed] == "" {
		return "", nil
	}
	return s.Keys().Decrypt(data[DataOldKid], data[DataOldSealed], oldAAD(data[DataField]))
}
