-- Leases for background jobs: when several servers share one database, the
-- instance holding a job's lease runs it and the others wait for the lease to
-- lapse (the holder renews it each run and gives it up on shutdown).
CREATE TABLE job_leases (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
