package store

import (
	"context"
	"strconv"
	"strings"
	"time"

	"jiefen/internal/domain"
)

// AuditOf lists one account's audit entries of the given actions in
// [from, to), oldest first, at most limit (a breach's question, PI-8).
func (tx *Tx) AuditOf(ctx context.Context, username string, from, to time.Time, actions []string, limit int) ([]*domain.AuditEntry, error) {
	w := where{}
	w.add("username = ?", domain.NormalizeUsername(username))
	w.add("at >= ?", ts(from))
	w.add("at < ?", ts(to))
	ph := make([]string, len(actions))
	args := make([]any, len(actions))
	for i, a := range actions {
		ph[i], args[i] = "?", a
	}
	w.add("action IN ("+strings.Join(ph, ", ")+")", args...)
	return queryAll(ctx, tx, "audit of account", func(row rowScanner) (*domain.AuditEntry, error) {
		e := &domain.AuditEntry{}
		return e, scanAudit(row, e)
	}, `SELECT `+auditCols+` FROM audit_log`+w.sql()+` ORDER BY seq LIMIT `+strconv.Itoa(limit), w.args...)
}

// PersonRow is one row where a person appears, masked, with the key that
// tells the same person apart across rows (the ID number's blind index,
// else the row).
type PersonRow struct {
	Key         string
	CaseNumber  string
	Name        string
	IDMasked    string
	PhoneMasked string
	RowNo       int // a household list's row; 0 for a party
}

func scanPersonRow(prefix string) func(rowScanner) (PersonRow, error) {
	return func(row rowScanner) (PersonRow, error) {
		var p PersonRow
		var id int64
		var bidx string
		err := row.Scan(&id, &bidx, &p.CaseNumber, &p.Name, &p.IDMasked, &p.PhoneMasked, &p.RowNo)
		p.Key = bidx
		if bidx == "" {
			p.Key = prefix + strconv.FormatInt(id, 10)
		}
		return p, err
	}
}

// MatterParties lists the parties of the matter numbered number (all of
// them, or the one party when partyID is not 0).
func (tx *Tx) MatterParties(ctx context.Context, number string, partyID int64) ([]PersonRow, error) {
	return queryAll(ctx, tx, "matter parties", scanPersonRow("p"),
		`SELECT p.id, p.id_bidx, c.number, p.name, p.id_masked, p.phone_masked, 0 FROM parties p JOIN cases c ON c.id = p.case_id
		WHERE c.number = $1 AND ($2 = 0 OR p.id = $2) ORDER BY p.id`, number, partyID)
}

// MatterMembers lists the households of the matter numbered number (of one
// village when village is not ""), at most limit.
func (tx *Tx) MatterMembers(ctx context.Context, number, village string, limit int) ([]PersonRow, error) {
	return queryAll(ctx, tx, "matter members", scanPersonRow("m"),
		`SELECT m.id, m.id_bidx, c.number, m.name, m.id_masked, m.phone_masked, m.row_no FROM group_members m JOIN cases c ON c.id = m.case_id
		WHERE c.number = $1 AND ($2 = '' OR m.village_code = $2) ORDER BY m.row_no LIMIT `+strconv.Itoa(limit), number, village)
}
