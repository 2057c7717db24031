package api

import (
	"encoding/json"
	"net/http"
	"strconv"

	"jiefen/internal/domain"
	"jiefen/internal/httpx"
	"jiefen/internal/i18n"
	"jiefen/internal/service/casework"
)

// The pickers' data: whom an action on a matter could name, places by
// name, and the bulk dispatch of the list.

type candidateJSON struct {
	Username  string `json:"username"`
	Name      string `json:"name"`
	Role      string `json:"role"`
	OrgCode   string `json:"org_code"`
	OrgName   string `json:"org_name"`
	UnitCode  string `json:"unit_code,omitempty"`
	UnitName  string `json:"unit_name,omitempty"`
	Load      int    `json:"load"`
	CoLoad    int    `json:"co_load"`
	Suggested bool   `json:"suggested"`
}

func toCandidatesJSON(list []domain.Assignable) []candidateJSON {
	out := make([]candidateJSON, 0, len(list))
	for _, c := range list {
		out = append(out, candidateJSON{c.Username, c.Name, string(c.Role), c.OrgCode, c.OrgName, c.UnitCode, c.UnitName, c.Load, c.CoLoad, c.Suggested})
	}
	return out
}

// candidatesHandler answers GET /api/v1/cases/{caseID}/candidates?action=…:
// the accounts the action would accept on the matter, with their loads,
// the suggested one first.
func (a *API) candidatesHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathInt64(r, "caseID")
	if err != nil {
		return err
	}
	action := r.URL.Query().Get("action")
	list, err := a.svc.Candidates(r.Context(), id, action)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"action": action, "items": toCandidatesJSON(list)})
	return nil
}

// placesHandler answers GET /api/v1/places?q=…[&limit=…]: the places of
// the caller's jurisdiction whose name contains q.
func (a *API) placesHandler(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	limit, _ := strconv.Atoi(q.Get("limit"))
	hits, err := a.svc.SearchPlaces(r.Context(), q.Get("q"), limit)
	if err != nil {
		return err
	}
	type placeJSON struct {
		orgJSON
		Trail string `json:"trail"`
	}
	items := make([]placeJSON, 0, len(hits))
	for _, h := range hits {
		items = append(items, placeJSON{toOrgJSON(h.Org), h.Trail})
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": items})
	return nil
}

// bulkDispatchHandler answers POST /api/v1/cases/bulk/dispatch {cases:
// [ids], assignee, note}: each matter is dispatched on its own; the answer
// says per matter whether it was, and why not.
func (a *API) bulkDispatchHandler(w http.ResponseWriter, r *http.Request) error {
	var obj map[string]json.RawMessage
	if err := httpx.DecodeJSON(w, r, &obj); err != nil {
		return err
	}
	var ids []int64
	if raw, ok := obj["cases"]; ok {
		if err := json.Unmarshal(raw, &ids); err != nil {
			return &domain.Error{Code: domain.Invalid, Key: "error.invalid", Fields: map[string]string{"cases": "json.wrong_type"}}
		}
		delete(obj, "cases")
	}
	for k := range obj {
		if k != "assignee" && k != "note" {
			return &domain.Error{Code: domain.Invalid, Key: "json.unknown_field", Fields: map[string]string{k: "json.unknown_field"}}
		}
	}
	fields, err := casework.NewJSONFields(obj)
	if err != nil {
		return err
	}
	in, err := casework.DecodeAction("dispatch", fields)
	if err != nil {
		return err
	}
	res, err := a.svc.BulkAct(r.Context(), "dispatch", ids, in)
	if err != nil {
		return err
	}
	lang := i18n.Pick(r, domain.ActorFrom(r.Context()).User.Lang)
	type result struct {
		ID     int64              `json:"id"`
		Number string             `json:"number,omitempty"`
		OK     bool               `json:"ok"`
		Status string             `json:"status,omitempty"`
		Error  *httpx.ErrorDetail `json:"error,omitempty"`
	}
	out := make([]result, 0, len(res))
	done := 0
	for _, x := range res {
		l := result{ID: x.ID, Number: x.Number, OK: x.Err == nil}
		if x.Err != nil {
			_, d := httpx.Describe(r, a.log, lang, x.Err)
			l.Error = &d
		} else {
			l.Status = string(x.Case.Status)
			done++
		}
		out = append(out, l)
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"results": out, "done": done, "failed": len(out) - done})
	return nil
}
