-- The statistics read a period's events (closings, visits, the ends of
-- steps) by time: an index range instead of a walk through every event.
CREATE INDEX case_events_at ON case_events(at);
