package web

import (
	"encoding/base64"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"jiefen/internal/domain"
	"jiefen/internal/httpx"
	"jiefen/internal/service/identity"
)

// The second factor's cookies: the pending second step of a sign-in (five
// minutes) and the device trust (the policy's period). Both HttpOnly, and
// __Host- when cookies are Secure.
const (
	cookieChallenge = "jiefen_2fa"
	cookieDevice    = "jiefen_device"
)

func (s *Server) cookieName(r *http.Request, name string) string {
	if s.secure(r) {
		return "__Host-" + name
	}
	return name
}

func (s *Server) readCookie(r *http.Request, name string) string {
	if c, err := r.Cookie(s.cookieName(r, name)); err == nil {
		return c.Value
	}
	return ""
}

func (s *Server) writeCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(r, name), Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		Secure: s.secure(r), SameSite: http.SameSiteStrictMode})
}

// toSecondStep sends a sign-in whose password was right to its second step.
func (s *Server) toSecondStep(w http.ResponseWriter, r *http.Request, challenge, next string) {
	s.writeCookie(w, r, cookieChallenge, challenge, int((5 * time.Minute).Seconds()))
	http.Redirect(w, r, "/login/2fa?"+url.Values{"next": {next}}.Encode(), http.StatusSeeOther)
}

// toEnrol sends a user who must enrol a second factor to do so.
func toEnrol(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/account/2fa", http.StatusSeeOther)
}

// enrolAllowed are the pages open to a user who must enrol a second factor.
var enrolAllowed = []string{"GET /account/2fa", "POST /account/2fa/start", "POST /account/2fa/confirm", "POST /logout"}

func (s *Server) showSecondStepPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderSecondStep(w, r, http.StatusOK, nil)
}

// renderSecondStep shows the second step's page, with err's message by its
// field; a sign-in without a live challenge goes back to the sign-in page.
func (s *Server) renderSecondStep(w http.ResponseWriter, r *http.Request, status int, err error) error {
	if domain.ActorFrom(r.Context()).User != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	}
	u, cerr := s.svc.ChallengeUser(r.Context(), s.readCookie(r, cookieChallenge))
	if domain.ErrorCode(cerr) == domain.Unauthorized {
		s.writeCookie(w, r, cookieChallenge, "", -1)
		s.setFlash(w, r, "flash.2fa_expired")
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return nil
	} else if cerr != nil {
		return cerr
	}
	next := safeNext(r.FormValue("next"))
	p := &page{Title: "2fa.login.title", Data: map[string]any{"Next": next, "Username": u.Username,
		"TrustDays": int(s.svc.Policy().DeviceTrust / (24 * time.Hour)),
		// A recovery code was tried: its form is open, with the message.
		"Recovery": r.PostFormValue("code") == "" && r.PostFormValue("recovery") != ""}}
	s.showError(r, p, err)
	s.render(w, r, status, "login_2fa", p)
	return nil
}

// verifySecondStep checks the code of the second step and, right, signs in.
func (s *Server) verifySecondStep(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return &domain.Error{Code: domain.Invalid, Key: "error.form"}
	}
	code := r.PostForm.Get("code")
	if code == "" {
		code = r.PostForm.Get("recovery")
	}
	res, err := s.svc.VerifyLogin(r.Context(), s.readCookie(r, cookieChallenge), code, r.UserAgent(), r.PostForm.Get("trust") == "1")
	switch c := domain.ErrorCode(err); {
	case err == nil:
	case c == domain.Invalid || c == domain.TooMany:
		return s.renderSecondStep(w, r, httpx.StatusFor(c), err)
	case c == domain.Unauthorized && err.(*domain.Error).Key == "login.locked":
		// The locking failure ends the challenge: back to the password.
		s.writeCookie(w, r, cookieChallenge, "", -1)
		status, d := s.describe(r, err)
		s.render(w, r, status, "login", &page{Title: "login.title", Error: d.Message, Data: map[string]any{"Next": safeNext(r.PostForm.Get("next"))}})
		return nil
	case c == domain.Unauthorized:
		return s.renderSecondStep(w, r, http.StatusOK, nil) // no live challenge: to the sign-in page
	default:
		return err
	}
	s.writeCookie(w, r, cookieChallenge, "", -1)
	if res.DeviceTrust != "" {
		s.writeCookie(w, r, cookieDevice, res.DeviceTrust, int(time.Until(res.DeviceTrustUntil).Seconds()))
	}
	s.signedIn(w, r, res, safeNext(r.PostForm.Get("next")))
	return nil
}

func (s *Server) showTwoFactorPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderTwoFactor(w, r, http.StatusOK, nil, nil)
}

// renderTwoFactor shows the second-factor page of the account: its state,
// a started enrolment's QR code and seed, the recovery codes of one just
// confirmed (done, shown on this response only), and err by its field.
func (s *Server) renderTwoFactor(w http.ResponseWriter, r *http.Request, status int, done *identity.TOTPConfirmed, err error) error {
	st, serr := s.svc.TOTPStatus(r.Context())
	if serr != nil {
		return serr
	}
	data := map[string]any{"Status": st, "Forced": s.svc.MustEnrol(domain.ActorFrom(r.Context()).User),
		"Off": strings.HasSuffix(r.URL.Path, "/disable")} // the form that was posted shows its message
	if st.Pending != nil {
		data["QR"] = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(st.Pending.QR))
		data["OTPURL"] = template.URL(st.Pending.URL) // otpauth://: opens the authenticator on the phone showing this page
	}
	p := &page{Title: "2fa.title", Data: data}
	if done != nil {
		data["Codes"] = done.RecoveryCodes
		p.CSRF = done.CSRF
	}
	s.showError(r, p, err)
	s.render(w, r, status, "account_2fa", p)
	return nil
}

// showError puts err's messages on p: by their fields, else as the page's
// alert (nothing for nil).
func (s *Server) showError(r *http.Request, p *page, err error) {
	if err == nil {
		return
	}
	if _, d := s.describe(r, err); len(d.Fields) > 0 {
		p.Errors = d.Fields
	} else {
		p.Error = d.Message
	}
}

// twoFactorForm runs a change of the second factor from a form: a refusal
// the form can show is shown on the page (422, 429); done redirects.
func (s *Server) twoFactorForm(w http.ResponseWriter, r *http.Request, err error, flash string) error {
	if c := domain.ErrorCode(err); c == domain.Invalid || c == domain.TooMany {
		return s.renderTwoFactor(w, r, httpx.StatusFor(c), nil, err)
	} else if err != nil {
		return err
	}
	if flash != "" {
		s.setFlash(w, r, flash)
	}
	http.Redirect(w, r, "/account/2fa", http.StatusSeeOther)
	return nil
}

func (s *Server) startTwoFactor(w http.ResponseWriter, r *http.Request) error {
	return s.twoFactorForm(w, r, s.svc.StartTOTP(r.Context(), r.PostFormValue("password")), "")
}

func (s *Server) disableTwoFactor(w http.ResponseWriter, r *http.Request) error {
	return s.twoFactorForm(w, r, s.svc.DisableTOTP(r.Context(), r.PostFormValue("password")), "flash.2fa_disabled")
}

// confirmTwoFactor confirms an enrolment and shows its recovery codes, once.
func (s *Server) confirmTwoFactor(w http.ResponseWriter, r *http.Request) error {
	done, err := s.svc.ConfirmTOTP(r.Context(), r.PostFormValue("code"))
	if err != nil {
		return s.twoFactorForm(w, r, err, "")
	}
	if done.Token != "" {
		s.setSessionCookie(w, r, done.Token)
	}
	return s.renderTwoFactor(w, r, http.StatusOK, done, nil)
}

func (s *Server) resetUserTwoFactor(w http.ResponseWriter, r *http.Request) error {
	return s.userAction(w, r, "flash.2fa_reset", func(id int64) error { return s.svc.ResetSecondFactor(r.Context(), id) })
}
