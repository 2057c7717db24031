package web

import (
	"net/http"
	"strconv"
	"strings"

	"jiefen/internal/assess"
	"jiefen/internal/domain"
)

func (s *Server) showRulesPage(w http.ResponseWriter, r *http.Request) error {
	cfg, v, err := s.svc.AssessRules(r.Context())
	if err != nil {
		return err
	}
	return s.renderRules(w, r, http.StatusOK, cfg, v, "", nil)
}

func (s *Server) renderRules(w http.ResponseWriter, r *http.Request, status int, cfg assess.Config, version int64, msg string, fields map[string]string) error {
	cats, err := s.svc.Categories(r.Context())
	if err != nil {
		return err
	}
	name := map[string]string{}
	for _, c := range cats {
		name[c.Code] = c.Name
	}
	s.render(w, r, status, "rules", &page{Title: "rules.title", Error: msg, Errors: fields, Data: map[string]any{
		"Cfg": cfg, "Version": version, "CatName": name,
	}})
	return nil
}

// words reads a textarea of words separated by spaces, commas or new lines.
func words(text string) []string {
	return strings.FieldsFunc(text, func(r rune) bool {
		return r == ' ' || r == ',' || r == '，' || r == '、' || r == '\n' || r == '\r' || r == '\t'
	})
}

// saveRules takes the whole form: each category's words, each trigger's
// words or threshold and colour; the codes and kinds stay as they were.
func (s *Server) saveRules(w http.ResponseWriter, r *http.Request) error {
	cfg, _, err := s.svc.AssessRules(r.Context())
	if err != nil {
		return err
	}
	version, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	for i := range cfg.Categories {
		cfg.Categories[i].Words = words(r.PostFormValue("cat_" + cfg.Categories[i].Code))
	}
	for i := range cfg.Triggers {
		t := &cfg.Triggers[i]
		if c := r.PostFormValue("color_" + t.Code); c != "" {
			t.Color = c
		}
		if t.Kind == "words" {
			t.Words = words(r.PostFormValue("trg_" + t.Code))
		} else if v := strings.TrimSpace(r.PostFormValue("min_" + t.Code)); v != "" {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				f = -1 // refused by the service with a field message
			}
			t.Min = f
		}
	}
	if _, err := s.svc.SaveAssessRules(r.Context(), version, cfg, r.PostFormValue("note")); err != nil {
		if c := domain.ErrorCode(err); c == domain.Invalid || c == domain.Conflict {
			status, d := s.describe(r, err)
			return s.renderRules(w, r, status, cfg, version, d.Message, d.Fields)
		}
		return err
	}
	s.setFlash(w, r, "flash.rules_saved")
	http.Redirect(w, r, "/admin/rules", http.StatusSeeOther)
	return nil
}
