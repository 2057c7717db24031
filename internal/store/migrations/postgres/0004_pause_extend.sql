-- The deadline clock can be paused while a matter waits on something outside
-- the centre (an appraisal, a court date), and extended with a leader's approval.
ALTER TABLE cases ADD COLUMN paused_at TIMESTAMPTZ;
ALTER TABLE cases ADD COLUMN paused_until TIMESTAMPTZ;
ALTER TABLE cases ADD COLUMN extend_days INTEGER NOT NULL DEFAULT 0;
