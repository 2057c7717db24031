package store

import (
	"context"
	"strconv"
	"strings"
	"time"

	"jiefen/internal/domain"
)

// PersonFilter finds the rows where one person appears (a lawful request,
// PIPL 45): by the blind index of an ID number or a phone, or by name
// within a place (NamePath), all within Scope (the asker's jurisdiction).
// Empty criteria are left out; with none, nothing matches.
type PersonFilter struct {
	Scope     string
	IDBidx    string
	PhoneBidx string
	Name      string
	NamePath  string
	Limit     int
}

// HeldPartyRow is a party where the person appears, as stored.
type HeldPartyRow struct {
	domain.HeldParty
	Row PartyRow
}

// HeldMemberRow is a household row where the person appears, as stored.
type HeldMemberRow struct {
	domain.HeldMember
	Row domain.MemberRow
}

// personBranches is one SELECT per criterion, each through its own index
// (an OR across the columns would read every row), tagged with what
// matched; cols and from are the branch's columns and tables, alias the
// searched table's alias, path the column of the row's place.
func (f PersonFilter) branches(cols, from, alias, path string, name bool) (string, []any) {
	lo, hi := pathRange(f.Scope)
	args := []any{lo, hi}
	var parts []string
	add := func(tag, cond string, vals ...any) {
		n := len(args)
		for i := range vals {
			cond = strings.Replace(cond, "?", "$"+strconv.Itoa(n+i+1), 1)
		}
		args = append(args, vals...)
		parts = append(parts, `SELECT '`+tag+`' AS matched, `+cols+` FROM `+from+` WHERE c.org_path >= $1 AND c.org_path < $2 AND `+cond)
	}
	if f.IDBidx != "" {
		add(domain.FieldIDNumber, alias+".id_bidx = ?", f.IDBidx)
	}
	if f.PhoneBidx != "" && alias == "p" { // the household lists keep no phone index
		add(domain.FieldPhone, alias+".phone_bidx = ?", f.PhoneBidx)
	}
	if name && f.Name != "" && f.NamePath != "" {
		nlo, nhi := pathRange(f.NamePath)
		add(domain.FieldName, alias+".name = ? AND "+path+" >= ? AND "+path+" < ?", f.Name, nlo, nhi)
	}
	return strings.Join(parts, " UNION ALL "), args
}

const heldPartyCols = `p.id, p.case_id, c.number, o.name, c.org_path, c.status, c.created_at, c.anonymised_at,
	p.kind, p.role, p.name, p.id_type, p.id_kid, p.id_enc, p.id_bidx, p.id_masked, p.no_id_reason,
	p.phone_kid, p.phone_enc, p.phone_bidx, p.phone_masked, p.address, p.uscc`

// HeldParties lists the parties where the person of f appears, each once
// with every criterion it matched, newest matter first.
func (tx *Tx) HeldParties(ctx context.Context, f PersonFilter) ([]HeldPartyRow, error) {
	q, args := f.branches(heldPartyCols, `parties p JOIN cases c ON c.id = p.case_id JOIN orgs o ON o.code = c.org_code`, "p", "c.org_path", true)
	if q == "" {
		return nil, nil
	}
	byID := map[int64]int{}
	var out []HeldPartyRow
	err := queryEach(ctx, tx, "held parties", func(row rowScanner) error {
		var h HeldPartyRow
		var matched, status string
		var anon time.Time
		r := &h.Row
		if err := row.Scan(&matched, &r.ID, &h.CaseID, &h.CaseNumber, &h.OrgName, &h.OrgPath, &status, nullTime{&h.RegisteredAt}, nullTime{&anon},
			&r.Kind, &r.Role, &r.Name, &r.IDType, &r.IDKid, &r.IDEnc, &r.IDBidx, &r.IDMasked, &r.NoIDReason,
			&r.PhoneKid, &r.PhoneEnc, &r.PhoneBidx, &r.PhoneMask, &r.Address, &r.USCC); err != nil {
			return err
		}
		if i, ok := byID[r.ID]; ok {
			out[i].MatchedBy = append(out[i].MatchedBy, matched)
			return nil
		}
		h.Status, h.Anonymised, h.MatchedBy = domain.Status(status), !anon.IsZero(), []string{matched}
		byID[r.ID] = len(out)
		out = append(out, h)
		return nil
	}, `SELECT * FROM (`+q+`) u ORDER BY case_id DESC, id LIMIT `+strconv.Itoa(f.limit()), args...)
	if err != nil {
		return nil, err
	}
	return out, tx.countCorrections(ctx, out)
}

func (f PersonFilter) limit() int {
	if f.Limit <= 0 {
		return domain.HoldingsLimit + 1
	}
	return f.Limit
}

// countCorrections counts each party's corrections on its matter's
// timeline.
func (tx *Tx) countCorrections(ctx context.Context, rows []HeldPartyRow) error {
	if len(rows) == 0 {
		return nil
	}
	ids := make([]int64, 0, len(rows))
	at := map[string]int{}
	for i, r := range rows {
		ids = append(ids, r.CaseID)
		at[strconv.FormatInt(r.Row.ID, 10)] = i
	}
	in, args := idsIn(ids, 1)
	return queryEach(ctx, tx, "party corrections", func(row rowScanner) error {
		var party string
		var n int
		if err := row.Scan(&party, &n); err != nil {
			return err
		}
		if i, ok := at[party]; ok {
			rows[i].Corrections = n
		}
		return nil
	}, `SELECT `+tx.d.jsonField("data", "party")+`, COUNT(*) FROM case_events WHERE case_id IN (`+in+`) AND action = '`+PartyCorrectAction+`'
		GROUP BY `+tx.d.jsonField("data", "party"), args...)
}

// PartyCorrectAction is the timeline action of a correction of a party's
// personal data.
const PartyCorrectAction = "party_correct"

const heldMemberCols = `m.id, m.case_id, c.number, o.name, c.org_path, m.row_no, v.name, m.name, m.id_kid, m.id_enc, m.id_masked,
	m.phone_kid, m.phone_enc, m.phone_masked, m.amount_cents, m.note, m.status`

// HeldMembers lists the household rows where the person of f appears.
func (tx *Tx) HeldMembers(ctx context.Context, f PersonFilter) ([]HeldMemberRow, error) {
	q, args := f.branches(heldMemberCols, `group_members m JOIN cases c ON c.id = m.case_id JOIN orgs o ON o.code = c.org_code
		JOIN orgs v ON v.code = m.village_code`, "m", "v.path", true)
	if q == "" {
		return nil, nil
	}
	byID := map[int64]int{}
	var out []HeldMemberRow
	err := queryEach(ctx, tx, "held members", func(row rowScanner) error {
		var h HeldMemberRow
		var matched string
		r := &h.Row
		if err := row.Scan(&matched, &r.ID, &h.CaseID, &h.CaseNumber, &h.OrgName, &h.OrgPath, &r.RowNo, &r.VillageName, &r.Name, &r.IDKid, &r.IDEnc,
			&r.IDMasked, &r.PhoneKid, &r.PhoneEnc, &r.PhoneMasked, &r.AmountCents, &r.Note, &r.Status); err != nil {
			return err
		}
		if i, ok := byID[r.ID]; ok {
			out[i].MatchedBy = append(out[i].MatchedBy, matched)
			return nil
		}
		h.MemberID, h.RowNo, h.VillageName, h.AmountCents, h.Status, h.MatchedBy = r.ID, r.RowNo, r.VillageName, r.AmountCents, r.Status, []string{matched}
		byID[r.ID] = len(out)
		out = append(out, h)
		return nil
	}, `SELECT * FROM (`+q+`) u ORDER BY case_id DESC, row_no LIMIT `+strconv.Itoa(f.limit()), args...)
	return out, err
}

// PartyStored reads one party of a matter as stored (for a correction).
func (tx *Tx) PartyStored(ctx context.Context, caseID, partyID int64) (PartyRow, error) {
	var p PartyRow
	err := tx.queryRow(ctx, `SELECT id, kind, role, name, id_type, id_kid, id_enc, id_bidx, id_masked, no_id_reason,
		phone_kid, phone_enc, phone_bidx, phone_masked, address, uscc FROM parties WHERE id = $1 AND case_id = $2`, partyID, caseID).
		Scan(&p.ID, &p.Kind, &p.Role, &p.Name, &p.IDType, &p.IDKid, &p.IDEnc, &p.IDBidx, &p.IDMasked, &p.NoIDReason,
			&p.PhoneKid, &p.PhoneEnc, &p.PhoneBidx, &p.PhoneMask, &p.Address, &p.USCC)
	return p, tx.scanErr(err, "get party")
}

// SetPartyData writes a party's name, identification, phone and address
// as given (a correction; the old values stay sealed on the timeline).
func (tx *Tx) SetPartyData(ctx context.Context, caseID int64, p PartyRow) error {
	ok, err := tx.once(ctx, "correct party", `UPDATE parties SET name = $3, id_type = $4, id_kid = $5, id_enc = $6, id_bidx = $7, id_masked = $8,
		phone_kid = $9, phone_enc = $10, phone_bidx = $11, phone_masked = $12, address = $13 WHERE id = $1 AND case_id = $2`,
		p.ID, caseID, p.Name, p.IDType, p.IDKid, p.IDEnc, p.IDBidx, p.IDMasked, p.PhoneKid, p.PhoneEnc, p.PhoneBidx, p.PhoneMask, p.Address)
	if err == nil && !ok {
		err = domain.ErrNotFound
	}
	return err
}
