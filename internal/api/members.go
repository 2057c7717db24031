package api

import (
	"net/http"
	"strconv"

	"jiefen/internal/httpx"
)

type memberIn struct {
	Name     string  `json:"name"`
	Village  string  `json:"village"`
	IDNumber string  `json:"id_number"`
	Phone    string  `json:"phone"`
	Amount   float64 `json:"amount"`
	Note     string  `json:"note"`
}

// importMembersHandler answers POST /api/v1/cases/{id}/members {rows: [...]}:
// all rows or none, bad rows named as rows[n].field (n counts from 2, as
// the line of a file whose first line is the heading).
func (a *API) importMembersHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathInt64(r, "caseID")
	if err != nil {
		return err
	}
	var in struct {
		Rows []memberIn `json:"rows"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	table := [][]string{{"姓名", "村", "身份证号", "电话", "金额", "备注"}}
	for _, m := range in.Rows {
		amount := ""
		if m.Amount != 0 {
			amount = strconv.FormatFloat(m.Amount, 'f', -1, 64)
		}
		table = append(table, []string{m.Name, m.Village, m.IDNumber, m.Phone, amount, m.Note})
	}
	n, err := a.svc.ImportMembers(r.Context(), id, table)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, map[string]any{"imported": n})
	return nil
}

// listMembersHandler answers GET /api/v1/cases/{id}/members.
func (a *API) listMembersHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathInt64(r, "caseID")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	after, _ := strconv.Atoi(q.Get("after"))
	limit, _ := strconv.Atoi(q.Get("limit"))
	read := a.svc.Group
	if limit > 50 {
		read = a.svc.PrintGroup // a batch download
	}
	g, err := read(r.Context(), id, q.Get("village"), q.Get("status"), after, limit)
	if err != nil {
		return err
	}
	items := []map[string]any{}
	for _, m := range g.Rows {
		it := map[string]any{"id": m.ID, "row": m.RowNo, "name": m.Name, "village": m.VillageCode, "village_name": m.VillageName,
			"id_number": m.IDMasked, "phone": m.PhoneMasked, "amount": float64(m.AmountCents) / 100, "note": m.Note,
			"status": m.Status, "status_note": m.StatusNote, "version": m.Version}
		if m.ConfirmedBy != "" {
			it["confirmed_by"], it["confirmed_at"] = m.ConfirmedBy, rfc(m.ConfirmedAt)
		}
		items = append(items, it)
	}
	villages := []map[string]any{}
	for _, v := range g.Villages {
		villages = append(villages, map[string]any{"code": v.Code, "name": v.Name, "total": v.Total, "by_status": v.ByStatus})
	}
	out := map[string]any{"total": g.Total, "by_status": g.ByStatus, "villages": villages, "items": items}
	if g.NextAfter > 0 {
		out["next_after"] = g.NextAfter
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

// confirmMemberHandler answers POST /api/v1/cases/{id}/members/{memberID}/confirm.
func (a *API) confirmMemberHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathInt64(r, "caseID")
	if err != nil {
		return err
	}
	mid, err := httpx.PathInt64(r, "memberID")
	if err != nil {
		return err
	}
	var in struct {
		Status  string `json:"status"`
		Note    string `json:"note"`
		Version int64  `json:"version"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	if err := a.svc.ConfirmMember(r.Context(), id, mid, in.Status, in.Note, in.Version); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"id": mid, "status": in.Status})
	return nil
}

// addUnitHandler answers POST /api/v1/cases/{id}/units {unit, part}.
func (a *API) addUnitHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathInt64(r, "caseID")
	if err != nil {
		return err
	}
	var in struct {
		Unit string `json:"unit"`
		Part string `json:"part"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	if err := a.svc.AddCoUnit(r.Context(), id, in.Unit, in.Part); err != nil {
		return err
	}
	units, err := a.svc.CaseUnits(r.Context(), id)
	if err != nil {
		return err
	}
	out := []map[string]any{}
	for _, u := range units {
		out = append(out, map[string]any{"code": u.Code, "name": u.Name, "role": u.Role, "part": u.Part})
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"units": out})
	return nil
}
