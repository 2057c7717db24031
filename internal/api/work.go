package api

import (
	"net/http"
	"strconv"

	"jiefen/internal/domain"
	"jiefen/internal/httpx"
)

// nextWorkHandler answers GET /api/v1/work/next?after={id}: the next
// matter waiting for the caller (null when none), as the matter page's
// flash offers it after an action.
func (a *API) nextWorkHandler(w http.ResponseWriter, r *http.Request) error {
	var after int64
	if v := r.URL.Query().Get("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return &domain.Error{Code: domain.Invalid, Key: "error.invalid", Fields: map[string]string{"after": "field.number"}}
		}
		after = n
	}
	c, err := a.svc.NextWork(r.Context(), after)
	if domain.ErrorCode(err) == domain.NotFound {
		httpx.WriteJSON(w, http.StatusOK, map[string]any{"next": nil})
		return nil
	}
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"next": map[string]any{"id": c.ID, "number": c.Number, "status": c.Status}})
	return nil
}
