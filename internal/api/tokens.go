package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"jiefen/internal/domain"
	"jiefen/internal/httpx"
	"jiefen/internal/service/identity"
)

// tokenJSON is an API token as the API shows it (never its secret).
type tokenJSON struct {
	ID           int64    `json:"id"`
	Name         string   `json:"name"`
	Prefix       string   `json:"prefix"`
	Scopes       []string `json:"scopes"`
	State        string   `json:"state"` // active, expired or revoked
	CreatedAt    string   `json:"created_at"`
	ExpiresAt    string   `json:"expires_at"`
	LastUsedAt   string   `json:"last_used_at,omitempty"`
	LastUsedIP   string   `json:"last_used_ip,omitempty"`
	Revoked      bool     `json:"revoked"`
	RevokedAt    string   `json:"revoked_at,omitempty"`
	RevokedBy    string   `json:"revoked_by,omitempty"`
	RevokeReason string   `json:"revoke_reason,omitempty"`
	Username     string   `json:"username,omitempty"` // the owner (administrators' list)
	UserName     string   `json:"user_name,omitempty"`
}

func toTokenJSON(t *domain.Token, now time.Time) tokenJSON {
	j := tokenJSON{ID: t.ID, Name: t.Name, Prefix: t.Prefix, Scopes: []string{}, State: t.State(now),
		CreatedAt: t.CreatedAt.Format(time.RFC3339), ExpiresAt: t.ExpiresAt.Format(time.RFC3339), LastUsedIP: t.LastUsedIP,
		Revoked: !t.RevokedAt.IsZero(), RevokedBy: t.RevokedBy, RevokeReason: t.RevokeReason, Username: t.Username, UserName: t.UserName}
	for _, s := range t.Scopes {
		j.Scopes = append(j.Scopes, string(s))
	}
	if !t.LastUsedAt.IsZero() {
		j.LastUsedAt = t.LastUsedAt.Format(time.RFC3339)
	}
	if j.Revoked {
		j.RevokedAt = t.RevokedAt.Format(time.RFC3339)
	}
	return j
}

func (a *API) tokenItems(ts []*domain.Token) []tokenJSON {
	now := a.svc.Now()
	items := []tokenJSON{}
	for _, t := range ts {
		items = append(items, toTokenJSON(t, now))
	}
	return items
}

func (a *API) listTokensHandler(w http.ResponseWriter, r *http.Request) error {
	ts, err := a.svc.Tokens(r.Context(), domain.ActorFrom(r.Context()).User.ID)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": a.tokenItems(ts)})
	return nil
}

func (a *API) createTokenHandler(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name   string   `json:"name"`
		Scopes []string `json:"scopes"`
		Days   int      `json:"days"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	scopes, err := domain.ParseScopes(strings.Join(in.Scopes, ","))
	if err != nil {
		return err
	}
	if in.Days < 0 {
		in.Days = -1 // refused by the service as out of range, not taken as "default"
	}
	req := identity.TokenRequest{Username: domain.ActorFrom(r.Context()).User.Username, Name: in.Name, Scopes: scopes, Days: in.Days}
	secret, t, err := a.svc.CreateToken(r.Context(), req)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, map[string]any{"token": secret, "info": toTokenJSON(t, a.svc.Now())})
	return nil
}

func (a *API) revokeTokenHandler(w http.ResponseWriter, r *http.Request) error {
	return a.revokeToken(w, r, domain.TokenRevokedSelf)
}

func (a *API) adminRevokeTokenHandler(w http.ResponseWriter, r *http.Request) error {
	return a.revokeToken(w, r, domain.TokenRevokedAdmin)
}

func (a *API) revokeToken(w http.ResponseWriter, r *http.Request, reason string) error {
	id, err := httpx.PathInt64(r, "tokenID")
	if err != nil {
		return err
	}
	if err := a.svc.RevokeToken(r.Context(), id, reason); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// adminTokensHandler lists every token in the administrator's jurisdiction.
func (a *API) adminTokensHandler(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := domain.TokenFilter{Query: strings.TrimSpace(q.Get("q")), State: q.Get("state")}
	if f.State != "" && f.State != domain.TokenActive {
		return &domain.Error{Code: domain.Invalid, Key: "token.state.unknown", Fields: map[string]string{"state": "token.state.unknown"}}
	}
	var err error
	if f.Limit, f.AfterID, err = pageParams(q, 0); err != nil {
		return err
	}
	ts, err := a.svc.AllTokens(r.Context(), f)
	if err != nil {
		return err
	}
	next := ""
	if len(ts) == f.Limit {
		next = strconv.FormatInt(ts[len(ts)-1].ID, 10)
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": a.tokenItems(ts), "next_cursor": next})
	return nil
}
