package api

import (
	"cmp"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"jiefen/internal/domain"
	"jiefen/internal/httpx"
	"jiefen/internal/service/identity"
)

var errNotFoundRoute = domain.Error{Code: domain.NotFound, Key: "error.no_route"}

// userJSON is an account as the API shows it; the phone is masked.
type userJSON struct {
	ID            int64    `json:"id"`
	Username      string   `json:"username"`
	Name          string   `json:"name"`
	Phone         string   `json:"phone,omitempty"`
	Roles         []string `json:"roles"`
	OrgCode       string   `json:"org_code"`
	OrgName       string   `json:"org_name"`
	Lang          string   `json:"lang,omitempty"`
	Notices       string   `json:"overdue_notices"` // digest (one a day) or each (one per matter)
	Disabled      bool     `json:"disabled"`
	MustChangePwd bool     `json:"must_change_password"`
	SecondFactor  string   `json:"second_factor"` // none, totp or reset
	LockedUntil   string   `json:"locked_until,omitempty"`
	Version       int64    `json:"version"`
}

func toUserJSON(u *domain.User) userJSON {
	j := userJSON{ID: u.ID, Username: u.Username, Name: u.Name, OrgCode: u.OrgCode, OrgName: u.OrgName, Lang: u.Lang, Notices: u.OverdueNotices,
		Disabled: u.Disabled, MustChangePwd: u.MustChangePwd, Version: u.Version, Roles: []string{}, SecondFactor: cmp.Or(u.SecondFactor, "none")}
	if u.Phone != "" {
		j.Phone = domain.MaskPhone(u.Phone)
	}
	for _, r := range u.Roles {
		j.Roles = append(j.Roles, string(r))
	}
	if !u.LockedUntil.IsZero() && u.LockedUntil.After(time.Now()) {
		j.LockedUntil = u.LockedUntil.Format(time.RFC3339)
	}
	return j
}

type orgJSON struct {
	Code       string `json:"code"`
	Name       string `json:"name"`
	Level      string `json:"level"`
	ParentCode string `json:"parent_code,omitempty"`
}

func toOrgJSON(o domain.Org) orgJSON {
	return orgJSON{Code: o.Code, Name: o.Name, Level: string(o.Level), ParentCode: o.ParentCode}
}

func (a *API) getMeHandler(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	u := domain.ActorFrom(ctx).User
	org, err := a.svc.Org(ctx, u.OrgCode)
	if err != nil {
		return err
	}
	chain, err := a.svc.OrgAncestors(ctx, org)
	if err != nil {
		return err
	}
	jur := []orgJSON{}
	for _, o := range chain {
		jur = append(jur, toOrgJSON(o))
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{
		"user":                     toUserJSON(u),
		"jurisdiction":             toOrgJSON(org),
		"jurisdiction_path":        jur,
		"must_change_password":     a.svc.MustChangePassword(u),
		"must_enrol_second_factor": a.svc.MustEnrol(u),
		"api_version":              "v1",
		"server_version":           a.version,
	})
	return nil
}

// patchMeHandler answers PATCH /api/v1/me: the caller's own settings,
// {"overdue_notices": "digest"|"each"} (how overdue matters are told: one
// digest a day, or a notice per matter); it returns the account.
func (a *API) patchMeHandler(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Notices *string `json:"overdue_notices"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	u := domain.ActorFrom(r.Context()).User
	if in.Notices != nil {
		var err error
		if u, err = a.svc.SetOwnOverdueNotices(r.Context(), *in.Notices); err != nil {
			return err
		}
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"user": toUserJSON(u)})
	return nil
}

func (a *API) listOrgsHandler(w http.ResponseWriter, r *http.Request) error {
	parent := r.URL.Query().Get("parent")
	if parent != "" && !domain.ValidCode(parent) {
		return &domain.Error{Code: domain.Invalid, Key: "org.code.invalid", Fields: map[string]string{"parent": "org.code.invalid"}}
	}
	orgs, err := a.svc.OrgChildren(r.Context(), parent)
	if err != nil {
		return err
	}
	items := []orgJSON{}
	for _, o := range orgs {
		items = append(items, toOrgJSON(o))
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": items})
	return nil
}

func (a *API) getOrgHandler(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	o, err := a.svc.Org(ctx, r.PathValue("code"))
	if err != nil {
		return err
	}
	children, err := a.svc.OrgChildren(ctx, o.Code)
	if err != nil {
		return err
	}
	j := struct {
		orgJSON
		Children []orgJSON `json:"children"`
	}{toOrgJSON(o), []orgJSON{}}
	for _, c := range children {
		j.Children = append(j.Children, toOrgJSON(c))
	}
	httpx.WriteJSON(w, http.StatusOK, j)
	return nil
}

func (a *API) createGridHandler(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name string `json:"name"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	cell, err := a.svc.CreateGridCell(r.Context(), r.PathValue("code"), in.Name)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, toOrgJSON(cell))
	return nil
}

func (a *API) listUsersHandler(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := domain.UserFilter{Query: strings.TrimSpace(q.Get("q")), Role: domain.Role(q.Get("role"))}
	if f.Role != "" && !f.Role.Valid() {
		return &domain.Error{Code: domain.Invalid, Key: "user.role.unknown", Args: []any{q.Get("role")}, Fields: map[string]string{"role": "user.role.unknown"}}
	}
	var err error
	if f.Limit, f.AfterID, err = pageParams(q, 0); err != nil {
		return err
	}
	users, err := a.svc.Users(r.Context(), f)
	if err != nil {
		return err
	}
	items := []userJSON{}
	for _, u := range users {
		items = append(items, toUserJSON(u))
	}
	next := ""
	if len(users) == f.Limit {
		next = strconv.FormatInt(users[len(users)-1].ID, 10)
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": items, "next_cursor": next})
	return nil
}

// pageParams reads a list's limit and cursor; a cursor below min is refused.
func pageParams(q url.Values, min int64) (limit int, cursor int64, err error) {
	if limit, err = limitParam(q.Get("limit")); err != nil {
		return 0, 0, err
	}
	if c := q.Get("cursor"); c != "" {
		if cursor, err = strconv.ParseInt(c, 10, 64); err != nil || cursor < min {
			return 0, 0, &domain.Error{Code: domain.Invalid, Key: "api.cursor", Fields: map[string]string{"cursor": "api.cursor"}}
		}
	}
	return limit, cursor, nil
}

func limitParam(s string) (int, error) {
	if s == "" {
		return 50, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 500 {
		return 0, &domain.Error{Code: domain.Invalid, Key: "api.limit", Fields: map[string]string{"limit": "api.limit"}}
	}
	return n, nil
}

type userIn struct {
	Username string   `json:"username"`
	Name     string   `json:"name"`
	Phone    string   `json:"phone"`
	Roles    []string `json:"roles"`
	OrgCode  string   `json:"org_code"`
	Lang     string   `json:"lang"`
	Password string   `json:"password"`
}

func rolesOf(in []string) []domain.Role {
	out := []domain.Role{}
	for _, r := range in {
		out = append(out, domain.Role(r))
	}
	return out
}

func (a *API) createUserHandler(w http.ResponseWriter, r *http.Request) error {
	var in userIn
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	generated := ""
	if in.Password == "" {
		in.Password = identity.GeneratePassword()
		generated = in.Password
	}
	u, err := a.svc.CreateUser(r.Context(), identity.NewUser{Username: in.Username, Name: in.Name, Phone: in.Phone,
		Roles: rolesOf(in.Roles), OrgCode: in.OrgCode, Lang: in.Lang, Password: in.Password})
	if err != nil {
		return err
	}
	out := map[string]any{"user": toUserJSON(u)}
	if generated != "" {
		out["initial_password"] = generated
	}
	w.Header().Set("Location", "/api/v1/users/"+strconv.FormatInt(u.ID, 10))
	httpx.WriteJSON(w, http.StatusCreated, out)
	return nil
}

func (a *API) getUserHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathInt64(r, "userID")
	if err != nil {
		return err
	}
	u, err := a.svc.User(r.Context(), id)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, toUserJSON(u))
	return nil
}

func (a *API) updateUserHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathInt64(r, "userID")
	if err != nil {
		return err
	}
	var in struct {
		Name     *string   `json:"name"`
		Phone    *string   `json:"phone"`
		Roles    *[]string `json:"roles"`
		OrgCode  *string   `json:"org_code"`
		Lang     *string   `json:"lang"`
		Disabled *bool     `json:"disabled"`
		Version  int64     `json:"version"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	if in.Version <= 0 {
		return &domain.Error{Code: domain.Invalid, Key: "error.invalid", Fields: map[string]string{"version": "field.required"}}
	}
	p := identity.UserPatch{Name: in.Name, Phone: in.Phone, OrgCode: in.OrgCode, Lang: in.Lang, Disabled: in.Disabled, Version: in.Version}
	if in.Roles != nil {
		p.Roles = rolesOf(*in.Roles)
	}
	u, err := a.svc.UpdateUser(r.Context(), id, p)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, toUserJSON(u))
	return nil
}

func (a *API) resetPasswordHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathInt64(r, "userID")
	if err != nil {
		return err
	}
	pw, err := a.svc.ResetPassword(r.Context(), id, "")
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]string{"initial_password": pw})
	return nil
}

// resetSecondFactorHandler answers POST /api/v1/users/{userID}/reset-2fa.
func (a *API) resetSecondFactorHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathInt64(r, "userID")
	if err != nil {
		return err
	}
	if err := a.svc.ResetSecondFactor(r.Context(), id); err != nil {
		return err
	}
	u, err := a.svc.User(r.Context(), id)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"user": toUserJSON(u)})
	return nil
}

type auditJSON struct {
	Seq        int64  `json:"seq"`
	At         string `json:"at"`
	Username   string `json:"username"`
	Roles      string `json:"roles"`
	IP         string `json:"ip"`
	RequestID  string `json:"request_id"`
	Action     string `json:"action"`
	ObjectType string `json:"object_type"`
	ObjectID   string `json:"object_id"`
	Result     string `json:"result"`
	Detail     string `json:"detail"`
}

func (a *API) searchAuditHandler(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := domain.AuditFilter{Username: q.Get("user"), Action: q.Get("action"), Result: q.Get("result"), ObjectID: q.Get("object")}
	var err error
	if f.Limit, f.BeforeSeq, err = pageParams(q, 0); err != nil {
		return err
	}
	entries, err := a.svc.SearchAudit(r.Context(), f)
	if err != nil {
		return err
	}
	items := []auditJSON{}
	for _, e := range entries {
		items = append(items, auditJSON{e.Seq, e.At.In(domain.CST).Format(time.RFC3339), e.Username, e.Roles, e.IP, e.RequestID,
			e.Action, e.ObjectType, e.ObjectID, e.Result, e.Detail})
	}
	next := ""
	if len(entries) == f.Limit {
		next = strconv.FormatInt(entries[len(entries)-1].Seq, 10)
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": items, "next_cursor": next})
	return nil
}
