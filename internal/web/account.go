package web

import (
	"net/http"

	"jiefen/internal/domain"
	"jiefen/internal/httpx"
	"jiefen/internal/i18n"
)

func (s *Server) showAccountPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderAccount(w, r, http.StatusOK, "", "")
}

func (s *Server) renderAccount(w http.ResponseWriter, r *http.Request, status int, newToken, errMsg string) error {
	ctx := r.Context()
	u := domain.ActorFrom(ctx).User
	sessions, err := s.svc.LiveSessions(ctx)
	if err != nil {
		return err
	}
	tokens, err := s.svc.Tokens(ctx, u.ID)
	if err != nil {
		return err
	}
	s.render(w, r, status, "account", &page{Title: "account.title", Error: errMsg, Data: map[string]any{
		"Sessions": sessions, "Tokens": tokens, "NewToken": newToken, "CurrentSession": domain.ActorFrom(ctx).SessionID,
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
			return s.renderAccount(w, r, http.StatusUnprocessableEntity, "", d.Fields["overdue_notices"])
		}
		return err
	}
	s.setFlash(w, r, "flash.saved")
	http.Redirect(w, r, "/account#notices", http.StatusSeeOther)
	return nil
}

func (s *Server) saveToken(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	u := domain.ActorFrom(ctx).User
	secret, _, err := s.svc.CreateToken(ctx, u.Username, r.PostFormValue("name"))
	if err != nil {
		if domain.ErrorCode(err) == domain.Invalid {
			_, d := httpx.Describe(r, s.log, i18n.Pick(r, u.Lang), err)
			msg := d.Message
			for _, m := range d.Fields {
				msg = m
			}
			return s.renderAccount(w, r, http.StatusUnprocessableEntity, "", msg)
		}
		return err
	}
	// The secret is shown once, on this response only.
	return s.renderAccount(w, r, http.StatusOK, secret, "")
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathInt64(r, "tokenID")
	if err != nil {
		return err
	}
	if err := s.svc.RevokeToken(r.Context(), id); err != nil {
		return err
	}
	s.setFlash(w, r, "flash.token_revoked")
	http.Redirect(w, r, "/account", http.StatusSeeOther)
	return nil
}
