package web

import (
	"net/http"

	"jiefen/internal/domain"
	"jiefen/internal/httpx"
	"jiefen/internal/i18n"
	"jiefen/internal/service/identity"
)

// cookieEnded carries, from the request that found a session cookie dead to
// the sign-in page, that cookie's value: the page asks the service how that
// session ended and says so once. Only a token whose hash matches an ended
// session's row yields a message, so a forged value shows nothing, and the
// message is never free text in a URL.
const cookieEnded = "jiefen_ended"

// keepEndedCookie hands a dead session cookie's value on to the sign-in page.
func (s *Server) keepEndedCookie(w http.ResponseWriter, r *http.Request, token string) {
	http.SetCookie(w, &http.Cookie{Name: cookieEnded, Value: token, Path: "/", MaxAge: 300, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: s.secure(r)})
}

// endNotice is the sign-in page's word on why the last session ended.
type endNotice struct {
	Head, Detail string
}

// endedKeys are the messages for the stored end reasons; other reasons get
// "session.ended.other".
var endedKeys = map[string]string{
	"idle timeout":               "session.ended.idle",
	"absolute timeout":           "session.ended.absolute",
	"logout":                     "session.ended.logout",
	"ended by administrator":     "session.ended.admin",
	"ended all by administrator": "session.ended.admin",
	"password changed":           "session.ended.password",
	"password reset":             "session.ended.reset",
	"second factor changed":      "session.ended.2fa_changed",
	"second factor reset":        "session.ended.2fa_reset",
	identity.SessionEndLocked:    "session.ended.locked",
}

// endedNotice reads (and forgets) the dead session cookie this request or
// the one before carried, and says how that session ended; nil when it
// says nothing.
func (s *Server) endedNotice(w http.ResponseWriter, r *http.Request) (*endNotice, error) {
	token := httpx.DeadCookie(r.Context())
	if c, err := r.Cookie(cookieEnded); err == nil {
		http.SetCookie(w, &http.Cookie{Name: cookieEnded, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
			SameSite: http.SameSiteLaxMode, Secure: s.secure(r)})
		if token == "" {
			token = c.Value
		}
	}
	if token == "" {
		return nil, nil
	}
	end, err := s.svc.SessionEnded(r.Context(), token)
	if end == nil || err != nil {
		return nil, err
	}
	lang := i18n.Pick(r, "")
	at := end.At.In(domain.CST).Format("01-02 15:04")
	switch {
	case end.Reason == domain.SessionEndReplaced && end.ByIP != "":
		return &endNotice{i18n.T(lang, "session.ended.elsewhere"), i18n.T(lang, "session.ended.elsewhere_from", at, end.ByIP)}, nil
	case end.Reason == domain.SessionEndReplaced:
		return &endNotice{i18n.T(lang, "session.ended.elsewhere"), i18n.T(lang, "session.ended.elsewhere_when", at)}, nil
	}
	key, ok := endedKeys[end.Reason]
	if !ok {
		key = "session.ended.other"
	}
	return &endNotice{Detail: i18n.T(lang, key, at)}, nil
}
