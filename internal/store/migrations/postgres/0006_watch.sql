-- Long-term watch (纳入网格管控): key matters not truly settled are handed to
-- the grid worker of the place, who checks in at a set interval.
ALTER TABLE cases ADD COLUMN watcher_id BIGINT REFERENCES users(id);
ALTER TABLE cases ADD COLUMN watch_every_days INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN next_checkin_at TIMESTAMPTZ;
ALTER TABLE cases ADD COLUMN checkin_sent TIMESTAMPTZ;
