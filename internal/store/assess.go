package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"jiefen/internal/domain"
)

// AssessConfigRow is one version of the assessment rules.
type AssessConfigRow struct {
	Version   int64
	Body      string
	Note      string
	CreatedBy int64
	CreatedAt time.Time
}

// AssessConfig returns the version in force (nil: none saved, defaults apply).
func (tx *Tx) AssessConfig(ctx context.Context) (*AssessConfigRow, error) {
	var r AssessConfigRow
	var by sql.NullInt64
	err := tx.queryRow(ctx, `SELECT version, body, note, created_by, created_at FROM assess_config ORDER BY version DESC LIMIT 1`).
		Scan(&r.Version, &r.Body, &r.Note, &by, nullTime{&r.CreatedAt})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, wrap(err, "assess config")
	}
	r.CreatedBy = by.Int64
	return &r, nil
}

// AssessConfigHistory lists the saved versions, newest first (bodies left out).
func (tx *Tx) AssessConfigHistory(ctx context.Context, limit int) ([]AssessConfigRow, error) {
	return queryAll(ctx, tx, "assess config history", func(row rowScanner) (AssessConfigRow, error) {
		var r AssessConfigRow
		err := row.Scan(&r.Version, &r.Note, &r.CreatedBy, nullTime{&r.CreatedAt})
		return r, err
	}, `SELECT version, note, COALESCE(created_by, 0), created_at FROM assess_config ORDER BY version DESC LIMIT $1`, limit)
}

// InsertAssessConfig saves a new version after `after` (the version the
// editor started from): a concurrent edit makes the insert collide on the
// primary key, reported as a conflict.
func (tx *Tx) InsertAssessConfig(ctx context.Context, after int64, body, note string, by int64) (int64, error) {
	var cur int64
	if err := tx.queryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM assess_config`).Scan(&cur); err != nil {
		return 0, wrap(err, "assess config version")
	}
	if cur != after {
		return 0, &domain.Error{Code: domain.Conflict, Key: "error.stale_version"}
	}
	_, err := tx.exec(ctx, `INSERT INTO assess_config (version, body, note, created_by, created_at) VALUES ($1, $2, $3, $4, $5)`,
		cur+1, body, note, nullID(by), ts(tx.Now))
	return cur + 1, wrap(err, "save assess config")
}

// TrainingDoc is a past matter the suggestion model learns from.
type TrainingDoc struct {
	Text, Category, ParentCategory, Risk string
}

// TrainingDocs returns the newest matters that have been assessed (their
// category confirmed by a dispatcher), at most limit.
func (tx *Tx) TrainingDocs(ctx context.Context, limit int) ([]TrainingDoc, error) {
	return queryAll(ctx, tx, "training docs", func(row rowScanner) (TrainingDoc, error) {
		var d TrainingDoc
		err := row.Scan(&d.Text, &d.Category, &d.ParentCategory, &d.Risk)
		return d, err
	}, `SELECT c.description, c.category_code, COALESCE(k.parent_code, ''), c.risk FROM cases c
		JOIN categories k ON k.code = c.category_code
		WHERE c.status NOT IN ('registered', 'returned') AND c.outcome <> 'merged'
		ORDER BY c.id DESC LIMIT $1`, limit)
}

// PartyMatters counts the distinct matters (other than exclude) under
// scope (a subtree: only what the asker may see) with a party whose ID
// number or phone has one of these blind indexes.
func (tx *Tx) PartyMatters(ctx context.Context, idBidx, phoneBidx string, exclude int64, scope string) (int, error) {
	if idBidx == "" && phoneBidx == "" {
		return 0, nil
	}
	// Two lookups through the partial indexes (an OR across the two
	// columns would read every party), united.
	lo, hi := pathRange(scope)
	var n int
	err := tx.queryRow(ctx, `SELECT COUNT(*) FROM (
		SELECT p.case_id FROM parties p JOIN cases c ON c.id = p.case_id
		WHERE p.id_bidx = $1 AND p.id_bidx <> '' AND p.case_id <> $3 AND c.org_path >= $4 AND c.org_path < $5
		UNION
		SELECT p.case_id FROM parties p JOIN cases c ON c.id = p.case_id
		WHERE p.phone_bidx = $2 AND p.phone_bidx <> '' AND p.case_id <> $3 AND c.org_path >= $4 AND c.org_path < $5) u`,
		idBidx, phoneBidx, exclude, lo, hi).Scan(&n)
	return n, wrap(err, "party matters")
}

// RedMattersSince counts red matters under path registered since t (other
// than exclude).
func (tx *Tx) RedMattersSince(ctx context.Context, path string, since time.Time, exclude int64) (int, error) {
	if path == "" || strings.Count(path, "/") < 4 {
		return 0, nil // only a village (or below) is a neighbourhood
	}
	var n int
	lo, hi := pathRange(path)
	err := tx.queryRow(ctx, `SELECT COUNT(*) FROM cases WHERE risk = 'red' AND org_path >= $1 AND org_path < $2 AND created_at >= $3 AND id <> $4`,
		lo, hi, ts(since), exclude).Scan(&n)
	return n, wrap(err, "red matters")
}

// PartyKeys lists a matter's parties' names and blind indexes.
func (tx *Tx) PartyKeys(ctx context.Context, caseID int64) ([]domain.PartyKey, error) {
	return queryAll(ctx, tx, "party keys", func(row rowScanner) (domain.PartyKey, error) {
		var k domain.PartyKey
		err := row.Scan(&k.Name, &k.IDBidx, &k.PhoneBidx)
		return k, err
	}, `SELECT name, id_bidx, phone_bidx FROM parties WHERE case_id = $1 ORDER BY id`, caseID)
}
