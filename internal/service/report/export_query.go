package report

import (
	"encoding/json"
	"fmt"

	"jiefen/internal/domain"
	"jiefen/internal/service/casework"
)

// storedQuery is an export request's list request as export_requests
// keeps it: the filters as they are, the search text sealed with the
// keyring like personal data (it is often an ID number, a phone or a
// name). SearchGone marks a request recorded before searches were sealed,
// whose text migration 0030 removed: it can no longer be approved or used.
type storedQuery struct {
	casework.CaseQuery
	SearchKid  string `json:",omitempty"`
	Search     string `json:",omitempty"`
	SearchGone bool   `json:",omitempty"`
}

// searchAAD binds a sealed search text to its place.
const searchAAD = "export_requests.search"

// sealQuery is q (without paging) as export_requests keeps it.
func (s *Service) sealQuery(q casework.CaseQuery) (string, error) {
	q.Cursor, q.Limit = 0, 0
	kid, sealed, err := s.Keys().Encrypt(q.Q, searchAAD)
	if err != nil {
		return "", fmt.Errorf("service: seal an export request's search: %w", err)
	}
	q.Q = ""
	b, err := json.Marshal(storedQuery{CaseQuery: q, SearchKid: kid, Search: sealed})
	return string(b), err
}

// RequestQuery is the list request an export request was made for, its
// search text opened (for showing its filters in words, and for the
// export). gone tells a request whose search text was removed.
func (s *Service) RequestQuery(r *domain.ExportRequest) (q casework.CaseQuery, gone bool, err error) {
	var sq storedQuery
	if err := json.Unmarshal([]byte(r.Query), &sq); err != nil {
		return q, false, fmt.Errorf("service: export request %d: %w", r.ID, err)
	}
	q = sq.CaseQuery
	if sq.Search != "" {
		if q.Q, err = s.Keys().Decrypt(sq.SearchKid, sq.Search, searchAAD); err != nil {
			return q, false, fmt.Errorf("service: export request %d: %w", r.ID, err)
		}
	}
	return q, sq.SearchGone, nil
}

// errSearchGone refuses a request whose search text was removed.
var errSearchGone = &domain.Error{Code: domain.Conflict, Key: "export.search_gone"}
