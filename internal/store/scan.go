package store

import "context"

// rowScanner is one row of a result: *sql.Row or *sql.Rows.
type rowScanner interface{ Scan(dest ...any) error }

// queryEach runs q in tx and calls row for each row of the result, stopping
// at the first error. An error of the query itself is wrapped as
// "store: what: …" (returned as it is when what is ""); an error of row or
// of reading the rows is returned as it is.
func queryEach(ctx context.Context, tx *Tx, what string, row func(rowScanner) error, q string, args ...any) error {
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		if what == "" {
			return err
		}
		return wrap(err, what)
	}
	defer rows.Close()
	for rows.Next() {
		if err := row(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// queryAll runs q in tx and returns what scan makes of each row, in order:
// nil when there are none, or on an error (see queryEach for how errors are
// wrapped).
func queryAll[T any](ctx context.Context, tx *Tx, what string, scan func(rowScanner) (T, error), q string, args ...any) ([]T, error) {
	var out []T
	err := queryEach(ctx, tx, what, func(row rowScanner) error {
		v, err := scan(row)
		if err != nil {
			return err
		}
		out = append(out, v)
		return nil
	}, q, args...)
	if err != nil {
		return nil, err
	}
	return out, nil
}
