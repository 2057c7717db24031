package casework

import (
	"context"
	"encoding/base64"
	"strconv"
	"strings"

	"jiefen/internal/domain"
)

// A search by ID number or phone does not travel in the list's address
// (SECURITY.md DC-9: browser history, bookmarks, a proxy's log, the screen
// over a clerk's shoulder): the address carries a reference instead, the
// text sealed with the keyring for the actor's sign-in only. The list, its
// pages, its chips and its ledger link read it back; it dies with the
// session, and a copied address opens nowhere else.

// searchAAD binds a reference to the account and the session.
func searchAAD(ctx context.Context) string {
	a := domain.ActorFrom(ctx)
	var user int64
	if a.User != nil {
		user = a.User.ID
	}
	return "cases.search:" + strconv.FormatInt(user, 10) + ":" + strconv.FormatInt(a.SessionID, 10)
}

// SealSearch returns the reference of a search text for the actor's
// sign-in.
func (s *Service) SealSearch(ctx context.Context, text string) (string, error) {
	kid, sealed, err := s.Keys().Encrypt(text, searchAAD(ctx))
	if err != nil {
		return "", err
	}
	raw, err := base64.StdEncoding.DecodeString(sealed)
	if err != nil {
		return "", err
	}
	return kid + "." + base64.RawURLEncoding.EncodeToString(raw), nil
}

// OpenSearch reads back a reference that SealSearch made for this
// sign-in; any other is a field error on the search.
func (s *Service) OpenSearch(ctx context.Context, ref string) (string, error) {
	gone := &domain.Error{Code: domain.Invalid, Key: "search.ref_gone", Fields: map[string]string{"q": "search.ref_gone"}}
	kid, enc, ok := strings.Cut(ref, ".")
	raw, err := base64.RawURLEncoding.DecodeString(enc)
	if !ok || err != nil || len(ref) > 400 {
		return "", gone
	}
	text, err := s.Keys().Decrypt(kid, base64.StdEncoding.EncodeToString(raw), searchAAD(ctx))
	if err != nil || text == "" {
		return "", gone
	}
	return text, nil
}
