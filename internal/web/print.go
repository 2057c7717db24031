package web

import (
	"net/http"

	"jiefen/internal/domain"
	"jiefen/internal/httpx"
)

// showPrint is one of a matter's printed documents on A4 (受理登记表,
// 人民调解协议书, 回访记录表, 告知书, 督办单) with the centre's name and a
// seal area; printing is audited.
func (s *Server) showPrint(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathInt64(r, "caseID")
	if err != nil {
		return err
	}
	form := r.PathValue("form")
	c, sv, err := s.svc.CaseForPrint(r.Context(), id, form)
	if err != nil {
		return err
	}
	// The events each form quotes.
	var closing, informing *domain.TimelineEntry
	var visits, supervisions, replies []domain.TimelineEntry
	for i := range c.Timeline {
		e := &c.Timeline[i]
		switch e.Action {
		case "close":
			closing = e
		case "inform":
			informing = e
		case "visit":
			visits = append(visits, *e)
		case "supervise":
			supervisions = append(supervisions, *e)
		case "reply":
			replies = append(replies, *e)
		}
	}
	seal := s.cfg.SealName
	if seal == "" {
		seal = s.cfg.CentreName
	}
	// The registering user is the first entry's; the agreement's body starts
	// from the most recent mediation session's record.
	var registrar string
	if len(c.Timeline) > 0 {
		registrar = c.Timeline[0].ActorName
	}
	s.render(w, r, http.StatusOK, "print", &page{Title: "print." + form, Data: map[string]any{
		"Form": form, "C": c, "Close": closing, "Inform": informing, "Visits": visits, "Supervise": supervisions,
		"Replies": replies, "Orders": sv, "Seal": seal, "Registrar": registrar, "Session": c.LastEntry("session"),
	}})
	return nil
}
