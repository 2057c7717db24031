package casework

import (
	"context"
	"time"

	"jiefen/internal/store"
)

// SweepLease is the job lease under which RunJobs sweeps deadlines.
const SweepLease = "deadline_sweep"

// LeaseTTL is how long a job lease lasts unless renewed. The holder renews it
// at every run (RunJobs runs every minute), so another instance takes over at
// most this long after the holder stops without giving the lease up. The
// instances' clocks must agree to well within it (NTP).
const LeaseTTL = 2 * time.Minute

// RunJobs runs the background jobs every interval until ctx ends, then gives
// up the job lease so another instance can take over at once.
func (s *Service) RunJobs(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	defer s.releaseLease(ctx, SweepLease)
	for {
		if ran, n, err := s.RunJobsOnce(ctx); err != nil && ctx.Err() == nil {
			s.Logger().Error("deadline sweep", "err", err)
		} else if n > 0 {
			s.Logger().Info("deadline sweep", "notified", n)
		} else if !ran {
			s.Logger().Debug("deadline sweep: another instance holds the lease")
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RunJobsOnce sweeps deadlines if this instance holds the sweep lease or can
// take it, so that when several `jiefen serve` share one PostgreSQL only one
// of them sweeps. ran reports whether it did; n is how many it told.
func (s *Service) RunJobsOnce(ctx context.Context) (ran bool, n int, err error) {
	err = s.Store().Update(ctx, func(tx *store.Tx) error {
		var err error
		ran, err = tx.AcquireLease(ctx, SweepLease, s.hub.instance, LeaseTTL)
		return err
	})
	if err != nil || !ran {
		return false, 0, err
	}
	n, err = s.SweepDeadlines(ctx)
	if err != nil {
		return true, n, err
	}
	_, err = s.id.DisableIdleAccounts(ctx) // accounts unused for the policy's time (AC-6)
	return true, n, err
}

// JobLeaseHolder names the instance holding the sweep lease ("" if none) and
// when the lease lapses.
func (s *Service) JobLeaseHolder(ctx context.Context) (holder string, expires time.Time, err error) {
	err = s.Store().View(ctx, func(tx *store.Tx) error {
		var err error
		holder, expires, err = tx.LeaseHolder(ctx, SweepLease)
		return err
	})
	return holder, expires, err
}

func (s *Service) releaseLease(ctx context.Context, name string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := s.Store().Update(ctx, func(tx *store.Tx) error { return tx.ReleaseLease(ctx, name, s.hub.instance) }); err != nil {
		s.Logger().Warn("release job lease", "lease", name, "err", err)
	}
}
