package web

import (
	"net/http"
	"strconv"

	"jiefen/internal/domain"
	"jiefen/internal/i18n"
)

// flashLink is a link after a page's flash: Lead, then Text linking to Href.
type flashLink struct{ Lead, Href, Text string }

// nextAfterAction is, on the matter page shown after an action succeeded
// (its flash), the next matter waiting for the user (the home page's
// queues; one query), which the flash links to so that a dispatcher working
// through a list need not go back to it. nil otherwise, and when nothing
// else waits or the query fails (the page does not depend on it).
func (s *Server) nextAfterAction(r *http.Request, id int64, status int, lang string) *flashLink {
	if status != http.StatusOK {
		return nil
	}
	if c, err := r.Cookie("flash"); err != nil || c.Value != "flash.case_updated" {
		return nil
	}
	next, err := s.svc.NextWork(r.Context(), id)
	if err != nil {
		if domain.ErrorCode(err) != domain.NotFound {
			s.log.Warn("next matter", "err", err)
		}
		return nil
	}
	return &flashLink{Lead: i18n.T(lang, "case.next"), Href: "/cases/" + strconv.FormatInt(next.ID, 10),
		Text: next.Number + "（" + i18n.T(lang, "status."+string(next.Status)) + "）"}
}
