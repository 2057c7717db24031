package web

import (
	"bytes"
	"net/http"
	"strconv"
	"time"

	"jiefen/internal/authz"
	"jiefen/internal/domain"
	"jiefen/internal/httpx"
	"jiefen/internal/i18n"
	"jiefen/internal/service/privacy"
)

// The rights of the people in the data (PIPL 44–47): find what is held
// about a person, ask for their copy and approve it, correct a party,
// the retention rules and their run, the processing record, and the
// breach question. Personal data asked for travels only in POST bodies
// and this no-store page, never in a URL.
func (s *Server) privacyRoutes(m *httpx.Mux) {
	m.Handle("GET /admin/privacy", authz.PrivacyApprove, s.wrapH(s.showPrivacyPage))
	m.Handle("POST /admin/privacy/find", authz.PrivacyHandle, s.wrapH(s.findPerson))
	m.Handle("POST /admin/privacy/requests", authz.PrivacyHandle, s.wrapH(s.requestPersonCopy))
	m.Handle("POST /admin/privacy/requests/{id}/approve", authz.PrivacyApprove, s.wrapH(s.approvePersonCopy))
	m.Handle("GET /admin/privacy/requests/{id}/copy.xlsx", authz.PrivacyHandle, s.wrapH(s.downloadPersonCopy))
	m.Handle("POST /admin/privacy/cases/{caseID}/parties/{partyID}/correct", authz.PrivacyHandle, s.wrapH(s.correctParty))
	m.Handle("GET /admin/privacy/retention", authz.PrivacyHandle, s.wrapH(s.showRetentionPage))
	m.Handle("POST /admin/privacy/retention/run", authz.PrivacyHandle, s.wrapH(s.runRetention))
	m.Handle("POST /admin/privacy/retention/{kind}", authz.PrivacyHandle, s.wrapH(s.saveRetentionRule))
	m.Handle("GET /admin/privacy/record", authz.PrivacyRecord, s.wrapH(s.showProcessingRecord))
	m.Handle("GET /admin/privacy/access", authz.AuditView, s.wrapH(s.showAccessedPersons))
}

// privacyForm is the find form as typed: the person, the reference and
// the reason (shown again with the answer, carried into the request for
// a copy and the corrections).
type privacyForm struct {
	Query       domain.PersonQuery
	Ref, Reason string
}

func readPrivacyForm(r *http.Request) privacyForm {
	return privacyForm{Query: domain.PersonQuery{IDNumber: r.PostFormValue("id_number"), Phone: r.PostFormValue("phone"),
		Name: r.PostFormValue("name"), OrgCode: r.PostFormValue("org_code")}, Ref: r.PostFormValue("ref"), Reason: r.PostFormValue("reason")}
}

// privacyView is what the page shows besides the form.
type privacyView struct {
	Form      privacyForm
	Found     *domain.Holdings
	Mine      []*domain.PrivacyRequest
	ToApprove []*domain.PrivacyRequest
	Places    []placeOpt
	Usable    func(*domain.PrivacyRequest) bool
	// Correct is the correction form that was refused: its party and its
	// errors (the other rows' forms are blank).
	CorrectParty  int64
	CorrectErr    *fieldErrors
	CorrectField  string
	CorrectValue  string
	CorrectReason string
}

// showPrivacyPage is the requests page: the find form for the security
// administrator, the requests for copies to approve, one's own requests.
func (s *Server) showPrivacyPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderPrivacy(w, r, http.StatusOK, &privacyView{}, nil, "")
}

func (s *Server) renderPrivacy(w http.ResponseWriter, r *http.Request, status int, v *privacyView, errs map[string]string, msg string) error {
	var err error
	if v.Mine, v.ToApprove, err = s.svc.PersonCopyRequests(r.Context()); err != nil {
		return err
	}
	u := domain.ActorFrom(r.Context()).User
	if authz.Allowed(u, authz.PrivacyHandle) {
		orgs, err := s.svc.PersonPlaces(r.Context())
		if err != nil {
			return err
		}
		v.Places = placeOptions(orgs)
	}
	now := time.Now()
	v.Usable = func(x *domain.PrivacyRequest) bool { return privacy.Usable(x, now) }
	s.render(w, r, status, "privacy", &page{Title: "privacy.title", Data: v, Errors: errs, Error: msg})
	return nil
}

// findPerson answers the find form on the same page.
func (s *Server) findPerson(w http.ResponseWriter, r *http.Request) error {
	v := &privacyView{Form: readPrivacyForm(r)}
	h, err := s.svc.FindPerson(r.Context(), v.Form.Query, v.Form.Ref, v.Form.Reason)
	if domain.ErrorCode(err) == domain.Invalid {
		_, d := s.describe(r, err)
		return s.renderPrivacy(w, r, http.StatusUnprocessableEntity, v, d.Fields, d.Message)
	} else if err != nil {
		return err
	}
	v.Found = h
	return s.renderPrivacy(w, r, http.StatusOK, v, nil, "")
}

// requestPersonCopy asks for the copy of the person found.
func (s *Server) requestPersonCopy(w http.ResponseWriter, r *http.Request) error {
	f := readPrivacyForm(r)
	if _, err := s.svc.RequestPersonCopy(r.Context(), f.Query, f.Ref, f.Reason); err != nil {
		if domain.ErrorCode(err) == domain.Invalid {
			_, d := s.describe(r, err)
			return s.renderPrivacy(w, r, http.StatusUnprocessableEntity, &privacyView{Form: f}, d.Fields, d.Message)
		}
		return err
	}
	s.setFlash(w, r, "flash.privacy_requested")
	http.Redirect(w, r, "/admin/privacy", http.StatusSeeOther)
	return nil
}

// approvePersonCopy approves another person's request.
func (s *Server) approvePersonCopy(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathInt64(r, "id")
	if err != nil {
		return err
	}
	if err := s.svc.ApprovePersonCopy(r.Context(), id); err != nil {
		return err
	}
	s.setFlash(w, r, "flash.privacy_approved")
	http.Redirect(w, r, "/admin/privacy", http.StatusSeeOther)
	return nil
}

// downloadPersonCopy sends an approved request's copy, once.
func (s *Server) downloadPersonCopy(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathInt64(r, "id")
	if err != nil {
		return err
	}
	lang := i18n.Pick(r, domain.ActorFrom(r.Context()).User.Lang)
	var buf bytes.Buffer
	if _, err := s.svc.PersonCopy(r.Context(), id, &buf, func(k string) string { return i18n.T(lang, k) }); err != nil {
		return err
	}
	sendFile(w, i18n.T(lang, "privacy.copy.file")+"-"+strconv.FormatInt(id, 10)+".xlsx", buf.Bytes())
	return nil
}

// correctParty corrects one field of a party; a refused value is shown
// beside its form with the search answered again (the same lawful
// request, audited again).
func (s *Server) correctParty(w http.ResponseWriter, r *http.Request) error {
	caseID, err := httpx.PathInt64(r, "caseID")
	if err != nil {
		return err
	}
	partyID, err := httpx.PathInt64(r, "partyID")
	if err != nil {
		return err
	}
	f := readPrivacyForm(r)
	in := domain.PartyCorrection{Field: r.PostFormValue("field"), Value: r.PostFormValue("value"), Ref: f.Ref, Reason: r.PostFormValue("correct_reason")}
	err = s.svc.CorrectParty(r.Context(), caseID, partyID, in)
	if domain.ErrorCode(err) == domain.Invalid || domain.ErrorCode(err) == domain.Conflict {
		_, d := s.describe(r, err)
		v := &privacyView{Form: f, CorrectParty: partyID, CorrectField: in.Field, CorrectValue: in.Value, CorrectReason: in.Reason, CorrectErr: newFieldErrors("c"+strconv.FormatInt(partyID, 10), d.Fields)}
		if len(d.Fields) == 0 {
			v.CorrectErr = newFieldErrors("c"+strconv.FormatInt(partyID, 10), map[string]string{"value": d.Message})
		}
		if v.Found, err = s.svc.FindPerson(r.Context(), f.Query, f.Ref, f.Reason); err != nil {
			return err
		}
		return s.renderPrivacy(w, r, http.StatusUnprocessableEntity, v, nil, d.Message)
	} else if err != nil {
		return err
	}
	s.setFlash(w, r, "flash.privacy_corrected")
	http.Redirect(w, r, "/admin/privacy", http.StatusSeeOther)
	return nil
}
