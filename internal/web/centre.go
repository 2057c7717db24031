package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"jiefen/internal/domain"
	"jiefen/internal/service/registry"
)

// rosterCell is one day of the roster calendar.
type rosterCell struct {
	Day     time.Time
	InMonth bool
	Working bool
	Today   bool
	Units   []*domain.Unit
}

func (s *Server) showCentrePage(w http.ResponseWriter, r *http.Request) error {
	return s.renderCentre(w, r, http.StatusOK, "", nil)
}

func (s *Server) renderCentre(w http.ResponseWriter, r *http.Request, status int, msg string, fields map[string]string) error {
	reg, err := s.svc.Centre(r.Context())
	if err != nil {
		return err
	}
	now, month := time.Now().In(domain.CST), rosterMonth(r)
	roster, err := s.svc.RosterMonth(r.Context(), month)
	if err != nil {
		return err
	}
	cal, err := s.svc.Calendar(r.Context())
	if err != nil {
		return err
	}
	byID := map[int64]*domain.Unit{}
	var rotating []*domain.Unit
	for _, u := range reg.Units {
		byID[u.ID] = u
		if u.Kind == "rotating" {
			rotating = append(rotating, u)
		}
	}
	// Weeks from Monday before the 1st to Sunday after the last day.
	start := month.AddDate(0, 0, -((int(month.Weekday()) + 6) % 7))
	var weeks [][]rosterCell
	for d := start; d.Before(month.AddDate(0, 1, 0)) || d.Weekday() != time.Monday; d = d.AddDate(0, 0, 1) {
		if d.Weekday() == time.Monday {
			weeks = append(weeks, nil)
		}
		c := rosterCell{Day: d, InMonth: d.Month() == month.Month(), Working: cal.IsWorkingDay(d), Today: d.Format("2006-01-02") == now.Format("2006-01-02")}
		for _, id := range roster[d.Format("2006-01-02")] {
			if u := byID[id]; u != nil {
				c.Units = append(c.Units, u)
			}
		}
		weeks[len(weeks)-1] = append(weeks[len(weeks)-1], c)
	}
	cats, err := s.svc.Categories(r.Context())
	if err != nil {
		return err
	}
	catName := map[string]string{}
	for _, c := range cats {
		catName[c.Code] = c.Name
	}
	towns, err := s.svc.Townships(r.Context())
	if err != nil {
		return err
	}
	county := ""
	if len(towns) > 0 {
		county = towns[0].ParentCode
	}
	townName := map[string]string{}
	for _, o := range towns {
		townName[o.Code] = o.Name
	}
	posts, err := s.svc.LeaderPosts(r.Context())
	if err != nil {
		return err
	}
	gaps, err := s.svc.CalendarGaps(r.Context())
	if err != nil {
		return err
	}
	tab := r.URL.Query().Get("tab")
	if !slices.Contains([]string{"today", "units", "zones", "orgs", "mediators", "leaders"}, tab) {
		tab = "today"
	}
	s.render(w, r, status, "centre", &page{Title: "centre.title", Error: msg, Errors: fields, Data: map[string]any{
		"Tab": tab, "TownName": townName, "Posts": posts, "PostKinds": domain.Posts, "Towns": towns, "County": county,
		"Reg": reg, "Weeks": weeks, "Month": month, "Prev": month.AddDate(0, -1, 0).Format("2006-01"), "Next": month.AddDate(0, 1, 0).Format("2006-01"),
		"Rotating": rotating, "CatName": catName, "CanEdit": s.svc.MayAdministerRegistries(r.Context()), "Today": now,
		"CalendarMissing": cal.Missing(month, month), "CalendarGaps": gaps,
	}})
	return nil
}

func (s *Server) saveRosterDay(w http.ResponseWriter, r *http.Request) error {
	day, err := time.ParseInLocation("2006-01-02", r.PostFormValue("day"), domain.CST)
	if err != nil {
		_, d := s.describe(r, &domain.Error{Code: domain.Invalid, Key: "error.invalid", Fields: map[string]string{"day": "field.date"}})
		return s.renderCentre(w, r, http.StatusUnprocessableEntity, d.Message, d.Fields)
	}
	on := r.PostFormValue("on") == "1"
	if err := s.svc.SetRosterDay(r.Context(), r.PostFormValue("unit"), day, on); err != nil {
		if domain.ErrorCode(err) == domain.Invalid {
			status, d := s.describe(r, err)
			return s.renderCentre(w, r, status, d.Message, d.Fields)
		}
		return err
	}
	s.setFlash(w, r, "flash.roster_saved")
	http.Redirect(w, r, "/centre?month="+day.Format("2006-01"), http.StatusSeeOther)
	return nil
}

func (s *Server) showUnitPage(w http.ResponseWriter, r *http.Request) error {
	reg, err := s.svc.Centre(r.Context())
	if err != nil {
		return err
	}
	code := r.PathValue("code")
	u := &domain.Unit{Kind: "resident", Active: true}
	if code != "new" {
		i := slices.IndexFunc(reg.Units, func(x *domain.Unit) bool { return x.Code == code })
		if i < 0 {
			return &domain.Error{Code: domain.NotFound, Key: "error.not_found"}
		}
		u = reg.Units[i]
	}
	return s.renderUnit(w, r, http.StatusOK, u, "", nil)
}

func (s *Server) renderUnit(w http.ResponseWriter, r *http.Request, status int, u *domain.Unit, msg string, fields map[string]string) error {
	var duties []string
	for _, d := range u.Duties {
		line := d.Category
		if d.OrgCode != "" {
			line += "@" + d.OrgCode
		}
		if d.Service != "" {
			line += " " + d.Service
		}
		duties = append(duties, line)
	}
	cats, err := s.svc.Categories(r.Context())
	if err != nil {
		return err
	}
	s.render(w, r, status, "unit_edit", &page{Title: "centre.unit.edit", Error: msg, Errors: fields, Data: map[string]any{
		"Unit": u, "Duties": strings.Join(duties, "\n"), "Mechanisms": strings.Join(u.Mechanisms, "\n"), "Kinds": registry.UnitKinds, "Categories": cats,
	}})
	return nil
}

// parseDuties reads "category[@township] service" lines.
func parseDuties(text string) []domain.Duty {
	var out []domain.Duty
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		head, service, _ := strings.Cut(line, " ")
		cat, org, _ := strings.Cut(head, "@")
		out = append(out, domain.Duty{Category: cat, OrgCode: org, Service: strings.TrimSpace(service)})
	}
	return out
}

func lines(text string) []string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func (s *Server) saveUnit(w http.ResponseWriter, r *http.Request) error {
	code := r.PathValue("code")
	if code == "new" {
		code = strings.TrimSpace(r.PostFormValue("code"))
	}
	version, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	u := &domain.Unit{Code: code, Name: strings.TrimSpace(r.PostFormValue("name")), Kind: r.PostFormValue("kind"),
		Duties: parseDuties(r.PostFormValue("duties")), Mechanisms: lines(r.PostFormValue("mechanisms")),
		Contacts: strings.TrimSpace(r.PostFormValue("contacts")), Active: r.PostFormValue("active") == "1", Version: version}
	if err := s.svc.SaveUnit(r.Context(), u, version); err != nil {
		if c := domain.ErrorCode(err); c == domain.Invalid || c == domain.Conflict {
			status, d := s.describe(r, err)
			return s.renderUnit(w, r, status, u, d.Message, d.Fields)
		}
		return err
	}
	s.setFlash(w, r, "flash.unit_saved")
	http.Redirect(w, r, "/centre?tab=units", http.StatusSeeOther)
	return nil
}

func (s *Server) showMediatorPage(w http.ResponseWriter, r *http.Request) error {
	reg, err := s.svc.Centre(r.Context())
	if err != nil {
		return err
	}
	m := &domain.Mediator{Kind: "people_mediator", Active: true}
	if id := r.PathValue("id"); id != "new" {
		n, _ := strconv.ParseInt(id, 10, 64)
		i := slices.IndexFunc(reg.Mediators, func(x *domain.Mediator) bool { return x.ID == n })
		if i < 0 {
			return &domain.Error{Code: domain.NotFound, Key: "error.not_found"}
		}
		m = reg.Mediators[i]
	}
	return s.renderMediator(w, r, http.StatusOK, m, reg, "", nil)
}

func (s *Server) renderMediator(w http.ResponseWriter, r *http.Request, status int, m *domain.Mediator, reg *registry.Registries, msg string, fields map[string]string) error {
	cats, err := s.svc.Categories(r.Context())
	if err != nil {
		return err
	}
	towns, err := s.svc.Townships(r.Context())
	if err != nil {
		return err
	}
	s.render(w, r, status, "mediator_edit", &page{Title: "centre.mediator.edit", Error: msg, Errors: fields, Data: map[string]any{
		"M": m, "Orgs": reg.Orgs, "Kinds": registry.MediatorKinds, "Categories": cats, "Townships": towns,
	}})
	return nil
}

func (s *Server) saveMediator(w http.ResponseWriter, r *http.Request) error {
	reg, err := s.svc.Centre(r.Context())
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return &domain.Error{Code: domain.Invalid, Key: "error.invalid"}
	}
	m := &domain.Mediator{Name: strings.TrimSpace(r.PostFormValue("name")), Kind: r.PostFormValue("kind"), OrgCode: r.PostFormValue("org"),
		Title: strings.TrimSpace(r.PostFormValue("title")), Specialties: r.PostForm["specialties"], Townships: r.PostForm["townships"],
		Active: r.PostFormValue("active") == "1"}
	if id, err := strconv.ParseInt(r.PathValue("id"), 10, 64); err == nil {
		m.ID = id
	}
	if err := s.svc.SaveMediator(r.Context(), m); err != nil {
		if domain.ErrorCode(err) == domain.Invalid {
			status, d := s.describe(r, err)
			return s.renderMediator(w, r, status, m, reg, d.Message, d.Fields)
		}
		return err
	}
	s.setFlash(w, r, "flash.mediator_saved")
	http.Redirect(w, r, "/centre?tab=mediators", http.StatusSeeOther)
	return nil
}

func (s *Server) savePost(w http.ResponseWriter, r *http.Request) error {
	org := r.PostFormValue("org_code")
	if r.PostFormValue("post") != "township_secretary" {
		org = r.PostFormValue("county")
	}
	err := s.svc.SetPost(r.Context(), r.PostFormValue("post"), org, strings.TrimSpace(r.PostFormValue("username")))
	return s.centreSaved(w, r, err, "leaders", "flash.post_saved")
}

// centreSaved ends an edit on the centre page: a field error re-shows the
// tab with the message; success goes back to the tab with a flash.
func (s *Server) centreSaved(w http.ResponseWriter, r *http.Request, err error, tab, flash string) error {
	if err != nil {
		if domain.ErrorCode(err) != domain.Invalid {
			return err
		}
		status, d := s.describe(r, err)
		r.URL.RawQuery = "tab=" + tab
		return s.renderCentre(w, r, status, d.Message, d.Fields)
	}
	s.setFlash(w, r, flash)
	http.Redirect(w, r, "/centre?tab="+tab, http.StatusSeeOther)
	return nil
}

func (s *Server) saveWindow(w http.ResponseWriter, r *http.Request) error {
	return s.centreSaved(w, r, s.svc.SetWindowUnit(r.Context(), r.PathValue("code"), r.PostFormValue("unit")), "zones", "flash.saved")
}

func (s *Server) showOrgPage(w http.ResponseWriter, r *http.Request) error {
	reg, err := s.svc.Centre(r.Context())
	if err != nil {
		return err
	}
	o := &domain.MediationOrg{Kind: "people_committee", Active: true}
	if code := r.PathValue("code"); code != "new" {
		i := slices.IndexFunc(reg.Orgs, func(x *domain.MediationOrg) bool { return x.Code == code })
		if i < 0 {
			return &domain.Error{Code: domain.NotFound, Key: "error.not_found"}
		}
		o = reg.Orgs[i]
	}
	return s.renderOrg(w, r, http.StatusOK, o, "", nil)
}

func (s *Server) renderOrg(w http.ResponseWriter, r *http.Request, status int, o *domain.MediationOrg, msg string, fields map[string]string) error {
	cats, err := s.svc.Categories(r.Context())
	if err != nil {
		return err
	}
	towns, err := s.svc.Townships(r.Context())
	if err != nil {
		return err
	}
	county := ""
	if len(towns) > 0 {
		county = towns[0].ParentCode
	}
	s.render(w, r, status, "org_edit", &page{Title: "centre.org.edit", Error: msg, Errors: fields, Data: map[string]any{
		"O": o, "Kinds": registry.MediationOrgKinds, "Categories": cats, "Townships": towns, "County": county,
	}})
	return nil
}

func (s *Server) saveOrg(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return &domain.Error{Code: domain.Invalid, Key: "error.invalid"}
	}
	code := r.PathValue("code")
	if code == "new" {
		code = strings.TrimSpace(r.PostFormValue("code"))
	}
	o := &domain.MediationOrg{Code: code, Name: strings.TrimSpace(r.PostFormValue("name")), Kind: r.PostFormValue("kind"),
		OrgCode: r.PostFormValue("org_code"), Categories: r.PostForm["categories"], Active: r.PostFormValue("active") == "1"}
	if err := s.svc.SaveMediationOrg(r.Context(), o); err != nil {
		if domain.ErrorCode(err) == domain.Invalid {
			status, d := s.describe(r, err)
			return s.renderOrg(w, r, status, o, d.Message, d.Fields)
		}
		return err
	}
	s.setFlash(w, r, "flash.saved")
	http.Redirect(w, r, "/centre?tab=orgs", http.StatusSeeOther)
	return nil
}

func (s *Server) saveZone(w http.ResponseWriter, r *http.Request) error {
	return s.centreSaved(w, r, s.svc.SaveZone(r.Context(), r.PathValue("code"), r.PostFormValue("name"), r.PostFormValue("purpose")), "zones", "flash.saved")
}

// rosterMonth is the month the centre page shows: ?month=2006-01, else this one.
func rosterMonth(r *http.Request) time.Time {
	now := time.Now().In(domain.CST)
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, domain.CST)
	if t, err := time.ParseInLocation("2006-01", r.URL.Query().Get("month"), domain.CST); err == nil {
		month = t
	}
	return month
}
