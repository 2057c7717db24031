package web

import (
	"net/http"
)

func (s *Server) showInboxPage(w http.ResponseWriter, r *http.Request) error {
	items, unread, err := s.svc.Inbox(r.Context(), false)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "inbox", &page{Title: "inbox.title", Data: map[string]any{"Items": items, "Unread": unread}})
	return nil
}

func (s *Server) markInboxRead(w http.ResponseWriter, r *http.Request) error {
	if err := s.svc.MarkInboxRead(r.Context()); err != nil {
		return err
	}
	http.Redirect(w, r, "/inbox", http.StatusSeeOther)
	return nil
}
