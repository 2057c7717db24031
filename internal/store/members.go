package store

import (
	"context"
	"jiefen/internal/domain"
	"strconv"
	"strings"
)

// NextMemberRow is the row number after the last one of a matter's list.
func (tx *Tx) NextMemberRow(ctx context.Context, caseID int64) (int, error) {
	var n int
	err := tx.queryRow(ctx, `SELECT COALESCE(MAX(row_no), 0) + 1 FROM group_members WHERE case_id = $1`, caseID).Scan(&n)
	return n, wrap(err, "next member row")
}

// InsertMembers adds households to a matter's list, 200 rows per statement.
func (tx *Tx) InsertMembers(ctx context.Context, caseID int64, rows []domain.MemberRow) error {
	const cols = 12
	for start := 0; start < len(rows); start += 200 {
		chunk := rows[start:min(start+200, len(rows))]
		var b strings.Builder
		b.WriteString(`INSERT INTO group_members (case_id, row_no, name, village_code, id_kid, id_enc, id_bidx, id_masked, phone_kid, phone_enc, phone_masked, amount_cents, note) VALUES `)
		args := make([]any, 0, len(chunk)*cols+1)
		args = append(args, caseID)
		for i, r := range chunk {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("($1")
			for j := range cols {
				b.WriteString(", $" + strconv.Itoa(2+i*cols+j))
			}
			b.WriteString(")")
			args = append(args, r.RowNo, r.Name, r.VillageCode, r.IDKid, r.IDEnc, r.IDBidx, r.IDMasked, r.PhoneKid, r.PhoneEnc, r.PhoneMasked, r.AmountCents, r.Note)
		}
		if _, err := tx.tx.ExecContext(tx.stmtCtx(ctx), b.String(), args...); err != nil {
			return wrap(tx.d.mapErr(err), "insert members")
		}
	}
	return nil
}

// MemberCounts counts a matter's households by village and status.
func (tx *Tx) MemberCounts(ctx context.Context, caseID int64) ([]domain.MemberCount, error) {
	return queryAll(ctx, tx, "member counts", func(row rowScanner) (domain.MemberCount, error) {
		var c domain.MemberCount
		err := row.Scan(&c.VillageCode, &c.VillageName, &c.Status, &c.N)
		return c, err
	}, `SELECT m.village_code, o.name, m.status, COUNT(*) FROM group_members m JOIN orgs o ON o.code = m.village_code
		WHERE m.case_id = $1 GROUP BY m.village_code, o.name, m.status ORDER BY m.village_code, m.status`, caseID)
}

// Members lists a page of households in row order (personal data masked).
func (tx *Tx) Members(ctx context.Context, f domain.MemberFilter) ([]domain.MemberRow, error) {
	w := where{}
	w.add("m.case_id = ?", f.CaseID)
	if f.VillageCode != "" {
		w.add("m.village_code = ?", f.VillageCode)
	}
	if f.Status != "" {
		w.add("m.status = ?", f.Status)
	}
	if f.AfterRow > 0 {
		w.add("m.row_no > ?", f.AfterRow)
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	return queryAll(ctx, tx, "members", func(row rowScanner) (domain.MemberRow, error) {
		var m domain.MemberRow
		if err := row.Scan(&m.ID, &m.RowNo, &m.Name, &m.VillageCode, &m.VillageName, &m.IDMasked, &m.PhoneMasked, &m.AmountCents, &m.Note,
			&m.Status, &m.StatusNote, &m.ConfirmedBy, nullTime{&m.ConfirmedAt}, &m.Version); err != nil {
			return m, err
		}
		return m, nil
	}, `SELECT m.id, m.row_no, m.name, m.village_code, o.name, m.id_masked, m.phone_masked, m.amount_cents, m.note,
		m.status, m.status_note, COALESCE(u.name, ''), m.confirmed_at, m.version
		FROM group_members m JOIN orgs o ON o.code = m.village_code LEFT JOIN users u ON u.id = m.confirmed_by`+w.sql()+
		` ORDER BY m.row_no LIMIT `+strconv.Itoa(f.Limit), w.args...)
}

// MemberVillage returns the village of one household of a matter.
func (tx *Tx) MemberVillage(ctx context.Context, caseID, memberID int64) (string, error) {
	var v string
	err := tx.queryRow(ctx, `SELECT village_code FROM group_members WHERE id = $1 AND case_id = $2`, memberID, caseID).Scan(&v)
	return v, tx.scanErr(err, "member")
}

// SetMemberStatus records a household's confirmation if its version is
// still version.
func (tx *Tx) SetMemberStatus(ctx context.Context, caseID, memberID int64, status, note string, by int64, version int64) error {
	r, err := tx.exec(ctx, `UPDATE group_members SET status = $1, status_note = $2, confirmed_by = $3, confirmed_at = $4, version = version + 1
		WHERE id = $5 AND case_id = $6 AND version = $7`, status, note, by, ts(tx.Now), memberID, caseID, version)
	if err != nil {
		return wrap(err, "confirm member")
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return staleErr()
	}
	return nil
}

// AddCaseUnit records a unit acting on a matter (lead or co).
func (tx *Tx) AddCaseUnit(ctx context.Context, caseID, unitID int64, role, part string, by int64) error {
	_, err := tx.exec(ctx, `INSERT INTO case_units (case_id, unit_id, role, part, added_by, added_at) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (case_id, unit_id) DO UPDATE SET role = excluded.role, part = excluded.part`, caseID, unitID, role, part, by, ts(tx.Now))
	return wrap(err, "case unit")
}

// CaseUnits lists the units acting on a matter, the lead first.
func (tx *Tx) CaseUnits(ctx context.Context, caseID int64) ([]domain.CaseUnit, error) {
	return queryAll(ctx, tx, "case units", func(row rowScanner) (domain.CaseUnit, error) {
		var c domain.CaseUnit
		err := row.Scan(&c.Code, &c.Name, &c.Role, &c.Part, nullTime{&c.At})
		return c, err
	}, `SELECT u.code, u.name, cu.role, cu.part, cu.added_at FROM case_units cu JOIN units u ON u.id = cu.unit_id
		WHERE cu.case_id = $1 ORDER BY CASE cu.role WHEN 'lead' THEN 0 ELSE 1 END, cu.added_at`, caseID)
}
