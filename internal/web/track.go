package web

import (
	"net/http"

	"jiefen/internal/domain"
)

func (s *Server) showTrackPage(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, http.StatusOK, "track", &page{Title: "track.title", Data: map[string]any{}})
	return nil
}

func (s *Server) track(w http.ResponseWriter, r *http.Request) error {
	number, code := r.PostFormValue("number"), r.PostFormValue("code")
	t, err := s.svc.TrackCase(r.Context(), number, code)
	if err != nil {
		switch domain.ErrorCode(err) {
		case domain.Invalid, domain.NotFound, domain.TooMany:
			status, d := s.describe(r, err)
			s.render(w, r, status, "track", &page{Title: "track.title", Error: d.Message, Data: map[string]any{"Number": number}})
			return nil
		}
		return err
	}
	s.render(w, r, http.StatusOK, "track", &page{Title: "track.title", Data: map[string]any{"Track": t, "Number": number}})
	return nil
}
