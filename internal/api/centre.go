package api

import (
	"net/http"
	"time"

	"jiefen/internal/domain"
	"jiefen/internal/httpx"
	"jiefen/internal/service/registry"
)

type dutyJSON struct {
	Category string `json:"category"`
	OrgCode  string `json:"org_code,omitempty"`
	Service  string `json:"service"`
}

// getCentreHandler answers GET /api/v1/centre: the registries and who is at
// the centre today.
func (a *API) getCentreHandler(w http.ResponseWriter, r *http.Request) error {
	reg, err := a.svc.Centre(r.Context())
	if err != nil {
		return err
	}
	units := []map[string]any{}
	for _, u := range reg.Units {
		duties := []dutyJSON{}
		for _, d := range u.Duties {
			duties = append(duties, dutyJSON{d.Category, d.OrgCode, d.Service})
		}
		units = append(units, map[string]any{"code": u.Code, "name": u.Name, "kind": u.Kind, "duties": duties,
			"mechanisms": nonNil(u.Mechanisms), "contacts": u.Contacts, "active": u.Active, "version": u.Version})
	}
	today := []string{}
	for _, u := range reg.Today {
		today = append(today, u.Code)
	}
	zones := []map[string]any{}
	for _, z := range reg.Zones {
		ws := []map[string]any{}
		for _, w := range z.Windows {
			ws = append(ws, map[string]any{"code": w.Code, "name": w.Name, "unit": w.UnitCode})
		}
		zones = append(zones, map[string]any{"code": z.Code, "name": z.Name, "purpose": z.Purpose, "windows": ws})
	}
	orgs := []map[string]any{}
	for _, o := range reg.Orgs {
		orgs = append(orgs, map[string]any{"code": o.Code, "name": o.Name, "kind": o.Kind, "org_code": o.OrgCode, "categories": nonNil(o.Categories), "open": o.Open, "active": o.Active})
	}
	meds := []map[string]any{}
	for _, m := range reg.Mediators {
		meds = append(meds, map[string]any{"id": m.ID, "name": m.Name, "kind": m.Kind, "title": m.Title, "org": m.OrgCode,
			"specialties": nonNil(m.Specialties), "townships": nonNil(m.Townships), "load": m.Load, "active": m.Active})
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"units": units, "on_duty_today": today, "zones": zones, "mediation_orgs": orgs, "mediators": meds})
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// importCentreHandler answers POST /api/v1/centre/import (county administrators).
func (a *API) importCentreHandler(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		registry.CentreSetup
		Weeks *int `json:"weeks"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	weeks := 8
	if in.Weeks != nil {
		weeks = *in.Weeks
	}
	if weeks < 0 || weeks > 104 {
		return &domain.Error{Code: domain.Invalid, Key: "error.invalid", Fields: map[string]string{"weeks": "field.range"}}
	}
	summary, err := a.svc.ImportCentre(r.Context(), in.CentreSetup, weeks)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"summary": summary})
	return nil
}

// rosterHandler answers POST /api/v1/centre/roster {unit, day, on}.
func (a *API) rosterHandler(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Unit string `json:"unit"`
		Day  string `json:"day"`
		On   bool   `json:"on"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	day, err := time.ParseInLocation("2006-01-02", in.Day, domain.CST)
	if err != nil {
		return &domain.Error{Code: domain.Invalid, Key: "error.invalid", Fields: map[string]string{"day": "field.date"}}
	}
	if err := a.svc.SetRosterDay(r.Context(), in.Unit, day, in.On); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"unit": in.Unit, "day": in.Day, "on": in.On})
	return nil
}

// postHandler answers POST /api/v1/centre/posts {post, org_code, username}.
func (a *API) postHandler(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Post     string `json:"post"`
		OrgCode  string `json:"org_code"`
		Username string `json:"username"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	if err := a.svc.SetPost(r.Context(), in.Post, in.OrgCode, in.Username); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"post": in.Post, "org_code": in.OrgCode, "username": in.Username})
	return nil
}
