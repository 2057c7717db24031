-- Related matters and the risk facts on a million matters: red matters of
-- a village in a period, and matters at one address in a village, each an
-- index range instead of a walk through the village's matters.
CREATE INDEX cases_red_place ON cases(org_path, created_at) WHERE risk = 'red';
CREATE INDEX cases_address ON cases(address, org_path);
