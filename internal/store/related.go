package store

import (
	"cmp"
	"context"
	"jiefen/internal/domain"
	"time"
)

// AddLink records a link (a second identical link is a no-op).
func (tx *Tx) AddLink(ctx context.Context, caseID, otherID int64, kind, note string, by int64) error {
	_, err := tx.exec(ctx, `INSERT INTO case_links (case_id, other_id, kind, note, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (case_id, other_id, kind) DO NOTHING`, caseID, otherID, kind, note, by, ts(tx.Now))
	return wrap(err, "add link")
}

// Links lists a matter's links in both directions.
func (tx *Tx) Links(ctx context.Context, caseID int64) ([]domain.Link, error) {
	return queryAll(ctx, tx, "links", func(row rowScanner) (domain.Link, error) {
		var l domain.Link
		err := row.Scan(&l.OtherID, &l.Number, &l.Status, &l.Description, &l.Kind, &l.Note, nullTime{&l.At}, &l.OrgPath)
		return l, err
	}, `SELECT l.other_id, c.number, c.status, c.description, l.kind, l.note, l.created_at, c.org_path
		FROM case_links l JOIN cases c ON c.id = l.other_id WHERE l.case_id = $1
		UNION ALL
		SELECT l.case_id, c.number, c.status, c.description, CASE l.kind WHEN 'duplicate' THEN 'original' ELSE l.kind END, l.note, l.created_at, c.org_path
		FROM case_links l JOIN cases c ON c.id = l.case_id WHERE l.other_id = $1
		ORDER BY 7`, caseID)
}

// CaseIDByNumber finds a matter by its number.
func (tx *Tx) CaseIDByNumber(ctx context.Context, number string) (int64, string, error) {
	var id int64
	var path string
	err := tx.queryRow(ctx, `SELECT id, org_path FROM cases WHERE number = $1`, number).Scan(&id, &path)
	return id, path, tx.scanErr(err, "case "+number)
}

// RelatedProbe is what a matter (registered or being registered) is
// compared on.
type RelatedProbe struct {
	Exclude        int64
	IDBidx         []string
	PhoneBidx      []string
	Names          []string // party names, compared within Village, or within Township while the village is not known
	Village        string   // village path ("" above village level)
	Township       string   // the township's path (or a wider area): description similarity, and the address without a village, look here
	Address        string
	Since          time.Time // description similarity looks back to here
	Limit          int       // per kind
	SimilarityPool int       // how many recent matters of the township to compare descriptions with
}

// RelatedCandidates finds matters sharing a party (ID number, phone, or
// name within the village), the address (within the village), and, for the
// caller to score, the township's recent matters. Without a village, names
// and the address are compared within Township.
func (tx *Tx) RelatedCandidates(ctx context.Context, p RelatedProbe) (map[int64]*domain.Candidate, []*domain.Candidate, error) {
	out := map[int64]*domain.Candidate{}
	add := func(kind, detail, q string, args ...any) error {
		return queryEach(ctx, tx, "related "+kind, func(row rowScanner) error {
			c, err := scanCandidate(row)
			if err != nil || c.ID == p.Exclude {
				return err
			}
			if have := out[c.ID]; have != nil {
				c = have
			} else {
				c.Why = map[string]string{}
				out[c.ID] = c
			}
			c.Why[kind] = detail
			return nil
		}, q, args...)
	}
	const cols = `c.id, c.number, c.status, c.description, c.org_path, c.created_at`
	limit := p.Limit
	for _, b := range p.IDBidx {
		if b != "" {
			if err := add("id", "", `SELECT DISTINCT `+cols+` FROM parties x JOIN cases c ON c.id = x.case_id WHERE x.id_bidx = $1 AND x.id_bidx <> '' ORDER BY c.id DESC LIMIT $2`, b, limit); err != nil {
				return nil, nil, err
			}
		}
	}
	for _, b := range p.PhoneBidx {
		if b != "" {
			if err := add("phone", "", `SELECT DISTINCT `+cols+` FROM parties x JOIN cases c ON c.id = x.case_id WHERE x.phone_bidx = $1 AND x.phone_bidx <> '' ORDER BY c.id DESC LIMIT $2`, b, limit); err != nil {
				return nil, nil, err
			}
		}
	}
	if area := cmp.Or(p.Village, p.Township); area != "" {
		for _, n := range p.Names {
			if n == "" || n == domain.AnonymisedName { // anonymised parties are nobody in particular
				continue
			}
			lo, hi := pathRange(area)
			if err := add("name", n, `SELECT DISTINCT `+cols+` FROM parties x JOIN cases c ON c.id = x.case_id WHERE x.name = $1 AND c.org_path >= $2 AND c.org_path < $3 ORDER BY c.id DESC LIMIT $4`,
				n, lo, hi, limit); err != nil {
				return nil, nil, err
			}
		}
	}
	if area := cmp.Or(p.Village, p.Township); p.Address != "" && area != "" {
		lo, hi := pathRange(area)
		if err := add("address", p.Address, `SELECT `+cols+` FROM cases c WHERE c.address = $1 AND c.org_path >= $2 AND c.org_path < $3 ORDER BY c.id DESC LIMIT $4`,
			p.Address, lo, hi, limit); err != nil {
			return nil, nil, err
		}
	}
	var pool []*domain.Candidate
	if p.Township != "" && p.SimilarityPool > 0 {
		// The township's newest matters: walking the primary key from the
		// newest reads about (townships × pool) rows, where ordering the
		// township's rows by date would read all of them.
		// (LIKE, not a range: the range would lead the planner to the
		// place index and a sort of the whole township.)
		err := queryEach(ctx, tx, "related pool", func(row rowScanner) error {
			c, err := scanCandidate(row)
			if err == nil && c.ID != p.Exclude {
				pool = append(pool, c)
			}
			return err
		}, `SELECT `+cols+` FROM cases c WHERE c.org_path LIKE $1 AND c.created_at >= $2 ORDER BY c.id DESC LIMIT $3`,
			stripLike(p.Township)+"%", ts(p.Since), p.SimilarityPool)
		if err != nil {
			return nil, nil, err
		}
	}
	return out, pool, nil
}

// scanCandidate reads a candidate's columns (cols in RelatedCandidates).
func scanCandidate(row rowScanner) (*domain.Candidate, error) {
	c := &domain.Candidate{}
	err := row.Scan(&c.ID, &c.Number, &c.Status, &c.Description, &c.OrgPath, nullTime{&c.CreatedAt})
	return c, err
}

// PartyMatterCounts returns, for each party of a matter, how many matters
// under scope (this one included) a party with the same ID number or phone
// has been in.
func (tx *Tx) PartyMatterCounts(ctx context.Context, caseID int64, scope string) (map[int64]int, error) {
	keys, err := tx.partyBidx(ctx, caseID)
	if err != nil {
		return nil, err
	}
	out := map[int64]int{}
	for _, k := range keys {
		if k.id == "" && k.phone == "" {
			out[k.party] = 1
			continue
		}
		n, err := tx.PartyMatters(ctx, k.id, k.phone, 0, scope)
		if err != nil {
			return nil, err
		}
		out[k.party] = n
	}
	return out, nil
}

type partyBidx struct {
	party     int64
	id, phone string
}

func (tx *Tx) partyBidx(ctx context.Context, caseID int64) ([]partyBidx, error) {
	return queryAll(ctx, tx, "party keys", func(row rowScanner) (partyBidx, error) {
		var k partyBidx
		err := row.Scan(&k.party, &k.id, &k.phone)
		return k, err
	}, `SELECT id, id_bidx, phone_bidx FROM parties WHERE case_id = $1 ORDER BY id`, caseID)
}
