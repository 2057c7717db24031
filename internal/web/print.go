package web

import (
	"net/http"

	"jiefen/internal/authz"
	"jiefen/internal/domain"
	"jiefen/internal/httpx"
)

// printRoutes are a matter's printed documents.
func (s *Server) printRoutes(m *httpx.Mux) {
	m.Handle("GET /cases/{caseID}/members/print", authz.CaseView, s.wrapH(s.printMembers))
	m.Handle("GET /cases/{caseID}/print/{form}", authz.CaseView, s.wrapH(s.showPrint))
	m.Handle("POST /cases/{caseID}/print/agreement/reveal", authz.PersonalReveal, s.wrapH(s.revealAgreement))
}

// showPrint is one of a matter's printed documents on A4 (受理登记表,
// 人民调解协议书, 回访记录表, 告知书, 督办单) with the centre's name and a
// seal area; printing is audited.
func (s *Server) showPrint(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathInt64(r, "caseID")
	if err != nil {
		return err
	}
	return s.renderPrint(w, r, id, r.PathValue("form"), http.StatusOK, "", map[int64]domain.Party{})
}

// revealAgreement is the agreement with the parties' full identities, each
// revealed as the matter page reveals one: for a stated reason, audited
// (personal.reveal) once per party. Without a reason it stays masked.
func (s *Server) revealAgreement(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathInt64(r, "caseID")
	if err != nil {
		return err
	}
	c, err := s.svc.Case(r.Context(), id)
	if err != nil {
		return err
	}
	revealed := map[int64]domain.Party{}
	for _, p := range c.Parties {
		if p.IDMasked == "" && p.PhoneMask == "" {
			continue
		}
		idn, phone, err := s.svc.RevealParty(r.Context(), id, p.ID, r.PostFormValue("reason"))
		if err != nil {
			if domain.ErrorCode(err) == domain.Invalid || revealRefused(err) {
				status, d := s.describe(r, err)
				return s.renderPrint(w, r, id, "agreement", status, d.Message, map[int64]domain.Party{})
			}
			return err
		}
		revealed[p.ID] = domain.Party{IDNumber: idn, Phone: phone}
	}
	return s.renderPrint(w, r, id, "agreement", http.StatusOK, "", revealed)
}

// renderPrint renders form of matter id; revealed holds the full identity
// of each party revealed for it (none on a plain GET).
func (s *Server) renderPrint(w http.ResponseWriter, r *http.Request, id int64, form string, status int, msg string, revealed map[int64]domain.Party) error {
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
	s.render(w, r, status, "print", &page{Title: "print." + form, Error: msg, Data: map[string]any{
		"Form": form, "C": c, "Close": closing, "Inform": informing, "Visits": visits, "Supervise": supervisions,
		"Replies": replies, "Orders": sv, "Seal": seal, "Registrar": registrar, "Session": c.LastEntry("session"),
		"Revealed": revealed,
	}})
	return nil
}
