package casework

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"jiefen/internal/app"
	"jiefen/internal/domain"
	"jiefen/internal/store"
)

// RelatedDays is how far back related matters are looked for; Similar is
// the share of common character bigrams (Jaccard) above which two
// descriptions count as similar.
const (
	RelatedDays   = 365
	SimilarJacc   = 0.3
	relatedLimit  = 20
	similarityCap = 500
)

// related compares a probe with the database and ranks what it finds:
// more kinds of reason first, then the newest. Only matters the actor may
// see are listed.
func (s *Service) related(ctx context.Context, tx *store.Tx, p store.RelatedProbe, description string) ([]domain.Related, error) {
	p.Since = tx.Now.AddDate(0, 0, -RelatedDays)
	p.Limit, p.SimilarityPool = relatedLimit, similarityCap
	found, pool, err := tx.RelatedCandidates(ctx, p)
	if err != nil {
		return nil, err
	}
	mine := domain.Bigrams(description)
	for _, c := range pool {
		if j := domain.Jaccard(mine, domain.Bigrams(c.Description)); j >= SimilarJacc {
			if have := found[c.ID]; have != nil {
				have.Why["similar"] = fmt.Sprintf("%.2f", j)
			} else {
				c.Why = map[string]string{"similar": fmt.Sprintf("%.2f", j)}
				found[c.ID] = c
			}
		}
	}
	u := domain.ActorFrom(ctx).Principal()
	var out []domain.Related
	var cands []*domain.Candidate
	for _, c := range found {
		if c.CreatedAt.Before(p.Since) {
			continue
		}
		if u == nil || !strings.HasPrefix(c.OrgPath, u.OrgPath) {
			continue // outside the actor's jurisdiction: not even its existence
		}
		cands = append(cands, c)
	}
	sort.Slice(cands, func(i, j int) bool {
		if len(cands[i].Why) != len(cands[j].Why) {
			return len(cands[i].Why) > len(cands[j].Why)
		}
		return cands[i].ID > cands[j].ID
	})
	sameName, nameKind := "同村同名当事人：", "name_village"
	if p.Village == "" {
		sameName, nameKind = "同名当事人：", "name"
	}
	for _, c := range cands {
		r := domain.Related{ID: c.ID, Number: c.Number, Status: c.Status, Description: truncateRunes(c.Description, 60)}
		for _, k := range []string{"id", "phone", "name", "address", "similar"} {
			v, ok := c.Why[k]
			if !ok {
				continue
			}
			kind := k
			if k == "name" {
				kind = nameKind
			}
			r.Why = append(r.Why, domain.RelatedWhy{Kind: kind, Detail: v})
			r.Reasons = append(r.Reasons, map[string]string{
				"id": "同一当事人身份证号", "phone": "同一当事人电话", "name": sameName + v,
				"address": "同一地址：" + v, "similar": "事由相似（相似度 " + v + "）"}[k])
		}
		out = append(out, r)
		if len(out) == 10 {
			break
		}
	}
	return out, nil
}

// RelatedForCase lists the matters that may be related to a registered one
// (not yet linked) and the links it has.
func (s *Service) RelatedForCase(ctx context.Context, id int64) ([]domain.Related, []domain.Link, error) {
	c, err := s.Case(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	var out []domain.Related
	var links []domain.Link
	err = s.View(ctx, func(tx *store.Tx) error {
		out, links, err = s.relatedForCase(ctx, tx, c)
		return err
	})
	return out, links, err
}

// relatedForCase finds c's related matters and its links, within the
// actor's jurisdiction; a linked matter is listed once, as a link.
func (s *Service) relatedForCase(ctx context.Context, tx *store.Tx, c *domain.Case) (out []domain.Related, links []domain.Link, err error) {
	err = func() error {
		keys, err := tx.PartyKeys(ctx, c.ID)
		if err != nil {
			return err
		}
		p := store.RelatedProbe{Exclude: c.ID, Village: domain.VillagePath(c.OrgPath), Township: areaPath(ctx, c.OrgPath), Address: strings.TrimSpace(c.Address)}
		for _, k := range keys {
			p.IDBidx, p.PhoneBidx, p.Names = append(p.IDBidx, k.IDBidx), append(p.PhoneBidx, k.PhoneBidx), append(p.Names, k.Name)
		}
		if out, err = s.related(ctx, tx, p, c.Description); err != nil {
			return err
		}
		if links, err = tx.Links(ctx, c.ID); err != nil {
			return err
		}
		// A linked matter outside the viewer's jurisdiction is not shown
		// (it does not exist for them).
		scope := app.Scope(ctx)
		links = slices.DeleteFunc(links, func(l domain.Link) bool { return !strings.HasPrefix(l.OrgPath, scope) })
		linked := map[int64]string{}
		for _, l := range links {
			linked[l.OtherID] = l.Kind
		}
		out = slices.DeleteFunc(out, func(r domain.Related) bool { return linked[r.ID] != "" })
		return nil
	}()
	return out, links, err
}

// relatedForInput lists the matters that may be related to a registration
// being typed (the registration form asks while the clerk types).
func (s *Service) relatedForInput(ctx context.Context, tx *store.Tx, in domain.CaseInput, path string) ([]domain.Related, error) {
	p := store.RelatedProbe{Village: domain.VillagePath(path), Township: areaPath(ctx, path), Address: strings.TrimSpace(in.Address)}
	for _, party := range in.Parties {
		if party.IDNumber != "" && s.Keys() != nil {
			p.IDBidx = append(p.IDBidx, s.Keys().BlindIndex("id", domain.NormalizeIDNumber(party.IDNumber)))
		}
		if party.Phone != "" && s.Keys() != nil {
			if m, ok := domain.NormalizePhone(party.Phone); ok {
				p.PhoneBidx = append(p.PhoneBidx, s.Keys().BlindIndex("phone", m))
			}
		}
		p.Names = append(p.Names, strings.TrimSpace(party.Name))
	}
	return s.related(ctx, tx, p, in.Description)
}

// areaPath is where descriptions and addresses are compared: the place's
// township, or, while the place is not known yet (a clerk registering who
// has not chosen it) or is the county itself, the actor's jurisdiction, so
// that a matter registered twice is caught before the second is saved and
// not only on its page later.
func areaPath(ctx context.Context, place string) string {
	if t := townshipPath(place); t != "" {
		return t
	}
	if s := app.Scope(ctx); strings.HasPrefix(s, "/") {
		return s
	}
	return "" // an account without a place sees nothing
}

// townshipPath cuts a place's path to its township.
func townshipPath(p string) string {
	parts := strings.SplitAfterN(p, "/", 4)
	if len(parts) < 4 {
		return ""
	}
	return strings.Join(parts[:3], "")
}

// PartyCounts returns, per party of a matter, how many matters the person
// (by ID number or phone) has been party to.
func (s *Service) PartyCounts(ctx context.Context, id int64) (map[int64]int, error) {
	if _, err := s.Case(ctx, id); err != nil {
		return nil, err
	}
	var out map[int64]int
	err := s.View(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.PartyMatterCounts(ctx, id, app.Scope(ctx))
		return err
	})
	return out, err
}

// applyLink links two matters (action link) or merges c, a duplicate, into
// its original (action merge); the other matter's timeline says so too.
func (s *Service) applyLink(ctx context.Context, tx *store.Tx, c *domain.Case, action string, in ActionInput, ev *domain.TimelineEntry) error {
	number := strings.TrimSpace(in.Target)
	if number == "" {
		return app.Required("target", "field.required")
	}
	otherID, otherPath, err := tx.CaseIDByNumber(ctx, number)
	if err != nil || otherID == c.ID {
		return app.Required("target", "case.link.target_bad")
	}
	u := domain.ActorFrom(ctx).User
	if u.OrgPath == "" || !strings.HasPrefix(otherPath, u.OrgPath) {
		return app.Required("target", "case.link.target_bad") // outside the jurisdiction: as if it did not exist
	}
	other, err := tx.Case(ctx, otherID)
	if err != nil {
		return err
	}
	kind, otherAction := "related", "linked"
	if action == "merge" {
		if other.Outcome == domain.OutcomeMerged {
			return app.Required("target", "case.merge.into_merged")
		}
		kind, otherAction = "duplicate", "merged_in"
		c.Outcome, c.ClosedAt = domain.OutcomeMerged, tx.Now
	}
	if err := tx.AddLink(ctx, c.ID, otherID, kind, ev.Note, u.ID); err != nil {
		return err
	}
	ev.Data[domain.DataTarget], ev.Data[domain.DataTargetId] = number, fmt.Sprint(otherID)
	oev := &domain.TimelineEntry{ActorID: u.ID, ActorName: u.Name, Action: otherAction, FromStatus: other.Status, ToStatus: other.Status, Note: ev.Note,
		Data: map[string]string{"target": c.Number, "target_id": fmt.Sprint(c.ID)}}
	return tx.AddEvent(ctx, otherID, oev)
}
