package web

import (
	"net/http"
	"strconv"
	"strings"

	"jiefen/internal/domain"
	"jiefen/internal/i18n"
)

// retentionView is the retention page: the rules, and a run's report when
// one was just asked for.
type retentionView struct {
	Rules  []domain.RetentionRule
	Report *domain.RetentionReport
	Kind   string       // the rule whose change was refused
	Errs   *fieldErrors // and its errors
}

// showRetentionPage shows the retention rules, each with its form.
func (s *Server) showRetentionPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderRetention(w, r, http.StatusOK, &retentionView{}, "")
}

func (s *Server) renderRetention(w http.ResponseWriter, r *http.Request, status int, v *retentionView, msg string) error {
	var err error
	if v.Rules, err = s.svc.RetentionRules(r.Context()); err != nil {
		return err
	}
	s.render(w, r, status, "privacy_retention", &page{Title: "privacy.retention.title", Data: v, Error: msg})
	return nil
}

// saveRetentionRule changes one rule's period.
func (s *Server) saveRetentionRule(w http.ResponseWriter, r *http.Request) error {
	kind := r.PathValue("kind")
	days, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("keep_days")))
	if err == nil {
		err = s.svc.SetRetentionRule(r.Context(), kind, days)
	} else {
		err = &domain.Error{Code: domain.Invalid, Key: "error.invalid", Fields: map[string]string{"keep_days": "field.number"}}
	}
	if domain.ErrorCode(err) == domain.Invalid {
		_, d := s.describe(r, err)
		return s.renderRetention(w, r, http.StatusUnprocessableEntity, &retentionView{Kind: kind, Errs: newFieldErrors("r-"+kind, d.Fields)}, d.Message)
	} else if err != nil {
		return err
	}
	s.setFlash(w, r, "flash.saved")
	http.Redirect(w, r, "/admin/privacy/retention", http.StatusSeeOther)
	return nil
}

// runRetention runs the rules now, or dry, and shows what it did.
func (s *Server) runRetention(w http.ResponseWriter, r *http.Request) error {
	rep, err := s.svc.RunRetention(r.Context(), r.PostFormValue("dry_run") != "")
	if err != nil {
		return err
	}
	return s.renderRetention(w, r, http.StatusOK, &retentionView{Report: rep}, "")
}

// showProcessingRecord is the processing record (个人信息处理活动记录).
func (s *Server) showProcessingRecord(w http.ResponseWriter, r *http.Request) error {
	rec, err := s.svc.ProcessingRecord(r.Context())
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "privacy_record", &page{Title: "privacy.record.title", Data: rec})
	return nil
}

// showAccessedPersons answers the breach question for an account and a
// period (the form's fields in the address: an account's name and two
// days, no one's personal data).
func (s *Server) showAccessedPersons(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	data := map[string]any{"Q": q}
	if q.Get("user") == "" && q.Get("from") == "" && q.Get("to") == "" {
		s.render(w, r, http.StatusOK, "privacy_access", &page{Title: "privacy.access.title", Data: data})
		return nil
	}
	lang := i18n.Pick(r, domain.ActorFrom(r.Context()).User.Lang)
	errs := map[string]string{}
	from, err := domain.ParseDay(q.Get("from"))
	if err != nil {
		errs["from"] = i18n.T(lang, "field.date")
	}
	to, err := domain.ParseDay(q.Get("to"))
	if err != nil {
		errs["to"] = i18n.T(lang, "field.date")
	}
	if len(errs) == 0 {
		rep, err := s.svc.AccessedPersons(r.Context(), q.Get("user"), from, to.AddDate(0, 0, 1))
		if domain.ErrorCode(err) != domain.Invalid {
			if err != nil {
				return err
			}
			data["Report"] = rep
			s.render(w, r, http.StatusOK, "privacy_access", &page{Title: "privacy.access.title", Data: data})
			return nil
		}
		_, d := s.describe(r, err)
		errs = d.Fields
	}
	s.render(w, r, http.StatusUnprocessableEntity, "privacy_access", &page{Title: "privacy.access.title", Data: data, Errors: errs})
	return nil
}
