-- Three colours (红黄蓝): who leads a graded matter. Posts name the leader
-- in each post (the county political-legal committee secretary, the centre
-- director, each township's secretary); a matter remembers its lead leader
-- and when someone reported it getting worse (a re-grade is then due).
CREATE TABLE posts (
    post     TEXT NOT NULL CHECK (post IN ('plc_secretary', 'centre_director', 'township_secretary')),
    org_code TEXT NOT NULL REFERENCES orgs(code),
    user_id  BIGINT NOT NULL REFERENCES users(id),
    PRIMARY KEY (post, org_code)
);

ALTER TABLE cases ADD COLUMN lead_id BIGINT REFERENCES users(id);
ALTER TABLE cases ADD COLUMN regrade_at TIMESTAMPTZ;
CREATE INDEX cases_lead ON cases(lead_id, id) WHERE lead_id IS NOT NULL;
CREATE INDEX cases_regrade ON cases(regrade_at) WHERE regrade_at IS NOT NULL;
