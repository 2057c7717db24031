package privacy

import (
	"context"
	"time"

	"jiefen/internal/domain"
	"jiefen/internal/store"
)

// RetentionLease is the job lease under which one instance runs the
// retention rules, as the deadline sweep runs under its own.
const RetentionLease = "retention"

// retentionLeaseTTL outlasts a long run (a first run over years of
// archived matters); the holder gives the lease up when it is done.
const retentionLeaseTTL = 30 * time.Minute

// RetentionEvery is how often the retention rules run.
const RetentionEvery = 24 * time.Hour

// RunRetentionJobs checks every interval until ctx ends whether the
// retention rules are due (a day after the last run) and, on the one
// instance that takes the lease, runs them as the job.
func (s *Service) RunRetentionJobs(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if rep, err := s.RetentionJobOnce(ctx); err != nil && ctx.Err() == nil {
			s.Logger().Error("retention", "err", err)
		} else if rep != nil {
			s.Logger().Info("retention", "matters", rep.Cases, "parties", rep.Parties, "household_rows", rep.Members)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RetentionJobOnce runs the retention rules if they are due and this
// instance holds the lease or can take it; nil when it did not run.
func (s *Service) RetentionJobOnce(ctx context.Context) (*domain.RetentionReport, error) {
	ctx = domain.WithActor(ctx, domain.JobActor())
	due := false
	err := s.Store().Update(ctx, func(tx *store.Tx) error {
		got, err := tx.AcquireLease(ctx, RetentionLease, s.instance, retentionLeaseTTL)
		if err != nil || !got {
			return err
		}
		last, err := tx.Audit(ctx, domain.AuditFilter{Action: "privacy.retention.run", Result: domain.ResultOK, Limit: 1})
		due = err == nil && (len(last) == 0 || tx.Now.Sub(last[0].At) >= RetentionEvery)
		return err
	})
	if err != nil || !due {
		return nil, err
	}
	defer s.release(ctx)
	return s.runRetention(ctx, false)
}

func (s *Service) release(ctx context.Context) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := s.Store().Update(ctx, func(tx *store.Tx) error { return tx.ReleaseLease(ctx, RetentionLease, s.instance) }); err != nil {
		s.Logger().Warn("release job lease", "lease", RetentionLease, "err", err)
	}
}
