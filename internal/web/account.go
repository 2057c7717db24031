package web

import (
	"net/http"

	"jiefen/internal/domain"
	"jiefen/internal/i18n"
)

func (s *Server) showAccountPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderAccount(w, r, http.StatusOK, nil, "")
}

// renderAccount renders the account page; tok is the API-token form as
// posted (nil: a fresh one).
func (s *Server) renderAccount(w http.ResponseWriter, r *http.Request, status int, tok *tokenForm, errMsg string) error {
	ctx := r.Context()
	sessions, err := s.svc.LiveSessions(ctx)
	if err != nil {
		return err
	}
	tokens, err := s.accountTokens(r, tok)
	if err != nil {
		return err
	}
	s.render(w, r, status, "account", &page{Title: "account.title", Error: errMsg, Data: map[string]any{
		"Sessions": sessions, "Tokens": tokens, "CurrentSession": domain.ActorFrom(ctx).SessionID,
		"Policy": s.svc.Policy(),
	}})
	return nil
}

func (s *Server) updateLang(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	lang := i18n.Supported(r.PostFormValue("lang"))
	if lang == "" {
		return &domain.Error{Code: domain.Invalid, Key: "user.lang.invalid"}
	}
	if _, err := s.svc.UpdateOwnLang(ctx, lang); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: "lang", Value: lang, Path: "/", MaxAge: 365 * 24 * 3600, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure(r)})
	s.setFlash(w, r, "flash.saved")
	http.Redirect(w, r, "/account", http.StatusSeeOther)
	return nil
}

// updateNotices saves how the user is told of overdue matters: a daily
// digest or a notice per matter.
func (s *Server) updateNotices(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.svc.SetOwnOverdueNotices(r.Context(), r.PostFormValue("overdue_notices")); err != nil {
		if domain.ErrorCode(err) == domain.Invalid {
			_, d := s.describe(r, err)
			return s.renderAccount(w, r, http.StatusUnprocessableEntity, nil, d.Fields["overdue_notices"])
		}
		return err
	}
	s.setFlash(w, r, "flash.saved")
	http.Redirect(w, r, "/account#notices", http.StatusSeeOther)
	return nil
}
