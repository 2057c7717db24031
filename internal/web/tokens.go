package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"jiefen/internal/authz"
	"jiefen/internal/domain"
	"jiefen/internal/httpx"
	"jiefen/internal/service/identity"
)

// tokenForm is the account page's form for a new API token as posted, with
// its errors, and the new token's secret once made (shown on that response
// only).
type tokenForm struct {
	Name     string
	Scopes   []domain.Scope
	Days     string
	E        *fieldErrors
	Error    string // a refusal of no one field
	NewToken string
}

// tokenSection is what the account page's token partial reads.
type tokenSection struct {
	Form    *tokenForm
	Tokens  []*domain.Token
	Usable  []domain.Scope // the scopes of use to the account, offered in the form
	MaxDays int
	Now     time.Time
}

// accountTokens reads the caller's tokens for the account page; tok is the
// form as posted (nil: a fresh one, read only, the default life).
func (s *Server) accountTokens(r *http.Request, tok *tokenForm) (*tokenSection, error) {
	u := domain.ActorFrom(r.Context()).User
	tokens, err := s.svc.Tokens(r.Context(), u.ID)
	if err != nil {
		return nil, err
	}
	if tok == nil {
		tok = s.freshTokenForm()
	}
	if tok.E == nil {
		tok.E = newFieldErrors("token", nil)
	}
	return &tokenSection{Form: tok, Tokens: tokens, Usable: authz.UsableScopes(u), MaxDays: s.svc.TokenMaxDays(), Now: s.svc.Now()}, nil
}

func (s *Server) freshTokenForm() *tokenForm {
	return &tokenForm{Scopes: domain.DefaultScopes, Days: strconv.Itoa(s.svc.TokenDefaultDays())}
}

// saveToken makes a token for the caller from the account page's form.
func (s *Server) saveToken(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	f := &tokenForm{Name: r.PostFormValue("name"), Days: strings.TrimSpace(r.PostFormValue("days"))}
	for _, v := range r.PostForm["scopes"] {
		f.Scopes = append(f.Scopes, domain.Scope(v))
	}
	days := 0
	if f.Days != "" {
		n, err := strconv.Atoi(f.Days)
		if days = n; err != nil || n < 1 {
			days = -1 // out of range: the service's field error
		}
	}
	var secret string
	var err error
	if len(f.Scopes) == 0 {
		// None ticked is a choice to correct, not the default the API gives.
		err = &domain.Error{Code: domain.Invalid, Key: "error.invalid", Fields: map[string]string{"scopes": "token.scope.none"}}
	} else {
		in := identity.TokenRequest{Username: domain.ActorFrom(ctx).User.Username, Name: f.Name, Scopes: f.Scopes, Days: days}
		secret, _, err = s.svc.CreateToken(ctx, in)
	}
	if err != nil {
		if domain.ErrorCode(err) != domain.Invalid {
			return err
		}
		status, d := s.describe(r, err)
		f.E = newFieldErrors("token", d.Fields)
		if len(d.Fields) == 0 || d.Fields["days"] != "" {
			f.Error = d.Message
		}
		return s.renderAccount(w, r, status, f, "")
	}
	fresh := s.freshTokenForm()
	fresh.NewToken = secret
	return s.renderAccount(w, r, http.StatusOK, fresh, "")
}

// revokeToken revokes one of the caller's own tokens.
func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) error {
	if err := s.revokePathToken(w, r, domain.TokenRevokedSelf); err != nil {
		return err
	}
	http.Redirect(w, r, "/account#tokens", http.StatusSeeOther)
	return nil
}

// revokePathToken revokes the token the path names for reason and says so
// in the flash.
func (s *Server) revokePathToken(w http.ResponseWriter, r *http.Request, reason string) error {
	id, err := httpx.PathInt64(r, "tokenID")
	if err != nil {
		return err
	}
	if err := s.svc.RevokeToken(r.Context(), id, reason); err != nil {
		return err
	}
	s.setFlash(w, r, "flash.token_revoked")
	return nil
}

// showAdminTokensPage lists the tokens of every account in the
// administrator's jurisdiction: the live ones, or all (state=all).
func (s *Server) showAdminTokensPage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := domain.TokenFilter{Query: strings.TrimSpace(q.Get("q")), State: domain.TokenActive, Limit: 50}
	if q.Get("state") == "all" {
		f.State = ""
	}
	if after, err := strconv.ParseInt(q.Get("after"), 10, 64); err == nil && after > 0 {
		f.AfterID = after
	}
	tokens, err := s.svc.AllTokens(r.Context(), f)
	if err != nil {
		return err
	}
	next := ""
	if len(tokens) == f.Limit {
		nq := r.URL.Query()
		nq.Set("after", strconv.FormatInt(tokens[len(tokens)-1].ID, 10))
		next = "/admin/tokens?" + nq.Encode()
	}
	s.render(w, r, http.StatusOK, "tokens", &page{Title: "tokens.title", Data: map[string]any{
		"Tokens": tokens, "Q": f.Query, "All": f.State == "", "Next": next, "Now": s.svc.Now(),
	}})
	return nil
}

// adminRevokeToken revokes any token in the administrator's jurisdiction
// and goes back to the list as it was filtered.
func (s *Server) adminRevokeToken(w http.ResponseWriter, r *http.Request) error {
	if err := s.revokePathToken(w, r, domain.TokenRevokedAdmin); err != nil {
		return err
	}
	back := url.Values{}
	if q := strings.TrimSpace(r.PostFormValue("q")); q != "" {
		back.Set("q", q)
	}
	if r.PostFormValue("state") == "all" {
		back.Set("state", "all")
	}
	to := "/admin/tokens"
	if len(back) > 0 {
		to += "?" + back.Encode()
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}
