package store

import (
	"context"
	"time"
)

// AcquireLease takes the named job lease for holder until tx.Now+ttl, or
// renews it if holder has it already. It reports whether holder has the lease
// now. One statement decides: on PostgreSQL two instances racing for a free
// lease serialize on the row (INSERT … ON CONFLICT waits for the first to
// commit and then re-checks the WHERE against its row), and on SQLite the
// single writer serializes them, so exactly one of them wins.
func (tx *Tx) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	rows, err := tx.query(ctx, `INSERT INTO job_leases (name, holder, expires_at) VALUES ($1, $2, $3)
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
		WHERE job_leases.holder = excluded.holder OR job_leases.expires_at <= $4
		RETURNING holder`, name, holder, ts(tx.Now.Add(ttl)), ts(tx.Now))
	if err != nil {
		return false, wrap(err, "acquire lease "+name)
	}
	defer rows.Close()
	got := rows.Next() // no row: someone else holds a live lease
	return got, wrap(rows.Err(), "acquire lease "+name)
}

// ReleaseLease gives up holder's lease (if it still has it), so another
// instance may take the job at once instead of waiting for the lease to lapse.
func (tx *Tx) ReleaseLease(ctx context.Context, name, holder string) error {
	_, err := tx.exec(ctx, `DELETE FROM job_leases WHERE name = $1 AND holder = $2`, name, holder)
	return wrap(err, "release lease "+name)
}

// LeaseHolder names who holds the lease (even if it has lapsed), or "" (for
// operators and tests).
func (tx *Tx) LeaseHolder(ctx context.Context, name string) (holder string, expires time.Time, err error) {
	rows, err := tx.query(ctx, `SELECT holder, expires_at FROM job_leases WHERE name = $1`, name)
	if err != nil {
		return "", time.Time{}, wrap(err, "lease holder")
	}
	defer rows.Close()
	if rows.Next() {
		if err := rows.Scan(&holder, nullTime{&expires}); err != nil {
			return "", time.Time{}, wrap(err, "lease holder")
		}
	}
	return holder, expires, wrap(rows.Err(), "lease holder")
}
