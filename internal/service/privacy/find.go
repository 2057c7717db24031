package privacy

import (
	"context"
	"fmt"
	"strings"

	"jiefen/internal/app"
	"jiefen/internal/authz"
	"jiefen/internal/domain"
	"jiefen/internal/store"
)

// FindPerson finds everything held about a person for a lawful request
// (查阅, PIPL 45): every matter where they are a party and every household
// list row where they appear, within the asker's jurisdiction, with the
// fields held but not their values (names masked). Every search is
// audited with its reference, its reason and what it found; the ID number
// and phone asked for reach the log masked.
func (s *Service) FindPerson(ctx context.Context, q domain.PersonQuery, ref, reason string) (*domain.Holdings, error) {
	if err := s.Denied(ctx, s.Check(ctx, authz.PrivacyHandle, "person", "", "")); err != nil {
		return nil, err
	}
	ref, reason, err := checkQuery(s, &q, ref, reason)
	if err != nil {
		return nil, err
	}
	var h *domain.Holdings
	err = s.Update(ctx, func(tx *store.Tx) error {
		parties, members, err := s.held(ctx, tx, q, app.Scope(ctx))
		if err != nil {
			return err
		}
		h = holdings(s, q, parties, members, false)
		return s.Kernel.Audit(ctx, tx, "privacy.find", "person", h.Query, app.Scope(ctx), domain.ResultOK,
			requestDetail(ref, reason)+", "+foundDetail(h))
	})
	return h, err
}

// checkQuery checks a lawful request's query, reference and reason.
func checkQuery(s *Service, q *domain.PersonQuery, ref, reason string) (string, string, error) {
	if s.Keys() == nil {
		return "", "", errNoKeys
	}
	qerr := q.Normalize(s.Now())
	ref, reason, rerr := lawful(ref, reason)
	if qerr != nil || rerr != nil {
		return "", "", mergeFields(qerr, rerr)
	}
	return ref, reason, nil
}

// mergeFields joins the field errors of two checks into one.
func mergeFields(errs ...error) error {
	f := domain.FieldErrors{}
	for _, err := range errs {
		if de, ok := err.(*domain.Error); ok {
			for k, v := range de.Fields {
				f.Add(k, v)
			}
		}
	}
	return f.Err()
}

// held reads the rows where the person of q appears under scope. A name
// is looked for in its place, which must lie in scope.
func (s *Service) held(ctx context.Context, tx *store.Tx, q domain.PersonQuery, scope string) ([]store.HeldPartyRow, []store.HeldMemberRow, error) {
	f := store.PersonFilter{Scope: scope, Name: q.Name}
	if q.IDNumber != "" {
		f.IDBidx = s.Keys().BlindIndex("id", q.IDNumber)
	}
	if q.Phone != "" {
		f.PhoneBidx = s.Keys().BlindIndex("phone", q.Phone)
	}
	if q.Name != "" {
		o, err := tx.Org(ctx, q.OrgCode)
		if err != nil {
			return nil, nil, app.Required("org_code", "org.not_found")
		}
		if !strings.HasPrefix(o.Path, scope) && !strings.HasPrefix(scope, o.Path) {
			return nil, nil, app.Required("org_code", "org.not_found") // outside the jurisdiction the place does not exist (AC-3)
		}
		f.NamePath = o.Path
	}
	parties, err := tx.HeldParties(ctx, f)
	if err != nil {
		return nil, nil, err
	}
	members, err := tx.HeldMembers(ctx, f)
	return parties, members, err
}

// holdings turns the stored rows into what is held: masked, or in full
// (the values sealed opened) for the person's own copy.
func holdings(s *Service, q domain.PersonQuery, parties []store.HeldPartyRow, members []store.HeldMemberRow, full bool) *domain.Holdings {
	h := &domain.Holdings{Query: q.Masked()}
	if len(parties) > domain.HoldingsLimit || len(members) > domain.HoldingsLimit {
		h.Truncated = true
		parties, members = parties[:min(len(parties), domain.HoldingsLimit)], members[:min(len(members), domain.HoldingsLimit)]
	}
	for _, p := range parties {
		hp := p.HeldParty
		hp.Fields = partyFields(p.Row)
		hp.Party = maskedParty(p.Row)
		if full {
			hp.Party = s.openParty(p.Row)
		}
		h.Parties = append(h.Parties, hp)
	}
	for _, m := range members {
		hm := m.HeldMember
		hm.Fields = memberFields(m.Row)
		hm.Name, hm.IDNumber, hm.Phone = domain.MaskName(m.Row.Name), m.Row.IDMasked, m.Row.PhoneMasked
		if full {
			hm.Name, hm.Note = m.Row.Name, m.Row.Note
			hm.IDNumber = s.open(m.Row.IDKid, m.Row.IDEnc, "member.id_number", m.Row.IDMasked)
			hm.Phone = s.open(m.Row.PhoneKid, m.Row.PhoneEnc, "member.phone", m.Row.PhoneMasked)
		}
		h.Members = append(h.Members, hm)
	}
	return h
}

// fieldIf is a field and whether a row holds it.
type fieldIf struct {
	name string
	on   bool
}

// present names the fields held, in order.
func present(fs ...fieldIf) []string {
	var out []string
	for _, f := range fs {
		if f.on {
			out = append(out, f.name)
		}
	}
	return out
}

// partyFields names the fields a party row holds.
func partyFields(r store.PartyRow) []string {
	return present(fieldIf{domain.FieldName, r.Name != "" && r.Name != domain.AnonymisedName}, fieldIf{domain.FieldIDNumber, r.IDEnc != ""},
		fieldIf{domain.FieldPhone, r.PhoneEnc != ""}, fieldIf{domain.FieldAddress, r.Address != ""}, fieldIf{domain.FieldNoIDReason, r.NoIDReason != ""})
}

// memberFields names the fields a household row holds (its confirmation
// status always).
func memberFields(r domain.MemberRow) []string {
	return present(fieldIf{domain.FieldName, r.Name != "" && r.Name != domain.AnonymisedName}, fieldIf{domain.FieldIDNumber, r.IDEnc != ""},
		fieldIf{domain.FieldPhone, r.PhoneEnc != ""}, fieldIf{domain.FieldAmount, r.AmountCents != 0}, fieldIf{domain.FieldNote, r.Note != ""},
		fieldIf{domain.FieldStatus, true})
}

// maskedParty is a party as a search answer shows it: who (masked) and in
// what part, no values.
func maskedParty(r store.PartyRow) domain.Party {
	name := r.Name
	if r.Kind != "org" {
		name = domain.MaskName(name)
	}
	return domain.Party{ID: r.ID, Kind: r.Kind, Role: r.Role, Name: name, IDType: r.IDType, IDMasked: r.IDMasked, PhoneMask: r.PhoneMask}
}

// openParty is a party in full, for the person's own copy.
func (s *Service) openParty(r store.PartyRow) domain.Party {
	p := r.Party
	p.IDNumber = s.open(r.IDKid, r.IDEnc, "party.id_number", r.IDMasked)
	p.Phone = s.open(r.PhoneKid, r.PhoneEnc, "party.phone", r.PhoneMask)
	return p
}

// open opens a sealed value, or gives its masked form when it does not
// open (a key lost: the copy says what it can).
func (s *Service) open(kid, sealed, aad, masked string) string {
	v, err := s.Keys().Decrypt(kid, sealed, aad)
	if err != nil {
		s.Logger().Error("privacy: a sealed value does not open", "aad", aad, "err", err)
		return masked
	}
	return v
}

// foundDetail is what a search found, in the audit log's words.
func foundDetail(h *domain.Holdings) string {
	d := fmt.Sprintf("found %d parties and %d household rows in %d matters", len(h.Parties), len(h.Members), h.Matters())
	if h.Truncated {
		d += " (truncated)"
	}
	return d
}

// PersonPlaces lists the places of the jurisdiction down to the villages,
// in tree order: where a name is looked for.
func (s *Service) PersonPlaces(ctx context.Context) ([]domain.Org, error) {
	if err := s.Denied(ctx, s.Check(ctx, authz.PrivacyHandle, "org", "", "")); err != nil {
		return nil, err
	}
	var out []domain.Org
	err := s.View(ctx, func(tx *store.Tx) error {
		all, err := tx.OrgsByPrefix(ctx, app.Scope(ctx), 20000)
		for _, o := range all {
			if o.Level != domain.LevelGrid {
				out = append(out, o)
			}
		}
		return err
	})
	return out, err
}
