package web

import (
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"

	"jiefen/internal/domain"
	"jiefen/internal/httpx"
	"jiefen/internal/i18n"
	"jiefen/internal/service/identity"
)

func (s *Server) showLoginPage(w http.ResponseWriter, r *http.Request) error {
	if domain.ActorFrom(r.Context()).User != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	}
	notice, err := s.endedNotice(w, r)
	if err != nil {
		return err
	}
	p := &page{Title: "login.title", Data: map[string]any{"Next": safeNext(r.URL.Query().Get("next")), "Username": "", "Ended": notice,
		"PlainHTTP": s.plainHTTP(r)}}
	expired := r.URL.Query().Get("expired") == "1"
	switch {
	case expired && notice == nil:
		p.Flash = "flash.session_expired"
	case r.URL.Query().Get("out") == "1" && notice == nil:
		p.Flash = "flash.logged_out" // in the address: the logout cleared the cookies
	}
	if expired || notice != nil {
		// RI-2: where an ended or timed-out session lands, the browser
		// forgets the site's cache, cookies and storage (the notice has
		// been read from its cookie by now).
		w.Header().Set("Clear-Site-Data", s.clearSiteData(r))
	}
	s.render(w, r, http.StatusOK, "login", p)
	return nil
}

// plainHTTP reports whether a sign-in over this connection would send a
// password in clear to another machine: not TLS, no TLS proxy in front
// (--secure-cookies), not from this machine, and not allowed by
// --allow-plain-http (SECURITY.md IA-8).
func (s *Server) plainHTTP(r *http.Request) bool {
	if s.secure(r) || s.cfg.AllowPlainHTTP {
		return false
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	return ip == nil || !ip.IsLoopback()
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	if s.plainHTTP(r) {
		// Refused before the password is read; the page says to use https.
		s.render(w, r, http.StatusForbidden, "login", &page{Title: "login.title", Data: map[string]any{"PlainHTTP": true}})
		return nil
	}
	if err := r.ParseForm(); err != nil {
		return &domain.Error{Code: domain.Invalid, Key: "error.form"}
	}
	username, password := r.PostForm.Get("username"), r.PostForm.Get("password")
	next := safeNext(r.PostForm.Get("next"))
	res, err := s.svc.LoginOnDevice(r.Context(), username, password, r.UserAgent(), s.readCookie(r, cookieDevice))
	if err != nil {
		code := domain.ErrorCode(err)
		if code != domain.Unauthorized && code != domain.Invalid && code != domain.TooMany {
			return err
		}
		status, d := httpx.Describe(r, s.log, i18n.Pick(r, ""), err)
		// The username is kept; the password never is (RI-1).
		p := &page{Title: "login.title", Error: d.Message, Data: map[string]any{"Next": next, "Username": strings.TrimSpace(username)}}
		s.render(w, r, status, "login", p)
		return nil
	}
	if res.Challenge != "" {
		s.toSecondStep(w, r, res.Challenge, next)
		return nil
	}
	s.signedIn(w, r, res, next)
	return nil
}

// signedIn sets the new session's cookie and sends the user on: to a due
// password change, then to a due enrolment of a second factor, else next.
func (s *Server) signedIn(w http.ResponseWriter, r *http.Request, res *identity.LoginResult, next string) {
	s.setSessionCookie(w, r, res.Token)
	if res.User.Lang != "" {
		http.SetCookie(w, &http.Cookie{Name: "lang", Value: res.User.Lang, Path: "/", MaxAge: 365 * 24 * 3600, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure(r)})
	}
	switch {
	case res.MustChange:
		s.setFlash(w, r, "flash.must_change")
		http.Redirect(w, r, "/account/password", http.StatusSeeOther)
	case s.svc.MustEnrol(res.User):
		s.setFlash(w, r, "flash.must_enrol")
		http.Redirect(w, r, "/account/2fa", http.StatusSeeOther)
	default:
		if res.Ended > 0 {
			s.setFlash(w, r, "flash.older_sessions_ended")
		}
		http.Redirect(w, r, next, http.StatusSeeOther)
	}
}

// safeNext keeps only same-site relative paths (no open redirect).
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Host != "" || u.Scheme != "" {
		return "/"
	}
	return next
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if err := s.svc.Logout(r.Context()); err != nil {
		return err
	}
	s.clearSessionCookie(w, r)
	// RI-2: the browser forgets cached pages, cookies and storage. It
	// forgets the cookies this answer sets too, so the sign-in page hears
	// of the logout and the language from its address.
	w.Header().Set("Clear-Site-Data", s.clearSiteData(r))
	pref := ""
	if u := domain.ActorFrom(r.Context()).User; u != nil {
		pref = u.Lang
	}
	lang := i18n.Pick(r, pref)
	http.Redirect(w, r, "/login?"+url.Values{"out": {"1"}, "lang": {lang}}.Encode(), http.StatusSeeOther)
	return nil
}

// clearSiteData asks the browser to forget what the site left in it
// (SECURITY.md RI-2): its cache, cookies and storage. A browser its user
// chose to trust for the second factor keeps its cookies, so that the trust
// it was given outlives the sign-out (the session cookie itself is deleted
// by name, and the session ended on the server).
func (s *Server) clearSiteData(r *http.Request) string {
	if s.readCookie(r, cookieDevice) != "" {
		return `"cache", "storage"`
	}
	return `"cache", "cookies", "storage"`
}

func (s *Server) showPasswordPage(w http.ResponseWriter, r *http.Request) error {
	u := domain.ActorFrom(r.Context()).User
	s.render(w, r, http.StatusOK, "password", &page{Title: "password.title", Data: map[string]any{"Forced": s.svc.MustChangePassword(u)}})
	return nil
}

func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	token, err := s.svc.ChangePassword(ctx, r.PostFormValue("current"), r.PostFormValue("password"), r.PostFormValue("confirm"))
	if domain.ErrorCode(err) == domain.Unauthorized {
		// Locked by wrong current passwords: signed out, and the sign-in
		// page says why (the ended session's notice).
		s.clearSessionCookie(w, r)
		s.keepEndedCookie(w, r, httpx.SessionCookie(r))
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return nil
	}
	if err != nil {
		if domain.ErrorCode(err) != domain.Invalid {
			return err
		}
		lang := i18n.Pick(r, domain.ActorFrom(ctx).User.Lang)
		status, d := httpx.Describe(r, s.log, lang, err)
		p := &page{Title: "password.title", Errors: d.Fields, Data: map[string]any{"Forced": s.svc.MustChangePassword(domain.ActorFrom(ctx).User)}}
		if de, _ := errors.AsType[*domain.Error](err); len(d.Fields) == 0 || de != nil && len(de.Args) > 0 {
			p.Error = d.Message // a message with figures (tries left) says more than its field
		}
		s.render(w, r, status, "password", p)
		return nil
	}
	if token != "" {
		s.setSessionCookie(w, r, token)
	}
	s.setFlash(w, r, "flash.password_changed")
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}
