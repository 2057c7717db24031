-- The background jobs look every minute for paused clocks to restart and
-- watched matters whose check-in is due; without these they read every
-- matter (half a second a minute on a million).
CREATE INDEX cases_paused ON cases(paused_until) WHERE paused_at IS NOT NULL;
CREATE INDEX cases_checkin ON cases(next_checkin_at) WHERE next_checkin_at IS NOT NULL;
