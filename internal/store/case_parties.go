package store

import (
	"context"

	"jiefen/internal/domain"
)

// PartySecret returns a party's sealed ID number and phone for an audited reveal.
func (tx *Tx) PartySecret(ctx context.Context, caseID, partyID int64) (PartyRow, error) {
	var p PartyRow
	err := tx.queryRow(ctx, `SELECT id, name, id_kid, id_enc, phone_kid, phone_enc FROM parties WHERE id = $1 AND case_id = $2`, partyID, caseID).
		Scan(&p.ID, &p.Name, &p.IDKid, &p.IDEnc, &p.PhoneKid, &p.PhoneEnc)
	return p, tx.scanErr(err, "get party")
}

// PartyNames returns the party names of matters (for list rows).
func (tx *Tx) PartyNames(ctx context.Context, ids []int64) (map[int64][]string, error) {
	out := map[int64][]string{}
	if len(ids) == 0 {
		return out, nil
	}
	in, args := idsIn(ids, 1)
	err := queryEach(ctx, tx, "party names", func(row rowScanner) error {
		var id int64
		var n string
		if err := row.Scan(&id, &n); err != nil {
			return err
		}
		out[id] = append(out[id], n)
		return nil
	}, `SELECT case_id, name FROM parties WHERE case_id IN (`+in+`) ORDER BY id`, args...)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// CoHandlers lists the people working a part of a matter now.
func (tx *Tx) CoHandlers(ctx context.Context, caseID int64) ([]domain.CoHandler, error) {
	return queryAll(ctx, tx, "list co-handlers", func(row rowScanner) (domain.CoHandler, error) {
		var h domain.CoHandler
		err := row.Scan(&h.UserID, &h.Username, &h.Name, &h.OrgName, &h.Part, nullTime{&h.AddedAt})
		return h, err
	}, `SELECT h.user_id, u.username, u.name, COALESCE(o.name, ''), h.part, h.added_at
		FROM case_cohandlers h JOIN users u ON u.id = h.user_id LEFT JOIN orgs o ON o.code = u.org_code
		WHERE h.case_id = $1 AND h.ended_at IS NULL ORDER BY h.id`, caseID)
}

// AddCoHandler gives a user a part of a matter; a user already working on
// it is a conflict.
func (tx *Tx) AddCoHandler(ctx context.Context, caseID, userID int64, part string, by int64) error {
	_, err := tx.exec(ctx, `INSERT INTO case_cohandlers (case_id, user_id, part, added_by, added_at) VALUES ($1, $2, $3, $4, $5)`,
		caseID, userID, part, by, ts(tx.Now))
	return tx.scanErr(err, "add co-handler")
}

// EndCoHandlers ends the parts of the given users (all of them when userID
// is 0) and reports how many ended. The rows stay.
func (tx *Tx) EndCoHandlers(ctx context.Context, caseID, userID int64) (int64, error) {
	q, args := `UPDATE case_cohandlers SET ended_at = $1 WHERE case_id = $2 AND ended_at IS NULL`, []any{ts(tx.Now), caseID}
	if userID != 0 {
		q, args = q+` AND user_id = $3`, append(args, userID)
	}
	r, err := tx.exec(ctx, q, args...)
	if err != nil {
		return 0, wrap(err, "end co-handlers")
	}
	return r.RowsAffected()
}
