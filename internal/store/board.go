package store

import (
	"context"
	"jiefen/internal/domain"
	"time"
)

// OpenByRisk counts the open matters (registered to in resolution) under
// path by colour.
func (tx *Tx) OpenByRisk(ctx context.Context, path string) (map[string]int, error) {
	lo, hi := pathRange(path)
	out := map[string]int{}
	err := queryEach(ctx, tx, "open by risk", func(row rowScanner) error {
		var risk string
		var n int
		if err := row.Scan(&risk, &n); err != nil {
			return err
		}
		out[risk] = n
		return nil
	}, `SELECT risk, COUNT(*) FROM cases
		WHERE status IN ('registered', 'assessed', 'dispatched', 'returned', 'in_resolution') AND org_path >= $1 AND org_path < $2
		GROUP BY risk`, lo, hi)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// RegisteredTimes lists when each matter under path registered since
// from was registered (the board's trend by month; merged duplicates left
// out).
func (tx *Tx) RegisteredTimes(ctx context.Context, from time.Time, path string) ([]time.Time, error) {
	lo, hi := pathRange(path)
	op := tx.d.unindexed("org_path") // the period leads (see StatsRegistered)
	return queryAll(ctx, tx, "registered times", func(row rowScanner) (time.Time, error) {
		var t time.Time
		err := row.Scan(nullTime{&t})
		return t, err
	}, `SELECT created_at FROM cases WHERE created_at >= $1 AND `+op+` >= $2 AND `+op+` < $3 AND outcome <> 'merged'`, ts(from), lo, hi)
}

// CountEvents counts the events of an action in [from, to) of matters
// under path.
func (tx *Tx) CountEvents(ctx context.Context, action string, from, to time.Time, path string) (int, error) {
	lo, hi := pathRange(path)
	var n int
	err := tx.queryRow(ctx, `SELECT COUNT(*) FROM case_events e CROSS JOIN cases c
		WHERE c.id = e.case_id AND e.at >= $1 AND e.at < $2 AND e.action = $3 AND c.org_path >= $4 AND c.org_path < $5`, ts(from), ts(to), action, lo, hi).Scan(&n)
	return n, wrap(err, "count events")
}

// OpenSupervisions lists the supervision orders awaiting a reply, issued
// by leader (0: anyone) on matters under path, oldest deadline first.
func (tx *Tx) OpenSupervisions(ctx context.Context, leader int64, path string, limit int) ([]domain.Supervision, error) {
	lo, hi := pathRange(path)
	return queryAll(ctx, tx, "open supervisions", func(row rowScanner) (domain.Supervision, error) {
		var s domain.Supervision
		err := row.Scan(&s.ID, &s.CaseID, &s.LeaderID, &s.LeaderName, nullTime{&s.Due}, nullTime{&s.Created})
		return s, err
	}, `SELECT s.id, s.case_id, s.leader_id, u.name, s.due_at, s.created_at FROM supervisions s
		JOIN cases c ON c.id = s.case_id JOIN users u ON u.id = s.leader_id
		WHERE s.replied_at IS NULL AND ($1 = 0 OR s.leader_id = $1) AND c.org_path >= $2 AND c.org_path < $3
		ORDER BY s.due_at LIMIT $4`, leader, lo, hi, limit)
}

// Supervisions lists every supervision order on a matter, oldest first.
func (tx *Tx) Supervisions(ctx context.Context, caseID int64) ([]domain.Supervision, error) {
	return queryAll(ctx, tx, "supervisions", func(row rowScanner) (domain.Supervision, error) {
		var s domain.Supervision
		err := row.Scan(&s.ID, &s.CaseID, &s.LeaderID, &s.LeaderName, nullTime{&s.Due}, nullTime{&s.Created}, nullTime{&s.Replied})
		return s, err
	}, `SELECT s.id, s.case_id, s.leader_id, u.name, s.due_at, s.created_at, s.replied_at FROM supervisions s
		JOIN users u ON u.id = s.leader_id WHERE s.case_id = $1 ORDER BY s.id`, caseID)
}

// LedgerParties returns the parties of the matters, sealed fields
// included, in registration order (the ledger decides what to unseal).
func (tx *Tx) LedgerParties(ctx context.Context, ids []int64) (map[int64][]PartyRow, error) {
	out := map[int64][]PartyRow{}
	if len(ids) == 0 {
		return out, nil
	}
	in, args := idsIn(ids, 1)
	err := queryEach(ctx, tx, "ledger parties", func(row rowScanner) error {
		var id int64
		var p PartyRow
		if err := row.Scan(&id, &p.Kind, &p.Role, &p.Name, &p.IDType, &p.IDMasked, &p.PhoneMask, &p.IDKid, &p.IDEnc, &p.PhoneKid, &p.PhoneEnc); err != nil {
			return err
		}
		out[id] = append(out[id], p)
		return nil
	}, `SELECT case_id, kind, role, name, id_type, id_masked, phone_masked, id_kid, id_enc, phone_kid, phone_enc
		FROM parties WHERE case_id IN (`+in+`) ORDER BY id`, args...)
	if err != nil {
		return nil, err
	}
	return out, nil
}
