package store

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"jiefen/internal/domain"
)

// usesFTS reports whether the filter searches SQLite's FTS5 table, which
// the query then joins as f.
func usesFTS(tx *Tx, f domain.CaseFilter) bool { return len(f.Tokens) > 0 && tx.d.searchJoinsFTS() }

// caseWhere builds the WHERE clause of a case filter.
func caseWhere(tx *Tx, f domain.CaseFilter) where {
	w := where{}
	if f.Path != "/" && f.Path != "" { // the whole tree needs no condition (and no table reads for it)
		w.add("c.org_path LIKE ?", stripLike(f.Path)+"%")
	}
	if f.LeadID != 0 {
		w.add("c.lead_id = ?", f.LeadID)
	}
	if f.Regrade {
		w.add("c.regrade_at IS NOT NULL")
	}
	if f.NotMerged {
		w.add("c.outcome <> 'merged'")
	}
	if len(f.IDs) > 0 {
		w.addIDs("c.id", f.IDs)
	}
	if len(f.Statuses) > 0 {
		ph := make([]string, len(f.Statuses))
		args := make([]any, len(f.Statuses))
		for i, s := range f.Statuses {
			ph[i], args[i] = "?", string(s)
		}
		w.add("c.status IN ("+strings.Join(ph, ", ")+")", args...)
	}
	if f.Category != "" {
		w.add("c.category_code = ?", f.Category)
	}
	if f.Risk != "" {
		w.add("c.risk = ?", f.Risk)
	}
	if f.Channel != "" {
		w.add("c.channel = ?", f.Channel)
	}
	if f.AssigneeID != 0 {
		w.add("c.assignee_id = ?", f.AssigneeID)
	}
	if f.CoHandlerID != 0 {
		w.add("c.id IN (SELECT case_id FROM case_cohandlers WHERE user_id = ? AND ended_at IS NULL)", f.CoHandlerID)
	}
	if f.Overdue {
		w.add("c.step_due_at < ? AND c.paused_at IS NULL", ts(f.Now))
	}
	if f.DueSoon {
		w.add("c.step_due_at >= ? AND c.step_due_at < ? AND c.paused_at IS NULL", ts(f.Now), ts(f.Now.Add(24*time.Hour)))
	}
	if f.ToReply {
		w.add(`c.id IN (SELECT case_id FROM supervisions WHERE replied_at IS NULL)`)
	}
	if !f.From.IsZero() {
		w.add("c.created_at >= ?", ts(f.From))
	}
	if !f.To.IsZero() {
		w.add("c.created_at < ?", ts(f.To))
	}
	if len(f.Tokens) > 0 {
		cond, arg := tx.d.searchCondition(f.Tokens)
		w.add(cond, arg)
	}
	if f.Like != "" {
		l := "%" + stripLike(f.Like) + "%"
		op := tx.d.ilike()
		w.add("(c.description "+op+" ? OR c.address "+op+" ? OR c.id IN (SELECT case_id FROM parties WHERE name "+op+" ?))", l, l, l)
	}
	if f.IDBidx != "" {
		w.add("c.id IN (SELECT case_id FROM parties WHERE id_bidx = ?)", f.IDBidx)
	}
	if f.PhoneBidx != "" {
		w.add("c.id IN (SELECT case_id FROM parties WHERE phone_bidx = ?)", f.PhoneBidx)
	}
	if f.BeforeID > 0 {
		w.add("c.id < ?", f.BeforeID)
	}
	return w
}

// Cases lists matters newest first with keyset pagination.
func (tx *Tx) Cases(ctx context.Context, f domain.CaseFilter) ([]*domain.Case, error) {
	w := caseWhere(tx, f)
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	from, order := caseFrom, "c.id"
	if usesFTS(tx, f) {
		from, order = strings.Replace(caseFrom, " FROM cases c ", " FROM case_fts f JOIN cases c ON c.id = f.rowid ", 1), "f.rowid"
	}
	if ids, ok, err := tx.d.pageIDs(ctx, tx, w, f); ok {
		if err != nil || len(ids) == 0 {
			return nil, wrap(err, "list cases")
		}
		w = where{}
		w.addIDs("c.id", ids)
	}
	return queryAll(ctx, tx, "list cases", func(row rowScanner) (*domain.Case, error) {
		c := &domain.Case{}
		if err := scanCase(row, c); err != nil {
			return c, fmt.Errorf("store: scan case: %w", err)
		}
		return c, nil
	}, `SELECT `+caseCols+from+w.sql()+` ORDER BY `+order+` DESC LIMIT `+strconv.Itoa(f.Limit), w.args...)
}

// CaseSearchText returns the party names and addresses that the search
// index holds besides the description and address.
func (tx *Tx) CaseSearchText(ctx context.Context, id int64) (string, error) {
	var b strings.Builder
	err := queryEach(ctx, tx, "party text", func(row rowScanner) error {
		var n, a string
		if err := row.Scan(&n, &a); err != nil {
			return err
		}
		b.WriteString(" " + n + " " + a)
		return nil
	}, `SELECT name, address FROM parties WHERE case_id = $1`, id)
	if err != nil {
		return "", err
	}
	return b.String(), nil
}

// SetCaseText corrects a matter's description and address and re-indexes it.
// (The old values stay on the timeline.)
func (tx *Tx) SetCaseText(ctx context.Context, id int64, description, address, tokens string) error {
	if _, err := tx.exec(ctx, `UPDATE cases SET description = $1, address = $2 WHERE id = $3`, description, address, id); err != nil {
		return wrap(err, "correct case")
	}
	return tx.setSearch(ctx, id, tokens)
}

// ids runs a query of one id column.
func (tx *Tx) ids(ctx context.Context, q string, args []any) ([]int64, error) {
	return queryAll(ctx, tx, "", func(row rowScanner) (int64, error) {
		var id int64
		err := row.Scan(&id)
		return id, err
	}, q, args...)
}

// placeholder matches a numbered placeholder of a built condition.
var placeholder = regexp.MustCompile(`\$[0-9]+`)

// NextCase finds, in one query, the most urgent matter any of the filters
// matches other than except: the earliest step deadline first (paused
// matters and those without a deadline last), the oldest on a tie. It
// reads only the id, number and status; domain.ErrNotFound when none
// waits. (Filters with full-text tokens are not supported.)
func (tx *Tx) NextCase(ctx context.Context, anyOf []domain.CaseFilter, except int64) (*domain.Case, error) {
	if len(anyOf) == 0 {
		return nil, domain.ErrNotFound
	}
	var alts []string
	var args []any
	for _, f := range anyOf {
		fw := caseWhere(tx, f)
		if len(fw.conds) == 0 {
			alts = append(alts, "1 = 1")
			continue
		}
		// Each condition numbers its placeholders from $1; in the OR they
		// are numbered again in order (their arguments are in that order).
		alts = append(alts, "("+placeholder.ReplaceAllString(strings.Join(fw.conds, " AND "), "?")+")")
		args = append(args, fw.args...)
	}
	w := where{}
	w.add("c.id <> ?", except)
	w.add("("+strings.Join(alts, " OR ")+")", args...)
	c := &domain.Case{}
	var st string
	err := tx.queryRow(ctx, `SELECT c.id, c.number, c.status FROM cases c`+w.sql()+
		` ORDER BY (c.paused_at IS NOT NULL), (c.step_due_at IS NULL), c.step_due_at, c.id LIMIT 1`, w.args...).Scan(&c.ID, &c.Number, &st)
	if err != nil {
		return nil, tx.scanErr(err, "next case")
	}
	c.Status = domain.Status(st)
	return c, nil
}
