-- An export request's search text (often an ID number, a phone or a name)
-- is now sealed with the keyring outside SQL. The text of the requests
-- recorded before is removed, not sealed (SQL holds no key): such a
-- request keeps its other filters and is marked SearchGone, so it can no
-- longer be approved or used (it would export more than was asked for).
UPDATE export_requests SET query = json_set(query, '$.Q', '', '$.SearchGone', json('true'))
WHERE json_valid(query) AND COALESCE(json_extract(query, '$.Q'), '') <> '';
