package web

import (
	"net/http"
	"strconv"
	"strings"

	"jiefen/internal/domain"
	"jiefen/internal/httpx"
	"jiefen/internal/i18n"
	"jiefen/internal/service/identity"
)

func (s *Server) showUsersPage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := domain.UserFilter{Query: strings.TrimSpace(q.Get("q")), Role: domain.Role(q.Get("role")), Limit: 50}
	if f.Role != "" && !f.Role.Valid() {
		f.Role = ""
	}
	if after, err := strconv.ParseInt(q.Get("after"), 10, 64); err == nil && after > 0 {
		f.AfterID = after
	}
	switch q.Get("status") {
	case "disabled":
		t := true
		f.Disabled = &t
	case "active":
		fl := false
		f.Disabled = &fl
	}
	users, err := s.svc.Users(r.Context(), f)
	if err != nil {
		return err
	}
	next := ""
	if len(users) == f.Limit {
		nq := r.URL.Query()
		nq.Set("after", strconv.FormatInt(users[len(users)-1].ID, 10))
		next = "/admin/users?" + nq.Encode()
	}
	s.render(w, r, http.StatusOK, "users", &page{Title: "users.title", Data: map[string]any{
		"Users": users, "Q": f.Query, "Role": string(f.Role), "Status": q.Get("status"), "Next": next, "Now": s.svc.Now(),
	}})
	return nil
}

// userForm is the account form as posted.
type userForm struct {
	Username, Name, Phone, OrgCode, Lang, Password string
	Roles                                          []domain.Role
	Disabled                                       bool
	Version                                        int64
}

func newUserForm(r *http.Request) userForm {
	f := userForm{
		Username: strings.TrimSpace(r.PostFormValue("username")),
		Name:     strings.TrimSpace(r.PostFormValue("name")),
		Phone:    strings.TrimSpace(r.PostFormValue("phone")),
		OrgCode:  strings.TrimSpace(r.PostFormValue("org")),
		Lang:     r.PostFormValue("lang"),
		Password: r.PostFormValue("password"),
		Disabled: r.PostFormValue("disabled") == "1",
	}
	f.Version, _ = strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	for _, v := range r.PostForm["roles"] {
		f.Roles = append(f.Roles, domain.Role(v))
	}
	return f
}

func (s *Server) showUserNewPage(w http.ResponseWriter, r *http.Request) error {
	u := domain.ActorFrom(r.Context()).User
	s.render(w, r, http.StatusOK, "user_new", &page{Title: "users.new", Data: map[string]any{"Form": userForm{OrgCode: u.OrgCode}}})
	return nil
}

// formError re-renders a form page with field messages (422), or returns
// err when it is not a validation error.
func (s *Server) formError(w http.ResponseWriter, r *http.Request, name, title string, data map[string]any, err error) error {
	c := domain.ErrorCode(err)
	if c != domain.Invalid && c != domain.Conflict {
		return err
	}
	status, d := httpx.Describe(r, s.log, i18n.Pick(r, domain.ActorFrom(r.Context()).User.Lang), err)
	p := &page{Title: title, Errors: d.Fields, Data: data}
	if len(d.Fields) == 0 || c == domain.Conflict {
		p.Error = d.Message
	}
	s.render(w, r, status, name, p)
	return nil
}

func (s *Server) saveUser(w http.ResponseWriter, r *http.Request) error {
	f := newUserForm(r)
	generated := f.Password == ""
	if generated {
		f.Password = identity.GeneratePassword()
	}
	u, err := s.svc.CreateUser(r.Context(), identity.NewUser{Username: f.Username, Name: f.Name, Phone: f.Phone,
		Roles: f.Roles, OrgCode: f.OrgCode, Lang: f.Lang, Password: f.Password})
	if err != nil {
		f.Password = "" // never re-populate a password (RI-1)
		return s.formError(w, r, "user_new", "users.new", map[string]any{"Form": f}, err)
	}
	if generated {
		// Show the generated initial password once, on the account's page.
		return s.renderUserEdit(w, r, u, http.StatusCreated, f.Password, "flash.user_created")
	}
	s.setFlash(w, r, "flash.user_created")
	http.Redirect(w, r, "/admin/users/"+strconv.FormatInt(u.ID, 10), http.StatusSeeOther)
	return nil
}

func (s *Server) showUserEditPage(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathInt64(r, "userID")
	if err != nil {
		return err
	}
	u, err := s.svc.User(r.Context(), id)
	if err != nil {
		return err
	}
	return s.renderUserEdit(w, r, u, http.StatusOK, "", "")
}

func (s *Server) renderUserEdit(w http.ResponseWriter, r *http.Request, u *domain.User, status int, newPassword, flash string) error {
	form := userForm{Username: u.Username, Name: u.Name, Phone: u.Phone, OrgCode: u.OrgCode, Lang: u.Lang, Roles: u.Roles, Disabled: u.Disabled, Version: u.Version}
	// A handler belongs to one of the centre's units (its handlers); county
	// administrators set it here.
	var units []*domain.Unit
	unit := ""
	if s.svc.MayAdministerRegistries(r.Context()) {
		reg, err := s.svc.Centre(r.Context())
		if err != nil {
			return err
		}
		units = reg.Units
		if unit, err = s.svc.UserUnit(r.Context(), u.ID); err != nil {
			return err
		}
	}
	s.render(w, r, status, "user_edit", &page{Title: "users.edit", Flash: flash, Data: map[string]any{
		"Account": u, "Form": form, "NewPassword": newPassword, "Now": s.svc.Now(), "Units": units, "Unit": unit,
	}})
	return nil
}

func (s *Server) updateUser(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathInt64(r, "userID")
	if err != nil {
		return err
	}
	f := newUserForm(r)
	if f.Roles == nil {
		f.Roles = []domain.Role{}
	}
	u, err := s.svc.UpdateUser(r.Context(), id, identity.UserPatch{Name: &f.Name, Phone: &f.Phone, Roles: f.Roles,
		OrgCode: &f.OrgCode, Lang: &f.Lang, Disabled: &f.Disabled, Version: f.Version})
	if err != nil {
		acc, gerr := s.svc.User(r.Context(), id)
		if gerr != nil {
			return gerr
		}
		f.Username = acc.Username
		return s.formError(w, r, "user_edit", "users.edit", map[string]any{"Account": acc, "Form": f, "Now": s.svc.Now()}, err)
	}
	s.setFlash(w, r, "flash.saved")
	http.Redirect(w, r, "/admin/users/"+strconv.FormatInt(u.ID, 10), http.StatusSeeOther)
	return nil
}

func (s *Server) resetUserPassword(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathInt64(r, "userID")
	if err != nil {
		return err
	}
	pw, err := s.svc.ResetPassword(r.Context(), id, "")
	if err != nil {
		return err
	}
	u, err := s.svc.User(r.Context(), id)
	if err != nil {
		return err
	}
	return s.renderUserEdit(w, r, u, http.StatusOK, pw, "flash.password_reset")
}

func (s *Server) unlockUser(w http.ResponseWriter, r *http.Request) error {
	return s.userAction(w, r, "flash.unlocked", func(id int64) error { return s.svc.Unlock(r.Context(), id) })
}

func (s *Server) endUserSessions(w http.ResponseWriter, r *http.Request) error {
	return s.userAction(w, r, "flash.sessions_ended", func(id int64) error {
		_, err := s.svc.EndSessions(r.Context(), id)
		return err
	})
}

func (s *Server) userAction(w http.ResponseWriter, r *http.Request, flash string, fn func(int64) error) error {
	id, err := httpx.PathInt64(r, "userID")
	if err != nil {
		return err
	}
	if err := fn(id); err != nil {
		return err
	}
	s.setFlash(w, r, flash)
	http.Redirect(w, r, "/admin/users/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
	return nil
}

func (s *Server) endAllSessions(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.svc.EndAllSessions(r.Context()); err != nil {
		return err
	}
	s.setFlash(w, r, "flash.sessions_ended")
	http.Redirect(w, r, "/admin/users", http.StatusSeeOther)
	return nil
}

func (s *Server) saveUserUnit(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathInt64(r, "userID")
	if err != nil {
		return err
	}
	u, err := s.svc.User(r.Context(), id)
	if err != nil {
		return err
	}
	if err := s.svc.AssignToUnit(r.Context(), u.Username, r.PostFormValue("unit")); err != nil {
		if domain.ErrorCode(err) == domain.Invalid {
			_, d := s.describe(r, err)
			return s.renderUserEdit(w, r, u, http.StatusUnprocessableEntity, "", d.Message)
		}
		return err
	}
	s.setFlash(w, r, "flash.saved")
	http.Redirect(w, r, "/admin/users/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
	return nil
}
