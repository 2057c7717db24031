package store

import (
	"context"
	"strconv"
	"time"

	"jiefen/internal/domain"
)

// RetentionRules lists the retention rules by kind.
func (tx *Tx) RetentionRules(ctx context.Context) ([]domain.RetentionRule, error) {
	return queryAll(ctx, tx, "retention rules", func(row rowScanner) (domain.RetentionRule, error) {
		var r domain.RetentionRule
		err := row.Scan(&r.Kind, &r.KeepDays, &r.MinDays, &r.Action, &r.ChangedBy, nullTime{&r.ChangedAt})
		return r, err
	}, `SELECT r.kind, r.keep_days, r.min_days, r.action, COALESCE(u.name, ''), r.changed_at
		FROM retention_rules r LEFT JOIN users u ON u.id = r.changed_by ORDER BY r.action, r.kind`)
}

// SetRetentionRule changes how long a kind is kept (by: 0 for the
// operator). The table refuses a period under the kind's floor.
func (tx *Tx) SetRetentionRule(ctx context.Context, kind string, days int, by int64) error {
	var who any
	if by != 0 {
		who = by
	}
	ok, err := tx.once(ctx, "set retention rule", `UPDATE retention_rules SET keep_days = $2, changed_by = $3, changed_at = $4 WHERE kind = $1`,
		kind, days, who, ts(tx.Now))
	if err == nil && !ok {
		err = domain.ErrNotFound
	}
	return err
}

// PastRetention lists the archived matters with personal data past
// retention: parties not yet anonymised of matters archived before
// partiesBefore, households not yet anonymised of matters archived before
// membersBefore; oldest matter first, at most limit (0: all).
func (tx *Tx) PastRetention(ctx context.Context, partiesBefore, membersBefore time.Time, limit int) ([]domain.RetentionMatter, error) {
	q := `SELECT id, number, org_path, at, np, nm FROM (
		SELECT c.id, c.number, c.org_path, a.at,
			CASE WHEN c.anonymised_at IS NULL AND a.at < $1 THEN (SELECT COUNT(*) FROM parties p WHERE p.case_id = c.id) ELSE 0 END AS np,
			CASE WHEN a.at < $2 THEN (SELECT COUNT(*) FROM group_members m WHERE m.case_id = c.id AND m.name <> $3) ELSE 0 END AS nm
		FROM cases c JOIN (SELECT e.case_id, MAX(e.at) AS at FROM case_events e JOIN cases k ON k.id = e.case_id
			WHERE k.status = 'archived' AND e.action = 'archive' GROUP BY e.case_id) a ON a.case_id = c.id
		WHERE c.status = 'archived') t
		WHERE np > 0 OR nm > 0 ORDER BY id`
	if limit > 0 {
		q += ` LIMIT ` + strconv.Itoa(limit)
	}
	return queryAll(ctx, tx, "past retention", func(row rowScanner) (domain.RetentionMatter, error) {
		var m domain.RetentionMatter
		err := row.Scan(&m.CaseID, &m.Number, &m.OrgPath, nullTime{&m.ArchivedAt}, &m.Parties, &m.Members)
		return m, err
	}, q, ts(partiesBefore), ts(membersBefore), domain.AnonymisedName)
}

// PersonNames lists the names of a matter's parties who are people (an
// organisation's name is not personal data).
func (tx *Tx) PersonNames(ctx context.Context, caseID int64) ([]string, error) {
	return queryAll(ctx, tx, "person names", func(row rowScanner) (string, error) {
		var n string
		return n, row.Scan(&n)
	}, `SELECT DISTINCT name FROM parties WHERE case_id = $1 AND kind <> 'org' AND name <> $2`, caseID, domain.AnonymisedName)
}

// AnonymiseParties replaces the personal data of a matter's parties with
// the anonymised marker: a person's name and address, everyone's sealed
// ID number and phone, their blind indexes and masked forms, the reason
// for no ID; and marks the matter. It reports how many parties.
func (tx *Tx) AnonymiseParties(ctx context.Context, caseID int64) (int64, error) {
	r, err := tx.exec(ctx, `UPDATE parties SET name = CASE WHEN kind = 'org' THEN name ELSE $2 END,
		address = CASE WHEN kind = 'org' THEN address ELSE '' END, id_kid = '', id_enc = '', id_bidx = '', id_masked = '', no_id_reason = '',
		phone_kid = '', phone_enc = '', phone_bidx = '', phone_masked = '' WHERE case_id = $1`, caseID, domain.AnonymisedName)
	if err != nil {
		return 0, wrap(err, "anonymise parties")
	}
	n, _ := r.RowsAffected()
	_, err = tx.exec(ctx, `UPDATE cases SET anonymised_at = $2 WHERE id = $1`, caseID, ts(tx.Now))
	return n, wrap(err, "mark anonymised")
}

// AnonymiseMembers does the same for a matter's household list (its notes
// too) and reports how many rows.
func (tx *Tx) AnonymiseMembers(ctx context.Context, caseID int64) (int64, error) {
	r, err := tx.exec(ctx, `UPDATE group_members SET name = $2, id_kid = '', id_enc = '', id_bidx = '', id_masked = '',
		phone_kid = '', phone_enc = '', phone_masked = '', note = '', status_note = '' WHERE case_id = $1 AND name <> $2`, caseID, domain.AnonymisedName)
	if err != nil {
		return 0, wrap(err, "anonymise members")
	}
	n, _ := r.RowsAffected()
	return n, nil
}

// ScrubName replaces a name wherever a matter's free text may repeat it:
// its description, its timeline's notes and data, its attachments' names,
// its notices. (The search index is rebuilt by the caller.)
func (tx *Tx) ScrubName(ctx context.Context, caseID int64, name string) error {
	for _, q := range []string{
		`UPDATE cases SET description = REPLACE(description, $2, $3) WHERE id = $1`,
		`UPDATE case_events SET note = REPLACE(note, $2, $3), data = REPLACE(data, $2, $3) WHERE case_id = $1`,
		`UPDATE attachments SET name = REPLACE(name, $2, $3) WHERE case_id = $1`,
		`UPDATE notifications SET text = REPLACE(text, $2, $3) WHERE case_id = $1`,
	} {
		if _, err := tx.exec(ctx, q, caseID, name, domain.AnonymisedName); err != nil {
			return wrap(err, "scrub name")
		}
	}
	return nil
}

// CorrectionEvents lists a matter's corrections of personal data (id and
// data), whose sealed old values anonymising removes.
func (tx *Tx) CorrectionEvents(ctx context.Context, caseID int64) (map[int64]string, error) {
	out := map[int64]string{}
	err := queryEach(ctx, tx, "correction events", func(row rowScanner) error {
		var id int64
		var data string
		if err := row.Scan(&id, &data); err != nil {
			return err
		}
		out[id] = data
		return nil
	}, `SELECT id, data FROM case_events WHERE case_id = $1 AND action = '`+PartyCorrectAction+`'`, caseID)
	return out, err
}

// SetEventData rewrites one timeline entry's data (anonymising only).
func (tx *Tx) SetEventData(ctx context.Context, caseID, eventID int64, data string) error {
	_, err := tx.exec(ctx, `UPDATE case_events SET data = $3 WHERE id = $2 AND case_id = $1`, caseID, eventID, data)
	return wrap(err, "set event data")
}
